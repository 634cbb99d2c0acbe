"""QA_API_TOKEN: Bearer on /api/, the login form and its cookie, and `qa serve` beyond loopback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from bench.serve import serving
from qa.cli import main
from qa.config import Settings
from tests.conftest import SEED_QUESTION
from tests.test_api import conforms, error_of
from web import create_app
from web.auth import COOKIE, is_loopback

TOKEN = "s3cret"
ASK = {"question": SEED_QUESTION}


@pytest.fixture(scope="module")
def token_app(seed_index: Settings, embedder) -> Flask:
    return create_app(seed_index.overridden(api_token=TOKEN))


@pytest.fixture
def guarded(token_app: Flask) -> FlaskClient:
    return token_app.test_client()


def logged_in(client: FlaskClient) -> FlaskClient:
    response = client.post("/login", data={"token": TOKEN})
    assert response.status_code == 303, response.data[:300]
    return client


def test_health_and_the_document_stay_open(guarded: FlaskClient):
    conforms(guarded.get("/api/health"), "/api/health")
    conforms(guarded.get("/api/openapi.json"), "/api/openapi.json")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer é"},
    ],
)
def test_ask_without_the_right_bearer_is_401(guarded: FlaskClient, headers: dict[str, str]):
    response = guarded.post("/api/ask", json=ASK, headers=headers)
    assert error_of(response, "/api/ask", 401) == "unauthorized"
    assert "Authorization: Bearer" in response.json["error"]["message"]
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_ask_with_the_bearer_answers(guarded: FlaskClient):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = conforms(guarded.post("/api/ask", json=ASK, headers=headers), "/api/ask", "post")
    assert "SANA" in body["answer"]["text"]
    conforms(guarded.get("/api/articles", headers=headers), "/api/articles")


def test_pages_redirect_to_the_login(guarded: FlaskClient):
    response = guarded.get("/articles/x?start=1")
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/articles/x?start=1"]}
    form = guarded.get(response.location)
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert "Access token" in page and 'type="password"' in page
    assert 'value="/articles/x?start=1"' in page
    assert "<script>" not in page and "style=" not in page


def test_a_wrong_token_shows_the_form_again_with_401(guarded: FlaskClient):
    response = guarded.post("/login", data={"token": "wrong"})
    assert response.status_code == 401
    assert "not right" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_the_right_token_sets_a_strict_httponly_cookie(guarded: FlaskClient):
    response = guarded.post("/login", data={"token": TOKEN, "next": "/articles/x"})
    assert response.status_code == 303
    assert response.location == "/articles/x"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and TOKEN not in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; https sets it


def test_the_cookie_opens_the_page_and_the_api(guarded: FlaskClient):
    logged_in(guarded)
    assert guarded.get("/").status_code == 200
    conforms(guarded.post("/api/ask", json=ASK), "/api/ask", "post")


def test_over_https_the_cookie_is_secure(guarded: FlaskClient):
    response = guarded.post("/login", data={"token": TOKEN}, base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example", "/\\evil.example", "/\t/evil.example", ""]
)
def test_next_never_leaves_the_site(guarded: FlaskClient, target: str):
    response = guarded.post("/login", data={"token": TOKEN, "next": target})
    assert response.status_code == 303
    assert response.location == "/"


def test_without_a_token_nothing_changes(client: FlaskClient):
    conforms(client.post("/api/ask", json=ASK), "/api/ask", "post")
    assert client.get("/").status_code == 200
    assert client.get("/login").status_code == 404


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.2", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool):
    assert is_loopback(host) is loopback


def test_serve_beyond_loopback_without_a_token_refuses_to_start(seed_index: Settings):
    result = CliRunner().invoke(
        main,
        ["serve", "--host", "0.0.0.0", "--index", str(seed_index.index_dir)],
        env={"QA_API_TOKEN": ""},
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "QA_API_TOKEN" in lines[0], result.output
    assert "serving" not in result.stdout


def test_a_real_server_with_a_token_wants_the_bearer(seed_index: Settings):
    body = json.dumps(ASK).encode()
    with serving(seed_index.index_dir, "--host", "127.0.0.1", env={"QA_API_TOKEN": TOKEN}) as s:

        def ask(headers: dict[str, str]) -> urllib.request.Request:
            headers = {"Content-Type": "application/json", **headers}
            return urllib.request.Request(f"{s.base}/api/ask", body, headers, method="POST")

        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(ask({}), timeout=60)
        assert refused.value.code == 401
        assert json.load(refused.value)["error"]["code"] == "unauthorized"
        with urllib.request.urlopen(ask({"Authorization": f"Bearer {TOKEN}"}), timeout=60) as ok:
            assert ok.status == 200
            assert "SANA" in json.load(ok)["answer"]["text"]
