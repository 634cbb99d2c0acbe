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
    "person>organisation": -0.65,
    "person>thing": -0.21,
    "organisation>person": -0.08,
    "organisation>organisation": 0.49,
    "organisation>place": -0.27,
    "organisation>thing": -0.14,
    "place>organisation": -0.28,
    "place>place": 0.09,
    "place>thing": 0.19,
    "date>person": -0.03,
    "date>organisation": -0.01,
    "date>place": 0.03,
    "date>date": 0.7,
    "date>number": -0.7,
    "date>thing": -0.04,
    "date>plain": 0.04,
    "number>person": -0.02,
    "number>date": -1.03,
    "number>number": 1.03,
    "number>thing": -0.01,
    "number>plain": 0.02,
    "thing>person": 0.86,
    "thing>organisation": -0.03,
    "thing>place": -0.25,
    "thing>date": -1.15,
    "thing>number": 0.29,
    "thing>thing": 0.53,
    "thing>plain": -0.26,
    "entity": 1.7,
    "repeats": -3.19,
    "near": 1.28,
    "adjacent": 0.02,
    "before_question_word": 0.28,
    "after_question_word": -0.15,
    "window": 1.92,
    "tokens": -0.33,
    "single": -0.97,
    "comma": -0.66,
    "outside": -2.36,
    "after_preposition": 0.27,
    "before_saying": -0.17,
    "head": 1.27,
    "capitals": 0.26,
    "bounded": 0.85,
    "initial": -0.37,
    "after_be": 0.15,
    "elsewhere": -2.29,
    "subject": 0.6,
    "figure_before": -1.67,
    "figure_after": -1.39,
    "before_of": -0.16,
    "after_last": 0.75,
    "styled": 1.24,
    "verbal_first": -0.18,
    "verbal_last": -0.97,
    "adjective_last": -0.63,
    "quoted": 1.27,
    "noun_phrase": 0.48,
}
# A short answer is given when its softmax share among the candidates reaches this.
SHORT_THRESHOLD = 0.1
