"""Answer kinds: the kind of answer a question asks for (a number or a name), and whether a
sentence offers one that the question does not already hold.

A question usually restates the context of its answer: the sentence that repeats the question's
words best is often the lead that sets the scene, while the answer sits in the sentence that adds
the number or the name asked for. Classic answer typing (TREC QA) tells the two apart.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from qa.answer.entities import MONTHS_AND_DAYS
from qa.answer.short_types import head_noun
from qa.text.words import FUNCTION_WORDS

_TOKEN = re.compile(r"[£$€]?\d[\d,.]*%?|\w[\w'’-]*")
_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "fifteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "hundred",
        "thousand",
        "million",
        "billion",
        "dozen",
        "half",
    ]
)
# Questions answered by a quantity, an amount or a date.
_ASKS_NUMBER = re.compile(
    r"\b(how (many|much|far|long|old|big|large|high|tall|fast|often)|when|(what|which) "
    r"(percentage|proportion|share|price|fee|sum|amount|number|figure|distance|margin|score|age"
    r"|year|date|time|temperature|rate|total|size)|by (how much|what margin))\b",
    re.IGNORECASE,
)
# Questions answered by a date.
_ASKS_DATE = re.compile(r"^\s*when\b|\b(?:what|which) (?:date|day|month)\b", re.IGNORECASE)
# Questions answered by a person, a place, an organisation or a title.
_ASKS_NAME = re.compile(r"\b(who|whom|whose|which)\b", re.IGNORECASE)
# New capitalised words up to this many count: a sentence of names is not a better answer.
_NAMES_CAP = 3
# "who is the tournament director…", "who was Candela's agent": the noun that names the role.
_WHO_IS = re.compile(r"\bwho(?:'s|’s|\s+(?:is|was|are|were))\s+((?:[\w'’-]+\s*)+)", re.IGNORECASE)
# The words before a role's noun: "who is the…", "who is its chief executive?".
_DETERMINERS = frozenset(["the", "a", "an", "its", "his", "her", "their", "our", "your", "my"])
# How near (in tokens) a new name must stand to the question's head noun to be named by it
# ("tournament director Craig Watson", "her lawyer, Perry Wander", "the Cleveland area").
_BESIDE = 2


def _key(token: str) -> str:
    """A token as compared with the question's: lower-cased, without a possessive."""
    return token.lower().removesuffix("'s").removesuffix("’s")


@dataclass(frozen=True)
class AnswerKind:
    """What a question asks for, and the tokens it already holds."""

    number: bool  # a quantity, an amount or a date
    name: bool  # a person, a place, an organisation or a title
    known: frozenset[str]
    head: str = ""  # a name question's noun for what it asks ("director", "area"), or ""
    date: bool = False  # a date: a month or a day's name answers it too ("In August…")

    @classmethod
    def of(cls, question: str) -> AnswerKind:
        number = bool(_ASKS_NUMBER.search(question))
        name = not number and bool(_ASKS_NAME.search(question))
        known = frozenset(_key(t) for t in _TOKEN.findall(question))
        date = bool(_ASKS_DATE.search(question))
        return cls(number, name, known, _head(question) if name else "", date)

    def offered(self, sentence: str) -> float:
        """0–1: how much the sentence offers an answer of the asked kind that is new to the
        question (any new number for a number question; new capitalised words for a name)."""
        if not (self.number or self.name):
            return 0.0
        tokens = _TOKEN.findall(sentence)
        if self.number:
            return float(any(self._new_number(t) for t in tokens))
        names = sum(1 for t in tokens if self._new_name(t))
        return min(names, _NAMES_CAP) / _NAMES_CAP

    def named(self, sentence: str) -> float:
        """1 when a new name stands right beside the noun the question asks by ("who is the
        lawyer…" against "her lawyer, Perry Wander, said"): the sentence names what is asked,
        where a sentence that merely holds names and the question's words may not."""
        if not self.head:
            return 0.0
        tokens = _TOKEN.findall(sentence)
        heads = [i for i, t in enumerate(tokens) if t.lower() in (self.head, f"{self.head}s")]
        return float(
            any(
                self._new_name(t)
                for i in heads
                for t in tokens[max(i - _BESIDE, 0) : i] + tokens[i + 1 : i + 1 + _BESIDE]
            )
        )

    def _new_number(self, token: str) -> bool:
        """A number, a sum or (for a date question) a month or a day the question lacks."""
        numeric = token[0].isdigit() or token[0] in "£$€" or token.lower() in _NUMBER_WORDS
        dated = self.date and token[0].isupper() and token.lower() in MONTHS_AND_DAYS
        return (numeric or dated) and _key(token) not in self.known

    def _new_name(self, token: str) -> bool:
        """A capitalised word the question does not hold, and no function word ("Most
        areas…", "Several districts…" open a sentence, they name nothing)."""
        lower = token.lower()
        return token[0].isupper() and _key(token) not in self.known and lower not in FUNCTION_WORDS


def _head(question: str) -> str:
    """The noun a name question asks by: "which US area…" → area; "who is the tournament
    director in Sydney?" → director; "" when it names none ("who reported…")."""
    head = head_noun(question)
    if head or not (match := _WHO_IS.search(question)):
        return head
    words = [w for w in match.group(1).lower().split() if w not in _DETERMINERS]
    phrase = list(itertools.takewhile(lambda w: w not in FUNCTION_WORDS, words))
    if not phrase or phrase[0].endswith("ed"):  # "who was elected…" asks by no noun
        return ""
    return phrase[-1].removesuffix("'s").removesuffix("’s")
