"""Answer kinds: the kind of answer a question asks for (a number or a name), and whether a
sentence offers one that the question does not already hold.

A question usually restates the context of its answer: the sentence that repeats the question's
words best is often the lead that sets the scene, while the answer sits in the sentence that adds
the number or the name asked for. Classic answer typing (TREC QA) tells the two apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.text.words import STOPWORDS

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
# Questions answered by a person, a place, an organisation or a title.
_ASKS_NAME = re.compile(r"\b(who|whom|whose|which)\b", re.IGNORECASE)
# New capitalised words up to this many count: a sentence of names is not a better answer.
_NAMES_CAP = 3


def _key(token: str) -> str:
    """A token as compared with the question's: lower-cased, without a possessive."""
    return token.lower().removesuffix("'s").removesuffix("’s")


@dataclass(frozen=True)
class AnswerKind:
    """What a question asks for, and the tokens it already holds."""

    number: bool  # a quantity, an amount or a date
    name: bool  # a person, a place, an organisation or a title
    known: frozenset[str]

    @classmethod
    def of(cls, question: str) -> AnswerKind:
        number = bool(_ASKS_NUMBER.search(question))
        name = not number and bool(_ASKS_NAME.search(question))
        return cls(number, name, frozenset(_key(t) for t in _TOKEN.findall(question)))

    def offered(self, sentence: str) -> float:
        """0–1: how much the sentence offers an answer of the asked kind that is new to the
        question (any new number for a number question; new capitalised words for a name)."""
        if not (self.number or self.name):
            return 0.0
        tokens = _TOKEN.findall(sentence)
        if self.number:
            return float(
                any(
                    (t[0].isdigit() or t[0] in "£$€" or t.lower() in _NUMBER_WORDS)
                    and _key(t) not in self.known
                    for t in tokens
                )
            )
        names = sum(
            1
            for t in tokens
            if t[0].isupper() and _key(t) not in self.known and t.lower() not in STOPWORDS
        )
        return min(names, _NAMES_CAP) / _NAMES_CAP
