"""Sentence words stored in a segment: the same words as computed from the text, and an index
written without them (an older segment) answers the same, computing them when read."""

from __future__ import annotations

import shutil
from pathlib import Path

from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.index.layout import SENTENCE_WORDS, SENTENCE_WORDS_OFFSETS
from qa.index.reader import LocalIndex
from qa.text.words import content_words_of_spans
from tests.conftest import only_segment

QUESTIONS = ("Who rescued the crew?", "How much did it cost?", "Where did the boat sink?")


def test_stored_words_are_the_words_of_each_sentence(seed_index: Settings) -> None:
    index = LocalIndex(seed_index.index_dir)
    rows = list(range(index.chunk_count))
    stored = index.sentences_of(rows)
    assert all(s.words is not None for s in stored)
    for chunk, sentences in zip(index.chunks(rows), stored, strict=True):
        assert sentences.words == content_words_of_spans(chunk.text, sentences.spans)


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
