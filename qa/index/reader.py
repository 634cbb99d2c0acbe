"""Reading an index directory: its manifest, then every segment it lists, checked.

LocalIndex is the local implementation of qa.index.protocol.Index. Every file is opened once at
load and read through handles kept open, so an index keeps answering from the files it loaded
even after a build has published new segments and removed old ones.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import first_line
from qa.index.chunks import ChunkStore, StorePart
from qa.index.errors import IndexCorrupt, IndexProblem
from qa.index.filters import Filters
from qa.index.layout import CHUNKS, REBUILD, SEGMENTS
from qa.index.lexical import DenseScores, LexicalIndex, LexicalPart
from qa.index.manifest import ManifestFacts, read_manifest
from qa.index.numbering import split_rows
from qa.index.segment import load_segment
from qa.index.sentence_vectors import ChunkSentences
from qa.ingest.article import Article
from qa.text.chunking import Chunk

# A load that meets a segment removed by a build published meanwhile reads the new manifest.
LOAD_ATTEMPTS = 3


class LocalIndex(ManifestFacts):
    """A loaded index directory: its segments read as one, rows numbered across them.

    Segment k's rows are `bases[k]`, `bases[k] + 1`, …; rows of deleted articles keep their
    numbers but are never found (vectors, BM25, filters) nor counted.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.where = str(path)
        for attempt in range(LOAD_ATTEMPTS):
            self.manifest = read_manifest(self.path)
            try:
                self._load()
                return
            except IndexCorrupt:
                # A build may have published and cleaned up between reading the manifest and
                # opening its segments: a new manifest is read and the load tried again.
                if attempt + 1 == LOAD_ATTEMPTS or not self._superseded():
                    raise

    def _superseded(self) -> bool:
        try:
            return read_manifest(self.path).get("build_id") != self.manifest.get("build_id")
        except IndexProblem:
            return False

    def _load(self) -> None:
        records = self.manifest.get("segments") or []
        folder = self.path / SEGMENTS
        bases = [0, *np.cumsum([int(r["chunks"]) for r in records]).tolist()]
        self.rows = bases[-1]
        self.bases = bases[:-1]
        parts = [
            StorePart(folder / r["name"] / CHUNKS, base, r.get("deleted", []))
            for r, base in zip(records, self.bases, strict=True)
        ]
        for part in parts:
            if not part.path.is_file():
                raise self._corrupt(f": {part.path.parent.name}/{CHUNKS} is missing")
        try:
            self.store = ChunkStore(parts)
            counted = [self.store.segment_count(seg) for seg in range(len(parts))]
            deleted = [self.store.deleted_rows(seg) for seg in range(len(parts))]
        except (sqlite3.DatabaseError, ValueError) as exc:
            raise self._corrupt(f": a chunk store is damaged ({first_line(exc)})") from None
        self.segments = []
        for record, rows, gone in zip(records, counted, deleted, strict=True):
            if rows != int(record["chunks"]):
                raise self._corrupt(
                    f" is inconsistent (segment {record['name']}: {rows} chunk rows, "
                    f"the manifest says {record['chunks']})"
                )
            loaded = load_segment(
                folder / record["name"], record, np.asarray(gone, dtype=np.int64), self._corrupt
            )
            self.segments.append(loaded)
        live = sum(s.vectors.count for s in self.segments)
        if live != self.manifest.get("counts", {}).get("chunks"):
            raise self._corrupt(
                f" is inconsistent ({live} live chunks, the manifest says "
                f"{self.manifest.get('counts', {}).get('chunks')})"
            )
        self._live = live
        self.lexical = LexicalIndex(
            [
                LexicalPart(s.postings, base, s.vectors.deleted)
                for s, base in zip(self.segments, self.bases, strict=True)
            ],
            self.rows,
        )
        self._facets: dict[str, Any] | None = None

    def _corrupt(self, detail: str) -> IndexCorrupt:
        return IndexCorrupt(f"index at {self.path}{detail}: {REBUILD}")

    @property
    def dim(self) -> int:
        return self.segments[0].vectors.dim

    def segment_of(self, row: int) -> int:
        """The position in the manifest's segments of the segment holding a row."""
        return bisect_right(self.bases, row) - 1

    @property
    def chunk_count(self) -> int:
        return self._live

    def lacks(self, mode: str) -> str | None:
        return None  # every mode: FAISS and BM25 are both here

    def search(
        self, query: np.ndarray, k: int, rows: Sequence[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each segment's k best, merged: the k best of the whole index (exact where each
        segment's search is)."""
        split = None if rows is None else split_rows(self.bases, rows)
        scores, found = [], []
        for seg, (segment, base) in enumerate(zip(self.segments, self.bases, strict=True)):
            local = None
            if split is not None:
                if seg not in split:
                    continue
                local = split[seg][1]
            seg_scores, seg_rows = segment.vectors.search(query, k, local)
            scores.append(seg_scores)
            found.append(seg_rows + base)
        if not scores:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        merged, merged_rows = np.concatenate(scores), np.concatenate(found)
        best = np.argsort(-merged, kind="stable")[:k]
        return merged[best], merged_rows[best]

    def vectors_of(self, rows: Sequence[int]) -> np.ndarray:
        gathered = np.zeros((len(rows), self.segments[0].vectors.dim), dtype=np.float32)
        for seg, (positions, local) in split_rows(self.bases, rows).items():
            gathered[positions] = self.segments[seg].vectors.vectors_of(local)
        return gathered

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        return self.store.chunks(rows)

    def sentences_of(self, rows: Sequence[int]) -> list[ChunkSentences]:
        gathered: list[ChunkSentences] = [None] * len(rows)  # type: ignore[list-item]
        for seg, (positions, local) in split_rows(self.bases, rows).items():
            segment = self.segments[seg]
            found = segment.sentences.of_rows(local)
            if segment.words is not None:
                counts = [len(s.spans) for s in found]
                words = segment.words.of_rows(local, counts)
                found = [replace(s, words=w) for s, w in zip(found, words, strict=True)]
            for position, sentences in zip(positions, found, strict=True):
                gathered[position] = sentences
        return gathered

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
