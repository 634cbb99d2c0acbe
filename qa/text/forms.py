"""A word's other forms: every inflection of its lemma, stemmed, so that a question's "win"
finds "won", "fall" finds "fell" and "suing" finds "sued", which a stemmer alone never joins.

The inflection tables are lemminflect's (English, verbs and nouns; loaded on first use, 0.4 s);
their parts of speech also tell a word that is only ever a verb or an adverb.
"""

from __future__ import annotations

import functools

from lemminflect import getAllInflections, getAllLemmas

from qa.text.words import stems

# The parts of speech whose inflections join: a question asks "did he win" of a text that says
# "won", "how many men" of one that says "a man".
_TAGS = ("VERB", "NOUN")
# The parts of speech of a word that never bounds a noun phrase.
_VERBAL = frozenset(["VERB", "ADV", "AUX"])
# Words whose forms are kept: a server's questions use a few thousand words, not every word.
_REMEMBERED = 50_000


@functools.lru_cache(maxsize=_REMEMBERED)
def forms(word: str) -> frozenset[str]:
    """The stems of every form of the (lower-case) word's lemmas, its own stem among them."""
    spelled = {word}
    for tag in _TAGS:
        for lemma in getAllLemmas(word, upos=tag).get(tag, ()):
            spelled.add(lemma.lower())
            for inflected in getAllInflections(lemma, upos=tag).values():
                spelled.update(form.lower() for form in inflected)
    return frozenset(stems(sorted(spelled)))


@functools.lru_cache(maxsize=_REMEMBERED)
def verbal(word: str) -> bool:
    """Whether the word is only ever a verb or an adverb in the tables ("caused", "pardoned",
    "largely"; not "closed", "power" or a name): a word no noun phrase opens or ends with."""
    tags = getAllLemmas(word)
    return bool(tags) and tags.keys() <= _VERBAL


@functools.lru_cache(maxsize=_REMEMBERED)
def adjectival(word: str) -> bool:
    """Whether the word is only ever an adjective in the tables ("soft", "herbal" is not): a
    word a noun phrase does not end with."""
    return getAllLemmas(word).keys() == {"ADJ"}


@functools.lru_cache(maxsize=_REMEMBERED)
def nominal(word: str) -> bool:
    """Whether the word may be a noun in the tables ("power", "embargo"): a word a noun phrase
    may end with."""
    return "NOUN" in getAllLemmas(word)


def warm_up() -> None:
    """Load the inflection tables now, so that a server's first question does not wait."""
    forms("beaten")
