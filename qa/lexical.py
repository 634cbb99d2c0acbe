"""The lexical ranking: BM25 (bm25s) over the same chunk rows as the vectors."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from bm25s.tokenization import Tokenizer

FOLDER = "bm25"
logging.getLogger("bm25s").setLevel(logging.ERROR)
_WORD = re.compile(r"\w+")
_STEMMER = Stemmer.Stemmer("english")


def content_words(text: str) -> set[str]:
    """Stemmed, lower-cased words of text without stop words (as BM25 sees them)."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS_EN]
    return set(_STEMMER.stemWords(words))


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

    def idf(self, stem: str) -> float:
        """BM25's inverse document frequency of a stemmed word; unseen words get the highest."""
        sid = self.tokenizer.stem_to_sid.get(stem)
        indptr = self.retriever.scores["indptr"]
        df = int(indptr[sid + 1] - indptr[sid]) if sid is not None and sid + 1 < len(indptr) else 0
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def coverage(self, question: str, text: str) -> float:
        """IDF-weighted share of the stemmed question words that occur in text.

        A passage about the right topic that lacks the question's rare words (a name, a place,
        a year the archive does not cover) scores low: the "not found" signal dense scores miss.
        """
        weights = {word: self.idf(word) for word in content_words(question)}
        if not weights:
            return 0.0
        present = content_words(text)
        return sum(w for word, w in weights.items() if word in present) / sum(weights.values())
