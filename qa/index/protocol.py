"""What the answer stage asks of an index, and nothing more: the seam for other backends.

The local directory (qa.index.reader.LocalIndex) implements it, and so does a Milvus index
(qa.index.milvus.reader.MilvusIndex), without the search code forking. Rows are chunk row
numbers: 0, 1, … in build order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from qa.index.filters import Filters
from qa.index.sentence_vectors import ChunkSentences
from qa.ingest.article import Article
from qa.text.chunking import Chunk


class LexicalScores(Protocol):
    """The BM25 scores of one question's words."""

    @property
    def best(self) -> float:
        """The highest score of any chunk (0 when no chunk holds a word of the question)."""

    def top(self, k: int) -> list[int]:
        """The rows of the k highest positive scores, best first."""

    def of(self, rows: Sequence[int]) -> np.ndarray:
        """The scores of these rows (float32), 0 for a row that holds no word of the question."""

    def within(self, rows: Sequence[int]) -> LexicalScores:
        """The same scores with every row outside `rows` at 0 (a filtered search)."""


class Index(Protocol):
    """A loaded index: chunk vectors, chunk and article records, sentence vectors, BM25."""

    where: str  # the path or address, for messages
    manifest: dict[str, Any]

    @property
    def chunk_count(self) -> int: ...

    @property
    def article_count(self) -> int: ...

    def check_compatible(self, model_name: str, weights_hash: str, chunker: dict[str, Any]) -> None:
        """Raise IndexMismatch (naming the fix) for another model or chunker than configured."""

    def lacks(self, mode: str) -> str | None:
        """Why the index cannot answer in `mode` (one line naming what is missing), or None."""

    def search(
        self, query: np.ndarray, k: int, rows: Sequence[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cosine scores and rows of the k chunks nearest to a unit vector (among `rows`)."""

    def vectors_of(self, rows: Sequence[int]) -> np.ndarray:
        """The unit vectors of these chunk rows, one row each (float32)."""

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        """The chunk records of these rows, in the order asked for."""

    def sentences_of(self, rows: Sequence[int]) -> list[ChunkSentences]:
        """The sentence spans and vectors of these chunk rows, in the order asked for."""

    def lexical_scores(self, question: str) -> LexicalScores | None:
        """BM25 scores for the question; None when the index knows none of its words."""

    def word_frequency(self, stem: str) -> int:
        """How many chunks hold a stemmed word (qa.text.words)."""

    def rows_of_article(self, article_id: str) -> list[int]:
        """An article's chunk rows, in its text's order."""

    def article(self, article_id: str) -> Article | None:
        """One article with its whole text, or None."""

    def articles_meta(self, ids: Sequence[str]) -> dict[str, Article]:
        """Articles by id, without their text (for citations)."""

    def list_articles(self, offset: int, limit: int) -> list[Article]:
        """A page of articles without their text, ordered by id."""

    def rows_matching(self, filters: Filters) -> list[int]:
        """The chunk rows of the articles that satisfy every condition, in row order."""

    def facets(self) -> dict[str, Any]:
        """The filterable fields with their values and counts, and the published date range."""

    def articles_quoting(self, text: str) -> list[str]:
        """The ids of the articles whose text contains `text` word for word."""

    def close(self) -> None: ...
