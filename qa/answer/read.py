"""Reading passages against a question: the features of every sentence and passage, the
second-stage re-ranking, and the choice of the answer sentence.

`features_of` is the one function that computes them, for the Searcher and bench/tune.py alike;
the weights they are summed with live in qa.answer.tuned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial

from qa.answer.question import Query
from qa.answer.records import Passage
from qa.answer.retrieve import FusedHit
from qa.answer.tuned import (
    ANSWER_PASSAGES,
    PASSAGE_WEIGHTS,
    RESCORE,
    RETYPED,
    RETYPED_WEIGHTS,
    SENTENCE_WEIGHTS,
)
from qa.answer.typed import typed
from qa.index.protocol import Index
from qa.text.spans import Span
from qa.text.words import content_words_of_spans


@dataclass(frozen=True)
class SentenceFeatures:
    """A candidate answer sentence: its passage's rank, its span in the passage, its evidence."""

    rank: int
    span: Span
    cosine: float  # to the question
    share: float  # of the question's content words found in it
    weighted: float  # the same share, IDF-weighted
    offered: float  # 0-1: it holds a number or a name of the kind asked, new to the question
    focus: float  # share of its own content words that are the question's
    named: float  # 0/1: a new name beside the noun the question asks by

    def features(self) -> dict[str, float]:
        """The features SENTENCE_WEIGHTS weighs, by name."""
        return {
            "cosine": self.cosine,
            "share": self.share,
            "weighted": self.weighted,
            "offered": self.offered,
            "focus": self.focus,
            "named": self.named,
            "rank_below_first": self.rank - 1,
        }

    @property
    def score(self) -> float:
        """How well the sentence answers the question, all evidence weighed."""
        return self.score_at(self.rank)

    def score_at(self, rank: int) -> float:
        """The score the sentence would have if its passage ranked `rank`."""
        return weighted_sum(SENTENCE_WEIGHTS, self.features() | {"rank_below_first": rank - 1})

    def retyped(self, fit: float) -> float:
        """The second look's score, given how well its short answer's type fits (`typed`)."""
        return weighted_sum(RETYPED_WEIGHTS, self.features() | {"typed": fit})


@dataclass(frozen=True)
class PassageFeatures:
    """A passage read against the question: the information-weighted share of the question's
    words in the whole passage (QuestionWords.informed), whether it lacks a number of the
    question, the features of the second stage (keyed as PASSAGE_WEIGHTS), and its sentences."""

    informed: float
    lacks_number: bool
    second_stage: dict[str, float]
    read_sentences: Callable[[], list[SentenceFeatures]] = field(repr=False, compare=False)

    @cached_property
    def sentences(self) -> list[SentenceFeatures]:
        """Every sentence's features, read when first asked for: of the passages the second
        stage ranks, only those shown need their answer kind and focus."""
        return self.read_sentences()


def features_of(
    index: Index, query: Query, hits: Sequence[FusedHit], passages: Sequence[Passage]
) -> list[PassageFeatures]:
    """Each passage's sentence features (cosine, word overlap, answer kind, focus) and its
    second-stage features; `hits` are the passages' first-stage hits, in the same order.

    The sentence vectors were made at build time: reading embeds nothing.
    """
    words = query.words
    found = index.sentences_of([p.row for p in passages])
    read = []
    for hit, passage, sentences in zip(hits, passages, found, strict=True):
        present = sentences.words
        if present is None:  # an index that does not store them
            present = content_words_of_spans(passage.text, sentences.spans)
        cosines = (sentences.vectors @ query.vector).tolist()
        overlaps = [words.overlap(words_in) for words_in in present]
        everything = set().union(*present)
        second_stage = {
            "fused": hit.fused,
            "sentence": max(cosines, default=0.0),
            "sentence_words": max((weighted for _, weighted in overlaps), default=0.0),
            "passage_words": words.overlap(everything)[1],
        }
        read.append(
            PassageFeatures(
                words.informed(everything),
                words.lacks_number(everything),
                second_stage,
                partial(_sentences, query, passage, sentences.spans, cosines, overlaps, present),
            )
        )
    return read


def _sentences(
    query: Query,
    passage: Passage,
    spans: Sequence[Span],
    cosines: Sequence[float],
    overlaps: Sequence[tuple[float, float]],
    present: Sequence[set[str]],
) -> list[SentenceFeatures]:
    """The features of a passage's sentences, from their cosines, overlaps and words."""
    return [
        SentenceFeatures(
            passage.rank,
            span,
            cosine,
            *overlap,
            query.kind.offered(passage.text[slice(*span)]),
            query.words.focus(words_in),
            query.kind.named(passage.text[slice(*span)]),
        )
        for span, cosine, overlap, words_in in zip(spans, cosines, overlaps, present, strict=True)
    ]


def weighted_sum(weights: Mapping[str, float], features: Mapping[str, float]) -> float:
    """Σ weight × feature, in the weights' order (so that every run adds in the same order)."""
    total = 0.0
    for name, weight in weights.items():
        total += weight * features[name]
    return total


def rescored(
    passages: list[Passage], read: list[PassageFeatures]
) -> tuple[list[Passage], list[PassageFeatures]]:
    """Hybrid's second stage: the first RESCORE passages re-ranked by their second-stage key."""
    keys = [weighted_sum(PASSAGE_WEIGHTS, r.second_stage) for r in read[:RESCORE]]
    order = sorted(range(len(keys)), key=lambda i: -keys[i])
    order += list(range(len(keys), len(passages)))
    ranked = [replace(passages[i], rank=rank) for rank, i in enumerate(order, start=1)]
    return ranked, [read[i] for i in order]


def best_per_passage(read: Sequence[PassageFeatures]) -> dict[int, SentenceFeatures]:
    """The best-scoring sentence of each passage, by the passage's rank: its place in `read`."""
    best: dict[int, SentenceFeatures] = {}
    for rank, passage in enumerate(read, start=1):
        top = max(passage.sentences, key=lambda s: s.score_at(rank), default=None)
        if top is not None:
            best[rank] = replace(top, rank=rank)
    return best


def answer_sentence(
    question: str, passages: Sequence[Passage], read: Sequence[PassageFeatures]
) -> SentenceFeatures | None:
    """The answer sentence, from the first ANSWER_PASSAGES of the `passages` shown (the answer,
    if any is given, always cites a passage of the reply): of all their sentences, the RETYPED
    best under SENTENCE_WEIGHTS, read again for the type of their short answer (qa.answer.typed)
    and scored with RETYPED_WEIGHTS when the question asks for a name, number, date or place."""
    contenders = [
        replace(sentence, rank=rank)
        for rank, passage in enumerate(read[: min(len(passages), ANSWER_PASSAGES)], start=1)
        for sentence in passage.sentences
    ]
    close = sorted(contenders, key=lambda s: -s.score)[:RETYPED]
    fits = typed(question, [(passages[s.rank - 1].text, s.span) for s in close])
    if fits is None:  # no type asked: the first look's choice stands
        return close[0] if close else None
    scored = [s.retyped(fit) for s, fit in zip(close, fits, strict=True)]
    return close[scored.index(max(scored))] if close else None


def answer_first(
    passages: list[Passage], winner: SentenceFeatures
) -> tuple[list[Passage], SentenceFeatures]:
    """The passage the answer quotes moved to the top, the others in their order: a reply leads
    with the passage of its answer, whose sentence was read more closely than any ranking."""
    first = winner.rank - 1
    order = [first, *(i for i in range(len(passages)) if i != first)]
    ranked = [replace(passages[i], rank=rank) for rank, i in enumerate(order, start=1)]
    return ranked, replace(winner, rank=1)
