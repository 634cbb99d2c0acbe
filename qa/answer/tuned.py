"""Every fitted or measured constant of the ranking and the answer, in one file.

Chosen on the tuning half of the public sets (ids of even hash; README "Answer quality"), never
on the held half. `python -m bench.tune` and `python -m bench.calibrate` print the current and
the refitted values side by side on both halves, and rewrite the dictionaries below with
`--write`: keep each a plain literal, one key a line.
"""

from __future__ import annotations

# How many candidates each ranking (dense, BM25) contributes before fusion and folding.
CANDIDATES = 50
# Weight of the relative BM25 score (score / best score for the question) next to the cosine.
HYBRID_WEIGHT = 0.3
# Added to the fused score of a passage from an article the conversation has been citing, while
# a follow-up is about it (qa.answer.conversation): the smallest of 0.1–0.5 at the best follow-up
# hit@1 of bench/conversations.jsonl (`python -m bench.conversations`); more lets a sibling
# article the last answer happened to quote crowd out the one asked about.
PREFER_WEIGHT = 0.2
# The mean words of a chunk (BBC + SQuAD index, chunks of at most 256 tokens): an archive's
# size in words, for how telling its silence about a word is (qa.text.rarity).
WORDS_PER_CHUNK = 130
# Passages this close (cosine of their vectors) count as copies of one another.
COPY_COSINE = 0.97
# Hybrid re-ranks this many fused passages by their best sentences (the second stage).
RESCORE = 20
# Sentences of this many top passages compete for the answer in every mode.
ANSWER_PASSAGES = 3

# The second stage: a passage's key is the weighted sum of these features (qa.answer.read):
# the fused score, its best sentence's cosine, that sentence's IDF-weighted share of the
# question's words, and that share for the whole passage. Logistic regression of "the passage
# holds an answer", scaled to a fused weight of 1 (bench/tune.py).
PASSAGE_WEIGHTS = {
    "fused": 1.0,
    "sentence": 1.0,
    "sentence_words": 0.7,
    "passage_words": 0.5,
}

# The answer sentence: its score is the weighted sum of these features (qa.answer.read): the
# cosine to the question, the share of the question's content words it holds (plain and
# IDF-weighted), whether it offers a new answer of the kind asked for (a number, a name:
# qa.answer.kinds), the share of its own content words that are the question's, and how far
# below the first its passage ranks. A conditional logit (the sentence chosen among a question's
# candidates), scaled to a cosine weight of 1 (bench/tune.py).
SENTENCE_WEIGHTS = {
    "cosine": 1.0,
    "share": 1.3,
    "weighted": 1.4,
    "offered": 1.35,
    "focus": 0.8,
    "named": 1.3,
    "rank_below_first": -0.65,
}
# The answer sentence's second look (qa.answer.typed): the RETYPED best sentences under
# SENTENCE_WEIGHTS are scored again with these weights, which add "typed", how well the type of
# the short answer each holds fits the type asked for. A conditional logit over those sentences,
# scaled to a cosine weight of 1 (bench/tune.py).
RETYPED = 5
RETYPED_WEIGHTS = {
    "cosine": 1.0,
    "share": 1.61,
    "weighted": 1.94,
    "offered": 1.1,
    "focus": 1.07,
    "named": 1.42,
    "rank_below_first": -1.01,
    "typed": 1.01,
}

# "Not found": a logistic model of "the passages answer the question" over the features of
# qa.answer.not_found, fitted on archives of three sizes at once (bench/calibrate.py).
NOT_FOUND_MODEL = {
    "bias": -2.09,
    "sentence": 5.55,
    "passage": 3.27,
    "coverage": 3.41,
    "absence": -2.63,
    "missing_number": -3.34,
    "untyped": -2.06,
    "uncounted": -2.11,
    "scale": -4.2,
}
# Answer when the modelled probability reaches this: the highest threshold that still answers
# 95% of the answerable questions of the tuning half of each set, at each of the three archive
# sizes of bench/archives.py (one article, the gold articles, the full corpus).
NOT_FOUND_THRESHOLD = 0.415
