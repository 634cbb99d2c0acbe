"""A question as the ranking reads it: its vector, its IDF-weighted words, the kind of answer
it asks for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from qa.answer.kinds import AnswerKind
from qa.answer.tuned import WORDS_PER_CHUNK
from qa.embed.embedder import Embedder
from qa.index.lexical import idf
from qa.index.protocol import Index
from qa.text.forms import forms as forms_of
from qa.text.rarity import expected_mention, information
from qa.text.words import FUNCTION_WORDS, content_forms


@dataclass(frozen=True)
class QuestionWords:
    """A question's stemmed content words and their IDF weights.

    A passage about the right topic that lacks the question's rare words (a name, a place,
    a year the archive does not cover) has a low weighted overlap: the signal dense scores miss.
    A word is found in any of its forms ("win" in "won": qa.text.forms).
    """

    weights: dict[str, float]
    # Each content word's stem → the stems of all its forms (its own among them).
    forms: dict[str, frozenset[str]] = field(default_factory=dict)
    # Words no indexed chunk contains, as the question spells them: a question about something
    # the archive never mentions.
    unseen: tuple[str, ...] = ()
    # The question's words but function words, weighted by their information in English at
    # large (qa.text.rarity): the same weights whatever the archive's size.
    informative: dict[str, float] = field(default_factory=dict)
    # How telling the archive's silence is: for the unseen word most likely to be mentioned in
    # an archive of this size, the chance that it would be (0 when every word is seen).
    absence: float = 0.0

    @classmethod
    def of(cls, question: str, frequency: Callable[[str], int], chunks: int) -> QuestionWords:
        """The question's content words, weighted by their IDF: `frequency(stem)` of `chunks`
        chunks hold each (Index.word_frequency)."""
        spelled = content_forms(question)
        frequencies = {stem: frequency(stem) for stem in spelled}
        content = {s: f for s, f in spelled.items() if f.lower() not in FUNCTION_WORDS}
        # Only content words have forms worth joining: "were" is not "been".
        forms = {stem: forms_of(word.lower()) | {stem} for stem, word in content.items()}
        unseen = tuple(
            word for stem, word in content.items() if not any(map(frequency, forms[stem]))
        )
        archive_words = chunks * WORDS_PER_CHUNK
        return cls(
            {stem: idf(f, chunks) for stem, f in frequencies.items()},
            forms,
            unseen,
            {stem: information(form.lower()) for stem, form in content.items()},
            max((expected_mention(f.lower(), archive_words) for f in unseen), default=0.0),
        )

    def overlap(self, present: set[str]) -> tuple[float, float]:
        """Share of the question's words among `present` (content words): plain, IDF-weighted."""
        if not self.weights:
            return 0.0, 0.0
        found = [w for word, w in self.weights.items() if self._in(word, present)]
        return len(found) / len(self.weights), sum(found) / self.total

    def _in(self, word: str, present: set[str]) -> bool:
        """Whether the word, in any of its forms, is among `present`."""
        return word in present or not self.forms.get(word, frozenset()).isdisjoint(present)

    @cached_property
    def total(self) -> float:
        """The sum of the weights (overlap divides by it for every sentence read)."""
        return sum(self.weights.values())

    def informed(self, present: set[str]) -> float:
        """Information-weighted share of the question's words but function words in `present`."""
        total = sum(self.informative.values())
        found = sum(w for word, w in self.informative.items() if self._in(word, present))
        return found / total if total else 0.0

    def focus(self, present: set[str]) -> float:
        """Share of `present` (a sentence's content words) that are the question's: a sentence
        about the question rather than one that mentions it among other things."""
        return len(present & self.every_form) / len(present) if present else 0.0

    @cached_property
    def every_form(self) -> frozenset[str]:
        """The stems of all the forms of all the question's words (focus reads them often)."""
        return frozenset(self.weights).union(*self.forms.values())

    def lacks_number(self, present: set[str]) -> bool:
        """Whether a number of the question (a year, a count) is missing from `present`: a
        question about another year than the one a passage covers."""
        return any(word not in present for word in self.numbers)

    @cached_property
    def numbers(self) -> tuple[str, ...]:
        """The question's words that hold a digit (lacks_number checks them for every passage)."""
        return tuple(word for word in self.weights if any(c.isdigit() for c in word))


@dataclass(frozen=True)
class Query:
    """The question embedded (an answer's only model call) and read for the second stage."""

    text: str
    vector: np.ndarray
    words: QuestionWords
    kind: AnswerKind

    @classmethod
    def of(cls, question: str, index: Index, embedder: Embedder) -> Query:
        return cls(
            question,
            embedder.encode_query(question),
            QuestionWords.of(question, index.word_frequency, index.chunk_count),
            AnswerKind.of(question),
        )
