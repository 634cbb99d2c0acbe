"""Milvus' BM25 scores of one question (LexicalScores), and filtered rows that keep their
expression, so that a filtered search filters inside Milvus rather than listing rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload

import numpy as np

from qa.index.milvus.client import MAX_RESULTS
from qa.index.milvus.expressions import both, rows_expression

# BM25 hits of a question among the rows an expression allows: (row, score), best first.
WordSearch = Callable[[str, int, str], list[tuple[int, float]]]


class MatchingRows(Sequence[int]):
    """The chunk rows a filter expression allows, fetched from Milvus only if they are read."""

    def __init__(self, expression: str, fetch: Callable[[str], list[int]]) -> None:
        self.expression = expression
        self._fetch = fetch
        self._rows: list[int] | None = None

    def _all(self) -> list[int]:
        if self._rows is None:
            self._rows = self._fetch(self.expression)
        return self._rows

    @overload
    def __getitem__(self, at: int) -> int: ...
    @overload
    def __getitem__(self, at: slice) -> list[int]: ...
    def __getitem__(self, at: int | slice) -> int | list[int]:
        return self._all()[at]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[int]:
        return iter(self._all())


def expression_of(rows: Sequence[int] | None) -> str:
    """The expression that allows these rows ('' for None: every row)."""
    if rows is None:
        return ""
    return rows.expression if isinstance(rows, MatchingRows) else rows_expression(rows)


class MilvusScores:
    """One question's BM25 scores, asked of Milvus' full-text search on demand."""

    def __init__(self, search: WordSearch, question: str, allowed: str, best: float) -> None:
        self._search = search
        self._question = question
        self._allowed = allowed
        self.best = best

    def top(self, k: int) -> list[int]:
        hits = self._search(self._question, min(k, MAX_RESULTS), self._allowed)
        return [row for row, score in hits if score > 0]

    def of(self, rows: Sequence[int]) -> np.ndarray:
        wanted = [int(r) for r in rows]
        scores = np.zeros(len(wanted), dtype=np.float32)
        if not wanted:
            return scores
        allowed = both(self._allowed, rows_expression(wanted))
        found = dict(self._search(self._question, len(wanted), allowed))
        for at, row in enumerate(wanted):
            scores[at] = found.get(row, 0.0)
        return scores

    def within(self, rows: Sequence[int]) -> MilvusScores:
        allowed = both(self._allowed, expression_of(rows))
        hits = self._search(self._question, 1, allowed)
        return MilvusScores(self._search, self._question, allowed, hits[0][1] if hits else 0.0)
