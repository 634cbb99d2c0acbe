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
    "person>person": 0.93,
    "person>organisation": -0.48,
    "person>thing": -0.45,
    "organisation>person": 0.02,
    "organisation>organisation": 0.73,
    "organisation>place": -0.22,
    "organisation>thing": -0.53,
    "place>organisation": -0.11,
    "place>place": 0.02,
    "place>thing": 0.09,
    "date>person": -0.02,
    "date>organisation": -0.01,
    "date>place": 0.03,
    "date>date": 0.9,
    "date>number": -0.9,
    "date>thing": -0.05,
    "date>plain": 0.06,
    "number>date": -0.59,
    "number>number": 0.59,
    "number>thing": -0.01,
    "number>plain": 0.01,
    "thing>person": 1.28,
    "thing>organisation": 0.21,
    "thing>place": -0.45,
    "thing>date": -1.36,
    "thing>number": 0.06,
    "thing>thing": 0.4,
    "thing>plain": -0.15,
    "entity": 1.72,
    "repeats": -3.35,
    "near": 1.35,
    "adjacent": -0.07,
    "before_question_word": 0.16,
    "after_question_word": -0.2,
    "window": 2.12,
    "tokens": -0.77,
    "single": -0.94,
    "comma": -0.85,
    "outside": -2.3,
    "after_preposition": 0.58,
    "before_saying": -0.13,
    "head": 1.36,
    "capitals": 0.24,
    "bounded": 1.0,
    "initial": -0.41,
    "after_be": -0.07,
    "elsewhere": -2.32,
    "subject": 0.76,
}
# A short answer is given when its softmax share among the candidates reaches this.
SHORT_THRESHOLD = 0.1
