"""The chunk-and-embed step of a build: articles in, their chunks, vectors and sentences out.

This is the local engine, in one process; the Ray engine (qa.index.ray_engine) runs the same
function over batches of articles in its actors, so both give the same chunks and offsets.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from tqdm import tqdm

from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.index.sentence_vectors import ChunkSentences
from qa.text.chunking import Chunk, Chunker
from qa.text.spans import split_chunk

# An article's chunk vectors (one row per chunk) and the sentences of each chunk.
Embedded = tuple[np.ndarray, list[ChunkSentences]]
# An article's chunks with their vectors and sentences.
Made = tuple[list[Chunk], Embedded]
# What an engine reads of an article: its id and its text.
Text = tuple[str, str]


def make_chunker(settings: Settings, embedder: Embedder) -> Chunker:
    """The chunker of these settings, measuring chunks with the embedder's own tokenizer."""
    return Chunker(
        settings.encoding,
        settings.chunk_tokens,
        settings.chunk_overlap,
        count_pieces=embedder.count_pieces,
        max_pieces=embedder.max_pieces,
    )


def chunk_and_embed(
    embedder: Embedder,
    chunker: Chunker,
    articles: Sequence[Text],
    progress: bool = False,
    timings: dict[str, float] | None = None,
) -> list[Made]:
    """Each article's chunks, vectors and sentences, in order; the model runs once over all.

    `timings`, when given, gets the seconds spent chunking ("chunk") and embedding ("embed", of
    which "embed_tokenize", "embed_model" and "embed_pool").
    """
    started = time.perf_counter()
    shown = tqdm(articles, desc="chunking", unit="article", disable=not progress)
    per_article = [chunker.chunk(article_id, text) for article_id, text in shown]
    chunks = [chunk for article_chunks in per_article for chunk in article_chunks]
    spans = [split_chunk(c.text) for c in chunks]
    chunked = time.perf_counter()
    vectors, pooled = embedder.encode_passages([c.text for c in chunks], spans, progress, timings)
    if timings is not None:
        timings["chunk"] = chunked - started
        timings["embed"] = time.perf_counter() - chunked
    made: list[Made] = []
    first = 0
    for article_chunks in per_article:
        rows = range(first, first + len(article_chunks))
        sentences = [ChunkSentences(spans[r], pooled[r]) for r in rows]
        made.append((article_chunks, (vectors[first : rows.stop], sentences)))
        first = rows.stop
    return made
