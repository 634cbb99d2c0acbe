"""The answer's records (Citation, Passage, Answer) and their JSON, the contract of
`POST /api/ask` and `qa ask --json`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from qa.text.spans import Span


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
    page: int | None = None  # of a paged article (PDF), where the passage starts


@dataclass(frozen=True)
class Passage:
    """A ranked chunk; `highlight` is the answer sentence's span within `text`."""

    rank: int
    score: float
    text: str
    highlight: Span | None
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


# Why a question of function words only ("what is it?") gets no answer, in the reply's words.
VAGUE_NOTICE = (
    "The question names nothing to look for: ask about a person, a place, an event or a thing."
)


@dataclass(frozen=True)
class ShortAnswer:
    """The name, number, date or phrase asked for, in the article of passage `passage` (its
    rank): `article.text[start:end] == text`."""

    text: str
    start: int
    end: int
    passage: int

    @classmethod
    def within(cls, passage: Passage, start: int, end: int) -> ShortAnswer:
        """The span [start, end) of a passage's text, in its article's offsets."""
        begin = passage.citation.start
        return cls(passage.text[start:end], begin + start, begin + end, passage.rank)


# The reader of the short answers when no QA_READER model is set (qa.answer.short).
HEURISTIC_READER = "heuristic"


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
    # The standalone question actually searched (a follow-up resolved against its conversation).
    searched: str = ""
    # The cross-encoder that re-scored passages and sentences (QA_RERANKER), if any.
    reranker: str | None = None
    # The short answer within the answer sentence's passage (None: no short fact asked, or unsure)
    # and what read it: HEURISTIC_READER or the QA_READER model.
    short: ShortAnswer | None = None
    # Why there is no answer, when it is not the articles' silence (VAGUE_NOTICE).
    notice: str | None = None
    reader: str = HEURISTIC_READER

    @property
    def found(self) -> bool:
        return self.text is not None

    def to_dict(self) -> dict[str, Any]:
        answer = None
        if self.found:
            answer = {
                "text": self.text,
                "passage": self.passage,
                "short": asdict(self.short) if self.short else None,
                "reader": self.reader,
            }
        return {
            "question": self.question,
            "searched": self.searched or self.question,
            "mode": self.mode,
            "answer": answer,
            "passages": [p.to_dict() for p in self.passages],
            "unknown_words": list(self.unknown_words),
            "reranker": self.reranker,
            "notice": self.notice,
            "took_ms": round(self.took_ms, 1),
        }
