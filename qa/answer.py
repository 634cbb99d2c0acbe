"""Answer records (Passage, Citation, Answer) and their JSON; the answer sentence; "not found"."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from qa.lexical import content_words

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
            "took_ms": round(self.took_ms, 1),
        }


# --- choosing the answer sentence ---------------------------------------------------------

# Weight of the share of question words a sentence contains, next to its cosine.
LEXICAL_WEIGHT = 0.5
# A lower-ranked passage's sentence must beat the first passage's by this much per rank.
RANK_PENALTY = 0.02


@dataclass(frozen=True)
class Sentence:
    """A candidate answer sentence: its passage rank, span within the passage, and score."""

    rank: int
    span: Span
    cosine: float
    score: float


def score_sentences(
    question: str, passages: Sequence[Passage], cosines: Sequence[Sequence[tuple[Span, float]]]
) -> list[Sentence]:
    """Every sentence of the given passages, scored as an answer to the question.

    A sentence scores its cosine to the question plus LEXICAL_WEIGHT times the share of the
    question's content words it contains, minus RANK_PENALTY per passage rank below the first.
    """
    asked = content_words(question)
    sentences = []
    for passage, spans in zip(passages, cosines, strict=False):
        for (a, b), cosine in spans:
            overlap = len(asked & content_words(passage.text[a:b])) / len(asked) if asked else 0.0
            score = cosine + LEXICAL_WEIGHT * overlap - RANK_PENALTY * (passage.rank - 1)
            sentences.append(Sentence(passage.rank, (a, b), cosine, score))
    return sentences


def best_per_passage(sentences: Sequence[Sentence]) -> dict[int, Sentence]:
    """The best-scoring sentence of each passage rank."""
    best: dict[int, Sentence] = {}
    for sentence in sentences:
        if sentence.rank not in best or sentence.score > best[sentence.rank].score:
            best[sentence.rank] = sentence
    return best


# --- "not found" ---------------------------------------------------------------------------

# A tiny logistic model of "the passages answer the question", fitted by `bench/calibrate.py`
# (scikit-learn, both public sets weighted equally, tuning half only). Features:
#   sentence  cosine of the best answer sentence to the question,
#   coverage  IDF-weighted share of the question's words found in the answer's passage
#             (a question about a name, place or year the archive lacks misses rare words).
NOT_FOUND_MODEL = {"bias": -3.81, "sentence": 4.58, "coverage": 1.51}
# Answer when the modelled probability reaches this: the highest threshold that still answers
# 95% of the answerable BBC questions of the tuning half (README, "Answer quality").
NOT_FOUND_THRESHOLD = 0.32


def answer_probability(sentence: float, coverage: float) -> float:
    """The calibrated probability that the best sentence really answers the question."""
    model = NOT_FOUND_MODEL
    z = model["bias"] + model["sentence"] * sentence + model["coverage"] * coverage
    return 1 / (1 + math.exp(-z))
