"""Indexes of format 3 (one directory, before segments), upgraded in place without embedding.

Their chunk store, vectors and sentence files are what a segment holds; only the BM25 index
(bm25s's, with its scores fixed at build time) is made again, as postings from the chunks' text.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import faiss
import numpy as np

from qa.index.chunks import ChunkStore, StorePart
from qa.index.layout import (
    CHUNKS,
    EXACT_VECTORS,
    FORMAT_VERSION,
    MANIFEST,
    UPGRADABLE_FORMAT,
    VECTORS,
)
from qa.index.manifest import Manifest
from qa.index.sentence_vectors import SentenceVectors
from qa.index.vectors import is_approximate
from qa.index.writer import IndexContents, write_index


def upgradable(path: Path) -> bool:
    """True for an index directory of format 3 with its files."""
    try:
        manifest = json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    held = all((Path(path) / name).exists() for name in (CHUNKS, VECTORS))
    return isinstance(manifest, dict) and manifest.get("format") == UPGRADABLE_FORMAT and held


def upgrade(path: Path, ann_min_chunks: int) -> Manifest:
    """Rewrite the format-3 index at `path` as one segment of the current format."""
    path = Path(path)
    old: Manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    store = ChunkStore([StorePart(path / CHUNKS, 0)])
    try:
        chunks = [chunk for _, chunk in store.live_chunks(0)]
        articles = list(store.live_articles(0))
    finally:
        store.close()
    with closing(sqlite3.connect(f"file:{path / CHUNKS}?mode=ro", uri=True)) as db:
        aliases = dict(db.execute("SELECT id, article_id FROM aliases"))
    index = faiss.read_index(str(path / VECTORS))
    if is_approximate(index):
        vectors = np.load(path / EXACT_VECTORS).astype(np.float32)
    else:
        vectors = index.reconstruct_n(0, index.ntotal)
    sentences = SentenceVectors.load(path)
    sentences = SentenceVectors(sentences.spans, np.asarray(sentences.vectors[: len(sentences)]))
    keep = {"model", "chunker", "sources"}
    manifest = {"format": FORMAT_VERSION, **{k: v for k, v in old.items() if k in keep}}
    contents = IndexContents(articles, chunks, vectors, sentences, aliases)
    return write_index(path, contents, manifest, ann_min_chunks)
