"""Writing an index: a whole new one, or an update that writes only what changed.

The one writer for `qa build`, `qa compact` and the benchmark synthesizer alike, so that every
index on disk is whole: segments are written first and published with the manifest, the last
file written (qa.index.publish).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa.index.manifest import Manifest, read_catalog, stamped
from qa.index.merge import merge_choice, merged_contents, stream_segment
from qa.index.postings import Postings
from qa.index.protocol import Index
from qa.index.publish import Publication, publishing
from qa.index.reader import LocalIndex
from qa.index.segment import Segment, SegmentContents, write_segment
from qa.index.sentence_vectors import SentenceVectors
from qa.index.stream import SegmentStream
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
    postings: Postings | None = None  # made already (a synthesized index), else built here


@dataclass(frozen=True)
class IndexUpdate:
    """What a build changes in an index: the articles it adds (new or changed) with their
    chunks, the ids it deletes (changed or gone), and what the whole index then holds."""

    fresh: SegmentContents
    deleted: set[str]
    articles: dict[str, str]  # every article after the update: id → content hash
    aliases: dict[str, str] = field(default_factory=dict)
    previous: Index | None = None  # the index updated (None: a new one, of the fresh alone)
    # Segments of fresh articles the build streamed into its publication already (qa.index.stream).
    written: list[Segment] = field(default_factory=list)


def write_index(
    target: Path, contents: IndexContents, manifest: Manifest, ann_min_chunks: int
) -> Manifest:
    """Write `contents` as the whole index at `target` (one segment), replacing the one there
    atomically. Returns the manifest as written."""
    fresh = SegmentContents(
        list(contents.articles),
        list(contents.chunks),
        contents.vectors,
        contents.sentences,
        contents.postings,
    )
    with publishing(target) as publication:
        records = [_segment(publication, fresh, ann_min_chunks)]
        articles = {a.id: a.content_hash for a in contents.articles}
        return _publish(publication, manifest, records, articles, contents.aliases)


def update_index(
    publication: Publication, update: IndexUpdate, manifest: Manifest, ann_min_chunks: int
) -> Manifest:
    """Publish `update` over its previous index (None: a whole new one): the deleted articles
    marked in their segments, the streamed segments added, the rest of the fresh ones in a new
    segment, merged with small segments when the index holds too many."""
    previous = update.previous
    assert previous is None or isinstance(previous, LocalIndex)
    records = _with_deletions(previous, update.deleted) if previous is not None else []
    chosen = merge_choice(records, len(update.fresh.chunks))
    fresh = update.fresh
    if chosen:
        assert previous is not None
        fresh = merged_contents(previous, chosen, records, fresh)
        records = [r for at, r in enumerate(records) if at not in set(chosen)]
    records.extend(update.written)
    if fresh.chunks:
        records.append(_segment(publication, fresh, ann_min_chunks))
    return _publish(publication, manifest, records, update.articles, update.aliases)


def tidy_index(target: Path, manifest: Manifest) -> None:
    """Remove what killed builds left beside and inside the index at `target` (whose published
    manifest is `manifest`)."""
    with publishing(target) as publication:
        publication.tidy(manifest)


def compact_index(previous: LocalIndex, ann_min_chunks: int) -> Manifest:
    """Rewrite the live articles of every segment of `previous` into as few segments as the
    bound allows (SEGMENT_CHUNKS: one, below it), without its deleted articles: nothing is
    embedded again, and memory stays bounded as in a streamed build."""
    with publishing(previous.path) as publication:
        out = SegmentStream(None, lambda: previous.dim, publication, ann_min_chunks, "local")
        for seg in range(len(previous.segments)):
            stream_segment(previous, seg, out)
        rest = out.finish()
        out.approximate(previous.chunk_count)
        records = out.written + (
            [_segment(publication, rest, ann_min_chunks)] if rest.chunks else []
        )
        kept = read_catalog(previous.path, previous.manifest)
        return _publish(publication, kept, records, kept["articles"], kept.get("aliases", {}))


def finished_manifest(manifest: Manifest, contents: IndexContents, **facts: Any) -> Manifest:
    """The manifest of an index of `contents` written whole (Milvus): counts, article hashes."""
    counts = {
        "articles": len(contents.articles),
        "chunks": len(contents.chunks),
        "sentences": len(contents.sentences),
        "aliases": len(contents.aliases),
    }
    articles = {a.id: a.content_hash for a in contents.articles}
    return stamped(manifest, counts=counts, articles=articles, **facts)


def _with_deletions(previous: LocalIndex, deleted: set[str]) -> list[Segment]:
    """The previous segments' records, with `deleted` marked in the segments holding them."""
    records = [dict(r, deleted=list(r.get("deleted", []))) for r in previous.manifest["segments"]]
    for article_id in sorted(deleted):
        rows = previous.rows_of_article(article_id)
        if not rows:
            continue
        seg = previous.segment_of(rows[0])
        record = records[seg]
        record["deleted"].append(article_id)
        record["deleted_chunks"] = record.get("deleted_chunks", 0) + len(rows)
        sentences = sum(len(s.spans) for s in previous.sentences_of(rows))
        record["deleted_sentences"] = record.get("deleted_sentences", 0) + sentences
    return records


def _segment(publication: Publication, fresh: SegmentContents, ann_min_chunks: int) -> Segment:
    return write_segment(publication.new_segment(), fresh, ann_min_chunks)


def _publish(
    publication: Publication,
    manifest: Manifest,
    records: list[Segment],
    articles: dict[str, str],
    aliases: dict[str, str],
) -> Manifest:
    """Stamp the manifest with what the segments hold, and publish it."""
    live = {"chunks": 0, "sentences": 0}
    for record in records:
        live["chunks"] += record["chunks"] - record.get("deleted_chunks", 0)
        live["sentences"] += record["sentences"] - record.get("deleted_sentences", 0)
    counts: dict[str, Any] = {
        "articles": len(articles),
        **live,
        "aliases": len(aliases),
        "segments": len(records),
    }
    written = stamped(manifest, counts=counts, articles=articles, aliases=aliases, segments=records)
    publication.publish(written)
    return written
