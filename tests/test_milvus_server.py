"""The Milvus index against the real Milvus 2.3.5 standalone server (C++, started by the
session fixture): dense answers with exact citations, filters equal to the local index's, the
modes it lacks refused, an incremental rebuild under client load, a killed build, no server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bench.load import run_load
from bench.serve import serving
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.index.build import build_index
from qa.index.errors import IndexMismatch, ModeUnavailable
from qa.index.filters import parse_filters
from qa.index.location import open_index
from qa.index.milvus.client import Connection
from qa.index.milvus.schema import build_of
from qa.index.milvus.uri import parse_milvus_uri
from qa.index.reader import LocalIndex
from tests.conftest import ROOT, SEED_QUESTION
from tests.milvus_corpus import (
    ADDED,
    NEW_QUESTION,
    NEWS,
    REMOVED,
    REMOVED_QUESTION,
    edited_news,
    write_corpus,
)

FILTERS = [
    {"section": "tech"},
    {"section": ["world", "sport"]},
    {"rank": 1},
    {"rank": "1"},
    {"featured": True},
    {"featured": 1},
    {"rank": {"from": 2, "to": 3}},
    {"published": "2005-06-30"},
    {"published": {"from": "2005-07-01"}},
    {"published": {"to": "2005-07-02"}},
    {"article_id": ["quake", "cup"], "section": "sport"},
    {"source": {"from": "a", "to": "z"}},
    {"section": 'no "such" section'},
]


@pytest.fixture(scope="module")
def built(milvus_server: str, tmp_path_factory: pytest.TempPathFactory, embedder):
    """The same articles built into Milvus and into a local directory."""
    folder = write_corpus(tmp_path_factory.mktemp("milvus-corpus"), NEWS)
    milvus = Settings(index_dir=f"{milvus_server}/news")
    local = Settings(index_dir=folder.parent / "local-index")
    summaries = [build_index(s, [str(folder)], embedder=embedder) for s in (milvus, local)]
    return milvus, local, summaries


def test_dense_answers_cite_the_exact_article_text(built, embedder) -> None:
    milvus, _, summaries = built
    assert summaries[0].index == milvus.index_dir and summaries[0].articles == 1 + len(NEWS)
    searcher = Searcher(milvus, embedder=embedder)
    answer = searcher.ask(SEED_QUESTION, k=3, mode="dense")
    assert "SANA reported" in answer.text
    for passage in answer.passages:
        cite = passage.citation
        article = searcher.index.article(cite.article_id)
        assert article.text[cite.start : cite.end] == passage.text
    quake = searcher.ask("How strong was the earthquake in Port Arden?", k=3, mode="dense")
    assert quake.passages[0].citation.article_id == "quake" and "6.1" in quake.text


def test_the_milvus_index_holds_what_the_local_one_holds(built) -> None:
    milvus, local = open_index(built[0].index_dir), LocalIndex(built[1].index_dir)
    assert milvus.chunk_count == local.chunk_count
    rows = list(range(local.chunk_count))
    assert milvus.chunks(rows) == local.chunks(rows)
    assert abs(milvus.vectors_of(rows) - local.vectors_of(rows)).max() < 1e-6
    for ours, theirs in zip(milvus.sentences_of(rows), local.sentences_of(rows), strict=True):
        assert ours.spans == theirs.spans
        assert abs(ours.vectors - theirs.vectors).max() < 1e-6
    assert milvus.list_articles(0, 100) == local.list_articles(0, 100)
    assert milvus.article("budget") == local.article("budget")
    assert milvus.facets() == local.facets()
    for stem in ("earthquak", "port", "fuel", "nowher"):
        assert milvus.word_frequency(stem) == local.word_frequency(stem)
    assert milvus.articles_quoting("Port Arden") == local.articles_quoting("Port Arden")


@pytest.mark.parametrize("raw", FILTERS, ids=[json.dumps(f) for f in FILTERS])
def test_filters_select_the_rows_the_local_index_selects(built, raw: dict) -> None:
    filters = parse_filters(raw)
    milvus, local = open_index(built[0].index_dir), LocalIndex(built[1].index_dir)
    assert list(milvus.rows_matching(filters)) == local.rows_matching(filters)


def test_a_filtered_search_filters_inside_milvus(built, embedder) -> None:
    searcher = Searcher(built[0], embedder=embedder)
    answer = searcher.ask(
        "Port Arden", k=5, mode="dense", filters=parse_filters({"section": "tech"})
    )
    assert {p.citation.article_id for p in answer.passages} == {"library"}


def test_modes_without_bm25_are_refused_naming_the_server(built, embedder) -> None:
    searcher = Searcher(built[0], embedder=embedder)
    for mode in ("hybrid", "bm25"):
        with pytest.raises(ModeUnavailable, match=r"v2\.3\.5.*lacks BM25.*dense mode works"):
            searcher.ask(SEED_QUESTION, mode=mode)
    result = subprocess.run(
        [sys.executable, "-m", "qa", "ask", SEED_QUESTION, "--index", built[0].index_dir],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "lacks BM25" in result.stderr


def test_another_chunker_is_refused_with_the_fix(built, embedder) -> None:
    with pytest.raises(IndexMismatch, match="qa build --full"):
        Searcher(built[0].overridden(chunk_tokens=128), embedder=embedder)


def test_the_api_answers_dense_and_refuses_hybrid_with_400(built) -> None:
    with serving(built[0].index_dir) as server:
        assert post(server.base, SEED_QUESTION, "dense")[0] == 200
        status, body = post(server.base, SEED_QUESTION, "hybrid")
    assert status == 400 and body["error"]["code"] == "mode_unavailable"
    assert "v2.3.5" in body["error"]["message"]


def test_an_unreachable_server_is_one_line_and_a_503(tmp_path: Path) -> None:
    gone = "milvus://127.0.0.1:9/news"
    result = subprocess.run(
        [sys.executable, "-m", "qa", "ask", "anything", "--index", gone],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: cannot use Milvus at {gone}")
    assert result.stderr.count("\n") == 1
    with serving(gone) as server:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.base}/api/health", timeout=60)
        body = json.load(refused.value)  # read while the server is still up
    assert refused.value.code == 503
    assert gone in body["error"]["message"]


def test_a_rebuild_under_load_switches_the_alias_with_no_failed_request(
    milvus_server: str, tmp_path: Path, embedder
) -> None:
    folder, settings = news_index(f"{milvus_server}/rebuilt", tmp_path, embedder)
    write_corpus(folder, edited_news())
    with serving(settings.index_dir) as server:
        before = health(server.base)["build_id"]
        load: dict = {}
        questions = [NEW_QUESTION, REMOVED_QUESTION, SEED_QUESTION]
        clients = threading.Thread(
            target=lambda: load.update(
                result=run_load(server.port, server.pid, 2, 40.0, questions, mode="dense")
            )
        )
        clients.start()
        summary = build_index(settings, [str(folder)], embedder=embedder)
        deadline = time.monotonic() + 30
        while health(server.base)["build_id"] == before and time.monotonic() < deadline:
            time.sleep(0.5)
        new = post(server.base, NEW_QUESTION, "dense")[1]
        gone = post(server.base, REMOVED_QUESTION, "dense")[1]
        clients.join()
    assert (summary.added, summary.changed, summary.removed) == (1, 1, 1)
    assert summary.unchanged == len(NEWS) - 1  # the seed and two records: not re-embedded
    assert load["result"].errors == 0, load["result"].error_samples
    assert load["result"].requests > 10
    assert new["passages"][0]["citation"]["article_id"] == ADDED[0]
    assert "cracks" in new["answer"]["text"]
    assert REMOVED not in {p["citation"]["article_id"] for p in gone["passages"]}


def test_a_killed_build_leaves_the_alias_and_the_next_build_drops_its_debris(
    milvus_server: str, tmp_path: Path, embedder
) -> None:
    folder, settings = news_index(f"{milvus_server}/killed", tmp_path, embedder)
    uri = parse_milvus_uri(settings.index_dir)
    milvus = Connection(uri)
    kept = build_of(milvus.alias_target(), uri.name)
    command = [sys.executable, "-m", "qa", "build", "--full", "--index", uri.shown, str(folder)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    build = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    debris: set[str] = set()
    deadline = time.monotonic() + 240
    while not debris and build.poll() is None and time.monotonic() < deadline:
        debris = builds_of(milvus, uri.name) - {kept}
        time.sleep(0.05)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    assert debris, "the build finished or made no collection before it could be killed"
    assert build_of(milvus.alias_target(), uri.name) == kept
    answer = Searcher(settings, embedder=embedder).ask(SEED_QUESTION, mode="dense")
    assert "SANA reported" in answer.text
    build_index(settings, [str(folder)], embedder=embedder)
    left = builds_of(milvus, uri.name)
    assert not left & (debris - {kept}) and kept in left and len(left) == 2


def news_index(location: str, tmp_path: Path, embedder) -> tuple[Path, Settings]:
    """NEWS written under tmp_path and built into the Milvus index at `location`."""
    folder = write_corpus(tmp_path / "articles", NEWS)
    settings = Settings(index_dir=location)
    build_index(settings, [str(folder)], embedder=embedder)
    return folder, settings


def builds_of(milvus: Connection, name: str) -> set[str]:
    return {b for c in milvus.call("list_collections") if (b := build_of(c, name))}


def post(base: str, question: str, mode: str) -> tuple[int, dict]:
    body = json.dumps({"question": question, "mode": mode}).encode()
    request = urllib.request.Request(f"{base}/api/ask", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def health(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/health", timeout=60) as response:
        return json.load(response)
