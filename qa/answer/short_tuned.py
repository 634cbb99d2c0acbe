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
    "person>person": 0.85,
    "person>organisation": -0.6,
    "person>thing": -0.25,
    "organisation>person": -0.06,
    "organisation>organisation": 0.55,
    "organisation>place": -0.28,
    "organisation>thing": -0.22,
    "place>organisation": -0.23,
    "place>place": 0.11,
    "place>thing": 0.12,
    "date>person": -0.03,
    "date>organisation": -0.01,
    "date>place": 0.03,
    "date>date": 0.71,
    "date>number": -0.71,
    "date>thing": -0.04,
    "date>plain": 0.04,
    "number>date": -0.89,
    "number>number": 0.89,
    "thing>person": 0.85,
    "thing>place": -0.32,
    "thing>date": -1.25,
    "thing>number": 0.51,
    "thing>thing": 0.49,
    "thing>plain": -0.28,
    "entity": 1.79,
    "repeats": -3.23,
    "near": 1.23,
    "adjacent": -0.05,
    "before_question_word": 0.3,
    "after_question_word": -0.18,
    "window": 1.99,
    "tokens": -0.37,
    "single": -0.97,
    "comma": -0.71,
    "outside": -2.37,
    "after_preposition": 0.4,
    "before_saying": -0.11,
    "head": 1.25,
    "capitals": 0.28,
    "bounded": 1.03,
    "initial": -0.35,
    "after_be": 0.14,
    "elsewhere": -2.32,
    "subject": 0.59,
    "figure_before": -1.69,
    "figure_after": -1.38,
    "before_of": -0.13,
    "after_last": 0.78,
    "styled": 1.32,
    "verbal_first": -0.33,
    "verbal_last": -1.08,
    "adjective_last": -0.64,
}
# A short answer is given when its softmax share among the candidates reaches this.
SHORT_THRESHOLD = 0.1
