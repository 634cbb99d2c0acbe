"""A word's other forms: every inflection of its lemma, stemmed, so that a question's "win"
finds "won", "fall" finds "fell" and "suing" finds "sued", which a stemmer alone never joins.

The inflection tables are lemminflect's (English, verbs and nouns; loaded on first use, 0.4 s).
"""

from __future__ import annotations

import functools

from lemminflect import getAllInflections, getAllLemmas

from qa.text.words import stems

# The parts of speech whose inflections join: a question asks "did he win" of a text that says
# "won", "how many men" of one that says "a man".
_TAGS = ("VERB", "NOUN")
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


def warm_up() -> None:
    """Load the inflection tables now, so that a server's first question does not wait."""
    forms("beaten")
