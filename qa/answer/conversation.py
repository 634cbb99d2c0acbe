"""Conversation: a follow-up question resolved into a standalone one, from the earlier turns.

No language model runs here: a follow-up's pronouns and ellipsis take their referents from the
entities the earlier questions and answers hold (names, organisations, places, numbers, dates),
by recency and type, and an elliptic question takes the frame of the last one
(qa.answer.followup). A question that stands on its own is searched as it is. While a follow-up
depends on the conversation, the articles the last answer quoted are preferred.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qa.answer.entities import Entity
from qa.answer.followup import FollowUp, new_names, standalone
from qa.answer.memory import Memory, turn_entities
from qa.config import MAX_QUESTION_CHARS
from qa.index.protocol import Index
from qa.ingest.article import Article

MAX_TURNS = 20  # earlier turns a request may carry
# The newest turns a follow-up is resolved against: older ones have left the conversation.
REMEMBERED_TURNS = 4
# The best BM25 matches of an answer searched for the chunks that quote it (and their copies).
QUOTING_ROWS = 10
_FIELDS = ("question", "answer")


class HistoryError(ValueError):
    """A malformed history; the message says which turn and what is wrong."""


@dataclass(frozen=True)
class Turn:
    """An earlier turn: the question asked and the answer given (None: not found)."""

    question: str
    answer: str | None


@dataclass(frozen=True)
class Resolution:
    """What to search for a question in its conversation, and the articles to prefer."""

    searched: str
    articles: tuple[str, ...] = ()


def parse_history(raw: Any) -> list[Turn]:
    """The turns of a request's `history` (oldest first); HistoryError if malformed."""
    if not isinstance(raw, list):
        raise HistoryError("history must be a list of turns")
    if len(raw) > MAX_TURNS:
        raise HistoryError(f"history has {len(raw)} turns; the limit is {MAX_TURNS}")
    return [_turn(item, f"history[{number}]") for number, item in enumerate(raw)]


def _turn(item: Any, where: str) -> Turn:
    if not isinstance(item, dict):
        raise HistoryError(f"{where} must be an object with a question and an answer")
    unknown = sorted(set(item) - set(_FIELDS))
    if unknown:
        raise HistoryError(f"{where} has an unknown field {unknown[0]!r}: send question, answer")
    for field in _FIELDS:
        if field not in item:
            raise HistoryError(f"{where}.{field} is missing")
    question, answer = item["question"], item["answer"]
    if not isinstance(question, str) or not question.strip():
        raise HistoryError(f"{where}.question must be a non-empty string")
    if len(question) > MAX_QUESTION_CHARS:
        raise HistoryError(
            f"{where}.question has {len(question):,} characters; the limit is "
            f"{MAX_QUESTION_CHARS:,}"
        )
    if answer is not None and not isinstance(answer, str):
        raise HistoryError(f"{where}.answer must be a string or null")
    return Turn(question, answer)


def resolve(question: str, history: Sequence[Turn], index: Index) -> Resolution:
    """The standalone question to search, and the articles the conversation is about."""
    followup = FollowUp.of(question)
    turns = list(history[-REMEMBERED_TURNS:])
    if not (turns and followup.dependent):
        return Resolution(question)
    frame, memory = _remembered(turns)
    searched = standalone(followup, frame, memory)
    return Resolution(searched, _cited(turns, new_names(followup, memory), index))


def _remembered(turns: Sequence[Turn]) -> tuple[str, Memory]:
    """The last question resolved (each question against the turns before it, without its
    question mark) and the memory of every turn's entities."""
    entities: list[list[Entity]] = []
    frame = ""
    for turn in turns:
        earlier = FollowUp.of(turn.question)
        if entities and earlier.dependent:
            frame = standalone(earlier, frame, Memory(entities))
        else:
            frame = turn.question
        frame = frame.strip().rstrip("?").strip()
        entities.append(turn_entities(frame, turn.answer))
    return frame, Memory(entities)


def _cited(turns: Sequence[Turn], new_names: Sequence[str], index: Index) -> tuple[str, ...]:
    """The articles the last answer of the turns remembered quoted, unless they lack a name the
    follow-up brings (a follow-up about something else is not held to them).

    An answer is a sentence of a passage, so the chunks that hold it word for word are among the
    best BM25 matches of its words: a fraction of a millisecond, where Index.articles_quoting
    reads every article's text (about 17 ms over the 2,000 BBC articles).
    """
    answer = next((t.answer for t in reversed(turns) if t.answer), None)
    if answer is None:
        return ()
    lexical = index.lexical_scores(answer)
    rows = lexical.top(QUOTING_ROWS) if lexical else []
    quoting = dict.fromkeys(c.article_id for c in index.chunks(rows) if answer in c.text)
    return tuple(i for i in quoting if not new_names or _mentions(index.article(i), new_names))


def _mentions(article: Article | None, names: Sequence[str]) -> bool:
    return article is not None and all(name in article.text for name in names)
