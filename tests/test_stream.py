"""Streamed builds: a full build written as many bounded segments (and `qa compact` into them)
answers like one segment, a build killed mid-stream leaves the old index, and an index of more
than 10 segments (SQLite's attach limit) reads as one, filters and facets included.

Real builds with the real model; the segment bound is made small so that a few articles fill one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.index import stream
from qa.index.attached import MAX_ATTACHED
from qa.index.build import build_index
from qa.index.filters import parse_filters
from qa.index.layout import MANIFEST, SEGMENTS
from qa.index.location import compact
from qa.index.reader import LocalIndex
from tests.conftest import SEED_QUESTION
from tests.test_filters import OFFICIALS, RECORDS
from tests.test_segments import STORIES, answers, assert_same_answers, write_stories


@pytest.fixture
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of 2 chunks, articles embedded 3 or so at a time."""
    monkeypatch.setattr(stream, "SEGMENT_CHUNKS", 2)
    monkeypatch.setattr(stream, "EMBED_CHARS", 400)


def test_a_streamed_full_build_answers_as_one_segment(
    small_segments,
    monkeypatch: pytest.MonkeyPatch,
    make_settings,
    seed_copy: Path,
    embedder,
    tmp_path: Path,
) -> None:
    write_stories(seed_copy, list(STORIES))
    settings = make_settings()
    built = build_index(settings, [str(seed_copy)], full=True, embedder=embedder)
    records = LocalIndex(settings.index_dir).manifest["segments"]
    assert len(records) >= 3 and all(r["chunks"] >= 2 for r in records[:-1])
    assert sum(r["chunks"] for r in records) == built.chunks == built.embedded_chunks

    whole = settings.overridden(index_dir=tmp_path / "whole")
    monkeypatch.setattr(stream, "SEGMENT_CHUNKS", 10**9)
    build_index(whole, [str(seed_copy)], full=True, embedder=embedder)
    assert len(LocalIndex(whole.index_dir).manifest["segments"]) == 1
    assert_same_answers(answers(settings, embedder), answers(whole, embedder))

    monkeypatch.setattr(stream, "SEGMENT_CHUNKS", 2)
    _, compacted = compact(settings.index_dir, settings.ann_min_chunks)  # bounded too
    assert len(compacted["segments"]) == len(records)
    assert not {r["name"] for r in records} & {r["name"] for r in compacted["segments"]}
    assert_same_answers(answers(settings, embedder), answers(whole, embedder))
    records = compacted["segments"]
    (seed_copy / "snow.txt").write_text("Snow closed the Snake Pass on Friday.", encoding="utf-8")
    build_index(settings, embedder=embedder)  # an update: full segments are not merged
    after = LocalIndex(settings.index_dir).manifest["segments"]
    assert [r["name"] for r in after[: len(records)]] == [r["name"] for r in records]


def test_a_build_killed_mid_stream_leaves_the_old_index(
    make_settings, seed_copy: Path, embedder
) -> None:
    """SIGKILLed once it has written segments into its staging directory, a full build leaves
    the old index as it was; the next build publishes and clears what the killed one left."""
    settings = make_settings()
    build_index(settings, [str(seed_copy)], embedder=embedder)
    before = (settings.index_dir / MANIFEST).read_text()
    for i in range(200):
        text = f"Snow closed road {i} on Friday, and the council sent {i} gritters out."
        (seed_copy / f"snow{i}.txt").write_text(text, encoding="utf-8")
    small = "from qa.index import stream; stream.SEGMENT_CHUNKS = 1; stream.EMBED_CHARS = 1; "
    code = small + "from qa.cli import main; main()"
    argv = [sys.executable, "-c", code, "build", "--full", "--index", str(settings.index_dir)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    staged = settings.index_dir.parent.glob
    deadline = time.monotonic() + 120
    while not list(staged(f".{settings.index_dir.name}.build-*/seg-*")):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert (settings.index_dir / MANIFEST).read_text() == before
    assert list(staged(f".{settings.index_dir.name}.build-*"))  # the killed build's debris
    searcher = Searcher(settings, embedder=embedder)
    assert "SANA" in searcher.ask(SEED_QUESTION, k=1).passages[0].text

    finished = build_index(settings, embedder=embedder)
    assert finished.added == 200
    assert not list(staged(f".{settings.index_dir.name}.build-*"))
    listed = {s["name"] for s in LocalIndex(settings.index_dir).manifest["segments"]}
    assert {p.name for p in (settings.index_dir / SEGMENTS).iterdir()} == listed


FILTERS = [
    {},
    {"section": "sport"},
    {"section": ["tech", "weather"], "source": "wire"},
    {"published": {"from": "2005-03-01", "to": "2005-07-01"}},
    {"pinned": True},
    {"article_id": ["weather-2", "sport-1"]},
]


def test_an_index_of_more_than_ten_segments_reads_as_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedder
) -> None:
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    one = Settings(index_dir=tmp_path / "one")
    build_index(one, [str(corpus)], embedder=embedder)
    monkeypatch.setattr(stream, "SEGMENT_CHUNKS", 1)  # one article (one chunk) a segment
    many = Settings(index_dir=tmp_path / "many")
    build_index(many, [str(corpus)], full=True, embedder=embedder)
    ours, theirs = Searcher(many, embedder=embedder), Searcher(one, embedder=embedder)
    index, whole = ours.index, theirs.index
    assert isinstance(index, LocalIndex)
    assert len(index.manifest["segments"]) == len(RECORDS) > MAX_ATTACHED

    assert index.facets() == whole.facets()
    for offset in range(0, len(RECORDS) + 1, 4):
        assert index.list_articles(offset, 5) == whole.list_articles(offset, 5)
    assert index.articles_quoting("officials") == whole.articles_quoting("officials")
    assert index.article("weather-2") == whole.article("weather-2")
    assert index.articles_meta(["tech-3", "sport-1"]) == whole.articles_meta(["tech-3", "sport-1"])
    for raw in FILTERS:
        filters = parse_filters(raw)
        mine = [c.article_id for c in index.chunks(index.rows_matching(filters))]
        assert mine == [c.article_id for c in whole.chunks(whole.rows_matching(filters))]
        for mode in ("hybrid", "dense", "bm25"):
            got = ours.ask(OFFICIALS, k=5, mode=mode, filters=filters)
            want = theirs.ask(OFFICIALS, k=5, mode=mode, filters=filters)
            assert [p.citation.article_id for p in got.passages] == [
                p.citation.article_id for p in want.passages
            ]
            assert np.allclose(
                [p.score for p in got.passages], [p.score for p in want.passages], atol=1e-5
            )
