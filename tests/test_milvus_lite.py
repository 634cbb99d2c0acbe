"""The Milvus index on milvus-lite 3 (the pure-Python engine of the Milvus 2.5 API, in this
process): the hybrid and bm25 modes through Milvus' BM25 function, the alias switch; and the
index locations as the CLI and the environment give them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qa.answer.searcher import Searcher
from qa.cli import main
from qa.config import Settings
from qa.index.build import build_index
from qa.index.filters import parse_filters
from qa.index.location import open_index
from qa.index.milvus.uri import parse_milvus_uri
from tests.conftest import SEED_QUESTION, milvus_lite_uri
from tests.milvus_corpus import ADDED, NEW_QUESTION, NEWS, edited_news, write_corpus


@pytest.fixture(scope="module")
def lite(tmp_path_factory: pytest.TempPathFactory, embedder) -> tuple[Settings, Path]:
    folder = tmp_path_factory.mktemp("lite")
    settings = Settings(index_dir=milvus_lite_uri(folder))
    articles = write_corpus(folder / "articles", NEWS)
    build_index(settings, [str(articles)], embedder=embedder)
    return settings, articles


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_every_mode_answers_with_exact_citations(lite, embedder, mode: str) -> None:
    searcher = Searcher(lite[0], embedder=embedder)
    answer = searcher.ask(SEED_QUESTION, k=3, mode=mode)
    assert "SANA reported" in answer.passages[0].text
    for passage in answer.passages:
        cite = passage.citation
        assert searcher.index.article(cite.article_id).text[cite.start : cite.end] == passage.text


def test_bm25_scores_come_from_milvus_full_text_search(lite) -> None:
    index = open_index(lite[0].index_dir)
    scores = index.lexical_scores("seismology institute magnitude")
    top = scores.top(3)
    assert index.chunks(top[:1])[0].article_id == "quake"
    assert scores.best > 0 and scores.of(top)[0] == pytest.approx(scores.best)
    others = [r for r in range(index.chunk_count) if r not in top]
    assert not scores.of(others).any()
    within = scores.within(index.rows_matching(parse_filters({"article_id": "budget"})))
    assert within.best == 0 and within.top(3) == []
    assert index.lexical_scores("zzzz qqqq") is None


def test_the_api_answers_hybrid(lite) -> None:
    from web import create_app

    client = create_app(lite[0]).test_client()
    reply = client.post("/api/ask", json={"question": SEED_QUESTION, "mode": "hybrid"})
    assert reply.status_code == 200, reply.get_json()
    assert "SANA reported" in reply.get_json()["answer"]["text"]


def test_a_rebuild_switches_while_an_open_index_keeps_its_build(lite, embedder) -> None:
    settings, articles = lite
    before = Searcher(settings, embedder=embedder)
    write_corpus(articles, edited_news())
    summary = build_index(settings, [str(articles)], embedder=embedder)
    assert (summary.added, summary.changed, summary.removed) == (1, 1, 1)
    after = Searcher(settings, embedder=embedder)
    assert after.manifest["build_id"] != before.manifest["build_id"]
    new = after.ask(NEW_QUESTION, mode="hybrid")
    assert new.passages[0].citation.article_id == ADDED[0]
    old = before.ask(NEW_QUESTION, mode="hybrid")  # still the old build's collections
    assert ADDED[0] not in {p.citation.article_id for p in old.passages}


@pytest.mark.parametrize(
    ("location", "address", "name", "shown"),
    [
        ("milvus://db.example:19531/news", "http://db.example:19531", "news", None),
        (
            "milvus://db.example/news",
            "http://db.example:19530",
            "news",
            "milvus://db.example:19530/news",
        ),
        ("milvus://root:s3cret@db:1/n_1", "http://db:1", "n_1", "milvus://db:1/n_1"),
        ("milvus://[::1]:19530/x", "http://[::1]:19530", "x", None),
        ("milvus-lite:///srv/qa.db/bbc", "/srv/qa.db", "bbc", None),
    ],
)
def test_milvus_locations_parse(location: str, address: str, name: str, shown) -> None:
    uri = parse_milvus_uri(location)
    assert (uri.address, uri.name, uri.shown) == (address, name, shown or location)
    assert "s3cret" not in str(uri)


@pytest.mark.parametrize(
    "location",
    [
        "milvus://host:19530/",
        "milvus://host:19530/9lives",
        "milvus:///news",
        "milvus://h:99999/n",
        "milvus-lite:///srv/qa.sqlite/bbc",
        "milvus://h:1/a-b",
    ],
)
def test_a_malformed_location_is_one_usage_line(location: str) -> None:
    with pytest.raises(ValueError, match="HOST:PORT/NAME"):
        parse_milvus_uri(location)
    result = CliRunner().invoke(main, ["ask", "q", "--index", location])
    assert result.exit_code == 2 and "HOST:PORT/NAME" in result.output


def test_qa_index_sets_the_location_and_wins_over_qa_index_dir() -> None:
    env = {"QA_INDEX": "milvus://db:19530/news", "QA_INDEX_DIR": "elsewhere"}
    assert Settings.from_env(env).index_dir == "milvus://db:19530/news"
    assert Settings.from_env({"QA_INDEX_DIR": "milvus://db:1/n"}).index_dir == "milvus://db:1/n"
    assert Settings.from_env({"QA_INDEX_DIR": "~/x"}).index_dir == Path("~/x").expanduser()
    with pytest.raises(ValueError, match="NAME"):
        Settings.from_env({"QA_INDEX": "milvus://db:1/"})
