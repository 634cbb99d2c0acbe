"""Writing an index: every file of the layout, BM25 included, published atomically.

The one writer for `qa build` and the benchmark synthesizer alike, so that every index on disk
is whole: the manifest is the last file written, and the directory is swapped into place only
once everything is on disk (qa.index.swap).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from qa.index.chunks import write_chunk_store
from qa.index.layout import CHUNKS, EXACT_VECTORS, README, README_TEXT, VECTORS
from qa.index.lexical import LexicalIndex
from qa.index.manifest import Manifest, stamped, write_manifest
from qa.index.sentence_vectors import SentenceVectors
from qa.index.swap import building
from qa.index.vectors import describe, is_approximate, make_vector_index
from qa.ingest.article import Article
from qa.text.chunking import Chunk


@dataclass(frozen=True)
class IndexContents:
    """Everything an index holds: chunk i has row i in `vectors` and in `sentences`.

    `aliases` maps the id of each article folded as an identical copy to the id kept.
    """

    articles: Sequence[Article]
    chunks: Sequence[Chunk]
    vectors: np.ndarray
    sentences: SentenceVectors
    aliases: dict[str, str]


def write_index(
    target: Path, contents: IndexContents, manifest: Manifest, ann_min_chunks: int
) -> Manifest:
    """Write `contents` as the index at `target`, replacing the one there atomically.

    The vector index is exact below `ann_min_chunks` chunks, approximate (with the exact
    vectors kept beside it) from there on. Returns the manifest as written.
    """
    vectors = np.ascontiguousarray(contents.vectors, dtype=np.float32)
    vector_index = make_vector_index(vectors, ann_min_chunks)
    manifest = finished_manifest(manifest, contents, vector_index=describe(vector_index))
    with building(target) as folder:
        write_chunk_store(folder / CHUNKS, contents.articles, contents.chunks, contents.aliases)
        faiss.write_index(vector_index, str(folder / VECTORS))
        if is_approximate(vector_index):
            np.save(folder / EXACT_VECTORS, vectors.astype(np.float16))
        contents.sentences.save(folder)
        LexicalIndex.build(c.text for c in contents.chunks).save(folder)
        (folder / README).write_text(README_TEXT, encoding="utf-8")
        write_manifest(folder, manifest)
    return manifest


def finished_manifest(manifest: Manifest, contents: IndexContents, **facts: Any) -> Manifest:
    """The manifest of an index of `contents`: counts, article hashes, build time and id."""
    counts = {
        "articles": len(contents.articles),
        "chunks": len(contents.chunks),
        "sentences": len(contents.sentences),
        "aliases": len(contents.aliases),
    }
    articles = {a.id: a.content_hash for a in contents.articles}
    return stamped(manifest, counts=counts, articles=articles, **facts)
