"""The short answer: the name, number, date, place or short phrase a question asks for, taken
from the answer sentence (or a sentence beside it), or None when the question asks for no short
fact or the choice is unsure.

The classic pre-neural pipeline: the type the question asks for (qa.answer.short_types),
candidate spans typed by their words (qa.answer.short_spans), each scored by a weighted sum of
features: its type against the one asked, how close it stands to the question's words, whether
it repeats them, its length and boundaries. The weights are a conditional logit (a softmax over
each question's candidates) fitted on the tuning half of the public sets by bench/short.py,
kept in qa.answer.short_tuned; the softmax is the confidence.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from operator import mul

from qa.answer.entities import NUMBER, ORGANISATION, PERSON, PLACE, THING, word_set
from qa.answer.short_asked import Asked
from qa.answer.short_spans import (
    Candidate,
    Token,
    candidates_of,
    counts,
    figure_edges,
    modifier_before,
    tokens_of,
)
from qa.answer.short_tuned import SHORT_THRESHOLD, SHORT_WEIGHTS
from qa.answer.short_types import DATE, TYPES
from qa.text.spans import Span
from qa.text.words import FUNCTION_WORDS, STOPWORDS, stems

PLAIN = "plain"  # the type of a candidate of common words
_PREPOSITIONS = frozenset(["in", "at", "on", "by", "from", "to", "of", "for", "with", "as"])
_BE = frozenset(["is", "are", "was", "were", "be", "been", "became", "called", "named", "as"])
_SAYING = frozenset(["said", "says", "told", "reported", "announced", "added", "stated"])
# Titles that are part of a name as answers write it ("Lord Hanningfield", "King George III"),
# unlike "Mr" or "Dr".
_STYLES = word_set(
    """sir lord lady dame baron baroness duke duchess earl count king queen prince princess
    emperor empress pope saint st"""
)
# The candidates' types that may answer a question of each type (a "who" may be answered by an
# organisation, a "where" by a building's name): when the contexts hold one, only they compete.
_FITTING = {
    PERSON: frozenset([PERSON, ORGANISATION, THING]),
    ORGANISATION: frozenset([ORGANISATION, PERSON, PLACE, THING]),
    PLACE: frozenset([PLACE, ORGANISATION, THING]),
    DATE: frozenset([DATE, NUMBER]),
    NUMBER: frozenset([NUMBER, DATE]),
}
# Quotation marks: a title or a phrase quoted whole ("fantasy island", "Apologie").
_QUOTES = frozenset(['"', "“", "”", "'", "‘", "’"])
# A year, and the stem of the head noun of "what year…?".
_YEAR = re.compile(r"1[0-9]{3}|20[0-9]{2}")
_YEAR_HEAD = stems(["year"])[0]
# What joins the two years of a range.
_DASHES = frozenset(["–", "-", "—", "to"])
# How far (in tokens) the question's words count as around a candidate.
_WINDOW = 10


@dataclass(frozen=True)
class Context:
    """Where candidates are read: a text, its sentences and the one that answers (`at`), from
    the answer sentence's own passage or else the best sentence of another top passage."""

    text: str
    sentences: Sequence[Span]
    at: int
    own: bool = True


@dataclass(frozen=True)
class Choice:
    """The chosen span of one of the contexts, and the confidence in it (its softmax share)."""

    context: int
    start: int
    end: int
    probability: float


def feature_names() -> tuple[str, ...]:
    """Every feature the scorer weighs, in SHORT_WEIGHTS' order."""
    pairs = tuple(f"{asked}>{kind}" for asked in TYPES for kind in (*TYPES, PLAIN))
    return (*pairs, *_GENERAL)


_GENERAL = (
    "entity",
    "repeats",
    "near",
    "adjacent",
    "before_question_word",
    "after_question_word",
    "window",
    "tokens",
    "single",
    "comma",
    "outside",
    "after_preposition",
    "before_saying",
    "head",
    "capitals",
    "bounded",
    "initial",
    "after_be",
    "elsewhere",
    "subject",
    "figure_before",
    "figure_after",
    "before_of",
    "after_last",
    "styled",
    "verbal_first",
    "verbal_last",
    "adjective_last",
    "quoted",
    "noun_phrase",
)
_GENERAL_WEIGHTS = tuple(SHORT_WEIGHTS.get(name, 0.0) for name in _GENERAL)


class Reading:
    """A question read against a text region: its tokens, their stems, where the question's
    words stand; the candidates of the answer sentence and its neighbours, with features."""

    def __init__(self, asked: Asked, context: Context, number: int = 0) -> None:
        self.asked, self.own, self.context = asked, context.own, number
        text, sentences, at = context.text, context.sentences, context.at
        region = sentences[max(at - 1, 0) : at + 2]
        self.tokens = tokens_of(text, region[0][0], region[-1][1])
        words = [t.text if t.is_word else "" for t in self.tokens]
        self.stems = stems(words)
        self.matches = [i for i, s in enumerate(self.stems) if words[i] and s in asked.stems]
        self.matched = frozenset(self.matches)
        # Counts over the tokens (short_spans.counts): each candidate's in O(1).
        self.words = counts(t.is_word for t in self.tokens)
        self.repeated = counts(
            bool(w) and s in asked.stems for w, s in zip(words, self.stems, strict=True)
        )
        self.commas = counts(t.text == "," for t in self.tokens)
        self.capitals = counts(t.is_word and t.text[0].isupper() for t in self.tokens)
        self.sentence = sentences[at]
        starts = {start for start, _ in region}
        self.openings = {i for i, t in enumerate(self.tokens) if t.start in starts}
        self.candidates = [c for span in region for c in candidates_of(text, self.tokens, *span)]

    def features(self, c: Candidate) -> dict[str, float]:
        """The features of one candidate, by name (absent ones are 0)."""
        return {self.pair(c): 1.0, **dict(zip(_GENERAL, self.general(c), strict=True))}

    def pair(self, c: Candidate) -> str:
        """The name of the candidate's type-pair feature ("person>organisation")."""
        return f"{self.asked.kind}>{c.kind or PLAIN}"

    def general(self, c: Candidate) -> tuple[float, ...]:
        """The candidate's features other than its type pair, in _GENERAL's order."""
        tokens, asked, matches, stems_ = self.tokens, self.asked, self.matches, self.stems
        first, last = c.first, c.last
        run = self.words[last] - self.words[first]  # its words
        repeated = self.repeated[last] - self.repeated[first]
        inside = self.sentence[0] <= c.start and c.end <= self.sentence[1]
        # The nearest of the question's words outside the candidate, before it or after it.
        before_it, after_it = bisect.bisect_left(matches, first), bisect.bisect_left(matches, last)
        gaps = [first - matches[before_it - 1]] if before_it else []
        gaps += [matches[after_it] - last + 1] if after_it < len(matches) else []
        distance = min(gaps, default=_WINDOW * 4)
        low, high = first - _WINDOW, last + _WINDOW
        window = matches[bisect.bisect_left(matches, low) : bisect.bisect_left(matches, high)]
        before = tokens[first - 1].lower if first else ""
        after = tokens[last].lower if last < len(tokens) else ""
        head = asked.head
        near_head = head and head in stems_[max(first - 2, 0) : last + 2]
        figure = figure_edges(tokens, first, last) if c.kind in (NUMBER, DATE) else (0, 0)
        return (
            float(self._whole(c) if c.kind in (NUMBER, DATE) else c.entity),
            repeated / run if run else 0.0,
            1 / distance,
            float(distance == 1),
            float(last in self.matched),
            float(first - 1 in self.matched),
            len({stems_[i] for i in window}) / len(asked.stems) if asked.stems else 0.0,
            float(run),
            float(run == 1),
            float(self.commas[last] > self.commas[first]),
            float(not inside),
            float(before in _PREPOSITIONS),
            float(after in _SAYING),
            float(bool(near_head) and head not in stems_[first:last]),
            (self.capitals[last] - self.capitals[first]) / run if run else 0.0,
            float(not after or not tokens[last].is_word or after in STOPWORDS),
            float(run == 1 and first in self.openings),
            float(before in _BE),
            float(not self.own),
            float(bool(asked.verb) and asked.verb in stems_[last : last + 2]),
            *map(float, figure),
            float(after == "of"),
            float(bool(asked.last) and asked.last in stems_[max(first - 3, 0) : first]),
            float(run > 1 and tokens[first].lower in _STYLES),
            float(tokens[first].is_verbal),
            float(tokens[last - 1].is_verbal),
            float(tokens[last - 1].is_adjectival),
            float(before in _QUOTES and after in _QUOTES),
            float(self._noun_phrase(c)),
        )

    def modified(self, c: Candidate) -> int:
        """Where a number starts with the modifier before it ("more than 1,000"): the claim
        as the text makes it, though answer strings tend to leave it out; without a mere
        approximation ("about") when the question hedges already."""
        if c.kind != NUMBER:
            return c.start
        return self.tokens[modifier_before(self.tokens, c.first, self.asked.hedged)].start

    def span(self, c: Candidate) -> tuple[int, int]:
        """The characters shown for the candidate: a number with its modifier; of a range of
        years ("1249–1314") the end the question asks for ("when was he born?": 1249); of a
        change ("rose 5% to £801m") its result, or the change when asked "by how much"; of a
        date, the year alone when the question asks "what year" ("1 May 1191": 1191)."""
        tokens, first = self.tokens, c.first
        ranged = c.last - first == 3 and tokens[first + 1].lower in _DASHES
        if ranged and self.asked.edge and tokens[first].is_date and tokens[first + 2].is_number:
            side = tokens[first] if self.asked.edge == "start" else tokens[first + 2]
            return side.start, side.end
        if ranged and c.kind == NUMBER and self._changed(first):
            # "rose 5% to £801m", "from 49% to 74%": the new value, or the change asked for
            side = tokens[first] if self.asked.change else tokens[first + 2]
            return side.start, side.end
        result = c.last - first == 1 and first >= 2 and tokens[first - 1].lower == "to"
        if result and self.asked.change and c.kind == NUMBER and self._changed(first - 2):
            return tokens[first - 2].start, tokens[first - 2].end  # "£801m" of "5% to £801m"
        years = [t for t in tokens[first : c.last] if _YEAR.fullmatch(t.text)]
        if self.asked.head == _YEAR_HEAD and c.kind == DATE and len(years) == 1:
            return years[0].start, years[0].end
        return self.modified(c), c.end

    def _changed(self, first: int) -> bool:
        """Whether the figures from `first` ("A to B") tell a change and its result, not a
        range: a share that became an amount ("5% to £801m"), or "from A to B"."""
        tokens = self.tokens
        if not tokens[first].is_number:
            return False
        share = tokens[first].text.endswith("%") and not tokens[first + 2].text.endswith("%")
        return share or (first > 0 and tokens[first - 1].lower == "from")

    def _noun_phrase(self, c: Candidate) -> bool:
        """Whether the candidate is a whole noun phrase as the word tables tell one: no word
        inside that is only a verb or an adverb, a last word that may be a noun (or a name or
        a number), and no content word beside it that would continue it."""
        tokens, first, last = self.tokens, c.first, c.last
        end = tokens[last - 1]
        if any(t.is_verbal for t in tokens[first:last]):
            return False
        if not (end.is_nominal or end.text[0].isupper() or end.is_number):
            return False
        return _closed(tokens, first - 1) and _closed(tokens, last)

    def _whole(self, c: Candidate) -> bool:
        """A number or a date that no number or date word continues ("October 6, 1973"): as
        much an entity as a name is."""
        tokens = self.tokens
        beside = [tokens[c.first - 1]] if c.first else []
        beside += tokens[c.last : c.last + 2] if c.last < len(tokens) else []
        return not any(t.is_number or t.is_date or t.is_time_unit for t in beside)

    def scores(self) -> list[float]:
        """Each candidate's score under SHORT_WEIGHTS, added in the order of `features` (the
        pair first), as a sum over its dict would: the same floats."""
        scores = []
        for c in self.candidates:
            weights = (SHORT_WEIGHTS.get(self.pair(c), 0.0), *_GENERAL_WEIGHTS)
            scores.append(sum(map(mul, weights, (1.0, *self.general(c)))))
        return scores


def _closed(tokens: Sequence[Token], at: int) -> bool:
    """Whether token `at` bounds a noun phrase beside it: none (an edge), punctuation, a
    function word or a verb."""
    if not 0 <= at < len(tokens):
        return True
    token = tokens[at]
    return not token.is_word or token.lower in FUNCTION_WORDS or token.is_verbal


def readings(question: str | Asked, contexts: Sequence[Context]) -> list[Reading]:
    """The question (or as already read) read against each context (none when it asks for no
    short fact)."""
    asked = question if isinstance(question, Asked) else Asked.of(question)
    if asked.kind is None:
        return []
    found = [Reading(asked, c, n) for n, c in enumerate(contexts) if 0 <= c.at < len(c.sentences)]
    fitting = _FITTING.get(asked.kind, ())
    if any(c.kind in fitting for reading in found for c in reading.candidates):
        for reading in found:  # classic answer typing: only candidates of a fitting type
            reading.candidates = [c for c in reading.candidates if c.kind in fitting]
    return found


def choose(question: str, contexts: Sequence[Context]) -> Choice | None:
    """The short answer to `question`: the best candidate of the contexts (the answer sentence
    and its neighbours first), or None when the question asks for no short fact or the best
    one's softmax share is below SHORT_THRESHOLD."""
    scored = [
        (score, reading, candidate)
        for reading in readings(question, contexts)
        for score, candidate in zip(reading.scores(), reading.candidates, strict=True)
    ]
    if not scored:
        return None
    top, reading, best = max(scored, key=lambda item: item[0])
    share = 1 / sum(math.exp(score - top) for score, _, _ in scored)
    if share < SHORT_THRESHOLD:
        return None
    return Choice(reading.context, *reading.span(best), share)
