"""Candidate short answers in a text: every short run of words that could stand alone as an
answer (a name, a number with its unit and modifier, a date, a noun phrase), each typed.

Without a part-of-speech model (none ships offline), a noun phrase is approximated by what
surrounds it: a run that neither starts nor ends with a function word or punctuation. The
runs are many and loose on purpose; the scorer (qa.answer.short) picks among them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

from qa.answer.entities import (
    FUNCTION_WORDS,
    INITIALS,
    MONTHS_AND_DAYS,
    NUMBER,
    PERSON,
    THING,
    WORDS_REMEMBERED,
    entities_of,
    word_set,
)
from qa.answer.short_types import DATE
from qa.text.forms import adjectival, nominal, verbal

# An initial before a name ("William E. Simon", "U.S. Senate"), a word (inner apostrophes,
# hyphens, dots), an amount (with currency, per cent, magnitude), or
# one mark of punctuation.
_TOKEN = re.compile(
    INITIALS + r"|[£$€]?\d(?:[\d,.:]*\d)?(?:%|bn|m|k|s|st|nd|rd|th)?"
    r"|\w(?:[\w&.'’-]*\w)?|\S"
)
# Candidates are at most this many tokens long.
MAX_TOKENS = 8
# What may stand before an amount and belongs to it: "more than 1,000", "at least two".
# Bounds make a claim ("more than 4.1 million"); approximations only hedge it ("about 28,000"),
# which a question that hedges itself ("roughly how many…?") need not be told again.
_BOUNDS = frozenset(
    tuple(phrase.split("_"))
    for phrase in word_set(
        """more_than less_than fewer_than at_least at_most up_to as_many_as as_much_as
        just_over just_under over under"""
    )
)
_APPROXIMATIONS = frozenset(
    tuple(phrase.split("_"))
    for phrase in word_set("an_estimated about around almost nearly some roughly approximately")
)
_MODIFIERS = _BOUNDS | _APPROXIMATIONS
_NUMBER_WORDS = word_set(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred hundreds thousand thousands million millions billion billions trillion dozen dozens
    half quarter first second third fourth fifth sixth seventh eighth ninth tenth"""
)
# A date names its day, month or feast (capitalised: "May", not "may"), or its day relative to
# today, or counts or places a unit of time ("four years", "last year"): a unit alone ("the
# year") is no date.
_DATE_NAMES = MONTHS_AND_DAYS | word_set("may christmas easter")
_DAYS_FROM_TODAY = word_set("today yesterday tomorrow tonight")
_TIME_UNITS = word_set(
    """year years month months week weeks decade decades century centuries ago spring summer
    autumn winter morning afternoon evening night weekend bc ad"""
)
_RELATIVE = word_set("last next this past previous coming early late mid")
# Words that measure a figure and belong to it in an answer ("91 days", "17m per second"), where
# the thing counted does not ("10,000" troops).
_UNITS = word_set(
    """day days hour hours minute minutes second seconds per cent percent mile miles km metre
    metres meter meters yard yards feet foot inch inches kg tonne tonnes ton tons pound pounds
    dollar dollars euro euros barrel barrels acre acres times"""
)
_FIGURE_WORDS = _UNITS | _RELATIVE
_YEAR = re.compile(r"(1[0-9]{3}|20[0-9]{2})s?$|\d+(st|nd|rd|th)$")
# Candidates never open or close on these (though "of" may sit inside: "Bank of England").
_EDGE_STOP = FUNCTION_WORDS | word_set(
    """a an the and or but nor of to in on at by for with as is are was were be that this
    these which who whom whose what when where why how not no its it said says say told
    there their they he she his her him its it's"""
)


class Token(NamedTuple):
    """A token of the text, where it stands, and what it is (worked out once, when read)."""

    text: str
    start: int
    end: int
    lower: str
    is_word: bool  # a word or an amount, not punctuation
    is_number: bool  # digits, an amount or a number word
    is_date: bool  # a date's name or a year ("August", "mid-January", "1996", "the 1990s")
    is_time_unit: bool  # "year", "weeks", "ago"…
    is_verbal: bool  # only ever a verb or an adverb ("caused", "largely")
    is_adjectival: bool  # only ever an adjective ("soft")
    is_nominal: bool  # may be a noun ("power")

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Token:
        return cls(text, start, end, *_described(text))


@lru_cache(maxsize=WORDS_REMEMBERED)
def _described(text: str) -> tuple[str, bool, bool, bool, bool, bool, bool, bool]:
    """What a token's text is (Token's fields after its offsets), worked out once per word:
    the same words recur in every passage read."""
    lower = text.lower()
    last = text.rsplit("-", 1)[-1]
    named = last[:1].isupper() and last.lower() in _DATE_NAMES
    return (
        lower,
        text[0].isalnum() or text[0] in "£$€",
        text[0].isdigit() or text[0] in "£$€" or lower in _NUMBER_WORDS,
        named or last.lower() in _DAYS_FROM_TODAY or _YEAR.match(lower) is not None,
        lower in _TIME_UNITS,
        text[0].isalpha() and verbal(lower),
        text[0].islower() and adjectival(lower),
        text[0].isalpha() and nominal(lower),
    )


class Candidate(NamedTuple):
    """A run of tokens [first, last) of a text, its type and its character span (a tuple:
    a reading makes hundreds)."""

    first: int
    last: int
    start: int
    end: int
    kind: str  # one of short_types.TYPES, or "" for a plain run of common words
    entity: bool  # exactly a name, number or date as entities_of finds it


def tokens_of(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The tokens of text[start:end] with their character offsets in `text`."""
    end = len(text) if end is None else end
    return [Token.of(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def candidates_of(text: str, tokens: list[Token], start: int, end: int) -> list[Candidate]:
    """The candidate spans of text[start:end] (its tokens among `tokens`)."""
    first_inside = bisect.bisect_left(tokens, start, key=lambda t: t.start)
    inside = range(first_inside, bisect.bisect_right(tokens, end, key=lambda t: t.end))
    if not inside:
        return []
    entities = {(e.start + start, e.end + start): e.kind for e in entities_of(text[start:end])}
    kinds = _Kinds(tokens, inside)
    closes = {i: _closes(tokens[i]) for i in inside}
    found = []
    for first in inside:
        if not _may_open(tokens[first]):
            continue
        for last in range(first + 1, min(first + MAX_TOKENS, inside[-1] + 1) + 1):
            verdict = closes[last - 1]
            if verdict is None:
                break
            if not verdict:
                continue
            span = (tokens[first].start, tokens[last - 1].end)
            entity = entities.get(span)
            found.append(
                Candidate(first, last, *span, kinds.of(first, last, entity), entity is not None)
            )
    return found


def counts(flags: Iterable[bool]) -> list[int]:
    """How many of the flags before each position are true (one more entry than flags): the
    count over any run [first, last) is counts[last] - counts[first]."""
    return list(accumulate(flags, initial=0))


class _Kinds:
    """Types runs of the tokens `inside` by counts of their kinds of token, each in O(1)."""

    def __init__(self, tokens: list[Token], inside: range) -> None:
        self.offset = inside.start
        run = tokens[inside.start : inside.stop]
        self.dates = counts(t.is_date for t in run)
        self.counted = counts(t.is_number or t.lower in _RELATIVE for t in run)
        self.units = counts(t.is_time_unit for t in run)
        self.numbers = counts(t.is_number for t in run)
        self.lower = counts(t.is_word and not t.text[0].isupper() for t in run)

    def of(self, first: int, last: int, entity_kind: str | None) -> str:
        """The type of the run [first, last): a date or a number by its words, else the type of
        the name it is, else "" (common words; a noun phrase at best)."""
        first, last = first - self.offset, last - self.offset
        dates, counted, units = self.dates, self.counted, self.units
        if dates[last] > dates[first] or (
            counted[last] > counted[first] and units[last] > units[first]
        ):
            return DATE
        if self.numbers[last] > self.numbers[first]:
            return NUMBER
        if entity_kind in (None, NUMBER):
            return "" if self.lower[last] > self.lower[first] else THING
        return PERSON if entity_kind == "agent" else entity_kind


def _closes(token: Token) -> bool | None:
    """Whether a candidate may end at this token (None: no candidate runs past it)."""
    if not token.is_word and token.text not in "%":
        return None if token.text in '.!?;:"“”()[]' else False
    return token.lower not in _EDGE_STOP


def _may_open(token: Token) -> bool:
    """Whether a candidate may start at this token: a word that is no function word."""
    return token.is_word and (token.lower not in _EDGE_STOP or token.is_number)


def figure_edges(tokens: list[Token], first: int, last: int) -> tuple[int, int]:
    """How many words of the run [first, last) stand before its figure (after any modifier) and
    after it, where the figure runs from its first to its last number, date or unit word:
    "closed 150" has one before, "10,000 troops" one after, "more than 4.1 million" and
    "91 days" none; (0, 0) for a run without a figure."""
    inside = [i for i in range(first, last) if _in_figure(tokens[i])]
    if not inside:
        return 0, 0
    opened = _after(tokens, first, _MODIFIERS)
    before = sum(tokens[i].is_word for i in range(opened, inside[0]))
    return before, sum(tokens[i].is_word for i in range(inside[-1] + 1, last))


def _in_figure(token: Token) -> bool:
    """A word a figure is made of: a number, a date, a unit of time or of measure."""
    return token.is_number or token.is_date or token.is_time_unit or token.lower in _FIGURE_WORDS


def _after(tokens: list[Token], first: int, phrases: frozenset[tuple[str, ...]]) -> int:
    """The token after the one of `phrases` that the tokens from `first` on spell, or `first`."""
    for phrase in phrases:
        if tuple(t.lower for t in tokens[first : first + len(phrase)]) == phrase:
            return first + len(phrase)
    return first


def modifier_before(tokens: list[Token], first: int, hedged: bool = False) -> int:
    """The first token of the modifier right before token `first` ("more than", "about"), or
    of the modifier that token `first` ends ("least two": "at least two"), or `first` itself
    when there is none. For a question that hedges itself, only a bound counts, and an
    approximation opening at `first` is passed over ("about 28,000" → "28,000")."""
    if hedged and (past := _after(tokens, first, _APPROXIMATIONS)) > first:
        return past
    modifiers = _BOUNDS if hedged else _MODIFIERS
    for size in (3, 2, 1):
        for inside in range(size):  # how many of the modifier's words are from `first` on
            start = first - size + inside
            phrase = tuple(t.lower for t in tokens[max(start, 0) : start + size])
            if start >= 0 and phrase in modifiers:
                return start
    return first
