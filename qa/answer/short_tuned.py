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
    "person>person": 0.81,
    "person>organisation": -0.62,
    "person>thing": -0.19,
    "organisation>person": -0.08,
    "organisation>organisation": 0.52,
    "organisation>place": -0.27,
    "organisation>thing": -0.18,
    "place>organisation": -0.26,
    "place>place": 0.1,
    "place>thing": 0.16,
    "date>person": -0.03,
    "date>organisation": -0.01,
    "date>place": 0.03,
    "date>date": 0.72,
    "date>number": -0.72,
    "date>thing": -0.04,
    "date>plain": 0.04,
    "number>person": -0.02,
    "number>date": -1.01,
    "number>number": 1.01,
    "number>thing": -0.01,
    "number>plain": 0.03,
    "thing>person": 0.83,
    "thing>organisation": 0.01,
    "thing>place": -0.24,
    "thing>date": -1.16,
    "thing>number": 0.27,
    "thing>thing": 0.51,
    "thing>plain": -0.23,
    "entity": 1.83,
    "repeats": -3.2,
    "near": 1.27,
    "adjacent": -0.08,
    "before_question_word": 0.31,
    "after_question_word": -0.2,
    "window": 1.95,
    "tokens": -0.37,
    "single": -1.05,
    "comma": -0.69,
    "outside": -2.37,
    "after_preposition": 0.37,
    "before_saying": -0.12,
    "head": 1.23,
    "capitals": 0.25,
    "bounded": 1.01,
    "initial": -0.32,
    "after_be": 0.15,
    "elsewhere": -2.31,
    "subject": 0.59,
    "figure_before": -1.69,
    "figure_after": -1.38,
    "before_of": -0.12,
    "after_last": 0.76,
    "styled": 1.29,
    "verbal_first": -0.32,
    "verbal_last": -1.11,
    "adjective_last": -0.66,
    "quoted": 1.33,
}
# A short answer is given when its softmax share among the candidates reaches this.
SHORT_THRESHOLD = 0.11
