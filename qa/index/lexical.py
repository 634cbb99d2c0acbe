"""The lexical index: BM25 (bm25s) over the same chunk rows as the vectors."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.tokenization import Tokenizer

from qa.index.layout import LEXICAL
from qa.text.words import LANGUAGE

logging.getLogger("bm25s").setLevel(logging.ERROR)


def _tokenizer() -> Tokenizer:
    """bm25s's tokenizer with the stop words and stemmer of qa.text.words."""
    return Tokenizer(stopwords=LANGUAGE, stemmer=Stemmer.Stemmer(LANGUAGE))


class LexicalIndex:
    """BM25 scores of chunk rows for a question, and how many chunks hold a word."""

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
        target = Path(folder) / LEXICAL
        target.mkdir(parents=True, exist_ok=True)
        self.retriever.save(str(target), show_progress=False)
        self.tokenizer.save_vocab(str(target))

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        target = Path(folder) / LEXICAL
        retriever = bm25s.BM25.load(str(target), mmap=True, show_progress=False)
        tokenizer = _tokenizer()
        tokenizer.load_vocab(str(target))
        return cls(retriever, tokenizer, size)

    def scores(self, question: str) -> DenseScores | None:
        """BM25 score of every chunk row for the question; None when no question word is known."""
        ids = self.tokenizer.tokenize([question], update_vocab=False, show_progress=False)
        if not ids or not ids[0]:
            return None
        return DenseScores(np.asarray(self.retriever.get_scores(list(ids[0])), dtype=np.float32))

    def frequency(self, stem: str) -> int:
        """How many chunks contain a stemmed word."""
        sid = self.tokenizer.stem_to_sid.get(stem)
        indptr = self.retriever.scores["indptr"]
        return (
            int(indptr[sid + 1] - indptr[sid]) if sid is not None and sid + 1 < len(indptr) else 0
        )

    def frequencies(self) -> dict[str, int]:
        """How many chunks contain each stemmed word (for an index that stores them itself)."""
        return {stem: self.frequency(stem) for stem in self.tokenizer.stem_to_sid}


def idf(frequency: int, size: int) -> float:
    """BM25's inverse document frequency of a word in `frequency` of `size` chunks; a word no
    chunk contains gets the highest."""
    return math.log(1 + (size - frequency + 0.5) / (frequency + 0.5))


class DenseScores:
    """One question's BM25 scores, held for every chunk row (the local index's LexicalScores)."""

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = scores
        self.best = scores.max() if len(scores) else np.float32(0)

    def top(self, k: int) -> list[int]:
        """Rows of the k highest positive scores, best first."""
        scores = self.scores
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return top[scores[top] > 0].tolist()

    def of(self, rows: Sequence[int]) -> np.ndarray:
        return self.scores[list(rows)]

    def within(self, rows: Sequence[int]) -> DenseScores:
        kept = np.zeros_like(self.scores)
        chosen = np.asarray(rows, dtype=np.int64)
        kept[chosen] = self.scores[chosen]
        return DenseScores(kept)
