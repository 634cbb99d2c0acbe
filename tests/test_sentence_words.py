"""Sentence words stored in a segment: the same words as computed from the text, and an index
written without them (an older segment) answers the same, computing them when read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.index import sentence_words
from qa.index.build import build_index
from qa.index.layout import SENTENCE_WORDS, SENTENCE_WORDS_OFFSETS
from qa.index.location import compact
from qa.index.reader import LocalIndex
from tests.conftest import assert_stored_words, only_segment

QUESTIONS = ("Who rescued the crew?", "How much did it cost?", "Where did the boat sink?")


def test_stored_words_are_the_words_of_each_sentence(seed_index: Settings) -> None:
    assert_stored_words(seed_index.index_dir)


def test_a_segment_without_stored_words_answers_the_same(
    seed_index: Settings, embedder, tmp_path: Path
) -> None:
    older = tmp_path / "older"
    shutil.copytree(seed_index.index_dir, older)
    for name in (SENTENCE_WORDS, SENTENCE_WORDS_OFFSETS):
        (only_segment(older) / name).unlink()
    assert all(s.words is None for s in LocalIndex(older).sentences_of([0, 1]))
    stored = Searcher(seed_index, embedder=embedder)
    computed = Searcher(seed_index.overridden(index_dir=older), embedder=embedder)
    for question in QUESTIONS:
        ours, theirs = stored.ask(question), computed.ask(question)
        assert (ours.text, ours.short, ours.passages) == (
            theirs.text,
            theirs.short,
            theirs.passages,
        )


def test_a_merge_copies_the_stored_words_and_makes_none(
    make_settings, seed_copy: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings()
    build_index(settings, [str(seed_copy)], embedder=embedder)
    story = "Lifeboat crews rescued six people. The boat sank off Whitby on Sunday."
    (seed_copy / "rescue.txt").write_text(story, encoding="utf-8")
    build_index(settings, embedder=embedder)
    assert len(LocalIndex(settings.index_dir).manifest["segments"]) == 2

    def no_words(*_: object) -> None:
        raise AssertionError("a merge made words it could copy")

    monkeypatch.setattr(sentence_words, "content_words_of_spans", no_words)
    _, after = compact(settings.index_dir, settings.ann_min_chunks)
    monkeypatch.undo()
    assert len(after["segments"]) == 1
    assert_stored_words(settings.index_dir)
