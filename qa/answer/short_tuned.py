"""The fitted constants of the short answer (qa.answer.short), in one place.

Fitted on the tuning half of the public sets (even id hash) by `python -m bench.short`, which
prints exact match and F1 of these and of the refitted values on both halves and rewrites the
literals below with `--write`: keep each a plain literal, one key a line. (Kept apart from
qa/answer/tuned.py only so that the two can be refitted independently.)
"""

from __future__ import annotations

# The weight of each feature of a candidate (qa.answer.short.feature_names); "A>B" is a
# candidate of type B for a question asking for type A. A conditional logit over each question's
# candidates, fitted to the ones that equal an answer string.
SHORT_WEIGHTS = {
    "person>person": 1.36,
    "person>organisation": 0.19,
    "person>place": -0.38,
    "person>date": -0.89,
    "person>number": -0.65,
    "person>thing": 0.52,
    "person>plain": -0.14,
    "organisation>person": -0.11,
    "organisation>organisation": 0.38,
    "organisation>place": -0.05,
    "organisation>date": -0.06,
    "organisation>thing": 0.35,
    "organisation>plain": -0.5,
    "place>person": 0.07,
    "place>organisation": -0.04,
    "place>place": 0.61,
    "place>date": -0.44,
    "place>number": -0.36,
    "place>thing": 0.37,
    "place>plain": -0.21,
    "date>person": -0.37,
    "date>organisation": -0.38,
    "date>place": -0.19,
    "date>date": 2.03,
    "date>number": -0.21,
    "date>thing": -0.48,
    "date>plain": -0.41,
    "number>person": -0.16,
    "number>organisation": -0.59,
    "number>place": -0.12,
    "number>date": 0.2,
    "number>number": 1.76,
    "number>thing": -0.37,
    "number>plain": -0.71,
    "thing>person": 1.03,
    "thing>organisation": 0.22,
    "thing>place": -0.09,
    "thing>date": -1.65,
    "thing>number": 0.02,
    "thing>thing": 0.58,
    "thing>plain": -0.12,
    "entity": 2.09,
    "repeats": -3.32,
    "near": 1.78,
    "adjacent": -0.23,
    "window": 2.04,
    "tokens": -0.57,
    "single": -1.38,
    "comma": -0.69,
    "outside": -3.92,
    "after_preposition": 0.37,
    "before_saying": -0.05,
    "head": 1.15,
    "capitals": 0.61,
    "bounded": 0.87,
    "whole": 1.07,
    "initial": -0.57,
    "after_be": 0.01,
}
# A short answer is given when its softmax share among the candidates reaches this.
SHORT_THRESHOLD = 0.14
