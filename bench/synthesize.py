"""Large indexes made from a real one, for measuring search at scale without hours of embedding.

The base index's articles are replicated and their vectors perturbed (copy 0 keeps the real
vectors); every copy keeps its chunks' text and sentences, so the result answers like a built
index. Written by the index's own writer (qa.index.writer), so it is whole and loadable.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import folder_bytes
from qa.config import Settings
from qa.index.layout import SEGMENTS, VECTORS
from qa.index.manifest import read_catalog
from qa.index.reader import LocalIndex
from qa.index.sentence_vectors import SentenceVectors
from qa.index.writer import IndexContents, write_index
from qa.ingest.article import Article, ReadResult
from qa.ingest.readers import read_sources

# Perturbation of synthesized copies: cosine to the original ≈ 1 / sqrt(1 + NOISE²) ≈ 0.96.
NOISE = 0.3


def tiled_sentences(base: LocalIndex, rows: Sequence[int], copies: int) -> SentenceVectors:
    """The sentences of chunk `rows` (renumbered 0, 1, …), repeated `copies` times over:
    copy c of rows[i] becomes row c·len(rows) + i."""
    one = base.sentences_of(rows)
    counts = np.array([len(c.spans) for c in one])
    spans = np.vstack([np.array(c.spans, dtype=np.int32).reshape(-1, 2) for c in one])
    vectors = np.vstack([c.vectors for c in one]).astype(np.float16)
    renumbered = np.repeat(np.arange(len(rows)), counts)
    return SentenceVectors(
        np.column_stack(
            [
                np.concatenate([renumbered + c * len(rows) for c in range(copies)]),
                np.tile(spans, (copies, 1)),
            ]
        ).astype(np.int32),
        np.tile(vectors, (copies, 1)),
    )


def synthesize_index(
    base_dir: Path, target: Path, chunks: int, settings: Settings, sources: Path | None = None
) -> dict[str, Any]:
    """An index of about `chunks` chunks at `target`: the base articles replicated, vectors
    perturbed. Returns its figures and, under "matrix", its chunk vectors.

    With `sources`, the copies are also written there as the articles they index (one JSONL file
    per copy, each copy's text ending in its own line so that no copy folds into another), and
    the index records them as read: `qa build` over them then finds nothing to change.
    """
    base = LocalIndex(base_dir)
    listed = read_catalog(base.path, base.manifest)["articles"]
    originals = [a for a in (base.article(i) for i in listed) if a]
    rows_of = {a.id: base.rows_of_article(a.id) for a in originals}
    stored = {i: base.chunks(rows) for i, rows in rows_of.items()}
    real = {i: base.vectors_of(rows) for i, rows in rows_of.items()}
    copies = max(1, round(chunks / base.chunk_count))
    rng = np.random.default_rng(0)
    articles, made, blocks = [], [], []
    for copy in range(copies):
        suffix = f"~{copy}" if copy else ""
        for article in originals:
            articles.append(replace(article, id=article.id + suffix))
            made.extend(replace(c, article_id=article.id + suffix) for c in stored[article.id])
            vectors = real[article.id]
            if copy:
                vectors = vectors + rng.standard_normal(vectors.shape, dtype=np.float32) * (
                    NOISE / np.sqrt(vectors.shape[1])
                )
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            blocks.append(vectors)
    matrix = np.vstack(blocks).astype(np.float32)
    read = None
    if sources is not None:
        read = write_sources(sources, originals, copies)
        articles = read.articles
    # Chunk rows are laid out copy after copy in the base index's article order.
    order = [row for a in originals for row in rows_of[a.id]]
    # The base's postings tiled when its rows are in that order (a fresh build: one segment),
    # which spares tokenizing a million chunks; otherwise they are built from the text.
    same_order = len(base.segments) == 1 and order == list(range(base.rows))
    postings = base.segments[0].postings.tiled(copies) if same_order else None
    contents = IndexContents(
        articles, made, matrix, tiled_sentences(base, order, copies), {}, postings
    )
    manifest = {
        key: value for key, value in base.manifest.items() if key not in {"built_at", "build_id"}
    }
    manifest["synthesized"] = {"from": str(base_dir), "copies": copies, "noise": NOISE}
    if read is not None:
        manifest.update(sources=[str(sources.absolute())], files=read.files)
    started = time.perf_counter()
    written = write_index(target, contents, manifest, settings.ann_min_chunks)
    return {
        "chunks": len(made),
        "articles": len(articles),
        "vector_index": written["segments"][0]["vector_index"],
        "write_s": round(time.perf_counter() - started, 1),
        "bytes_per_chunk": round(folder_bytes(target) / len(made)),
        "vectors_bytes_per_chunk": round(
            (target / SEGMENTS / written["segments"][0]["name"] / VECTORS).stat().st_size
            / len(made)
        ),
        "matrix": matrix,
    }


def write_sources(folder: Path, originals: Sequence[Article], copies: int) -> ReadResult:
    """The copies of `originals` as JSONL files (copy-0000.jsonl, …), read back as a build reads
    them. Copy c > 0 of an article has id `id~c` and its text ends in a line of its own, past
    every chunk, so the base chunks' offsets hold for it too."""
    folder.mkdir(parents=True, exist_ok=True)
    for copy in range(copies):
        with (folder / f"copy-{copy:04d}.jsonl").open("w", encoding="utf-8") as handle:
            for article in originals:
                record = {
                    **article.metadata,
                    "id": article.id + (f"~{copy}" if copy else ""),
                    "title": article.title,
                    "text": article.text + (f"\n\nCopy {copy}." if copy else ""),
                    "url": article.url,
                    "published": article.published,
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    read = read_sources([folder.absolute()])
    if read.problems or read.aliases or len(read.articles) != copies * len(originals):
        raise RuntimeError(f"the synthesized sources do not read back whole: {read.problems[:3]}")
    return read
