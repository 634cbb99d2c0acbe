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
    "person>person": 0.86,
    "person>organisation": -0.61,
    "person>thing": -0.25,
    "organisation>person": -0.06,
    "organisation>organisation": 0.55,
    "organisation>place": -0.28,
    "organisation>thing": -0.22,
    "place>organisation": -0.24,
    "place>place": 0.11,
    "place>thing": 0.13,
    "date>person": -0.03,
    "date>organisation": -0.01,
    "date>place": 0.03,
    "date>date": 0.71,
    "date>number": -0.71,
    "date>thing": -0.04,
    "date>plain": 0.04,
    "number>date": -0.87,
    "number>number": 0.87,
    "thing>person": 0.88,
    "thing>organisation": 0.03,
    "thing>place": -0.32,
    "thing>date": -1.23,
    "thing>number": 0.55,
    "thing>thing": 0.49,
    "thing>plain": -0.4,
    "entity": 1.79,
    "repeats": -3.22,
    "near": 1.22,
    "adjacent": -0.03,
    "before_question_word": 0.27,
    "after_question_word": -0.18,
    "window": 2.0,
    "tokens": -0.37,
    "single": -0.95,
    "comma": -0.74,
    "outside": -2.37,
    "after_preposition": 0.42,
    "before_saying": -0.1,
    "head": 1.28,
    "capitals": 0.35,
    "bounded": 1.02,
    "initial": -0.42,
    "after_be": 0.07,
    "elsewhere": -2.32,
    "subject": 0.6,
    "figure_before": -1.74,
    "figure_after": -1.5,
    "before_of": -0.07,
    "after_last": 0.78,
    "styled": 1.32,
}
# A short answer is given when its softmax share among the candidates reaches this.
SHORT_THRESHOLD = 0.1
