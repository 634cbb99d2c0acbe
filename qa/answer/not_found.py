""" "Not found": whether the best sentence really answers the question, or the archive does not.

A small logistic model (weights in qa.answer.tuned, fitted by bench/calibrate.py) over what the
search found about its best sentence.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from qa.answer.question import Query
from qa.answer.read import PassageFeatures, SentenceFeatures
from qa.answer.records import Passage
from qa.answer.tuned import NOT_FOUND_MODEL, NOT_FOUND_THRESHOLD


@dataclass(frozen=True)
class NotFoundFeatures:
    """What the "not found" model weighs about the best answer sentence."""

    sentence: float  # its cosine to the question
    # The cosine of its passage: off-topic questions land on passages only loosely related.
    passage: float
    # The IDF-weighted share of the question's words in that passage: a question about a name,
    # place or year the archive lacks misses rare words.
    coverage: float
    unseen: float  # 1 when a word of the question occurs in no indexed passage at all
    missing_number: float  # 1 when a number of the question (a year, a count) is not in it

    @classmethod
    def of(
        cls, best: SentenceFeatures, passage: Passage, read: PassageFeatures, query: Query
    ) -> NotFoundFeatures:
        """The features of the best sentence, its passage and that passage's reading."""
        return cls(
            sentence=best.cosine,
            passage=passage.score,
            coverage=read.coverage,
            unseen=float(bool(query.words.unseen)),
            missing_number=float(read.lacks_number),
        )

    def probability(self) -> float:
        """The calibrated probability that the best sentence really answers the question."""
        terms = 0.0
        for name, value in asdict(self).items():
            terms += NOT_FOUND_MODEL[name] * value
        return 1 / (1 + math.exp(-(NOT_FOUND_MODEL["bias"] + terms)))

    @property
    def answers(self) -> bool:
        """Whether the probability reaches the threshold: the answer is given."""
        return self.probability() >= NOT_FOUND_THRESHOLD
