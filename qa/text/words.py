"""Words as the lexical index splits them: content words, stemmed, without stop words.

The answer stage compares a question's words with a passage's in these terms, so they are the
terms BM25 (qa.index.lexical) indexes: the same splitter, stop words and stemmer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import Stemmer

from qa.text.spans import Span

# bm25s's English stop words (bm25s.stopwords.STOPWORDS_EN), the ones this project's BM25 has
# always dropped; written here so that reading a question does not import bm25s and SciPy
# (0.4 s of every start). tests/test_postings.py checks them against bm25s's.
STOPWORDS_EN = [
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "but",
    "by",
    "for",
    "if",
    "in",
    "into",
    "is",
    "it",
    "no",
    "not",
    "of",
    "on",
    "or",
    "such",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "to",
    "was",
    "will",
    "with",
]
# bm25s's own splitter: one-character tokens such as the "s" of a possessive never reach its
# vocabulary, so they must not count as (unseen, rarest) words either.
WORD = re.compile(r"(?u)\b\w\w+\b")
STOPWORDS = frozenset(STOPWORDS_EN)
# Not stop words to BM25, but no archive is expected to mention them: never reported as unseen.
INTERROGATIVES = frozenset(["what", "which", "who", "whom", "whose", "when", "where", "why", "how"])
# A standard English list of function words (NLTK's), beyond BM25's 33: a small archive may
# lack "did" or "many", which says nothing about whether it answers a question, so none of
# these ever counts as a word the archive does not hold.
_NLTK_ENGLISH = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
    her hers herself its itself them theirs themselves whom those am were been being have has had
    having do does did doing because until while about against between through during before
    after above below from up down out off over under again further once here all any both each
    few more most other some nor only own same so than too very can just don should now d ll m o
    re s t ve y ain aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn
    wasn weren won wouldn would could might must shall may also many much ever
"""
FUNCTION_WORDS = STOPWORDS | INTERROGATIVES | frozenset(_NLTK_ENGLISH.split())
LANGUAGE = "english"
_STEMMER = Stemmer.Stemmer(LANGUAGE)


def content_words_of_spans(text: str, spans: Sequence[Span]) -> list[set[str]]:
    """The stemmed content words of each span of text, with one stemming call for them all."""
    raw = [set(WORD.findall(text[start:end].lower())) - STOPWORDS for start, end in spans]
    vocabulary = list(set().union(*raw))
    stems = dict(zip(vocabulary, _STEMMER.stemWords(vocabulary), strict=True))
    return [{stems[word] for word in words} for words in raw]


def content_forms(text: str) -> dict[str, str]:
    """Each content word's stem and the word as the text first spells it."""
    words = [w for w in WORD.findall(text) if w.lower() not in STOPWORDS]
    stems = _STEMMER.stemWords([w.lower() for w in words])
    forms: dict[str, str] = {}
    for stem, word in zip(stems, words, strict=True):
        forms.setdefault(stem, word)
    return forms


def stems(words: Sequence[str]) -> list[str]:
    """Each word lower-cased and stemmed as BM25 stems it, in one call."""
    return _STEMMER.stemWords([w.lower() for w in words])
