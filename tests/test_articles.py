"""Every input format becomes Articles; every bad file is reported by name and the rest goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.ingest.readers import read_sources
from qa.ingest.titles import text_title
from tests.conftest import SEED_FILE, SHARED_EVAL, needs_shared_eval


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_bytes(data.encode("utf-8"))
    return path


def test_txt_text_is_the_file_content_unchanged(tmp_path: Path) -> None:
    raw = "Line one has CRLF.\r\nLine two ends without newline"
    write(tmp_path, "a/b.txt", raw)
    (article,) = read_sources([tmp_path]).articles
    assert article.text == raw
    assert article.id == "a/b"
    assert article.source.endswith("a/b.txt")


def test_seed_article_reads_as_its_bytes() -> None:
    (article,) = read_sources([SEED_FILE]).articles
    assert article.text == SEED_FILE.read_bytes().decode("utf-8")
    assert article.title.startswith("Russia says a number of its troops")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Floods hit Leeds\n\nRivers rose.", "Floods hit Leeds"),
        ("Floods hit Leeds\n================\n\nRivers rose.", "Floods hit Leeds"),
        ("Rivers rose on Monday. More rain is due.", "Rivers rose on Monday."),
        ("\ufeff## Heading with BOM ##\nBody.", "Heading with BOM"),
    ],
)
def test_titles_from_heading_or_first_sentence(text: str, title: str) -> None:
    assert text_title(text) == title


def test_long_first_sentence_title_is_shortened_on_a_word() -> None:
    title = text_title("word " * 100)
    assert len(title) <= 90 and title.endswith("…") and " wor…" not in title


def test_html_keeps_title_and_main_text_only(tmp_path: Path) -> None:
    write(
        tmp_path,
        "page.html",
        """<html><head><title>Storm warning</title>
        <meta property="article:published_time" content="2024-02-01">
        <link rel="canonical" href="https://news.example/storm">
        <style>p {color: red}</style><script>var tracking = 1;</script></head>
        <body><nav><a href="/">Home</a> | Sport</nav>
        <article><h1>Storm warning</h1><p>High winds are <b>expected</b> tonight.</p>
        <p>Trains may be cancelled.</p></article><footer>Copyright</footer></body></html>""",
    )
    (article,) = read_sources([tmp_path]).articles
    assert article.title == "Storm warning"
    assert "High winds are expected tonight." in article.text
    assert "Trains may be cancelled." in article.text
    for noise in ("tracking", "color", "Home", "Copyright"):
        assert noise not in article.text
    assert article.published == "2024-02-01"
    assert article.url == "https://news.example/storm"


def test_json_one_article_and_a_list_with_metadata(tmp_path: Path) -> None:
    write(tmp_path, "one.json", json.dumps({"id": "x1", "title": "T", "text": "Body one."}))
    write(
        tmp_path,
        "many.json",
        json.dumps(
            [
                {"id": "x2", "text": "Body two.", "url": "https://e.x/2", "author": "Ann"},
                {"id": "x3", "title": "Three", "text": "Body three.", "published": "2020-01-01"},
            ]
        ),
    )
    result = read_sources([tmp_path])
    by_id = {a.id: a for a in result.articles}
    assert set(by_id) == {"x1", "x2", "x3"}
    assert by_id["x2"].metadata == {"author": "Ann"}
    assert by_id["x2"].title == "Body two."
    assert by_id["x3"].published == "2020-01-01"
    assert not result.problems


def test_jsonl_bad_lines_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "title": "A", "text": "Alpha text."}),
        "{not json",
        json.dumps({"id": "b", "title": "B", "text": 42}),
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"id": "c", "title": "C", "text": "Gamma text.", "section": "tech"}),
    ]
    write(tmp_path, "feed.jsonl", "\n".join(lines))
    result = read_sources([tmp_path / "feed.jsonl"])
    assert [a.id for a in result.articles] == ["a", "c"]
    assert result.articles[1].metadata == {"section": "tech"}
    reasons = {p.source.rsplit(":", 1)[1]: p.reason for p in result.problems}
    assert set(reasons) == {"2", "3", "4"}
    assert "invalid JSON" in reasons["2"]
    assert "'text' must be a string" in reasons["3"]
    assert "expected a JSON object" in reasons["4"]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n ", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        ("latin1.txt", "Caf\u00e9 cr\u00e8me".encode("latin-1"), "not valid UTF-8"),
        ("broken.json", b'{"id": "x", "text": ', "invalid JSON"),
        ("types.json", b'{"id": "x", "title": ["a"], "text": "t"}', "'title' must be a string"),
        ("surrogate.json", b'{"id": "s", "text": "bad \\ud800 text"}', "invalid Unicode"),
        ("nohtml.html", b"<html><body><script>x()</script></body></html>", "no article text"),
    ],
)
def test_bad_files_are_reported_with_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    write(tmp_path, "good.txt", "A good article. It has text.")
    write(tmp_path, name, data)
    result = read_sources([tmp_path])
    assert [a.id for a in result.articles] == ["good"]
    (problem,) = result.problems
    assert problem.source.endswith(name)
    assert reason in problem.reason


def test_missing_and_unsupported_sources_are_problems(tmp_path: Path) -> None:
    other = write(tmp_path, "notes.odt", b"PK")
    result = read_sources([tmp_path / "nowhere", other])
    assert not result.articles
    assert next(p.reason for p in result.problems) == "no such file or directory"
    assert "unsupported file type" in result.problems[1].reason


def test_identical_articles_are_indexed_once(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "Same story. Word for word.")
    write(tmp_path, "b.txt", "Same story. Word for word.")
    write(tmp_path, "c.json", json.dumps({"id": "a", "text": "Same story. Word for word."}))
    result = read_sources([tmp_path])
    assert [a.id for a in result.articles] == ["a"]
    assert result.aliases == {"b": "a"}  # the same id twice with the same text is one article
    assert not result.problems


def test_duplicate_id_with_different_text_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "feed.jsonl", json.dumps({"id": "n1", "text": "First version."}) + "\n")
    write(tmp_path, "more.jsonl", json.dumps({"id": "n1", "text": "Other text."}) + "\n")
    result = read_sources([tmp_path])
    assert [a.text for a in result.articles] == ["First version."]
    (problem,) = result.problems
    assert "duplicate id 'n1' with different text" in problem.reason


def test_ids_are_stable_and_derived_when_missing(tmp_path: Path) -> None:
    write(tmp_path, "x.jsonl", json.dumps({"text": "No id here."}) + "\n")
    first = read_sources([tmp_path]).articles[0].id
    assert first.startswith("h-") and first == read_sources([tmp_path]).articles[0].id


def test_hidden_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, ".git/HEAD.txt", "ref: x")
    write(tmp_path, "ok.md", "# Ok\n\nFine.")
    assert [a.id for a in read_sources([tmp_path]).articles] == ["ok"]


@needs_shared_eval()
def test_shared_eval_articles_read_as_they_are() -> None:
    result = read_sources(
        [SHARED_EVAL / "bbc" / "articles.jsonl", SHARED_EVAL / "squad2" / "articles.jsonl"]
    )
    assert not result.problems
    ids = {a.id for a in result.articles}
    assert "tech/029" in ids and "squad/Normans" in ids
    assert len(result.articles) + result.duplicates == 2241
    assert all(alias not in ids for alias in result.aliases)
    sample = next(a for a in result.articles if a.id == "tech/029")
    assert sample.metadata.get("section") == "tech"
