"""The JSON API through Flask's test client, every response checked against the OpenAPI document."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import hypothesis
import jsonschema_rs
import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bench.serve import serving
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.index.build import build_index
from qa.index.layout import MANIFEST
from tests.conftest import SEED_QUESTION, SEEDS
from web import create_app
from web.limits import MAX_BODY_BYTES, MAX_QUESTION_CHARS
from web.openapi import openapi_document

SECURITY_HEADERS = {
    "Content-Security-Policy": "script-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def conforms(response: TestResponse, path: str, method: str = "get") -> dict[str, Any]:
    """The response's JSON, after checking status, content type and body against the document."""
    document = openapi_document()
    responses = document["paths"][path][method]["responses"]
    assert str(response.status_code) in responses, f"{response.status_code} is not documented"
    assert response.mimetype == "application/json", response.data[:200]
    schema = responses[str(response.status_code)]["content"]["application/json"]["schema"]
    jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]}).validate(
        response.json
    )
    for name, expected in SECURITY_HEADERS.items():
        assert expected in response.headers.get(name, ""), name
    return response.json


def error_of(response: TestResponse, path: str, status: int, method: str = "post") -> str:
    assert response.status_code == status, response.data[:300]
    body = conforms(response, path, method)
    assert body["error"]["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body["error"]["code"]


# --- POST /api/ask ----------------------------------------------------------------------------


def test_ask_returns_the_searchers_answer_json(client: FlaskClient, seed_searcher: Searcher):
    body = conforms(client.post("/api/ask", json={"question": SEED_QUESTION}), "/api/ask", "post")
    expected = seed_searcher.ask(SEED_QUESTION, k=5, mode="hybrid").to_dict()
    body.pop("took_ms"), expected.pop("took_ms")
    assert body == expected
    assert "SANA" in body["answer"]["text"]
    assert len(body["passages"]) == min(5, seed_searcher.index.chunk_count)


@pytest.mark.parametrize(("k", "mode"), [(1, "dense"), (3, "bm25"), (50, "hybrid"), (2.0, "dense")])
def test_ask_honours_k_and_mode(client: FlaskClient, k: int, mode: str):
    body = conforms(
        client.post("/api/ask", json={"question": SEED_QUESTION, "k": k, "mode": mode}),
        "/api/ask",
        "post",
    )
    assert body["mode"] == mode
    assert 1 <= len(body["passages"]) <= k


def test_cited_passages_are_exact_slices_of_the_articles(client: FlaskClient):
    answer = client.post("/api/ask", json={"question": SEED_QUESTION, "k": 7}).json
    for passage in answer["passages"]:
        cite = passage["citation"]
        article = conforms(
            client.get(f"/api/articles/{cite['article_id']}"), "/api/articles/{article_id}"
        )
        assert article["text"][cite["start"] : cite["end"]] == passage["text"]


def test_a_question_the_articles_do_not_answer_still_lists_passages(client: FlaskClient):
    body = conforms(
        client.post("/api/ask", json={"question": "What is the recipe for sourdough bread?"}),
        "/api/ask",
        "post",
    )
    assert body["answer"] is None
    assert body["passages"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "missing_question"),
        ({"question": None}, "missing_question"),
        ({"question": ""}, "empty_question"),
        ({"question": " \t\n "}, "empty_question"),
        ({"question": 42}, "invalid_question"),
        ({"question": ["who?"]}, "invalid_question"),
        ({"question": "who?\x00"}, "invalid_characters"),
        ({"question": "who \ud800 reported?"}, "invalid_characters"),
        ({"question": "who?", "k": 0}, "invalid_k"),
        ({"question": "who?", "k": 51}, "invalid_k"),
        ({"question": "who?", "k": "5"}, "invalid_k"),
        ({"question": "who?", "k": 2.5}, "invalid_k"),
        ({"question": "who?", "k": True}, "invalid_k"),
        ({"question": "who?", "mode": "fuzzy"}, "invalid_mode"),
        ({"question": "who?", "mode": None}, "invalid_mode"),
        ({"question": "who?", "top": 3}, "unknown_field"),
        (["who?"], "invalid_body"),
        ("who?", "invalid_body"),
        (None, "invalid_body"),
    ],
)
def test_ask_refuses_bad_requests_with_400(client: FlaskClient, body: Any, code: str):
    response = client.post("/api/ask", data=json.dumps(body), content_type="application/json")
    assert error_of(response, "/api/ask", 400) == code


@pytest.mark.parametrize("data", [b"{", b'{"question": "who?",}', b"\xff\xfe{}", b""])
def test_ask_refuses_invalid_json_with_400(client: FlaskClient, data: bytes):
    response = client.post("/api/ask", data=data, content_type="application/json")
    assert error_of(response, "/api/ask", 400) == "invalid_json"


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_ask_refuses_bodies_that_are_not_json_with_415(client: FlaskClient, content_type):
    response = client.post("/api/ask", data='{"question": "who?"}', content_type=content_type)
    assert error_of(response, "/api/ask", 415) == "unsupported_media_type"


def test_ask_accepts_a_json_content_type_with_charset(client: FlaskClient):
    response = client.post(
        "/api/ask",
        data=json.dumps({"question": SEED_QUESTION}),
        content_type="application/json; charset=utf-8",
    )
    assert conforms(response, "/api/ask", "post")["answer"]


def test_a_question_over_the_limit_is_refused_with_413(client: FlaskClient):
    response = client.post("/api/ask", json={"question": "x" * (MAX_QUESTION_CHARS + 1)})
    assert error_of(response, "/api/ask", 413) == "question_too_long"
    at_limit = client.post("/api/ask", json={"question": "who? " * (MAX_QUESTION_CHARS // 5)})
    assert at_limit.status_code == 200


def test_a_body_over_the_limit_is_refused_with_413(client: FlaskClient):
    padding = "x" * MAX_BODY_BYTES
    response = client.post("/api/ask", json={"question": "who?", "padding": padding})
    assert error_of(response, "/api/ask", 413) == "payload_too_large"


# --- errors of any endpoint -------------------------------------------------------------------


def test_unknown_api_paths_are_json_404(client: FlaskClient):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("method", "path", "documented"),
    [("get", "/api/ask", "post"), ("delete", "/api/ask", "post"), ("post", "/api/health", "get")],
)
def test_wrong_methods_are_json_405_with_allow(client: FlaskClient, method, path, documented):
    response = getattr(client, method)(path)
    assert error_of(response, path, 405, documented) == "method_not_allowed"
    assert documented.upper() in response.headers["Allow"]


def test_an_unexpected_error_is_json_500_without_details(seed_index: Settings):
    app = create_app(seed_index)

    @app.get("/api/explode")
    def explode():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/api/explode")
    assert response.status_code == 500
    assert response.json == {
        "error": {
            "code": "internal_error",
            "message": "something went wrong on the server; the error is in its log",
        }
    }
    assert "secret" not in response.get_data(as_text=True)


def test_debug_mode_is_off(seed_app: Flask):
    assert not seed_app.debug
    assert seed_app.config["MAX_CONTENT_LENGTH"] == MAX_BODY_BYTES


# --- health, articles, the document -----------------------------------------------------------


def test_health_reports_the_loaded_index(client: FlaskClient, seed_searcher: Searcher):
    body = conforms(client.get("/api/health"), "/api/health")
    manifest = seed_searcher.manifest
    assert body["status"] == "ok"
    assert body["articles"] == manifest["counts"]["articles"]
    assert body["chunks"] == manifest["counts"]["chunks"]
    assert body["build_id"] == manifest["build_id"]
    assert body["model"] == manifest["model"]["name"]


def test_articles_are_paged_with_a_total(markup_index: Settings):
    client = create_app(markup_index).test_client()
    everything = conforms(client.get("/api/articles"), "/api/articles")
    assert everything["total"] == 2 == len(everything["articles"])
    assert (everything["offset"], everything["limit"]) == (0, 20)
    second = conforms(client.get("/api/articles?offset=1&limit=1"), "/api/articles")
    assert second["articles"] == everything["articles"][1:]
    past_the_end = conforms(client.get("/api/articles?offset=5"), "/api/articles")
    assert past_the_end["articles"] == [] and past_the_end["total"] == 2


@pytest.mark.parametrize(
    "query", ["offset=-1", "offset=x", "limit=0", "limit=101", "limit=1.5", "limit=", "limit=1_0"]
)
def test_bad_paging_parameters_are_400(client: FlaskClient, query: str):
    response = client.get(f"/api/articles?{query}")
    assert error_of(response, "/api/articles", 400, "get") == "invalid_parameter"


def test_an_article_has_its_text_and_metadata(client: FlaskClient):
    listed = client.get("/api/articles").json["articles"][0]
    article = conforms(client.get(f"/api/articles/{listed['id']}"), "/api/articles/{article_id}")
    assert {k: article[k] for k in listed} == listed
    assert article["text"] == (SEEDS / f"{listed['id']}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "article_id",
    ["nope", "tech/029", "..%2F..%2Fmanifest.json", "../../etc/passwd", "%00", "%2Fetc%2Fpasswd"],
)
def test_unknown_or_path_like_article_ids_are_404(client: FlaskClient, article_id: str):
    response = client.get(f"/api/articles/{article_id}")
    assert response.status_code == 404
    assert response.json["error"]["code"] in {"article_not_found", "not_found"}


def test_the_openapi_document_describes_every_api_route(client: FlaskClient, seed_app: Flask):
    document = conforms(client.get("/api/openapi.json"), "/api/openapi.json")
    assert document["openapi"].startswith("3.")
    routes = {
        rule.rule.replace("<path:article_id>", "{article_id}")
        for rule in seed_app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == set(document["paths"])
    common = {"200", "404", "405", "500", "503"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert common <= set(operation["responses"]), (path, method)


def test_fuzzed_requests_get_documented_responses(seed_app: Flask):
    """Schemathesis sends schema-made requests to every operation; none may break the contract.

    (Its pytest plugin does not load under pytest 9, so the operations are driven directly.)
    """
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", seed_app)
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=20 if operation.method == "post" else 40,  # each ask embeds text
            deadline=None,
            derandomize=True,  # the same requests every run: a failure is a regression
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate()

        check()


# --- no index, a broken index, a new index ----------------------------------------------------


def test_without_an_index_the_api_answers_503(tmp_path: Path, embedder: Embedder):
    client = create_app(Settings(index_dir=tmp_path / "missing")).test_client()
    for method, path, template in [
        ("get", "/api/health", "/api/health"),
        ("get", "/api/articles", "/api/articles"),
        ("get", "/api/articles/x", "/api/articles/{article_id}"),
    ]:
        response = getattr(client, method)(path)
        assert error_of(response, template, 503, method) == "index_unavailable"
    response = client.post("/api/ask", json={"question": SEED_QUESTION})
    assert error_of(response, "/api/ask", 503) == "index_unavailable"
    assert "qa build" in response.json["error"]["message"]


def test_a_broken_index_answers_503_saying_what_to_run(tmp_path: Path, embedder: Embedder):
    index = tmp_path / "index"
    index.mkdir()
    (index / MANIFEST).write_text("{not json", encoding="utf-8")
    response = create_app(Settings(index_dir=index)).test_client().get("/api/health")
    assert error_of(response, "/api/health", 503, "get") == "index_unavailable"
    assert "qa build --full" in response.json["error"]["message"]


def wait_for(condition, seconds: float = 30.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass (a bounded wait, not a timing check)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_new_index_is_picked_up_without_a_restart(tmp_path: Path, embedder: Embedder):
    settings = Settings(index_dir=tmp_path / "index")
    client = create_app(settings).test_client()
    assert client.get("/api/health").status_code == 503
    build_index(settings, [str(SEEDS)], embedder=embedder)
    assert wait_for(lambda: client.get("/api/health").status_code == 200)
    assert client.post("/api/ask", json={"question": SEED_QUESTION}).json["answer"]


def test_a_rebuild_swaps_the_index_without_a_failed_request(tmp_path: Path, embedder: Embedder):
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, [str(articles)], embedder=embedder)
    app = create_app(settings)
    first = app.test_client().get("/api/health").json
    statuses: list[int] = []
    stop = threading.Event()

    def keep_asking() -> None:
        client = app.test_client()
        while not stop.is_set():
            statuses.append(client.post("/api/ask", json={"question": SEED_QUESTION}).status_code)
            statuses.append(client.get("/api/health").status_code)

    askers = [threading.Thread(target=keep_asking) for _ in range(3)]
    for asker in askers:
        asker.start()
    try:
        (articles / "extra.txt").write_text(
            "Lighthouse news\n\nThe keeper of the Port Lumen light retired on Friday.\n",
            encoding="utf-8",
        )
        build_index(settings, [str(articles)], embedder=embedder)
        client = app.test_client()
        assert wait_for(lambda: client.get("/api/health").json["build_id"] != first["build_id"])
    finally:
        stop.set()
        for asker in askers:
            asker.join(timeout=60)
    assert client.get("/api/health").json["articles"] == first["articles"] + 1
    assert statuses and set(statuses) == {200}


def test_a_thread_that_first_asks_after_a_swap_reads_one_index_whole(
    tmp_path: Path, embedder: Embedder
):
    """After a swap on disk, a new thread is answered from the loaded index (its vectors with
    its own chunk store: never the old vectors with the new chunks), then from the new one."""
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, [str(articles)], embedder=embedder)
    app = create_app(settings)
    assert app.test_client().get("/api/health").status_code == 200
    for seed in articles.iterdir():
        seed.unlink()
    (articles / "lighthouse.txt").write_text(
        "Lighthouse news\n\nThe keeper of the Port Lumen light is Elsa Varga.\n", encoding="utf-8"
    )
    build_index(settings, [str(articles)], embedder=embedder)  # swapped on disk, not yet loaded

    def ask_from_a_new_thread() -> TestResponse:
        answers: list[TestResponse] = []
        question = {"question": "Who keeps the Port Lumen light?"}
        thread = threading.Thread(
            target=lambda: answers.append(app.test_client().post("/api/ask", json=question))
        )
        thread.start()
        thread.join(timeout=120)
        assert answers[0].status_code == 200, answers[0].data[:300]
        return answers[0]

    first = ask_from_a_new_thread().json["passages"][0]
    if first["citation"]["article_id"] != "lighthouse":  # still the old index: all of it
        seed_text = (SEEDS / "000_fea5b3fe5925253d.txt").read_text(encoding="utf-8")
        assert first["text"] == seed_text[first["citation"]["start"] : first["citation"]["end"]]
    deadline = time.monotonic() + 60
    while ask_from_a_new_thread().json["passages"][0]["citation"]["article_id"] != "lighthouse":
        assert time.monotonic() < deadline, "the new index was never loaded"
        time.sleep(0.2)


# --- rate limit ---------------------------------------------------------------------------------


def test_the_rate_limit_answers_429_with_retry_after(seed_index: Settings):
    client = create_app(seed_index.overridden(rate_limit=2)).test_client()
    assert client.get("/api/articles").status_code == 200
    assert client.get("/api/articles").status_code == 200
    response = client.post("/api/ask", json={"question": SEED_QUESTION})
    assert error_of(response, "/api/ask", 429) == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert client.get("/api/health").status_code == 200  # monitoring is never throttled
    other = client.get("/api/articles", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # the limit is per client address


def test_the_rate_limit_is_off_by_default(client: FlaskClient):
    assert Settings().rate_limit == 0
    assert {client.get("/api/articles").status_code for _ in range(30)} == {200}


# --- the real server ------------------------------------------------------------------------------


def test_qa_serve_serves_the_api_under_waitress(seed_index: Settings):
    with serving(seed_index.index_dir) as server:
        url = server.base + "/"
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}api/health", timeout=60) as response:
            assert response.status == 200
            assert response.headers["Server"] == "waitress"
            assert response.headers["X-Frame-Options"] == "DENY"
            assert json.load(response)["status"] == "ok"
        request = urllib.request.Request(
            f"{url}api/ask",
            data=json.dumps({"question": SEED_QUESTION}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            assert "SANA" in json.load(response)["answer"]["text"]
