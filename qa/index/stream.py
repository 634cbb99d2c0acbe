"""A build's fresh articles streamed into segments, so that its memory does not grow with the
archive: articles are chunked and embedded in batches as they are read, and each time the chunks
held reach SEGMENT_CHUNKS they are written as one segment into the build's staging directory
(published with the manifest at the end, qa.index.publish) and let go.

An article's chunks stay in one segment: segments are cut between articles.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from qa.index.engine import Made
from qa.index.layout import VECTORS
from qa.index.publish import Publication
from qa.index.segment import Segment, SegmentContents, write_segment, write_vectors
from qa.index.sentence_vectors import ChunkSentences, SentenceVectors
from qa.index.vectors import describe, is_approximate
from qa.ingest.article import Article
from qa.text.chunking import Chunk

# Chunks held before they are written as a segment (README "Speed"). While held, a chunk costs
# about 6.5 kB (its vector in fp32, 1.5 kB; its ~6.4 sentence vectors in fp16, 4.9 kB): 100k
# chunks hold about 650 MB, and twice that for a moment while one is written, beside the model;
# within 4 GiB with room to spare. A 1M-chunk archive becomes 10 segments, read through one or
# two SQLite connections (qa.index.attached), each large enough for an IVF index of its own.
SEGMENT_CHUNKS = 100_000
# Articles chunked and embedded at once, at most EMBED_CHARS of text (about 2,000 chunks of news)
# and EMBED_ARTICLES of them (short ones: a chunk each): many full model batches, and what the
# model's pass leaves per chunk until the batch joins the segment (tokenizer encodings, fp32
# sentence vectors: about 20 kB a chunk, measured) stays small beside the segment held.
EMBED_CHARS = 2_000_000
EMBED_ARTICLES = 1_000
# The Ray engine's batch: Ray and its actors' models start for each (seconds), so a batch is
# about 30k chunks of news (some 300 MB of results until they join the segment).
RAY_BATCH_CHARS = 32_000_000
# The engine's function of a batch: each article's chunks, vectors and sentences.
MakeBatch = Callable[[Sequence[Article]], list[Made]]


@dataclass(frozen=True)
class _Piece:
    """One embedded article as held until its segment is written: sentence vectors in fp16."""

    article: Article
    chunks: list[Chunk]
    vectors: np.ndarray
    spans: np.ndarray  # (chunk within the article, start, end) per sentence
    sentences: np.ndarray
    words: list[bytes | None]  # each chunk's stored sentence-words line, or None


class SegmentStream:
    """Fresh articles in, in reading order; full segments written into `staging` as they fill
    (none when it is None: a target written whole keeps everything), the rest left by `finish`."""

    def __init__(
        self,
        make: MakeBatch | None,  # None: every article comes made (`hold`)
        dim: Callable[[], int],
        staging: Publication | None,
        ann_min_chunks: int,
        engine: str,
    ) -> None:
        self.make, self.dim = make, dim
        self.staging = staging
        self.ann_min_chunks = ann_min_chunks
        self.batch_chars = RAY_BATCH_CHARS if engine == "ray" else EMBED_CHARS
        self._reset()

    def _reset(self) -> None:
        self.pending: list[Article] = []  # read, not yet embedded
        self.pending_chars = 0
        self.held: list[_Piece] = []  # embedded, not yet written
        self.held_chunks = 0
        self.written: list[Segment] = []  # in `staging`, in reading order
        self.articles = self.chunks = self.sentences = 0  # embedded so far
        self.writing = 0.0  # seconds spent writing segments

    def add(self, article: Article) -> None:
        """Take one fresh article; embed the batch when it is full."""
        self.pending.append(article)
        self.pending_chars += len(article.text)
        if self.pending_chars >= self.batch_chars or len(self.pending) >= EMBED_ARTICLES:
            self._embed()

    def finish(self) -> SegmentContents:
        """Embed what is pending; what no full segment took (the caller writes or merges it)."""
        self._embed()
        return _joined(self.held, self.dim())

    def discard(self) -> None:
        """Forget everything taken: the segments written are removed from `staging`."""
        for record in self.written:
            assert self.staging is not None
            shutil.rmtree(self.staging.folder / record["name"])
        self._reset()

    def _embed(self) -> None:
        if not self.pending:
            return
        assert self.make is not None
        made = self.make(self.pending)
        for article, (chunks, (vectors, per_chunk)) in zip(self.pending, made, strict=True):
            self.hold(article, chunks, vectors, per_chunk)
        self.pending, self.pending_chars = [], 0

    def hold(
        self,
        article: Article,
        chunks: list[Chunk],
        vectors: np.ndarray,
        per_chunk: list[ChunkSentences],
        words: list[bytes | None] | None = None,
    ) -> None:
        """Take one article made already (embedded, or read from a segment, with its chunks'
        stored sentence words): a segment is written when the chunks held reach
        SEGMENT_CHUNKS."""
        dim = self.dim()
        spans = [(n, *span) for n, chunk in enumerate(per_chunk) for span in chunk.spans]
        blocks = [c.vectors for c in per_chunk]
        sentences = (
            np.vstack(blocks).astype(np.float16) if blocks else np.zeros((0, dim), np.float16)
        )
        held = np.array(spans, dtype=np.int32).reshape(-1, 3)
        stored = words if words is not None else [None] * len(chunks)
        self.held.append(_Piece(article, chunks, vectors, held, sentences, stored))
        self.held_chunks += len(chunks)
        self.articles += 1
        self.chunks += len(chunks)
        self.sentences += len(spans)
        if self.staging is not None and self.held_chunks >= SEGMENT_CHUNKS:
            self._write(dim)

    def _write(self, dim: int) -> None:
        assert self.staging is not None
        started = time.perf_counter()
        contents = _joined(self.held, dim)
        self.held, self.held_chunks = [], 0
        folder = self.staging.new_segment()
        self.written.append(write_segment(folder, contents, self.ann_min_chunks))
        self.writing += time.perf_counter() - started

    def approximate(self, index_chunks: int) -> None:
        """When the index will hold at least `ann_min_chunks` chunks: the segments written get an
        approximate vector index (IVF), one at a time, as one segment of them all would have."""
        if index_chunks < self.ann_min_chunks:
            return
        started = time.perf_counter()
        for record in self.written:
            assert self.staging is not None
            folder = self.staging.folder / record["name"]
            flat = faiss.read_index(str(folder / VECTORS))
            if not is_approximate(flat):
                index = write_vectors(folder, flat.reconstruct_n(0, flat.ntotal), 0)
                record["vector_index"] = describe(index)
        self.writing += time.perf_counter() - started


def _joined(pieces: list[_Piece], dim: int) -> SegmentContents:
    """One segment's contents from the pieces, each let go as it is copied (`pieces` empties)."""
    chunks = sum(len(p.chunks) for p in pieces)
    sentences = sum(len(p.spans) for p in pieces)
    vectors = np.empty((chunks, dim), dtype=np.float32)
    spans = np.empty((sentences, 3), dtype=np.int32)
    sentence_vectors = np.empty((sentences, dim), dtype=np.float16)
    articles: list[Article] = []
    all_chunks: list[Chunk] = []
    words: list[bytes | None] = []
    row = first = 0
    pieces.reverse()
    while pieces:
        piece = pieces.pop()
        articles.append(piece.article)
        all_chunks.extend(piece.chunks)
        words.extend(piece.words)
        vectors[row : row + len(piece.chunks)] = piece.vectors.reshape(-1, dim)
        last = first + len(piece.spans)
        spans[first:last] = piece.spans + np.array([row, 0, 0], dtype=np.int32)
        sentence_vectors[first:last] = piece.sentences
        row, first = row + len(piece.chunks), last
    joined = SentenceVectors(spans, sentence_vectors)
    return SegmentContents(articles, all_chunks, vectors, joined, words=words)
