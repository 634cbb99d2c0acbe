"""Reading an index directory: every file of the layout, checked against the others.

LocalIndex is the local implementation of qa.index.protocol.Index. Every file is opened once at
load and read through handles kept open, so an index keeps answering from the files it loaded
even after a rebuild has swapped a new directory in at the same path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from qa.errors import first_line
from qa.index.chunks import ChunkStore
from qa.index.errors import IndexCorrupt
from qa.index.filters import Filters
from qa.index.layout import CHUNKS, EXACT_VECTORS, LEXICAL, REBUILD, VECTORS
from qa.index.lexical import DenseScores, LexicalIndex
from qa.index.manifest import ManifestFacts, read_manifest
from qa.index.rows import RowFile
from qa.index.sentence_vectors import ChunkSentences, SentenceVectors
from qa.index.vectors import VectorSearch, is_approximate, read_vector_index
from qa.ingest.article import Article
from qa.text.chunking import Chunk

Loaded = TypeVar("Loaded")


class LocalIndex(ManifestFacts):
    """A loaded index directory: vectors in memory (or mapped), the rest read on demand."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.where = str(path)
        self.manifest = read_manifest(self.path)
        counts = self.manifest.get("counts", {})
        index = self._open(VECTORS, lambda: read_vector_index(self.path / VECTORS))
        if not (self.path / CHUNKS).is_file():
            raise self._corrupt(f": {CHUNKS} is missing")
        self.store = ChunkStore(self.path / CHUNKS)
        try:
            chunk_count = self.store.count()
        except sqlite3.DatabaseError as exc:
            raise self._corrupt(f": {CHUNKS} is damaged ({exc})") from None
        if not (chunk_count == index.ntotal == counts.get("chunks")):
            raise self._corrupt(
                f" is inconsistent ({chunk_count} chunk rows, {index.ntotal} vectors, "
                f"manifest says {counts.get('chunks')})"
            )
        exact = None
        if is_approximate(index):
            exact = self._open(EXACT_VECTORS, lambda: RowFile(self.path / EXACT_VECTORS))
            if len(exact) != chunk_count:
                raise self._corrupt(
                    f" is inconsistent ({len(exact)} exact vectors of {chunk_count} chunks)"
                )
        self.vectors = VectorSearch(index, exact)
        self.sentences = self._open("the sentence vectors", lambda: SentenceVectors.load(self.path))
        if len(self.sentences) != counts.get("sentences") or (
            self.sentences.chunk_rows() != chunk_count
        ):
            raise self._corrupt(
                f" is inconsistent ({len(self.sentences)} sentences of "
                f"{self.sentences.chunk_rows()} chunks, manifest says {counts.get('sentences')} "
                f"of {chunk_count})"
            )
        self._facets: dict[str, Any] | None = None
        self.lexical = self._open(
            f"the BM25 index ({LEXICAL}/)", lambda: LexicalIndex.load(self.path, chunk_count)
        )

    def _open(self, what: str, load: Callable[[], Loaded]) -> Loaded:
        """`load()`, with a missing or damaged file reported as IndexCorrupt naming `what`."""
        try:
            return load()
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise self._corrupt(f": {what} is missing or damaged ({first_line(exc)})") from None

    def _corrupt(self, detail: str) -> IndexCorrupt:
        return IndexCorrupt(f"index at {self.path}{detail}: {REBUILD}")

    @property
    def chunk_count(self) -> int:
        return self.vectors.count

    def lacks(self, mode: str) -> str | None:
        return None  # every mode: FAISS and BM25 are both here

    def search(
        self, query: np.ndarray, k: int, rows: Sequence[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        return self.vectors.search(query, k, rows)

    def vectors_of(self, rows: Sequence[int]) -> np.ndarray:
        return self.vectors.vectors_of(rows)

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        return self.store.chunks(rows)

    def sentences_of(self, rows: Sequence[int]) -> list[ChunkSentences]:
        return self.sentences.of_rows(rows)

    def lexical_scores(self, question: str) -> DenseScores | None:
        return self.lexical.scores(question)

    def word_frequency(self, stem: str) -> int:
        return self.lexical.frequency(stem)

    def rows_of_article(self, article_id: str) -> list[int]:
        return self.store.rows_of_article(article_id)

    def article(self, article_id: str) -> Article | None:
        return self.store.article(article_id)

    def articles_meta(self, ids: Sequence[str]) -> dict[str, Article]:
        return self.store.articles_meta(ids)

    def list_articles(self, offset: int, limit: int) -> list[Article]:
        return self.store.list_articles(offset, limit)

    def rows_matching(self, filters: Filters) -> list[int]:
        return self.store.rows_matching(filters)

    def facets(self) -> dict[str, Any]:
        """The store's facets, counted once per loaded index (it never changes)."""
        if self._facets is None:
            self._facets = self.store.facets()
        return self._facets

    def articles_quoting(self, text: str) -> list[str]:
        return self.store.articles_quoting(text)

    def close(self) -> None:
        self.store.close()
