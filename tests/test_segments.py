"""Segments: an updated index answers exactly like a fresh build of the same articles.

Real builds with the real model: one build, then updates that add, change and remove articles
(each a new segment, the replaced chunks marked deleted), merges, and `qa compact`. Every
comparison is against `qa build --full` of the same sources, passage for passage.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.index import merge
from qa.index.build import build_index
from qa.index.errors import IndexMismatch
from qa.index.layout import MANIFEST, README, README_TEXT, SEGMENTS
from qa.index.location import compact
from qa.index.manifest import read_catalog, read_manifest
from qa.index.reader import LocalIndex
from tests.conftest import SEED_QUESTION, assert_stored_words

STORIES = {
    "leeds": "Floods in Leeds closed the railway station on Monday. Engineers expect repairs to "
    "last a week, and buses will replace the trains until then.",
    "harbour": "A fishing boat sank in Whitby harbour on Tuesday night. The crew of four was "
    "rescued by the lifeboat, and the harbour master blamed the storm.",
    "budget": "The council approved a budget of 12 million pounds for new schools. The mayor "
    "said two primary schools would open in Bradford by 2027.",
    "orchestra": "The Halle orchestra will tour Japan in the spring. Its conductor said the tour "
    "would include six concerts in Tokyo and Osaka.",
    "bridge": "A new footbridge over the river Aire opened in Kirkstall. It cost 3 million pounds "
    "and took two years to build, the engineers said.",
}
CHANGED = "A fishing boat sank in Scarborough harbour on Wednesday. The crew of three swam ashore."
QUESTIONS = [
    SEED_QUESTION,
    "Who rescued the crew of the fishing boat?",
    "How much did the footbridge cost?",
    "When will the orchestra tour Japan?",
    "What replaced the trains in Leeds?",
    "How many schools will open in Bradford?",
    "Where did the boat sink?",
]


def write_stories(folder: Path, names: list[str]) -> None:
    for name in names:
        (folder / f"{name}.txt").write_text(STORIES[name], encoding="utf-8")


def answers(settings: Settings, embedder) -> list[list[tuple]]:
    """Every question's passages as (article, start, end, score): what a user sees."""
    searcher = Searcher(settings, embedder=embedder)
    found = []
    for question in QUESTIONS:
        for mode in ("hybrid", "dense", "bm25"):
            answer = searcher.ask(question, k=5, mode=mode)
            found.append(
                [
                    (p.citation.article_id, p.citation.start, p.citation.end, p.score)
                    for p in answer.passages
                ]
                + [answer.text]
            )
    return found


def assert_same_answers(
    ours: list[list[tuple]], fresh: list[list[tuple]], atol: float = 1e-5
) -> None:
    """The same passages in the same order with the same answer sentence, and scores within
    `atol`."""
    assert len(ours) == len(fresh)
    for mine, theirs in zip(ours, fresh, strict=True):
        assert mine[-1] == theirs[-1]  # the answer sentence
        assert [p[:3] for p in mine[:-1]] == [p[:3] for p in theirs[:-1]]
        assert np.allclose([p[3] for p in mine[:-1]], [p[3] for p in theirs[:-1]], atol=atol)


def lexical_by_chunk(index: LocalIndex, question: str) -> dict[tuple[str, int], float]:
    live, lexical = index.rows_matching(()), index.lexical_scores(question)
    if lexical is None:  # no live chunk holds a word of it (a deleted one may)
        return {}
    scores = lexical.of(live)
    return {
        (c.article_id, c.start): float(s) for c, s in zip(index.chunks(live), scores, strict=True)
    }


@pytest.fixture
def updated(make_settings, seed_copy: Path, embedder, tmp_path: Path):
    """An index built, then updated three times (add, change + remove, add), and a fresh
    build of the same final sources."""
    settings = make_settings()
    write_stories(seed_copy, ["leeds", "harbour", "budget"])
    build_index(settings, [str(seed_copy)], embedder=embedder)
    write_stories(seed_copy, ["orchestra"])
    build_index(settings, embedder=embedder)
    (seed_copy / "harbour.txt").write_text(CHANGED, encoding="utf-8")
    (seed_copy / "budget.txt").unlink()
    build_index(settings, embedder=embedder)
    write_stories(seed_copy, ["bridge"])
    build_index(settings, embedder=embedder)
    fresh = settings.overridden(index_dir=tmp_path / "fresh")
    build_index(fresh, [str(seed_copy)], full=True, embedder=embedder)
    return settings, fresh


def test_an_updated_index_answers_as_a_fresh_build(updated, embedder) -> None:
    settings, fresh = updated
    manifest = json.loads((settings.index_dir / MANIFEST).read_text())
    assert len(manifest["segments"]) == 4  # one per build that changed something
    deleted = sorted(i for s in manifest["segments"] for i in s["deleted"])
    assert deleted == ["budget", "harbour"]
    assert_same_answers(answers(settings, embedder), answers(fresh, embedder))

    ours, theirs = LocalIndex(settings.index_dir), LocalIndex(fresh.index_dir)
    assert ours.chunk_count == theirs.chunk_count
    assert ours.manifest["counts"] == {**theirs.manifest["counts"], "segments": 4}
    for question in ("fishing boat crew harbour", "schools budget Bradford", "the bridge"):
        mine, fresh_scores = lexical_by_chunk(ours, question), lexical_by_chunk(theirs, question)
        assert mine.keys() == fresh_scores.keys()
        assert np.allclose(list(mine.values()), [fresh_scores[k] for k in mine], atol=1e-6)
    for stem in ("harbour", "budget", "boat", "bridg"):
        assert ours.word_frequency(stem) == theirs.word_frequency(stem)
    assert ours.facets() == theirs.facets()
    assert ours.list_articles(0, 10) == theirs.list_articles(0, 10)


def test_a_deleted_chunk_is_never_cited(updated, embedder) -> None:
    settings, _ = updated
    searcher = Searcher(settings, embedder=embedder)
    index = searcher.index
    assert index.article("budget") is None and index.rows_of_article("budget") == []
    assert "Scarborough" in index.article("harbour").text
    for question in ("How much money did the council approve for new schools?", "Whitby harbour"):
        for mode in ("hybrid", "dense", "bm25"):
            passages = searcher.ask(question, k=10, mode=mode).passages
            assert all(p.citation.article_id != "budget" for p in passages)
            assert all("Whitby" not in p.text for p in passages)  # the replaced version
    assert all("budget" not in str(a) for a in index.articles_quoting("12 million pounds"))


def test_merges_keep_the_segments_few_and_the_answers_the_same(
    updated, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, fresh = updated
    monkeypatch.setattr(merge, "MAX_SEGMENTS", 3)
    monkeypatch.setattr(merge, "MERGE_FACTOR", 2)
    sources = Path(LocalIndex(settings.index_dir).manifest["sources"][0])
    (sources / "extra.txt").write_text("Snow closed the Snake Pass on Friday.", encoding="utf-8")
    build_index(settings, embedder=embedder)
    build_index(fresh, [str(sources)], full=True, embedder=embedder)
    merged = LocalIndex(settings.index_dir).manifest["segments"]
    assert len(merged) <= 3
    assert_same_answers(answers(settings, embedder), answers(fresh, embedder))
    assert_stored_words(settings.index_dir)  # copied by the merge, made for the new chunks

    before, after = compact(settings.index_dir, settings.ann_min_chunks)
    assert len(after["segments"]) == 1 and after["segments"][0]["deleted"] == []
    assert after["counts"]["chunks"] == before["counts"]["chunks"]
    assert len(list((settings.index_dir / SEGMENTS).iterdir())) == 1  # the old ones removed
    assert_same_answers(answers(settings, embedder), answers(fresh, embedder))


def test_a_build_that_changes_nothing_publishes_nothing(updated, embedder) -> None:
    settings, _ = updated
    before = (settings.index_dir / MANIFEST).read_text()
    summary = build_index(settings, embedder=embedder)
    assert (summary.embedded_chunks, summary.added, summary.removed) == (0, 0, 0)
    assert (settings.index_dir / MANIFEST).read_text() == before  # servers keep their index


@pytest.mark.parametrize("command", ["build", "compact"])
def test_a_killed_update_or_merge_leaves_the_old_or_the_new_index(
    command: str, updated, embedder, tmp_path: Path
) -> None:
    """Killed at random points, a build or `qa compact` leaves an index that loads and answers
    from the old content or the new, and the next run completes and clears the debris."""
    settings, _ = updated
    sources = Path(LocalIndex(settings.index_dir).manifest["sources"][0])
    old_ids = set(read_catalog(settings.index_dir, read_manifest(settings.index_dir))["articles"])
    for i in range(30):
        (sources / f"snow{i}.txt").write_text(f"Snow closed road {i} on Friday.", encoding="utf-8")
    argv = [sys.executable, "-m", "qa", command, "--index", str(settings.index_dir)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    rng = random.Random(7)
    for _ in range(4):
        process = subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.5, 8.0))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        index = LocalIndex(settings.index_dir)
        ids = set(read_catalog(settings.index_dir, index.manifest)["articles"])
        assert ids == old_ids or ids == old_ids | {f"snow{i}" for i in range(30)}
        searcher = Searcher(settings, embedder=embedder)
        assert "SANA" in searcher.ask(SEED_QUESTION, k=1).passages[0].text
    finished = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    listed = {s["name"] for s in LocalIndex(settings.index_dir).manifest["segments"]}
    assert {p.name for p in (settings.index_dir / SEGMENTS).iterdir()} == listed
    assert not list(settings.index_dir.parent.glob(f".{settings.index_dir.name}.build-*"))


def test_unchanged_files_are_not_read_again(
    make_settings, seed_copy: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa.ingest import readers

    settings = make_settings()
    write_stories(seed_copy, ["leeds", "harbour"])
    build_index(settings, [str(seed_copy)], embedder=embedder)
    opened: list[str] = []
    real = readers._read_file

    def counting(path: Path, *rest):
        opened.append(path.name)
        return real(path, *rest)

    monkeypatch.setattr(readers, "_read_file", counting)
    again = build_index(settings, embedder=embedder)
    assert opened == [] and (again.unchanged, again.articles) == (3, 3)

    write_stories(seed_copy, ["bridge"])
    os.utime(seed_copy / "leeds.txt")  # touched, not changed: read, found unchanged
    added = build_index(settings, embedder=embedder)
    assert sorted(opened) == ["bridge.txt", "leeds.txt"]
    assert (added.added, added.unchanged, added.embedded_chunks) == (1, 3, 1)


def test_a_copy_whose_original_is_removed_is_indexed(
    make_settings, seed_copy: Path, embedder
) -> None:
    settings = make_settings()
    write_stories(seed_copy, ["leeds"])
    (seed_copy / "leeds-copy.txt").write_text(STORIES["leeds"], encoding="utf-8")
    first = build_index(settings, [str(seed_copy)], embedder=embedder)
    assert first.duplicates == 1
    (seed_copy / "leeds.txt").unlink()  # the copy's file is unchanged, but now it is the one
    build_index(settings, embedder=embedder)
    index = LocalIndex(settings.index_dir)
    assert index.article("leeds") is None and index.rows_of_article("leeds-copy")
    searcher = Searcher(settings, embedder=embedder)
    top = searcher.ask("What replaced the trains in Leeds?", k=1).passages[0]
    assert top.citation.article_id == "leeds-copy"


def test_an_appended_jsonl_file_parses_only_its_new_lines(
    make_settings, tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa.ingest import readers

    feed = tmp_path / "feed" / "wire.jsonl"
    feed.parent.mkdir()
    lines = [json.dumps({"id": name, "text": text}) + "\n" for name, text in STORIES.items()]
    feed.write_text("".join(lines[:3]), encoding="utf-8")
    settings = make_settings()
    build_index(settings, [str(feed.parent)], embedder=embedder)
    parsed: list[str] = []
    real = readers.from_record

    def counting(record, where):
        parsed.append(record["id"])
        return real(record, where)

    monkeypatch.setattr(readers, "from_record", counting)
    with feed.open("a", encoding="utf-8") as handle:
        handle.writelines(lines[3:])
    appended = build_index(settings, embedder=embedder)
    assert parsed == list(STORIES)[3:]  # the three lines already indexed are only hashed
    assert (appended.added, appended.unchanged, appended.embedded_chunks) == (2, 3, 2)
    searcher = Searcher(settings, embedder=embedder)
    top = searcher.ask("How much did the footbridge cost?", k=1).passages[0]
    assert top.citation.article_id == "bridge"


FORMAT3 = Path(__file__).parent / "data" / "format3-index"  # written by `qa build` of 2026-11-30


def test_an_index_of_format_3_is_upgraded_without_embedding(
    make_settings, seed_copy: Path, embedder, tmp_path: Path
) -> None:
    """The index of the seed and a story (and its copy) as the version before segments wrote it:
    loading says what to run, and `qa build` upgrades it in place, embedding nothing."""
    settings = make_settings()
    shutil.copytree(FORMAT3, settings.index_dir)
    with pytest.raises(IndexMismatch, match=r"format 3.*run `qa build` to upgrade it"):
        LocalIndex(settings.index_dir)
    story = (Path(__file__).parent / "data" / "format3-harbour.txt").read_text(encoding="utf-8")
    for name in ("harbour.txt", "harbour-copy.txt"):
        (seed_copy / name).write_text(story, encoding="utf-8")
    upgraded = build_index(settings, [str(seed_copy)], embedder=embedder)
    assert (upgraded.embedded_chunks, upgraded.unchanged, upgraded.duplicates) == (0, 2, 1)
    assert not (settings.index_dir / "vectors.faiss").exists()  # the old files are gone
    assert (settings.index_dir / README).read_text(encoding="utf-8") == README_TEXT
    fresh = settings.overridden(index_dir=tmp_path / "fresh")
    build_index(fresh, [str(seed_copy)], full=True, embedder=embedder)
    # The stored vectors were embedded on another CPU: int8 and bf16 kernels differ between
    # processors by about 1e-4 in a score, so only the ranking must be the same to the digit.
    assert_same_answers(answers(settings, embedder), answers(fresh, embedder), atol=1e-3)


def test_a_skipped_file_is_reported_again_while_it_stays(
    make_settings, seed_copy: Path, embedder
) -> None:
    (seed_copy / "broken.json").write_text("{oops", encoding="utf-8")
    settings = make_settings()
    first = build_index(settings, [str(seed_copy)], embedder=embedder)
    again = build_index(settings, embedder=embedder)  # nothing changed: nothing is read
    assert [str(p) for p in again.problems] == [str(p) for p in first.problems] != []
