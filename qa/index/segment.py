"""One segment: an immutable part of an index, written once and read as it was written.

A segment holds some articles, their chunks (rows 0, 1, … of the segment), the chunk vectors,
the sentence spans and vectors, and the chunks' lexical postings; the files are named by
qa.index.layout. An index is a list of segments (its manifest), each with the articles deleted
from it since it was written (replaced by a newer version, or gone from the sources).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import faiss
import numpy as np

from qa.errors import first_line
from qa.index.chunks import write_chunk_store
from qa.index.layout import CHUNKS, EXACT_VECTORS, LEXICAL, VECTORS
from qa.index.postings import Postings
from qa.index.rows import RowFile
from qa.index.sentence_vectors import SentenceVectors
from qa.index.sentence_words import SentenceWords
from qa.index.vectors import (
    VectorSearch,
    describe,
    is_approximate,
    make_vector_index,
    read_vector_index,
)
from qa.ingest.article import Article
from qa.text.chunking import Chunk

Loaded = TypeVar("Loaded")
Segment = dict[str, Any]  # a segment as the manifest lists it: name, chunks, sentences, deleted


@dataclass(frozen=True)
class SegmentContents:
    """What a new segment holds: chunk i has row i in `vectors` and in `sentences`; `postings`
    when already made (a merge), else built from the chunks' text."""

    articles: list[Article]
    chunks: list[Chunk]
    vectors: np.ndarray
    sentences: SentenceVectors
    postings: Postings | None = None
    # Each chunk's stored sentence-words line where a merge read it (None: made from its text).
    words: list[bytes | None] = field(default_factory=list)


def new_segment_name() -> str:
    return f"seg-{uuid.uuid4().hex[:12]}"


def write_segment(folder: Path, contents: SegmentContents, ann_min_chunks: int) -> Segment:
    """Write `contents` into the empty `folder`; the segment's record for the manifest.

    The vector index is exact below `ann_min_chunks` chunks, approximate (with the exact vectors
    kept beside it) from there on.
    """
    write_chunk_store(folder / CHUNKS, contents.articles, contents.chunks)
    vector_index = write_vectors(folder, contents.vectors, ann_min_chunks)
    contents.sentences.save(folder)
    texts = [c.text for c in contents.chunks]
    SentenceWords.save(folder, texts, contents.sentences, contents.words)
    postings = contents.postings or Postings.build(c.text for c in contents.chunks)
    postings.save(folder / LEXICAL)
    return {
        "name": folder.name,
        "articles": len(contents.articles),
        "chunks": len(contents.chunks),
        "sentences": len(contents.sentences),
        "vector_index": describe(vector_index),
        "deleted": [],
    }


def write_vectors(folder: Path, vectors: np.ndarray, ann_min_chunks: int) -> faiss.Index:
    """Write a segment's vector index (and the exact vectors beside an approximate one)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    vector_index = make_vector_index(vectors, ann_min_chunks)
    faiss.write_index(vector_index, str(folder / VECTORS))
    if is_approximate(vector_index):
        np.save(folder / EXACT_VECTORS, vectors.astype(np.float16))
    return vector_index


@dataclass
class LoadedSegment:
    """A segment's files, open: vectors (deleted rows never found), sentences, postings, and
    the sentences' words (None: a segment written without them)."""

    path: Path
    vectors: VectorSearch
    sentences: SentenceVectors
    postings: Postings
    words: SentenceWords | None = None


def load_segment(
    path: Path, record: Segment, deleted: np.ndarray, corrupt: Callable[[str], Exception]
) -> LoadedSegment:
    """Open one segment and check its files against each other and its record; `corrupt(detail)`
    is raised for a missing, damaged or inconsistent file. `deleted`: its deleted rows."""

    def opened(what: str, load: Callable[[], Loaded]) -> Loaded:
        try:
            return load()
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise corrupt(f": {what} is missing or damaged ({first_line(exc)})") from None

    rows = int(record["chunks"])
    index = opened(VECTORS, lambda: read_vector_index(path / VECTORS))
    exact = None
    if is_approximate(index):
        exact = opened(EXACT_VECTORS, lambda: RowFile(path / EXACT_VECTORS))
    sentences = opened("the sentence vectors", lambda: SentenceVectors.load(path))
    postings = opened(f"the BM25 postings ({LEXICAL}/)", lambda: Postings.load(path / LEXICAL))
    words = opened("the sentence words", lambda: SentenceWords.load(path))
    checks = [
        ("vectors", index.ntotal, rows),
        ("BM25 rows", postings.size, rows),
        ("sentence rows", sentences.chunk_rows(), rows),
        ("sentences", len(sentences), record.get("sentences")),
    ]
    if exact is not None:
        checks.append(("exact vectors", len(exact), rows))
    if words is not None:
        checks.append(("sentence words rows", words.chunk_rows(), rows))
    wrong = [f"{found} {what}, expected {want}" for what, found, want in checks if found != want]
    if wrong:
        raise corrupt(f" is inconsistent (segment {path.name}: {'; '.join(wrong)})")
    mask = np.zeros(rows, dtype=bool)
    mask[deleted] = True
    return LoadedSegment(path, VectorSearch(index, exact, mask), sentences, postings, words)
