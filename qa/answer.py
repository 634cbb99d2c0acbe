"""Answer records (Passage, Citation, Answer) and their JSON; the answer sentence; "not found"."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

Span = tuple[int, int]


@dataclass(frozen=True)
class Citation:
    """Where a passage comes from: `article.text[start:end] == passage.text`."""

    article_id: str
    title: str
    source: str
    published: str | None
    url: str | None
    paragraph: int
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """A ranked chunk; `highlight` is the answer sentence's span within `text`."""

    rank: int
    score: float
    text: str
    highlight: tuple[int, int] | None
    copies: int
    citation: Citation
    row: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": round(float(self.score), 4),
            "text": self.text,
            "highlight": list(self.highlight) if self.highlight else None,
            "copies": self.copies,
            "citation": asdict(self.citation),
        }


@dataclass(frozen=True)
class Answer:
    """The result of one question: the answer sentence (or None) and the ranked passages."""

    question: str
    mode: str
    text: str | None
    passage: int | None
    passages: list[Passage]
    took_ms: float
    # Words of the question that no indexed article contains: why an answer may be missing.
    unknown_words: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.text is not None

    def to_dict(self) -> dict[str, Any]:
        answer = {"text": self.text, "passage": self.passage} if self.found else None
        return {
            "question": self.question,
            "mode": self.mode,
            "answer": answer,
            "passages": [p.to_dict() for p in self.passages],
            "unknown_words": list(self.unknown_words),
            "took_ms": round(self.took_ms, 1),
        }


# --- choosing the answer sentence ---------------------------------------------------------

# How a sentence's score weighs, next to its cosine: the share of the question's content words it
# contains (plain and IDF-weighted), whether it offers a new answer of the kind asked for (a number,
# a name: qa/answer_type.py), the share of its own content words that are the question's, and how
# much a sentence of a lower-ranked passage must beat the first passage's per rank. A conditional
# logit (the sentence chosen among a question's candidates) on the tuning half of both public
# sets, scaled to a cosine weight of 1 (`bench/tune.py`).
SHARE_WEIGHT = 1.3
WEIGHTED_WEIGHT = 1.4
OFFERED_WEIGHT = 1.35
FOCUS_WEIGHT = 0.8
RANK_PENALTY = 0.65


@dataclass(frozen=True)
class Sentence:
    """A candidate answer sentence: its passage rank, span within the passage, and evidence."""

    rank: int
    span: Span
    cosine: float  # to the question
    share: float  # of the question's content words found in it
    weighted: float  # the same share, IDF-weighted
    offered: float  # 0-1: it holds a number or a name of the kind asked, new to the question
    focus: float  # share of its own content words that are the question's

    @property
    def score(self) -> float:
        """How well the sentence answers the question, all evidence weighed."""
        return (
            self.cosine
            + SHARE_WEIGHT * self.share
            + WEIGHTED_WEIGHT * self.weighted
            + OFFERED_WEIGHT * self.offered
            + FOCUS_WEIGHT * self.focus
            - RANK_PENALTY * (self.rank - 1)
        )


def best_per_passage(sentences: Sequence[Sentence]) -> dict[int, Sentence]:
    """The best-scoring sentence of each passage rank."""
    best: dict[int, Sentence] = {}
    for sentence in sentences:
        if sentence.rank not in best or sentence.score > best[sentence.rank].score:
            best[sentence.rank] = sentence
    return best


# --- "not found" ---------------------------------------------------------------------------

# A tiny logistic model of "the passages answer the question", fitted by `bench/calibrate.py`
# (scikit-learn, both public sets weighted equally, tuning half only) on the Evidence below.
NOT_FOUND_MODEL = {
    "bias": -4.47,
    "sentence": 3.22,
    "passage": 3.99,
    "coverage": 0.8,
    "unseen": -0.31,
    "missing_number": -0.93,
}
# Answer when the modelled probability reaches this: the highest threshold that still answers
# 95% of the answerable BBC questions of the tuning half (README, "Answer quality").
NOT_FOUND_THRESHOLD = 0.35


@dataclass(frozen=True)
class Evidence:
    """What the "not found" model weighs about the best answer sentence."""

    sentence: float  # its cosine to the question
    # The cosine of its passage: off-topic questions land on passages only loosely related.
    passage: float
    # The IDF-weighted share of the question's words in that passage: a question about a name,
    # place or year the archive lacks misses rare words.
    coverage: float
    unseen: float  # 1 when a word of the question occurs in no indexed passage at all
    missing_number: float  # 1 when a number of the question (a year, a count) is not in it

    def probability(self) -> float:
        """The calibrated probability that the best sentence really answers the question."""
        z = NOT_FOUND_MODEL["bias"] + sum(
            NOT_FOUND_MODEL[name] * value for name, value in asdict(self).items()
        )
        return 1 / (1 + math.exp(-z))
