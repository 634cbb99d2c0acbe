"""Answer records (Passage, Citation, Answer) and their JSON: the contract of DESIGN.md."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from qa.sentences import sentence_spans


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

# Sentences of this many top passages compete for the answer.
ANSWER_PASSAGES = 3
# Weight of the share of question words a sentence contains, next to its cosine.
LEXICAL_WEIGHT = 0.3
# A lower-ranked passage's sentence must beat the first passage's by this much per rank.
RANK_PENALTY = 0.02
# Below this cosine between question and best passage, the articles do not answer it.
NOT_FOUND_COSINE = 0.35

_WORD = re.compile(r"\w+")
_STEMMER = Stemmer.Stemmer("english")


def content_words(text: str) -> set[str]:
    """Stemmed, lower-cased words of text without stop words."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS_EN]
    return set(_STEMMER.stemWords(words))


def pick_answer(
    question: str,
    query: np.ndarray,
    passages: Sequence[Passage],
    encode: Callable[[Sequence[str]], np.ndarray],
) -> tuple[str | None, int | None, dict[int, tuple[int, int]]]:
    """The answer sentence, its passage rank, and each top passage's best sentence span.

    A sentence scores its cosine to the question plus LEXICAL_WEIGHT times the share of the
    question's content words it contains. No answer when the best passage is not close enough.
    """
    if not passages or passages[0].score < NOT_FOUND_COSINE:
        return None, None, {}
    asked = content_words(question)
    spans: list[tuple[int, int, int]] = []  # (rank, start, end) within the passage text
    for passage in passages[:ANSWER_PASSAGES]:
        spans.extend((passage.rank, a, b) for a, b in sentence_spans(passage.text))
    texts = [passages[rank - 1].text[a:b] for rank, a, b in spans]
    cosines = encode(texts) @ query
    best: dict[int, tuple[float, int, int]] = {}
    for (rank, a, b), text, cosine in zip(spans, texts, cosines, strict=True):
        overlap = len(asked & content_words(text)) / len(asked) if asked else 0.0
        score = float(cosine) + LEXICAL_WEIGHT * overlap - RANK_PENALTY * (rank - 1)
        if rank not in best or score > best[rank][0]:
            best[rank] = (score, a, b)
    winner = max(best, key=lambda rank: best[rank][0])
    _, a, b = best[winner]
    highlights = {rank: (start, end) for rank, (_, start, end) in best.items()}
    return passages[winner - 1].text[a:b], winner, highlights
