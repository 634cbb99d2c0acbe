"""Merging segments: when to, and what the merged segment holds (nothing is embedded again).

An update adds one segment; past MAX_SEGMENTS small ones the smallest are merged with the
update's fresh articles into one (Lucene's tiered merging, simplified), so that the number of
segments stays bounded and each chunk is rewritten a few times over the life of an archive, not
at every build. A segment of full size (half of qa.index.stream.SEGMENT_CHUNKS live, as a build
streams them) is not merged for its count: a merge is held in memory, so it stays bounded, and a
big archive simply holds more segments. A segment with more than half of its chunks deleted is
merged too, to reclaim them.
"""

from __future__ import annotations

import numpy as np

from qa.index import stream
from qa.index.postings import Postings, merge_postings
from qa.index.reader import LocalIndex
from qa.index.segment import LoadedSegment, Segment, SegmentContents
from qa.index.sentence_vectors import ChunkSentences, SentenceVectors

# Segments below full size an index holds after an update, at most.
MAX_SEGMENTS = 8
# Segments merged at once when there are too many: fewer merges, each of similar sizes.
MERGE_FACTOR = 4


def live_chunks(record: Segment) -> int:
    return int(record["chunks"]) - int(record.get("deleted_chunks", 0))


def full_size(record: Segment) -> bool:
    """True of a segment with at least half a streamed segment's chunks live."""
    return 2 * live_chunks(record) >= stream.SEGMENT_CHUNKS  # read now: tests make it small


def merge_choice(records: list[Segment], fresh_chunks: int) -> list[int]:
    """The segments (positions in `records`) to merge with the fresh articles; [] for none."""
    mostly_deleted = {
        at for at, r in enumerate(records) if 2 * r.get("deleted_chunks", 0) > int(r["chunks"])
    }
    small = [at for at, r in enumerate(records) if at not in mostly_deleted and not full_size(r)]
    after = len(small) + (1 if fresh_chunks else 0)
    chosen = set(mostly_deleted)
    if after > MAX_SEGMENTS:
        by_size = sorted(small, key=lambda at: live_chunks(records[at]))
        chosen.update(by_size[: max(MERGE_FACTOR, after - MAX_SEGMENTS + 1)])
    return sorted(chosen)


def merged_contents(
    previous: LocalIndex, chosen: list[int], records: list[Segment], fresh: SegmentContents
) -> SegmentContents:
    """The live articles and chunks of the chosen segments (in order), then the fresh ones, with
    their vectors, sentences and postings read from the segments, not made again."""
    articles, chunks, blocks, sentences = [], [], [], []
    words: list[bytes | None] = []
    postings: list[tuple[Postings, np.ndarray]] = []
    for seg in chosen:
        deleted = set(records[seg].get("deleted", []))
        segment = previous.segments[seg]
        kept = np.zeros(int(records[seg]["chunks"]), dtype=bool)
        rows = []
        for row, chunk in previous.store.live_chunks(seg):
            if chunk.article_id not in deleted:
                kept[row] = True
                rows.append(row)
                chunks.append(chunk)
        articles.extend(a for a in previous.store.live_articles(seg) if a.id not in deleted)
        blocks.append(segment.vectors.vectors_of(rows))
        sentences.extend(segment.sentences.of_rows(rows))
        words.extend(stored_words(segment, rows))
        postings.append((segment.postings, kept))
    fresh_postings = fresh.postings or Postings.build(c.text for c in fresh.chunks)
    postings.append((fresh_postings, np.ones(fresh_postings.size, dtype=bool)))
    dim = fresh.vectors.shape[1]
    return SegmentContents(
        articles + list(fresh.articles),
        chunks + list(fresh.chunks),
        np.vstack([*blocks, fresh.vectors.reshape(-1, dim)]),
        _joined([*sentences, *_per_chunk(fresh.sentences, len(fresh.chunks))], dim),
        merge_postings(postings),
        words,
    )


def stored_words(segment: LoadedSegment, rows: list[int]) -> list[bytes | None]:
    """The segment's stored sentence-words lines of these rows (None each when it has none)."""
    return segment.words.lines_of(rows) if segment.words else [None] * len(rows)


def _per_chunk(sentences: SentenceVectors, chunks: int) -> list[ChunkSentences]:
    return sentences.of_rows(range(chunks))


def _joined(per_chunk: list[ChunkSentences], dim: int) -> SentenceVectors:
    return SentenceVectors.from_chunks(per_chunk, dim)


def stream_segment(previous: LocalIndex, seg: int, out: stream.SegmentStream) -> None:
    """One segment's live articles, in order, with their chunks, vectors and sentences read
    from it (nothing embedded again), into `out`: one article's rows read at a time."""
    segment, base = previous.segments[seg], previous.bases[seg]
    rows: dict[str, list[int]] = {}
    for row, chunk in previous.store.live_chunks(seg):  # texts read and let go: rows kept
        rows.setdefault(chunk.article_id, []).append(row)
    for article in previous.store.live_articles(seg):
        local = rows.get(article.id, [])
        chunks = previous.store.chunks([row + base for row in local])
        vectors = segment.vectors.vectors_of(local)
        sentences = segment.sentences.of_rows(local)
        out.hold(article, chunks, vectors, sentences, stored_words(segment, local))
