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
    # The share of the question's words in that passage, weighted by their information in
    # English (not in the archive, whose size would change it): a question about a name, place
    # or year the archive lacks misses rare words.
    coverage: float
    # How telling the archive's silence about a word of the question is (QuestionWords.absence):
    # it weighs against an answer in a large archive, hardly at all in one article.
    absence: float
    missing_number: float  # 1 when a number of the question (a year, a count) is not in it
    # The archive's size, log10(chunks) / 6 (1 at a million chunks): the larger the archive, the
    # closer its nearest passage comes to any question, so the higher the bar for a cosine.
    scale: float

    @classmethod
    def of(
        cls,
        best: SentenceFeatures,
        passage: Passage,
        read: PassageFeatures,
        query: Query,
        chunks: int,
    ) -> NotFoundFeatures:
        """The features of the best sentence, its passage and that passage's reading, in an
        archive of `chunks` chunks."""
        return cls(
            sentence=best.cosine,
            passage=passage.score,
            coverage=read.informed,
            absence=query.words.absence,
            missing_number=float(read.lacks_number),
            scale=math.log10(max(chunks, 1)) / 6,
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
