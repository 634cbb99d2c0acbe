"""`qa build`: sources → articles → chunks → vectors → a new index swapped in atomically."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import Settings
from qa.embed.embedder import Embedder, load_embedder
from qa.index.engine import Made, chunk_and_embed, make_chunker
from qa.index.location import index_target
from qa.index.manifest import Manifest, new_manifest
from qa.index.protocol import Index
from qa.index.sentence_vectors import ChunkSentences, SentenceVectors
from qa.index.writer import IndexContents
from qa.ingest.article import Article, Problem
from qa.ingest.readers import read_sources
from qa.text.chunking import Chunk


class NothingToIndex(RuntimeError):
    """The sources gave no article: the previous index is kept as it is."""


@dataclass
class BuildSummary:
    """What a build did; `problems` lists the files and records it skipped, with reasons."""

    index: str
    articles: int = 0
    chunks: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    embedded_chunks: int = 0
    embedded_sentences: int = 0
    engine: str = "local"  # where the fresh articles were chunked and embedded (ENGINES)
    actors: int = 0  # the Ray actors that did it (0: this process)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped"] = len(self.problems)
        data["problems"] = [{"source": p.source, "reason": p.reason} for p in self.problems]
        return data

    def describe(self) -> str:
        """The one line `qa build` prints: counts, what changed, where it was embedded, time."""
        engine = f"{self.engine} engine" + (f", {self.actors} actors" if self.actors else "")
        return (
            f"index {self.index}: {self.articles} articles, {self.chunks} chunks "
            f"({self.added} added, {self.changed} changed, {self.removed} removed, "
            f"{self.unchanged} unchanged, {len(self.problems)} skipped, "
            f"{self.duplicates} duplicates folded; {self.embedded_chunks} chunks embedded "
            f"({engine})) in {self.seconds:.1f} s"
        )


def build_index(
    settings: Settings,
    sources: Sequence[str] | None = None,
    *,
    full: bool = False,
    embedder: Embedder | None = None,
    progress: bool = False,
) -> BuildSummary:
    """Make the index mirror its sources, re-embedding only articles whose text changed."""
    started = time.perf_counter()
    target = index_target(settings.index_dir)
    previous = target.previous()
    if not sources:
        recorded = previous.manifest.get("sources") if previous else None
        sources = recorded or list(settings.default_sources)
    sources = [str(Path(s).absolute()) for s in sources]
    summary = BuildSummary(index=target.where)

    read = read_sources(sources)
    summary.problems, summary.duplicates = read.problems, read.duplicates
    if not read.articles:
        raise NothingToIndex(
            f"no article could be read from {', '.join(sources)}; the index was left unchanged"
        )
    summary.timings["read"] = time.perf_counter() - started

    embedder = embedder or load_embedder(settings)
    reusable = _reusable(previous, embedder, settings, full)
    old_hashes: dict[str, str] = previous.manifest.get("articles", {}) if previous else {}

    mark = time.perf_counter()
    per_article: list[Made | None] = []  # None: made by the engine below
    fresh: list[Article] = []
    for article in read.articles:
        old_hash = old_hashes.get(article.id)
        if old_hash is None:
            summary.added += 1
        elif old_hash != article.content_hash:
            summary.changed += 1
        if reusable is not None and old_hash == article.content_hash:
            summary.unchanged += 1
            per_article.append(_reuse(reusable, article))
        else:
            fresh.append(article)
            per_article.append(None)
    summary.removed = len(set(old_hashes) - {a.id for a in read.articles})
    summary.timings["reuse"] = time.perf_counter() - mark

    made = iter(_chunk_and_embed(settings, embedder, fresh, progress, summary))
    chunks: list[Chunk] = []
    blocks: list[np.ndarray] = []
    sentences: list[ChunkSentences] = []
    for stored in per_article:
        article_chunks, (vectors, chunk_sentences) = stored or next(made)
        chunks.extend(article_chunks)
        blocks.append(vectors.reshape(-1, embedder.dim))
        sentences.extend(chunk_sentences)
        if stored is None:
            summary.embedded_chunks += len(article_chunks)
            summary.embedded_sentences += sum(len(s.spans) for s in chunk_sentences)
    matrix = np.vstack(blocks) if blocks else np.zeros((0, embedder.dim), dtype=np.float32)

    mark = time.perf_counter()
    summary.articles, summary.chunks = len(read.articles), len(chunks)
    contents = IndexContents(
        read.articles,
        chunks,
        matrix,
        SentenceVectors.from_chunks(sentences, embedder.dim),
        read.aliases,
    )
    target.write(contents, _manifest(settings, embedder, sources), settings.ann_min_chunks)
    summary.timings["write"] = time.perf_counter() - mark
    summary.seconds = time.perf_counter() - started
    return summary


def _reusable(
    previous: Index | None, embedder: Embedder, settings: Settings, full: bool
) -> Index | None:
    """The previous index when its chunks and vectors are still valid for these settings."""
    if previous is None or full:
        return None
    same_model = previous.manifest.get("model", {}).get("weights_sha256") == embedder.weights_hash
    same_chunker = previous.manifest.get("chunker") == settings.chunker_fingerprint()
    return previous if same_model and same_chunker else None


def _reuse(previous: Index, article: Article) -> Made:
    """An unchanged article's chunks, vectors and sentences, as the previous index holds them."""
    rows = previous.rows_of_article(article.id)
    return previous.chunks(rows), (previous.vectors_of(rows), previous.sentences_of(rows))


def _chunk_and_embed(
    settings: Settings,
    embedder: Embedder,
    articles: Sequence[Article],
    progress: bool,
    summary: BuildSummary,
) -> list[Made]:
    """The fresh articles' chunks, vectors and sentences, made by the configured engine."""
    texts = [(article.id, article.text) for article in articles]
    summary.engine = settings.engine
    if settings.engine == "ray":
        from qa.index.ray_engine import ray_chunk_and_embed  # Ray is an extra, imported on demand

        made, summary.actors = ray_chunk_and_embed(settings, texts, progress, summary.timings)
        return made
    return chunk_and_embed(
        embedder, make_chunker(settings, embedder), texts, progress, summary.timings
    )


def _manifest(settings: Settings, embedder: Embedder, sources: Sequence[str]) -> Manifest:
    model = {
        "name": settings.model,
        "dim": embedder.dim,
        "weights_sha256": embedder.weights_hash,
        "max_pieces": embedder.max_pieces,
        # A speed choice only: vectors of every backend are searchable together.
        "backend": embedder.backend,
    }
    return new_manifest(model, settings.chunker_fingerprint(), list(sources))
