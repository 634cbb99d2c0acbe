""" "Not found": whether the best sentence really answers the question, or the archive does not.

A small logistic model (weights in qa.answer.tuned, fitted by bench/calibrate.py) over what the
search found about its best sentence; a passage that holds none of the question's words (a
question in another script, about something else entirely) never answers it, whatever its
cosine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

from qa.answer.asked import Demand
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
    # 1 when the question demands an amount, a date, a count, an age or a duration and the
    # sentence holds none new to it (qa.answer.asked): about the thing asked, not answering it.
    untyped: float
    # 1 when a "how many" question's unit ("pages") follows no number of the passage.
    uncounted: float
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
        demand = Demand.of(query.text)
        return cls(
            sentence=best.cosine,
            passage=passage.score,
            coverage=read.informed,
            absence=query.words.absence,
            missing_number=float(read.lacks_number),
            untyped=float(demand.unmet(passage.text[slice(*best.span)])),
            uncounted=float(demand.uncounted(passage.text)),
            scale=math.log10(max(chunks, 1)) / 6,
        )

    def probability(self) -> float:
        """The calibrated probability that the best sentence really answers the question."""
        return probability(NOT_FOUND_MODEL, asdict(self))

    @property
    def answers(self) -> bool:
        """Whether the probability reaches the threshold: the answer is given."""
        return self.probability() >= NOT_FOUND_THRESHOLD


# The features' names, in the order the model weighs them.
FEATURES = tuple(field.name for field in fields(NotFoundFeatures))


def probability(model: Mapping[str, float], features: Mapping[str, float]) -> float:
    """The logistic `model`'s probability of an answer given `features` (NotFoundFeatures by
    name); 0 when the passage holds no word of the question (coverage 0)."""
    if not features["coverage"]:
        return 0.0
    terms = 0.0
    for name in FEATURES:
        terms += model[name] * features[name]
    return 1 / (1 + math.exp(-(model["bias"] + terms)))
