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
    "person>person": 0.71,
    "person>organisation": -0.66,
    "person>thing": -0.05,
    "organisation>person": -0.13,
    "organisation>organisation": 0.63,
    "organisation>place": -0.18,
    "organisation>thing": -0.31,
    "place>organisation": -0.32,
    "place>place": 0.11,
    "place>thing": 0.21,
    "date>person": -0.03,
    "date>organisation": -0.01,
    "date>place": 0.01,
    "date>date": 0.45,
    "date>number": -0.45,
    "date>thing": 0.05,
    "date>plain": -0.02,
    "number>date": -0.12,
    "number>number": 0.12,
    "thing>person": 0.88,
    "thing>organisation": -0.01,
    "thing>place": -0.36,
    "thing>date": -1.25,
    "thing>number": 0.51,
    "thing>thing": 0.6,
    "thing>plain": -0.37,
    "entity": 2.11,
    "repeats": -3.32,
    "near": 1.42,
    "adjacent": 0.03,
    "before_question_word": 0.18,
    "after_question_word": -0.29,
    "window": 2.12,
    "tokens": -0.62,
    "single": -1.44,
    "comma": -0.7,
    "outside": -2.31,
    "after_preposition": 0.48,
    "before_saying": -0.09,
    "head": 1.33,
    "capitals": -0.1,
    "bounded": 0.99,
    "whole": 1.38,
    "initial": -0.49,
    "after_be": -0.01,
    "elsewhere": -2.29,
}
# A short answer is given when its softmax share among the candidates reaches this.
SHORT_THRESHOLD = 0.13
