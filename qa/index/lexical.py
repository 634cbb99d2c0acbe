"""BM25 over every segment's postings (qa.index.postings), scored as one index.

The statistics are the whole live index's: a word's document frequency counts the live chunks of
every segment that hold it, and the mean chunk length is over the live chunks, so a segmented
index scores exactly as a fresh build of the same chunks. The formula is bm25s's "lucene" variant
(the one this project used through bm25s before segments), checked against bm25s in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa.index.postings import Postings
from qa.text.words import STOPWORDS, WORD, stems

# bm25s's defaults.
K1 = 1.5
B = 0.75


@dataclass(frozen=True)
class LexicalPart:
    """One segment's postings, the global row of its first chunk, and its deleted rows (a
    boolean mask over its rows; None: none deleted)."""

    postings: Postings
    base: int
    deleted: np.ndarray | None = None


class LexicalIndex:
    """BM25 scores of the live chunk rows for a question, and how many live chunks hold a word."""

    def __init__(self, parts: Sequence[LexicalPart], rows: int) -> None:
        self.parts = list(parts)
        self.rows = rows  # global rows, deleted ones included (the size of a score array)
        live_lengths = [
            np.asarray(p.postings.lengths)[~p.deleted]
            if p.deleted is not None
            else p.postings.lengths
            for p in self.parts
        ]
        self.size = sum(len(lengths) for lengths in live_lengths)
        total = sum(int(np.sum(lengths, dtype=np.int64)) for lengths in live_lengths)
        self.mean_length = total / self.size if self.size else 1.0
        # BM25's length normalization of each row, fixed for this index (4 bytes a chunk).
        self.norms = [
            (K1 * ((1 - B) + B * np.asarray(p.postings.lengths) / self.mean_length)).astype(
                np.float32
            )
            for p in self.parts
        ]

    def frequency(self, stem: str) -> int:
        """How many live chunks hold a stemmed word."""
        return sum(len(rows) for _, rows, _ in self._live_postings(stem))

    def _live_postings(self, stem: str) -> list[tuple[LexicalPart, np.ndarray, np.ndarray]]:
        """Each part's live rows holding the stem, and how often each does."""
        found = []
        for part in self.parts:
            rows, counts = part.postings.of(stem)
            if part.deleted is not None and len(rows):
                keep = ~part.deleted[rows]
                rows, counts = rows[keep], counts[keep]
            found.append((part, rows, counts))
        return found

    def scores(self, question: str) -> DenseScores | None:
        """BM25 score of every row for the question (0 for deleted rows); None when no word of
        the question is in the index."""
        words = [w for w in WORD.findall(question.lower()) if w not in STOPWORDS]
        scores: np.ndarray | None = None
        for stem in stems(words):  # a word asked twice counts twice, as in bm25s
            found = self._live_postings(stem)
            held = sum(len(rows) for _, rows, _ in found)
            if not held:
                continue
            if scores is None:
                scores = np.zeros(self.rows, dtype=np.float32)
            weight = np.float32(idf(held, self.size))
            for (part, rows, counts), norms in zip(found, self.norms, strict=True):
                # weight × tf / (norm + tf) in place, added with np.add.at (a term's rows are
                # distinct: the same sums): a common word's rows are a tenth of an index, and
                # `scores[rows] += …` with int32 rows took three times as long (README "Speed").
                tf = counts.astype(np.float32)
                norm = norms.take(rows)
                norm += tf
                tf *= weight
                tf /= norm
                np.add.at(scores, rows if part.base == 0 else rows + part.base, tf)
        return None if scores is None else DenseScores(scores)


def idf(frequency: int, size: int) -> float:
    """BM25's inverse document frequency of a word in `frequency` of `size` chunks; a word no
    chunk contains gets the highest."""
    return math.log(1 + (size - frequency + 0.5) / (frequency + 0.5))


def single(postings: Postings) -> LexicalIndex:
    """The BM25 index of one segment with nothing deleted (a fresh build, a test)."""
    return LexicalIndex([LexicalPart(postings, 0)], postings.size)


class DenseScores:
    """One question's BM25 scores, held for every chunk row (the local index's LexicalScores)."""

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = scores
        self.best = scores.max() if len(scores) else np.float32(0)

    def top(self, k: int) -> list[int]:
        """Rows of the k highest positive scores, best first (partitioned among the rows that
        hold a word of the question: a few thousand of a million)."""
        held = np.flatnonzero(self.scores > 0)
        if k <= 0:
            return []
        if len(held) > k:
            held = held[np.argpartition(-self.scores[held], k - 1)[:k]]
        return held[np.argsort(-self.scores[held], kind="stable")].tolist()

    def of(self, rows: Sequence[int]) -> np.ndarray:
        return self.scores[list(rows)]

    def within(self, rows: Sequence[int]) -> DenseScores:
        kept = np.zeros_like(self.scores)
        chosen = np.asarray(rows, dtype=np.int64)
        kept[chosen] = self.scores[chosen]
        return DenseScores(kept)
