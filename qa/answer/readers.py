"""Who reads the short answer out of the passages: the heuristic (qa.answer.short) by default,
or an extractive-QA model named by QA_READER (qa.answer.model_reader), loaded on first use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from qa.answer.entities import PERSON, entities_of
from qa.answer.records import HEURISTIC_READER, Passage, ShortAnswer
from qa.answer.short import Context, choose
from qa.answer.short_types import expected_type
from qa.answer.tuned import ANSWER_PASSAGES
from qa.text.spans import split_chunk


class Reader(Protocol):
    """Reads the short answer to a question from the ranked passages, whose passage `rank`
    holds the answer sentence (its highlight)."""

    name: str

    def read(self, question: str, passages: Sequence[Passage], rank: int) -> ShortAnswer | None:
        """The short answer, or None."""
        ...


class HeuristicReader:
    """The classic pipeline: the best typed candidate of the answer sentence and its
    neighbours, or of the best sentences of the other top passages."""

    name = HEURISTIC_READER

    def read(self, question: str, passages: Sequence[Passage], rank: int) -> ShortAnswer | None:
        contexts, read = contexts_of(passages, rank)
        choice = choose(question, contexts)
        if choice is None:
            return None
        short = ShortAnswer.within(read[choice.context], choice.start, choice.end)
        return in_full(short, passages) if expected_type(question) == PERSON else short


def in_full(short: ShortAnswer, passages: Sequence[Passage]) -> ShortAnswer:
    """A person named by the surname alone ("Mr Babinet said…") as the passages of the same
    article name them in full ("Gilles Babinet, chief executive of…"): the first such mention,
    in its own passage; else the short answer as it is."""
    if " " in short.text or not short.text[:1].isupper():
        return short
    article = next(p.citation.article_id for p in passages if p.rank == short.passage)
    for passage in passages:
        if passage.citation.article_id != article:
            continue
        for name in entities_of(passage.text):
            if name.kind == PERSON and name.text.endswith(f" {short.text}"):
                return ShortAnswer.within(passage, name.start, name.end)
    return short


def contexts_of(passages: Sequence[Passage], rank: int) -> tuple[list[Context], list[Passage]]:
    """Where the heuristic reads: the answer sentence within its passage, then the best
    sentence of each other passage among the first ANSWER_PASSAGES; and their passages."""
    read = [passages[rank - 1]]
    read += [p for p in passages[:ANSWER_PASSAGES] if p.rank != rank]
    read = [p for p in read if p.highlight]
    return [_context(p, own=p.rank == rank) for p in read], read


def _context(passage: Passage, own: bool) -> Context:
    """A passage's text with its sentences, its highlight the one that answers."""
    sentences = split_chunk(passage.text)
    if passage.highlight not in sentences:  # a highlight of another splitting: read it alone
        sentences = [passage.highlight]
    return Context(passage.text, sentences, sentences.index(passage.highlight), own)


def reader_for(model: str) -> Reader:
    """The heuristic reader for an empty QA_READER, else the model's (loaded when first read)."""
    if not model:
        return HeuristicReader()
    from qa.answer.model_reader import ModelReader

    return ModelReader(model)
