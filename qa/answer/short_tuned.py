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
    "person>person": 0.82,
    "person>organisation": -0.62,
    "person>thing": -0.21,
    "organisation>person": -0.06,
    "organisation>organisation": 0.56,
    "organisation>place": -0.28,
    "organisation>thing": -0.22,
    "place>organisation": -0.25,
    "place>place": 0.12,
    "place>thing": 0.13,
    "date>person": -0.03,
    "date>organisation": -0.01,
    "date>place": 0.04,
    "date>date": 0.71,
    "date>number": -0.71,
    "date>thing": -0.04,
    "date>plain": 0.04,
    "number>date": -0.88,
    "number>number": 0.88,
    "thing>person": 0.92,
    "thing>organisation": 0.02,
    "thing>place": -0.35,
    "thing>date": -1.24,
    "thing>number": 0.55,
    "thing>thing": 0.52,
    "thing>plain": -0.44,
    "entity": 1.76,
    "repeats": -3.23,
    "near": 1.23,
    "adjacent": -0.03,
    "before_question_word": 0.26,
    "after_question_word": -0.17,
    "window": 2.0,
    "tokens": -0.37,
    "single": -1.0,
    "comma": -0.76,
    "outside": -2.36,
    "after_preposition": 0.42,
    "before_saying": -0.1,
    "head": 1.29,
    "capitals": 0.33,
    "bounded": 1.02,
    "initial": -0.42,
    "after_be": 0.09,
    "elsewhere": -2.32,
    "subject": 0.6,
    "figure_before": -1.76,
    "figure_after": -1.52,
    "before_of": -0.06,
    "after_last": 0.78,
}
# A short answer is given when its softmax share among the candidates reaches this.
SHORT_THRESHOLD = 0.1
