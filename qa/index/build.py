"""`qa build`: sources → articles → chunks → vectors → an index update published atomically."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import Settings
from qa.embed.embedder import Embedder, load_embedder, resolve_model, weight_file_hash
from qa.index.engine import Made, chunk_and_embed, make_chunker
from qa.index.intake import read_into
from qa.index.location import index_target
from qa.index.manifest import Manifest, new_manifest
from qa.index.protocol import Index
from qa.index.segment import SegmentContents
from qa.index.sentence_vectors import ChunkSentences, SentenceVectors
from qa.index.stream import SegmentStream
from qa.index.writer import IndexContents, IndexUpdate
from qa.ingest.article import Article, Problem, ReadResult
from qa.ingest.folding import recorded_problems
from qa.ingest.readers import unchanged_since
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
    published = target.published()
    if published is None and target.upgrade(settings.ann_min_chunks):
        published = target.published()
    if not sources:
        recorded = published.get("sources") if published else None
        sources = recorded or list(settings.default_sources)
    sources = [str(Path(s).absolute()) for s in sources]
    summary = BuildSummary(index=target.where)

    model = ConfiguredModel(settings, embedder)
    reusable = published if _reusable(published, model.weights_hash, settings, full) else None
    old_hashes: dict[str, str] = published.get("articles", {}) if published else {}
    in_place = reusable is not None and target.updates_in_place

    mark = time.perf_counter()
    known = reusable.get("files") if in_place else None
    if known is not None and reusable.get("sources") == sources and unchanged_since(sources, known):
        target.tidy(reusable)  # what killed builds left; nothing published: servers keep theirs
        summary.articles = summary.unchanged = len(old_hashes)
        summary.chunks = int(reusable["counts"]["chunks"])
        summary.duplicates = int(reusable["counts"].get("aliases", 0))
        summary.problems = recorded_problems(known)
        summary.timings["read"] = time.perf_counter() - mark
        summary.seconds = time.perf_counter() - started
        return summary
    reused_dim = int(reusable["model"]["dim"]) if reusable else 0
    with target.staging() as staging:
        stream = SegmentStream(
            lambda batch: _chunk_and_embed(settings, model.embedder, batch, progress, summary),
            lambda: model.embedder.dim if reusable is None or stream.articles else reused_dim,
            staging,
            settings.ann_min_chunks,
            settings.engine,
        )
        read, intake = read_into(sources, known, old_hashes, reusable is not None, stream)
        summary.problems, summary.duplicates = read.problems, read.duplicates
        if not intake.hashes and not read.known:
            raise NothingToIndex(
                f"no article could be read from {', '.join(sources)}; the index was left unchanged"
            )
        fresh = stream.finish()
        taken = _embedding(summary.timings) + stream.writing
        summary.timings["read"] = time.perf_counter() - mark - taken
        summary.added, summary.changed = intake.added, intake.changed
        summary.unchanged = len(read.known) + intake.unchanged
        hashes = {**read.known, **intake.hashes}
        summary.removed = len(set(old_hashes) - set(hashes))
        summary.articles = len(hashes)
        deleted = set(old_hashes) - set(read.known) - intake.kept
        unchanged = not stream.articles and not deleted and _same_reading(reusable, sources, read)
        if in_place and unchanged:
            assert staging is not None
            staging.tidy(reusable)  # what killed builds left; nothing published: servers keep it
            summary.chunks = int(reusable["counts"]["chunks"])
            summary.seconds = time.perf_counter() - started
            return summary
        summary.embedded_chunks, summary.embedded_sentences = stream.chunks, stream.sentences

        mark = time.perf_counter()
        previous = target.previous() if reusable is not None else None
        embedder = model.embedder if stream.articles or reusable is None else None
        manifest = _manifest(settings, embedder, reusable, sources)
        if staging is not None and (previous is not None or not in_place):
            manifest["files"] = read.files  # what the next build need not read again
            stream.approximate(stream.chunks + (previous.chunk_count if previous else 0))
            update = IndexUpdate(fresh, deleted, hashes, read.aliases, previous, stream.written)
            written = target.update(staging, update, manifest, settings.ann_min_chunks)
            summary.chunks = int(written["counts"]["chunks"])
        elif staging is None:
            assert intake.whole is not None
            contents = _whole(intake.whole, previous, fresh, read.aliases)
            target.write(contents, manifest, settings.ann_min_chunks)
            summary.chunks = len(contents.chunks)
        summary.timings["write"] = time.perf_counter() - mark + stream.writing
    if staging is not None and in_place and previous is None:  # published, yet unloadable
        return build_index(settings, sources, full=True, embedder=model.given, progress=progress)
    summary.seconds = time.perf_counter() - started
    return summary


def _embedding(timings: dict[str, float]) -> float:
    """The seconds of a streamed build's reading spent chunking and embedding."""
    return sum(timings.get(step, 0.0) for step in ("chunk", "embed", "ray_start", "chunk_embed"))


def _same_reading(published: Manifest, sources: Sequence[str], read: ReadResult) -> bool:
    """True when the sources read as the published index records them (files and copies)."""
    return (
        published.get("sources") == list(sources)
        and published.get("aliases", {}) == read.aliases
        and published.get("files") == read.files
    )


def _whole(
    articles: Sequence[Article],
    previous: Index | None,
    fresh: SegmentContents,
    aliases: dict[str, str],
) -> IndexContents:
    """Every article's chunks, vectors and sentences, in reading order: the fresh ones as made,
    the others read back from the previous index (for a target written whole: Milvus)."""
    made = {a.id for a in fresh.articles}
    by_article: dict[str, list[int]] = {}
    for row, chunk in enumerate(fresh.chunks):
        by_article.setdefault(chunk.article_id, []).append(row)
    chunks: list[Chunk] = []
    blocks: list[np.ndarray] = []
    sentences: list[ChunkSentences] = []
    for article in articles:
        if article.id in made:
            rows = by_article.get(article.id, [])
            chunks.extend(fresh.chunks[r] for r in rows)
            blocks.append(fresh.vectors[rows])
            sentences.extend(fresh.sentences.of_rows(rows))
        elif previous is not None:
            rows = previous.rows_of_article(article.id)
            chunks.extend(previous.chunks(rows))
            blocks.append(previous.vectors_of(rows))
            sentences.extend(previous.sentences_of(rows))
    dim = fresh.vectors.shape[1]
    return IndexContents(
        articles,
        chunks,
        np.vstack(blocks) if blocks else np.zeros((0, dim), np.float32),
        SentenceVectors.from_chunks(sentences, dim),
        aliases,
    )


class ConfiguredModel:
    """The configured embedding model, loaded only when a build has articles to embed: a build
    that finds nothing new checks the model by its weight file's hash alone."""

    def __init__(self, settings: Settings, embedder: Embedder | None) -> None:
        self.settings = settings
        self.given = embedder

    @cached_property
    def embedder(self) -> Embedder:
        return self.given or load_embedder(self.settings)

    @cached_property
    def weights_hash(self) -> str:
        if self.given is None:
            found = weight_file_hash(resolve_model(self.settings.model))
            if found is not None:
                return found
        return self.embedder.weights_hash


def _reusable(
    published: Manifest | None, weights_hash: str, settings: Settings, full: bool
) -> bool:
    """True when the published index's chunks and vectors are still valid for these settings."""
    if published is None or full:
        return False
    same_model = published.get("model", {}).get("weights_sha256") == weights_hash
    return same_model and published.get("chunker") == settings.chunker_fingerprint()


def _chunk_and_embed(
    settings: Settings,
    embedder: Embedder,
    articles: Sequence[Article],
    progress: bool,
    summary: BuildSummary,
) -> list[Made]:
    """A batch of fresh articles' chunks, vectors and sentences, made by the configured engine."""
    texts = [(article.id, article.text) for article in articles]
    summary.engine = settings.engine
    timings: dict[str, float] = {}  # this batch's, added to the build's
    if settings.engine == "ray":
        from qa.index.ray_engine import ray_chunk_and_embed  # Ray is an extra, imported on demand

        made, summary.actors = ray_chunk_and_embed(settings, texts, progress, timings)
    else:
        made = chunk_and_embed(embedder, make_chunker(settings, embedder), texts, progress, timings)
    for step, seconds in timings.items():
        summary.timings[step] = summary.timings.get(step, 0.0) + seconds
    return made


def _manifest(
    settings: Settings,
    embedder: Embedder | None,
    published: Manifest | None,
    sources: Sequence[str],
) -> Manifest:
    """The new manifest; the model as the published index records it when none was loaded (the
    same weights: nothing was embedded)."""
    if embedder is None and published is not None:
        model = published["model"]
    else:
        assert embedder is not None
        model = {
            "name": settings.model,
            "dim": embedder.dim,
            "weights_sha256": embedder.weights_hash,
            "max_pieces": embedder.max_pieces,
            # A speed choice only: vectors of every backend are searchable together.
            "backend": embedder.backend,
        }
    return new_manifest(model, settings.chunker_fingerprint(), list(sources))
