"""Bad input to the API and hardening of every response, through the app and the real server.

Each refused request must get its exact status and stable error code as JSON, and the app must
answer a good question right after it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from bench.serve import serving
from qa.cli import main
from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.index.layout import CHUNKS
from tests.conftest import SEED_FILE, SEED_QUESTION, only_segment, seeds_plus
from web import create_app
from web.limits import MAX_BODY_BYTES, MAX_QUESTION_CHARS

SEED_ID = SEED_FILE.stem
JSON = "application/json"
TRACEBACK = re.compile(r"Traceback|File \"|\.py\", line|sqlite3\.|DatabaseError")


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.fixture(scope="module")
def app(seed_index: Settings, embedder: Embedder) -> Flask:
    return create_app(seed_index)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def still_answers(client: FlaskClient) -> None:
    response = client.post("/api/ask", json={"question": SEED_QUESTION, "k": 1})
    assert response.status_code == 200
    assert "SANA reported" in response.json["passages"][0]["text"]


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == JSON
    error = response.json["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert "\n" not in error["message"] and not TRACEBACK.search(error["message"])


# (id, raw body, content type, expected status, expected code)
BAD_BODIES = [
    ("empty question", body({"question": ""}), JSON, 400, "empty_question"),
    ("whitespace question", body({"question": " \t\n\r "}), JSON, 400, "empty_question"),
    ("unicode spaces", body({"question": "\u3000\u00a0\u2003\u2028"}), JSON, 400, "empty_question"),
    ("no question", body({}), JSON, 400, "missing_question"),
    ("null question", body({"question": None}), JSON, 400, "missing_question"),
    ("number question", body({"question": 42}), JSON, 400, "invalid_question"),
    ("bool question", body({"question": True}), JSON, 400, "invalid_question"),
    ("list question", body({"question": ["who?"]}), JSON, 400, "invalid_question"),
    ("object question", body({"question": {"q": "who?"}}), JSON, 400, "invalid_question"),
    ("NaN question", b'{"question": NaN}', JSON, 400, "invalid_question"),
    (
        "question one over the limit",
        body({"question": "a" * (MAX_QUESTION_CHARS + 1)}),
        JSON,
        413,
        "question_too_long",
    ),
    ("60k question", body({"question": "why " * 15_000}), JSON, 413, "question_too_long"),
    ("1 MB question", body({"question": "a" * 2**20}), JSON, 413, "payload_too_large"),
    ("NUL in question", b'{"question": "who\\u0000 reported?"}', JSON, 400, "invalid_characters"),
    (
        "lone high surrogate",
        b'{"question": "who \\ud800 reported?"}',
        JSON,
        400,
        "invalid_characters",
    ),
    ("lone low surrogate", b'{"question": "\\udfff"}', JSON, 400, "invalid_characters"),
    ("reversed pair", b'{"question": "a\\ude00\\ud83d"}', JSON, 400, "invalid_characters"),
    ("invalid JSON", b'{"question": ', JSON, 400, "invalid_json"),
    ("trailing garbage", b'{"question": "x"} x', JSON, 400, "invalid_json"),
    ("empty body", b"", JSON, 400, "invalid_json"),
    ("invalid UTF-8", b'{"question": "\xff\xfe who"}', JSON, 400, "invalid_json"),
    ("deeply nested list", b"[" * 30_000 + b"]" * 30_000, JSON, 400, "invalid_json"),
    (
        "deeply nested field",
        b'{"question": "x", "k": ' + b'{"a":' * 10_000 + b"1" + b"}" * 10_001,
        JSON,
        400,
        "invalid_json",
    ),
    (
        "giant body",
        body({"question": "x", "pad": "y" * MAX_BODY_BYTES}),
        JSON,
        413,
        "payload_too_large",
    ),
    ("array body", body(["who reported?"]), JSON, 400, "invalid_body"),
    ("string body", body("who reported?"), JSON, 400, "invalid_body"),
    ("null body", b"null", JSON, 400, "invalid_body"),
    ("unknown field", body({"question": "x", "debug": True}), JSON, 400, "unknown_field"),
    ("text/plain", b'{"question": "x"}', "text/plain", 415, "unsupported_media_type"),
    ("form", b"question=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ("no content type", b'{"question": "x"}', None, 415, "unsupported_media_type"),
    (
        "multipart",
        b"--b\r\n\r\nx\r\n--b--",
        "multipart/form-data; boundary=b",
        415,
        "unsupported_media_type",
    ),
    ("k true", body({"question": "x", "k": True}), JSON, 400, "invalid_k"),
    ("k false", body({"question": "x", "k": False}), JSON, 400, "invalid_k"),
    ("k float", body({"question": "x", "k": 2.5}), JSON, 400, "invalid_k"),
    ("k infinite", b'{"question": "x", "k": 1e400}', JSON, 400, "invalid_k"),
    ("k string", body({"question": "x", "k": "5"}), JSON, 400, "invalid_k"),
    ("k null", body({"question": "x", "k": None}), JSON, 400, "invalid_k"),
    ("k list", body({"question": "x", "k": [5]}), JSON, 400, "invalid_k"),
    ("k zero", body({"question": "x", "k": 0}), JSON, 400, "invalid_k"),
    ("k negative", body({"question": "x", "k": -1}), JSON, 400, "invalid_k"),
    ("k 51", body({"question": "x", "k": 51}), JSON, 400, "invalid_k"),
    ("k huge", body({"question": "x", "k": 10**30}), JSON, 400, "invalid_k"),
    ("mode unknown", body({"question": "x", "mode": "magic"}), JSON, 400, "invalid_mode"),
    ("mode upper case", body({"question": "x", "mode": "HYBRID"}), JSON, 400, "invalid_mode"),
    ("mode empty", body({"question": "x", "mode": ""}), JSON, 400, "invalid_mode"),
    ("mode null", body({"question": "x", "mode": None}), JSON, 400, "invalid_mode"),
    ("mode list", body({"question": "x", "mode": ["dense"]}), JSON, 400, "invalid_mode"),
]


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [case[1:] for case in BAD_BODIES],
    ids=[case[0] for case in BAD_BODIES],
)
def test_a_bad_ask_gets_its_status_and_code(
    client: FlaskClient, raw: bytes, content_type: str | None, status: int, code: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    assert_error(client.post("/api/ask", data=raw, headers=headers), status, code)
    still_answers(client)


# (method, path, expected status, expected code)
NOT_ALLOWED = [("GET", "/api/ask"), ("PUT", "/api/ask"), ("DELETE", "/api/ask")]
NOT_ALLOWED += [("TRACE", "/api/ask"), ("POST", "/api/health"), ("PATCH", "/api/articles")]
NOT_ALLOWED += [("DELETE", f"/api/articles/{SEED_ID}")]
BAD_QUERIES = ["limit=0", "limit=101", "limit=abc", "offset=-1", "offset=1.5", "offset=" + "9" * 40]
BAD_ROUTES = [("GET", path, 404, "not_found") for path in ("/api/nope", "/api", "/api/ask/extra")]
BAD_ROUTES += [(method, path, 405, "method_not_allowed") for method, path in NOT_ALLOWED]
BAD_ROUTES += [("GET", "/api/articles/no-such-article", 404, "article_not_found")]
BAD_ROUTES += [("GET", f"/api/articles?{q}", 400, "invalid_parameter") for q in BAD_QUERIES]


@pytest.mark.parametrize(("method", "path", "status", "code"), BAD_ROUTES)
def test_unknown_routes_and_methods_get_json_errors(
    client: FlaskClient, method: str, path: str, status: int, code: str
) -> None:
    response = client.open(path, method=method)
    assert_error(response, status, code)
    if status == 405:
        assert response.headers["Allow"]
    still_answers(client)


VALID_UNICODE = [
    "من أبلغ عن القافلة التركية؟",  # right-to-left (Arabic)
    "\u202ewho reported the convoy\u202c?",  # RTL override characters around Latin text
    "מי דיווח על השיירה הטורקית?",  # Hebrew
    "who reported 🚚🇹🇷 the convoy? 👨‍👩‍👧",  # emoji, a flag, a ZWJ sequence
    "who re\u0301\u0302\u0303ported the convoy?",  # stacked combining marks
    "Z̴̡̪͂a̷͓̐l̸̰̊g̵̣̈́o̶̝͝ convoy",  # zalgo
    "谁报道了土耳其车队？",  # CJK
    "𝐰𝐡𝐨 𝐫𝐞𝐩𝐨𝐫𝐭𝐞𝐝 the convoy?",  # astral-plane letters
    "\ufeffwho reported the Turkish convoy?\u200b",  # BOM and zero-width space
    "x" * MAX_QUESTION_CHARS,  # exactly at the limit
    "🙂" * MAX_QUESTION_CHARS,  # at the limit in code points, 4 bytes each
]


@pytest.mark.parametrize("question", VALID_UNICODE, ids=range(len(VALID_UNICODE)))
def test_valid_unicode_gets_a_normal_answer(client: FlaskClient, question: str) -> None:
    response = client.post("/api/ask", json={"question": question, "k": 3})
    assert response.status_code == 200, response.data[:300]
    data = response.json
    assert data["question"] == question
    assert len(data["passages"]) >= 1
    assert all(p["citation"]["article_id"] == SEED_ID for p in data["passages"])


def test_every_response_carries_the_security_headers(
    client: FlaskClient, seed_index: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    responses = {
        "chat page": client.get("/"),
        "article page": client.get(f"/articles/{SEED_ID}?start=0&end=10"),
        "static script": client.get("/static/app.js"),
        "static style": client.get("/static/style.css"),
        "api answer": client.post("/api/ask", json={"question": SEED_QUESTION}),
        "api health": client.get("/api/health"),
        "openapi": client.get("/api/openapi.json"),
        "api 404": client.get("/api/nope"),
        "page 404": client.get("/nope"),
        "api 405": client.get("/api/ask"),
        "api 413": client.post("/api/ask", data=b"x" * (MAX_BODY_BYTES + 1), content_type=JSON),
        "api 415": client.post("/api/ask", data=b"x"),
        "static 404": client.get("/static/nope.js"),
    }
    broken = broken_app(seed_index, tmp_path).test_client()
    responses["api 500"] = broken.post("/api/ask", json={"question": SEED_QUESTION})
    responses["page 500"] = broken.get(f"/articles/{SEED_ID}")
    for name, response in responses.items():
        headers = response.headers
        policy = headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy, name
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, name
        assert "frame-ancestors 'none'" in policy, name
        assert headers.get("X-Frame-Options") == "DENY", name
        assert headers.get("X-Content-Type-Options") == "nosniff", name
        assert headers.get("Referrer-Policy") == "no-referrer", name
    assert responses["api 500"].status_code == 500
    assert responses["page 500"].status_code == 500
    still_answers(client)


def broken_app(seed_index: Settings, tmp_path: Path) -> Flask:
    """An app whose index is damaged after loading: its SQLite store is overwritten with junk."""
    index = tmp_path / "index"
    shutil.copytree(seed_index.index_dir, index)
    app = create_app(seed_index.overridden(index_dir=index))
    assert app.test_client().get("/api/health").status_code == 200
    # Same size, same inode, so the loaded index is kept and reads hit the junk.
    store = only_segment(index) / CHUNKS
    size = store.stat().st_size
    with store.open("r+b") as handle:
        handle.write(b"\x00junk" * (size // 5))
    return app


def test_an_internal_error_shows_no_traceback(
    client: FlaskClient, seed_index: Settings, tmp_path: Path
) -> None:
    app = broken_app(seed_index, tmp_path)
    assert not app.debug
    broken = app.test_client()
    answer = broken.post("/api/ask", json={"question": SEED_QUESTION})
    assert_error(answer, 500, "internal_error")
    page = broken.get(f"/articles/{SEED_ID}")
    assert page.status_code == 500 and page.mimetype == "text/html"
    for response in (answer, page):
        text = response.get_data(as_text=True)
        assert not TRACEBACK.search(text), text[:500]
        assert str(tmp_path) not in text
    still_answers(client)


def test_the_body_size_limit_is_413_json(client: FlaskClient) -> None:
    padded = body({"question": SEED_QUESTION, "pad": " " * MAX_BODY_BYTES})
    assert_error(client.post("/api/ask", data=padded, content_type=JSON), 413, "payload_too_large")
    # Exactly at the limit is still read (and refused for its unknown field, not its size).
    exact = b'{"question": "x", "pad": "' + b" " * (MAX_BODY_BYTES - 28) + b'"}'
    assert len(exact) == MAX_BODY_BYTES
    assert_error(client.post("/api/ask", data=exact, content_type=JSON), 400, "unknown_field")
    still_answers(client)


TRAVERSALS = [
    "/articles/..%2F..%2Fetc%2Fpasswd",
    "/articles/../../etc/passwd",
    "/articles/%2e%2e/%2e%2e/etc/passwd",
    "/articles/....//....//etc/passwd",
    "/articles/%2Fetc%2Fpasswd",
    "/articles//etc/passwd",
    "/articles/..%5C..%5Cetc%5Cpasswd",
    "/api/articles/../../etc/passwd",
    "/api/articles/..%2F..%2Fetc%2Fpasswd",
    "/api/articles/%2Fetc%2Fpasswd",
    "/api/articles/..%2Fmanifest.json",
    "/api/articles/..%2Fchunks.sqlite",
    "/api/articles/%00",
    "/static/..%2F..%2Fqa%2Fconfig.py",
    "/static/../../etc/passwd",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_article_ids_cannot_reach_files(client: FlaskClient, path: str) -> None:
    # Werkzeug answers a path with an empty segment (//) by a 308 to the merged path: follow it.
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404, (path, response.status_code)
    assert all(r.headers["Location"].startswith(path[:9]) for r in response.history), path
    text = response.get_data(as_text=True)
    for leaked in ("root:x:0:0", "[project]", "class Settings", "SQLite format", '"format"'):
        assert leaked not in text, path
    if path.startswith("/api/"):
        assert response.json["error"]["code"] in {"article_not_found", "not_found"}
    still_answers(client)


def test_the_rate_limit_answers_429_json_with_retry_after(
    seed_index: Settings, embedder: Embedder, client: FlaskClient
) -> None:
    limited = create_app(seed_index.overridden(rate_limit=3)).test_client()
    for _ in range(3):
        assert limited.post("/api/ask", json={"question": SEED_QUESTION, "k": 1}).status_code == 200
    refused = limited.post("/api/ask", json={"question": SEED_QUESTION, "k": 1})
    assert_error(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert_error(limited.get("/api/articles"), 429, "rate_limited")
    # Monitoring is never throttled, and another client address has its own budget.
    assert limited.get("/api/health").status_code == 200
    other = limited.post(
        "/api/ask",
        json={"question": SEED_QUESTION, "k": 1},
        environ_base={"REMOTE_ADDR": "127.0.0.2"},
    )
    assert other.status_code == 200
    still_answers(client)


def test_serve_binds_to_loopback_by_default(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "default: 127.0.0.1" in result.output


# --- the real server ---------------------------------------------------------------------------

HOSTILE_ARTICLE = """\
Harbour notes <script>document.title = "pwned-script"</script>

The harbour master of Port Vell is Marta Quell <img src=x onerror="document.title='pwned-img'">, \
the council said on Tuesday. <svg onload="document.title='pwned-svg'"></svg>

She said the crane <iframe src="javascript:document.title='pwned-frame'"></iframe> comes in May.
"""
HOSTILE_QUESTION = (
    "<img src=x onerror=\"document.title='pwned-question'\"> who is the harbour master?"
)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder):
    """`qa serve` (a real process, default host) over seeds/ plus a hostile article."""
    folder = tmp_path_factory.mktemp("hostile")
    settings = seeds_plus(folder, "port-vell.txt", HOSTILE_ARTICLE, embedder)
    with serving(settings.index_dir) as server:
        yield server


def test_the_real_server_listens_on_loopback_only(hostile_server) -> None:
    listening = [
        c.laddr
        for c in psutil.Process(hostile_server.pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert listening, "the server listens on nothing"
    assert {address.ip for address in listening} == {"127.0.0.1"}
    assert {address.port for address in listening} == {hostile_server.port}
    assert "serving http://127.0.0.1:" in "\n".join(hostile_server.lines)


def chromium():
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    return sync_api.sync_playwright()


LAUNCH = {
    "executable_path": "/usr/bin/chromium",
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
    ],
}


@pytest.mark.browser
def test_hostile_question_and_article_run_nothing_in_the_browser(hostile_server) -> None:
    with chromium() as playwright:
        browser = playwright.chromium.launch(**LAUNCH)
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            violations: list[str] = []
            page.on(
                "console",
                lambda m: (
                    violations.append(m.text) if "Content Security Policy" in m.text else None
                ),
            )
            page.goto(hostile_server.base + "/")
            title = page.title()
            page.fill("#question", HOSTILE_QUESTION)
            page.press("#question", "Enter")
            page.wait_for_selector(".turn .sources .source", timeout=60_000)
            # The question shows as text, letter for letter; no element was made from it.
            assert page.inner_text(".turn .question") == HOSTILE_QUESTION
            assert page.locator(".turn img, .turn svg, .turn iframe, .turn script").count() == 0
            cards = page.inner_text(".turn .sources")
            assert "<img src=x onerror=" in cards
            assert page.title() == title and not dialogs

            # The article view of the hostile article: its markup is text too.
            page.goto(hostile_server.base + "/articles/port-vell?start=0&end=60#cited")
            body = page.inner_text("body")
            assert "<script>document.title" in body and "<img src=x onerror=" in body
            assert page.locator("main img, main svg, main iframe, main script").count() == 0
            # The title is the article's first line shown as text; no script rewrote it.
            assert page.title().startswith('Harbour notes <script>document.title = "pwned-script"')
            assert not dialogs and not violations
        finally:
            browser.close()
    assert hostile_server.process.poll() is None
    still_answers_over_http(hostile_server.base)


def still_answers_over_http(base: str) -> None:
    import urllib.request

    request = urllib.request.Request(
        base + "/api/ask",
        data=body({"question": SEED_QUESTION, "k": 1}),
        headers={"Content-Type": JSON},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        assert "SANA reported" in json.load(response)["passages"][0]["text"]


def test_serve_refuses_a_debug_flag() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "qa", "serve", "--debug"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "No such option" in result.stderr


def raw_http(port: int, request: bytes) -> bytes:
    """Send raw bytes to the server; everything it answers until it closes the connection."""
    import socket

    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        connection.sendall(request)
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except ConnectionResetError:  # it answered, then dropped the rest of what was sent
            pass
    return answer


def test_malformed_http_to_the_real_server(hostile_server) -> None:
    port = hostile_server.port
    head = (
        b"POST /api/ask HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nConnection: close\r\n"
    )
    assert raw_http(port, b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.0 400 ")
    answer = raw_http(port, head + b"Content-Length: -5\r\n\r\n{}")
    assert answer.startswith(b"HTTP/1.1 400 ")
    big_header = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n"
    assert raw_http(port, big_header).startswith(b"HTTP/1.0 431 ")
    # A chunked body (no Content-Length) over the limit is cut off by the app: 413 JSON.
    chunk = b"1000\r\n" + b"a" * 4096 + b"\r\n"
    answer = raw_http(
        port, head + b"Transfer-Encoding: chunked\r\n\r\n" + chunk * 20 + b"0\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 413 ")
    headers, _, payload = answer.partition(b"\r\n\r\n")
    assert b"Content-Type: application/json" in headers and b"X-Frame-Options: DENY" in headers
    assert json.loads(payload)["error"]["code"] == "payload_too_large"
    assert hostile_server.process.poll() is None
    still_answers_over_http(hostile_server.base)
