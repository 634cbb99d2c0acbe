"""How common a word is in English at large (wordfreq's frequencies): evidence about a question's
words that holds the same in an archive of one article and in one of a million chunks.

A word's weight is its information, -ln(frequency) scaled to 0–1: "Peskov" weighs 0.79, "start"
0.38, "the" 0.14.
Whether an archive's silence about a word says anything depends on how likely an archive of that
size would be to mention it at all: "YouTube" missing from a million chunks is telling, "start"
missing from one article is not.
"""

from __future__ import annotations

import math
from functools import cache

LANGUAGE = "en"
# The frequency of a word wordfreq has never seen (its lists stop near 1e-8).
UNSEEN_FREQUENCY = 1e-9


@cache
def frequency(word: str) -> float:
    """The word's frequency in English text (a share of all words)."""
    from wordfreq import word_frequency  # its lists take 0.7 s to load: only once asked

    return word_frequency(word, LANGUAGE) or UNSEEN_FREQUENCY


def warm_up() -> None:
    """Load the word lists now (0.7 s), so that a server's first question does not wait."""
    frequency("the")


def information(word: str) -> float:
    """-ln(frequency) as a share of the most a word can tell (0–1): rare names most."""
    return math.log(frequency(word)) / math.log(UNSEEN_FREQUENCY)


def expected_mention(word: str, archive_words: float) -> float:
    """The chance that an archive of `archive_words` words of ordinary English mentions the word
    at least once (a Poisson count): how much its absence from the archive says."""
    return 1 - math.exp(-frequency(word) * archive_words)
