"""The lexical ranking: BM25 (bm25s) over the same chunk rows as the vectors."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from bm25s.tokenization import Tokenizer

from qa.sentences import Span

FOLDER = "bm25"
logging.getLogger("bm25s").setLevel(logging.ERROR)
# The words BM25 indexes (bm25s's own splitter): one-character tokens such as the "s" of a
# possessive never reach its vocabulary, so they must not count as (unseen, rarest) words here.
_WORD = re.compile(r"(?u)\b\w\w+\b")
_STEMMER = Stemmer.Stemmer("english")
_STOPWORDS = frozenset(STOPWORDS_EN)
# Not stop words to BM25, but no archive is expected to mention them: never reported as unseen.
_INTERROGATIVES = frozenset(
    ["what", "which", "who", "whom", "whose", "when", "where", "why", "how"]
)


def content_words_of_spans(text: str, spans: Sequence[Span]) -> list[set[str]]:
    """The content words of each span of text, with one stemming call for them all."""
    raw = [set(_WORD.findall(text[start:end].lower())) - _STOPWORDS for start, end in spans]
    vocabulary = list(set().union(*raw))
    stems = dict(zip(vocabulary, _STEMMER.stemWords(vocabulary), strict=True))
    return [{stems[word] for word in words} for words in raw]


def _tokenizer() -> Tokenizer:
    return Tokenizer(stopwords="english", stemmer=Stemmer.Stemmer("english"))


class LexicalIndex:
    """BM25 scores of chunk rows for a question; built and saved with every index build."""

    def __init__(self, retriever: bm25s.BM25, tokenizer: Tokenizer, size: int) -> None:
        self.retriever = retriever
        self.tokenizer = tokenizer
        self.size = size

    @classmethod
    def build(cls, texts: Iterable[str]) -> LexicalIndex:
        texts = list(texts)
        tokenizer = _tokenizer()
        tokens = tokenizer.tokenize(texts, show_progress=False, return_as="tuple")
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(retriever, tokenizer, len(texts))

    def save(self, folder: Path) -> None:
        target = Path(folder) / FOLDER
        target.mkdir(parents=True, exist_ok=True)
        self.retriever.save(str(target), show_progress=False)
        self.tokenizer.save_vocab(str(target))

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        target = Path(folder) / FOLDER
        retriever = bm25s.BM25.load(str(target), mmap=True, show_progress=False)
        tokenizer = _tokenizer()
        tokenizer.load_vocab(str(target))
        return cls(retriever, tokenizer, size)

    def scores(self, question: str) -> np.ndarray | None:
        """BM25 score of every chunk row for the question; None when no question word is known."""
        ids = self.tokenizer.tokenize([question], update_vocab=False, show_progress=False)
        if not ids or not ids[0]:
            return None
        return np.asarray(self.retriever.get_scores(list(ids[0])), dtype=np.float32)

    def frequency(self, stem: str) -> int:
        """How many chunks contain a stemmed word."""
        sid = self.tokenizer.stem_to_sid.get(stem)
        indptr = self.retriever.scores["indptr"]
        return (
            int(indptr[sid + 1] - indptr[sid]) if sid is not None and sid + 1 < len(indptr) else 0
        )

    def idf(self, frequency: int) -> float:
        """BM25's inverse document frequency; words no chunk contains get the highest."""
        return math.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))

    def question_words(self, question: str) -> QuestionWords:
        """The question's content words weighted by IDF, to measure overlap with passages."""
        forms = _forms(question)
        frequencies = {stem: self.frequency(stem) for stem in forms}
        return QuestionWords(
            {stem: self.idf(f) for stem, f in frequencies.items()},
            tuple(
                form
                for stem, form in forms.items()
                if frequencies[stem] == 0 and form.lower() not in _INTERROGATIVES
            ),
        )


def _forms(text: str) -> dict[str, str]:
    """Each content word's stem and the word as the text first spells it."""
    words = [w for w in _WORD.findall(text) if w.lower() not in _STOPWORDS]
    stems = _STEMMER.stemWords([w.lower() for w in words])
    forms: dict[str, str] = {}
    for stem, word in zip(stems, words, strict=True):
        forms.setdefault(stem, word)
    return forms


@dataclass(frozen=True)
class QuestionWords:
    """A question's stemmed content words and their IDF weights.

    A passage about the right topic that lacks the question's rare words (a name, a place,
    a year the archive does not cover) has a low weighted overlap: the signal dense scores miss.
    """

    weights: dict[str, float]
    # Words no indexed chunk contains, as the question spells them: a question about something
    # the archive never mentions.
    unseen: tuple[str, ...] = ()

    def overlap(self, present: set[str]) -> tuple[float, float]:
        """Share of the question's words among `present` (content words): plain, IDF-weighted."""
        if not self.weights:
            return 0.0, 0.0
        found = [w for word, w in self.weights.items() if word in present]
        return len(found) / len(self.weights), sum(found) / sum(self.weights.values())

    def focus(self, present: set[str]) -> float:
        """Share of `present` (a sentence's content words) that are the question's: a sentence
        about the question rather than one that mentions it among other things."""
        return len(present & self.weights.keys()) / len(present) if present else 0.0

    def lacks_number(self, present: set[str]) -> bool:
        """Whether a number of the question (a year, a count) is missing from `present`: a
        question about another year than the one a passage covers."""
        return any(word not in present for word in self.weights if any(c.isdigit() for c in word))
