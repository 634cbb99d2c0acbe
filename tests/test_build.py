"""Builds on real files with the real model: incremental updates, atomic swap, checked loads."""

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
from qa.index.build import NothingToIndex, build_index
from qa.index.errors import IndexCorrupt, IndexMismatch, IndexMissing
from qa.index.layout import FORMAT_VERSION, MANIFEST, VECTORS
from qa.index.manifest import read_catalog
from qa.index.postings import Postings
from qa.index.reader import LocalIndex
from qa.text.spans import split_chunk
from tests.conftest import SEED_FILE, SEED_QUESTION, only_segment

EXTRA = (
    "Floods in Leeds closed the railway station on Monday. Engineers expect repairs to last a week."
)


def test_seed_question_puts_the_sana_passage_first(seed_searcher: Searcher) -> None:
    answer = seed_searcher.ask(SEED_QUESTION, k=3)
    first = answer.passages[0]
    assert "SANA reported" in first.text
    cite = first.citation
    article_text = SEED_FILE.read_bytes().decode("utf-8")
    assert article_text[cite.start : cite.end] == first.text
    assert cite.source.endswith("seeds/000_fea5b3fe5925253d.txt")
    assert cite.paragraph == article_text[: cite.start].count("\n") + 1


def test_second_build_reembeds_nothing_and_edit_reembeds_only_that_article(
    make_settings, seed_copy: Path, embedder
) -> None:
    settings = make_settings()
    (seed_copy / "floods.txt").write_text(EXTRA, encoding="utf-8")
    first = build_index(settings, [str(seed_copy)], embedder=embedder)
    assert (first.added, first.articles) == (2, 2)
    assert first.embedded_chunks == first.chunks

    again = build_index(settings, embedder=embedder)  # sources come from the manifest
    assert again.embedded_chunks == 0
    assert (again.added, again.changed, again.removed, again.unchanged) == (0, 0, 0, 2)

    (seed_copy / "floods.txt").write_text(EXTRA + " Buses replace trains.", encoding="utf-8")
    edited = build_index(settings, embedder=embedder)
    assert edited.changed == 1 and edited.unchanged == 1
    assert edited.embedded_chunks == 1  # the short article is one chunk; the seed is reused
    assert edited.embedded_sentences == 3

    reader = LocalIndex(settings.index_dir)
    assert "Buses replace trains." in reader.article("floods").text
    assert_sentences_match_their_chunks(reader, embedder)
    searcher = Searcher(settings, embedder=embedder)
    assert (
        searcher.ask("What replaced the trains in Leeds?", k=1).passages[0].citation.article_id
        == "floods"
    )
    # Reused vectors are the ones a full build computes.
    assert "SANA" in searcher.ask(SEED_QUESTION, k=1).passages[0].text

    (seed_copy / "floods.txt").unlink()
    removed = build_index(settings, embedder=embedder)
    assert removed.removed == 1 and removed.articles == 1
    assert LocalIndex(settings.index_dir).article("floods") is None

    full = build_index(settings, full=True, embedder=embedder)
    assert full.embedded_chunks == full.chunks


def assert_sentences_match_their_chunks(reader: LocalIndex, embedder) -> None:
    """Stored sentence spans and vectors (reused or fresh) are what a fresh split would give."""
    live = reader.rows_matching(())  # every live row (a build's deletions leave gaps)
    chunks = reader.chunks(live)
    stored = reader.sentences_of(live)
    assert reader.manifest["counts"]["sentences"] == sum(len(s.spans) for s in stored) > len(chunks)
    for chunk, sentences in zip(chunks, stored, strict=True):
        assert sentences.spans == split_chunk(chunk.text)
        _, (fresh,) = embedder.encode_passages([chunk.text], [sentences.spans])
        assert np.min(np.sum(fresh * sentences.vectors, axis=1)) > 0.999  # fp16 storage


def test_problems_are_reported_and_the_rest_is_built(
    make_settings, seed_copy: Path, embedder
) -> None:
    (seed_copy / "broken.json").write_text("{oops", encoding="utf-8")
    summary = build_index(make_settings(), [str(seed_copy)], embedder=embedder)
    assert summary.articles == 1
    assert [p.source.rsplit("/", 1)[-1] for p in summary.problems] == ["broken.json"]


@pytest.fixture
def built(make_settings, seed_copy: Path, embedder) -> tuple[Settings, str]:
    """A fresh index of the seed copy, and its manifest's text (to prove it stays as it is)."""
    settings = make_settings()
    build_index(settings, [str(seed_copy)], embedder=embedder)
    return settings, (settings.index_dir / MANIFEST).read_text()


def test_a_failed_write_leaves_the_old_index_and_no_debris(
    built, seed_copy: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, before = built
    (seed_copy / "floods.txt").write_text(EXTRA, encoding="utf-8")

    def disk_full(self, folder: Path) -> None:
        raise OSError(28, "No space left on device")

    # The vectors and the chunk store are written; the BM25 files are not.
    monkeypatch.setattr(Postings, "save", disk_full)
    with pytest.raises(OSError, match="No space left"):
        build_index(settings, embedder=embedder)
    assert (settings.index_dir / MANIFEST).read_text() == before
    assert LocalIndex(settings.index_dir).article_count == 1
    assert not list(settings.index_dir.parent.glob(".index.build-*"))


def test_nothing_readable_leaves_the_index_unchanged(built, embedder, tmp_path: Path) -> None:
    settings, before = built
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NothingToIndex, match="left unchanged"):
        build_index(settings, [str(empty)], embedder=embedder)
    assert (settings.index_dir / MANIFEST).read_text() == before


def test_manifest_records_what_loading_checks(seed_index) -> None:
    manifest = json.loads((seed_index.index_dir / MANIFEST).read_text())
    assert manifest["format"] == FORMAT_VERSION == 4
    assert manifest["model"]["dim"] == 384 and len(manifest["model"]["weights_sha256"]) == 64
    assert manifest["chunker"] == seed_index.chunker_fingerprint()
    assert manifest["counts"]["articles"] == 1
    catalog = read_catalog(seed_index.index_dir, manifest)
    assert set(catalog["articles"]) == {"000_fea5b3fe5925253d"} and catalog["files"]
    assert manifest["built_at"] and manifest["sources"]


def test_model_mismatch_is_refused_with_the_fix(make_settings, seed_copy: Path, embedder) -> None:
    settings = make_settings()
    build_index(settings, [str(seed_copy)], embedder=embedder)
    path = settings.index_dir / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["model"]["weights_sha256"] = "0" * 64
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatch, match=r"qa build --full") as error:
        Searcher(settings, embedder=embedder)
    assert "\n" not in str(error.value)


def test_chunker_mismatch_is_refused(make_settings, seed_copy: Path, embedder) -> None:
    settings = make_settings()
    build_index(settings, [str(seed_copy)], embedder=embedder)
    with pytest.raises(IndexMismatch, match="chunker settings"):
        Searcher(settings.overridden(chunk_tokens=64, chunk_overlap=0), embedder=embedder)


def test_missing_and_damaged_indexes_fail_with_one_line(
    make_settings, seed_copy: Path, embedder
) -> None:
    settings = make_settings()
    with pytest.raises(IndexMissing, match="run `qa build`"):
        LocalIndex(settings.index_dir)
    build_index(settings, [str(seed_copy)], embedder=embedder)
    (only_segment(settings.index_dir) / VECTORS).write_bytes(b"garbage")
    with pytest.raises(IndexCorrupt, match=r"vectors\.faiss"):
        LocalIndex(settings.index_dir)
    (settings.index_dir / MANIFEST).write_text("{")
    with pytest.raises(IndexCorrupt, match="manifest"):
        LocalIndex(settings.index_dir)


def test_a_killed_build_leaves_the_old_index_whole(
    built, seed_copy: Path, embedder, tmp_path: Path
) -> None:
    settings, before = built
    # Enough articles that writing the new index takes a while; it is killed as it writes.
    many = tmp_path / "many"
    many.mkdir()
    for i in range(1000):
        (many / f"{i}.txt").write_text(f"Story {i}. " + EXTRA * 3, encoding="utf-8")
    script = (
        "import sys; from qa.index.build import build_index; from qa.config import Settings;"
        f"build_index(Settings(index_dir={str(settings.index_dir)!r}), [{str(many)!r}])"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], env={**os.environ, "HF_HUB_OFFLINE": "1"}
    )
    build_dirs = settings.index_dir.parent.glob
    deadline = time.monotonic() + 120
    while not list(build_dirs(".index.build-*")) and time.monotonic() < deadline:
        assert process.poll() is None, "the build ended before it could be killed"
        time.sleep(0.002)  # the write phase is short: catch it as it begins
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    assert (settings.index_dir / MANIFEST).read_text() == before
    reader = LocalIndex(settings.index_dir)
    assert reader.article_count == 1
    assert "SANA" in Searcher(settings, embedder=embedder).ask(SEED_QUESTION, k=1).passages[0].text

    # A later build cleans up after the killed one and completes.
    summary = build_index(settings, [str(seed_copy)], embedder=embedder)
    assert summary.articles == 1
    assert not list(build_dirs(".index.build-*"))
