"""Sentence vectors of every chunk, made at build time: an answer then embeds only the question.

A sentence's vector is pooled from its chunk's own model pass (Embedder.encode_passages), so
it costs the build nothing extra. Two .npy files beside the chunk vectors: the spans (chunk row,
start and end within the chunk's text; sorted by row; loaded, 12 bytes a sentence) and their unit
vectors in fp16 (cosines within about 1e-3 of fp32), read row by row from disk when asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.index.layout import SENTENCE_SPANS, SENTENCE_VECTORS
from qa.index.rows import RowFile
from qa.text.spans import Span


@dataclass(frozen=True)
class ChunkSentences:
    """The sentences of one chunk: spans within its text, their vectors (float32) and, where
    the index stores them, their stemmed content words (qa.index.sentence_words)."""

    spans: list[Span]
    vectors: np.ndarray
    words: list[set[str]] | None = None


class SentenceVectors:
    """Spans and vectors of the sentences of all chunks, looked up by chunk row."""

    def __init__(self, spans: np.ndarray, vectors: np.ndarray | RowFile) -> None:
        if spans.ndim != 2 or spans.shape[1] != 3 or len(spans) != len(vectors):
            raise ValueError(f"{len(spans)} sentence spans do not match {len(vectors)} vectors")
        if len(spans) > 1 and bool(np.any(np.diff(spans[:, 0]) < 0)):
            raise ValueError("sentence spans are not sorted by chunk row")
        self.spans = spans
        self.vectors = vectors

    @classmethod
    def from_chunks(cls, per_chunk: Sequence[ChunkSentences], dim: int) -> SentenceVectors:
        """The index of chunk rows 0, 1, … in order."""
        rows = [np.full(len(c.spans), row) for row, c in enumerate(per_chunk)]
        spans = np.zeros((0, 3), dtype=np.int32)
        if per_chunk:
            flat = [span for c in per_chunk for span in c.spans]
            spans = np.column_stack([np.concatenate(rows), np.array(flat).reshape(-1, 2)])
        blocks = [c.vectors for c in per_chunk]
        vectors = np.vstack(blocks) if blocks else np.zeros((0, dim), dtype=np.float32)
        return cls(spans.astype(np.int32), vectors.astype(np.float16))

    def save(self, folder: Path) -> None:
        np.save(Path(folder) / SENTENCE_SPANS, self.spans)
        np.save(Path(folder) / SENTENCE_VECTORS, self.vectors)

    @classmethod
    def load(cls, folder: Path) -> SentenceVectors:
        """The spans in memory; the vectors stay on disk (a RowFile)."""
        return cls(np.load(Path(folder) / SENTENCE_SPANS), RowFile(Path(folder) / SENTENCE_VECTORS))

    def __len__(self) -> int:
        return len(self.spans)

    def chunk_rows(self) -> int:
        """How many chunk rows the spans refer to (the last row + 1)."""
        return int(self.spans[-1, 0]) + 1 if len(self.spans) else 0

    def of_rows(self, rows: Sequence[int]) -> list[ChunkSentences]:
        """The sentences of each chunk row, in the order asked for."""
        # Keys of the column's own dtype: other keys make numpy convert the whole column first.
        keys = np.asarray(rows, dtype=self.spans.dtype)
        firsts = np.searchsorted(self.spans[:, 0], keys, side="left")
        lasts = np.searchsorted(self.spans[:, 0], keys, side="right")
        return [
            ChunkSentences(
                [(a, b) for a, b in self.spans[first:last, 1:].tolist()],
                np.asarray(self.vectors[first:last], dtype=np.float32),
            )
            for first, last in zip(firsts.tolist(), lasts.tolist(), strict=True)
        ]
