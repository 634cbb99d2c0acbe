"""The chat page and the article view through Flask's test client: markup, escaping, errors."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.index.build import build_index
from qa.text.spans import paragraph_spans
from tests.conftest import MARKUP_ARTICLE, SEED_QUESTION, SEEDS
from web import create_app

WEB = Path(__file__).resolve().parent.parent / "web"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class Elements(HTMLParser):
    """Every start tag of a page with its attributes (enough to check structure)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(k) == v for k, v in wanted.items())
        ]


def assert_hardened(response) -> None:
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def seed_article(client: FlaskClient) -> dict:
    return client.get("/api/articles").json["articles"][0]


# --- the chat page --------------------------------------------------------------------------


def test_the_chat_page_has_a_labelled_form_and_a_live_region(client: FlaskClient):
    response = client.get("/")
    assert response.status_code == 200
    assert_hardened(response)
    page = Elements(response.get_data(as_text=True))
    assert page.find("textarea", id="question", name="question", maxlength="2000")
    assert page.find("label", **{"for": "question"})
    assert page.find("label", **{"for": "mode"})
    modes = [attrs["value"] for attrs in page.find("option")]
    assert modes == ["hybrid", "dense", "bm25"]
    assert page.find("div", id="announcer", **{"aria-live": "polite"})
    assert page.find("meta", name="viewport")
    assert "1 article · " in response.get_data(as_text=True)


def test_pages_load_nothing_from_other_hosts_and_run_no_inline_script(client: FlaskClient):
    html = client.get("/").get_data(as_text=True)
    page = Elements(html)
    scripts = page.find("script")
    assert scripts and all(s["src"] and s["src"].startswith("/static/") for s in scripts)
    assert not re.search(r"<script[^>]*>\s*[^<\s]", html), "inline script"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert " style=" not in html
    for _, attrs in page.tags:
        for name in ("src", "href", "action"):
            value = attrs.get(name) or ""
            assert not re.match(r"(https?:)?//", value), f"{name}={value} is off-site"


@pytest.mark.parametrize("name", ["app.js", "article.js", "style.css"])
def test_static_files_are_served_and_self_contained(client: FlaskClient, name: str):
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert_hardened(response)
    text = response.get_data(as_text=True)
    assert not re.search(r"https?://", text), "assets must not reach other hosts"
    response.close()


def test_the_chat_script_never_parses_data_as_html():
    script = (WEB / "static" / "app.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script.split("\n", 4)[-1]  # past the comment that names it
    assert "insertAdjacentHTML" not in script and "document.write" not in script
    assert "eval(" not in script


def test_without_an_index_the_page_says_what_to_run(tmp_path: Path, embedder: Embedder):
    client = create_app(Settings(index_dir=tmp_path / "none")).test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert_hardened(response)
    html = response.get_data(as_text=True)
    assert "No index is loaded" in html and "qa build" in html
    assert Elements(html).find("textarea", id="question")  # still usable once an index lands
    article = client.get("/articles/anything")
    assert article.status_code == 503 and "qa build" in article.get_data(as_text=True)


# --- the article view ---------------------------------------------------------------------------


def test_the_article_view_marks_the_cited_passage(client: FlaskClient, seed_searcher: Searcher):
    answer = seed_searcher.ask(SEED_QUESTION)
    passage = answer.passages[answer.passage - 1]
    cite = passage.citation
    a, b = passage.highlight
    response = client.get(
        f"/articles/{cite.article_id}",
        query_string={
            "start": cite.start,
            "end": cite.end,
            "hs": cite.start + a,
            "he": cite.start + b,
            "ss": answer.short.start,
            "se": answer.short.end,
        },
    )
    assert response.status_code == 200
    assert_hardened(response)
    html = response.get_data(as_text=True)
    marked = re.findall(r'<mark class="(passage|answer)( short)?"[^>]*>(.*?)</mark>', html, re.S)
    assert marked[0][0] in {"passage", "answer"}
    assert 'id="cited"' in html.split("<mark", 1)[1].split(">", 1)[0]
    answer_text = unescape("".join(text for kind, _, text in marked if kind == "answer"))
    assert answer_text == answer.text
    # The short answer is the one piece of the sentence marked short, exactly.
    assert [text for kind, short, text in marked if short] == ["SANA"]
    assert "the short answer underlined" in html
    article = seed_searcher.index.article(cite.article_id)
    assert html.count('<span class="para-number"') == len(paragraph_spans(article.text))
    assert f"<h1>{article.title}</h1>" in html


def test_the_article_view_without_a_span_marks_nothing(client: FlaskClient):
    article = seed_article(client)
    for query in ["", "?start=5", "?start=x&end=9", "?start=90&end=10", "?start=0&end=999999"]:
        response = client.get(f"/articles/{article['id']}{query}")
        assert response.status_code == 200
        assert "<mark" not in response.get_data(as_text=True)


def test_the_whole_article_text_is_on_the_page(client: FlaskClient):
    article = seed_article(client)
    shown = unescape(client.get(f"/articles/{article['id']}").get_data(as_text=True))
    text = (SEEDS / f"{article['id']}.txt").read_text(encoding="utf-8")
    for start, end in paragraph_spans(text):
        assert text[start:end] in shown


@pytest.mark.parametrize(
    "article_id",
    ["nope", "tech/029", "..%2F..%2Fmanifest.json", "../../etc/passwd", "%2e%2e/x", "/etc/passwd"],
)
def test_unknown_or_path_like_ids_are_a_404_page(client: FlaskClient, article_id: str):
    response = client.get(f"/articles/{article_id}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert_hardened(response)
    assert "Not found" in response.get_data(as_text=True)


def test_unknown_pages_and_methods_are_html_errors(client: FlaskClient):
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    wrong = client.post("/")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert "Traceback" not in wrong.get_data(as_text=True)


def test_an_unexpected_error_is_a_page_without_details(seed_index: Settings):
    app = create_app(seed_index)

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/explode")
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


# --- article text is text --------------------------------------------------------------------


@pytest.fixture(scope="module")
def markup_client(markup_index: Settings):
    return create_app(markup_index).test_client()


def test_markup_in_an_article_is_escaped_on_its_page(markup_client: FlaskClient):
    response = markup_client.get("/articles/port-lumen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=" in html
    page = Elements(html)
    assert not page.find("img")
    assert all(attrs.get("src") for attrs in page.find("script")), "only our own script file"
    assert "<title>Port Lumen notes &lt;script&gt;" in html


def test_article_urls_that_are_not_http_are_not_links(tmp_path: Path, embedder: Embedder):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "links.jsonl").write_text(
        '{"id": "safe", "title": "Safe", "text": "A story.", "url": "https://example.org/a"}\n'
        '{"id": "evil", "title": "Evil", "text": "A tale.", "url": "javascript:alert(1)"}\n',
        encoding="utf-8",
    )
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, [str(articles)], embedder=embedder)
    client = create_app(settings).test_client()
    assert 'href="https://example.org/a"' in client.get("/articles/safe").get_data(as_text=True)
    assert "javascript:" not in client.get("/articles/evil").get_data(as_text=True)


def test_the_markup_article_is_plain_text_in_the_api(markup_client: FlaskClient):
    article = markup_client.get("/api/articles/port-lumen").json
    assert article["text"] == MARKUP_ARTICLE
