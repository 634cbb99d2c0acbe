"""Who reads the short answer out of the passages: the heuristic (qa.answer.short) by default,
or an extractive-QA model named by QA_READER (qa.answer.model_reader), loaded on first use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from qa.answer.records import HEURISTIC_READER, Passage, ShortAnswer
from qa.answer.short import choose
from qa.text.spans import split_chunk


class Reader(Protocol):
    """Reads the short answer to a question from the ranked passages, whose passage `rank`
    holds the answer sentence (its highlight)."""

    name: str

    def read(self, question: str, passages: Sequence[Passage], rank: int) -> ShortAnswer | None:
        """The short answer, or None."""
        ...


class HeuristicReader:
    """The classic pipeline: the answer sentence's (and its neighbours') best typed candidate."""

    name = HEURISTIC_READER

    def read(self, question: str, passages: Sequence[Passage], rank: int) -> ShortAnswer | None:
        passage = passages[rank - 1]
        if passage.highlight is None:
            return None
        sentences = split_chunk(passage.text)
        if tuple(passage.highlight) not in sentences:
            sentences = [tuple(passage.highlight)]
        choice = choose(question, passage.text, sentences, sentences.index(passage.highlight))
        return ShortAnswer.within(passage, choice.start, choice.end) if choice else None


def reader_for(model: str) -> Reader:
    """The heuristic reader for an empty QA_READER, else the model's (loaded when first read)."""
    if not model:
        return HeuristicReader()
    from qa.answer.model_reader import ModelReader

    return ModelReader(model)
