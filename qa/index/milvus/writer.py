"""Writing a Milvus index: a build's new collections, filled and checked, then the alias switched
to them in one call, so readers see the old index or the new one, never a mix.

The previous build's collections stay for the servers still answering from them (they reload
within seconds); older ones, and those of a killed build, are dropped by the next build. One
build per index at a time: a second one drops the first's unfinished collections.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.index.chunks import ChunkStore, StorePart, write_chunk_store
from qa.index.errors import IndexCorrupt, IndexProblem, IndexUnreachable
from qa.index.layout import REBUILD
from qa.index.manifest import Manifest
from qa.index.milvus.client import Connection, has_bm25
from qa.index.milvus.expressions import NO_DATE, typed_metadata
from qa.index.milvus.reader import ALIASES_KEY, FACETS_KEY, MANIFEST_KEY, MilvusIndex, article_key
from qa.index.milvus.schema import (
    HNSW_BUILD,
    PARTS,
    PLACEHOLDER,
    PLACEHOLDER_VECTOR,
    TEXT_PART_CHARS,
    Collections,
    build_of,
    index_params,
    schemas,
)
from qa.index.milvus.uri import MilvusUri
from qa.index.postings import Postings
from qa.index.writer import IndexContents, finished_manifest

# Rows per insert call (a chunk row is its vector, text and fields: a few KiB).
BATCH = 500
# Milvus answers a default (Bounded) read as of this long ago (2.3's gracefulTime, 5 s): the
# alias switches only once every row written is that old, so that no reader misses one.
GRACE_S = 5.5


@dataclass
class MilvusTarget:
    """A Milvus index as a build's target: the previous build to reuse, and the new one."""

    uri: MilvusUri
    updates_in_place = False  # each build writes new collections whole

    @property
    def where(self) -> str:
        return str(self.uri)

    def previous(self) -> MilvusIndex | None:
        """The index the alias names now, or None (none yet, or unreadable: rebuilt whole)."""
        try:
            return MilvusIndex(self.uri)
        except IndexUnreachable:
            raise
        except IndexProblem:
            return None

    def upgrade(self, ann_min_chunks: int) -> bool:
        return False  # a Milvus build is written whole: one of an older format is rebuilt

    def published(self) -> Manifest | None:
        previous = self.previous()
        return None if previous is None else previous.manifest

    def staging(self) -> AbstractContextManager[None]:
        return nullcontext()  # written whole: nothing is streamed

    def write(self, contents: IndexContents, manifest: Manifest, ann_min_chunks: int) -> Manifest:
        return write_milvus(self.uri, contents, manifest, ann_min_chunks)


def write_milvus(
    uri: MilvusUri, contents: IndexContents, manifest: Manifest, ann_min_chunks: int
) -> Manifest:
    """Write `contents` as a new build of the index at `uri` and switch its alias to it."""
    milvus = Connection(uri)
    try:
        version = milvus.version()
        bm25 = has_bm25(version)
        hnsw = len(contents.chunks) >= max(ann_min_chunks, 1)
        kind = {"kind": "milvus-hnsw", **HNSW_BUILD} if hnsw else {"kind": "milvus-flat"}
        manifest = finished_manifest(
            manifest, contents, vector_index=kind, milvus={"server": version, "bm25": bm25}
        )
        current = milvus.alias_target()
        _drop_builds(milvus, keep={build_of(current, uri.name)} if current else set())
        names = Collections(uri.name, manifest["build_id"])
        try:
            _fill(milvus, names, contents, manifest, bm25, hnsw)
        except BaseException:
            _drop_builds(milvus, keep={build_of(current or "", uri.name)})
            raise
        _switch(milvus, names["chunks"], current)
        _drop_builds(milvus, keep={manifest["build_id"], build_of(current or "", uri.name)})
        return manifest
    finally:
        milvus.close()


def _fill(
    milvus: Connection,
    names: Collections,
    contents: IndexContents,
    manifest: Manifest,
    bm25: bool,
    hnsw: bool,
) -> None:
    """Create the build's collections, insert every row and check that all are there.

    One thread per collection: creating one (with its index, loaded) takes Milvus 2.3 over 3 s,
    mostly waiting, and the collections are independent.
    """
    dim = contents.vectors.shape[1]
    made = schemas(dim, bm25)
    rows = _rows(contents, manifest)

    def create(part: str) -> None:
        index = index_params(part, bm25, hnsw)
        milvus.call("create_collection", names[part], schema=made[part], index_params=index)

    def fill(part: str) -> None:
        for batch in _batches(rows[part]):
            milvus.call("insert", names[part], batch)
        milvus.call("flush", names[part])

    with ThreadPoolExecutor(len(PARTS)) as pool:
        list(pool.map(create, PARTS))
        written = time.monotonic()
        list(pool.map(fill, PARTS))
    _check(milvus, names, manifest)
    if not milvus.uri.lite:
        time.sleep(max(0.0, GRACE_S - (time.monotonic() - written)))


def _rows(contents: IndexContents, manifest: Manifest) -> dict[str, Iterable[dict[str, Any]]]:
    """Each part's rows."""
    return {
        "chunks": _chunk_rows(contents),
        "sentences": _sentence_rows(contents),
        "articles": _article_rows(contents),
        "texts": _text_rows(contents, manifest),
        "words": (
            {"stem": stem, "chunks": count, PLACEHOLDER: PLACEHOLDER_VECTOR}
            for stem, count in Postings.build(c.text for c in contents.chunks).frequencies().items()
        ),
    }


def _chunk_rows(contents: IndexContents) -> Iterator[dict[str, Any]]:
    articles = {a.id: a for a in contents.articles}
    for row, (chunk, vector) in enumerate(zip(contents.chunks, contents.vectors, strict=True)):
        article = articles[chunk.article_id]
        yield {
            "row": row,
            "vector": vector.tolist(),
            "article_id": chunk.article_id,
            "source": article.source,
            "published": article.published or NO_DATE,
            "paragraph": chunk.paragraph,
            "start": chunk.start,
            "end": chunk.end,
            "tokens": chunk.tokens,
            "text": chunk.text,
            **typed_metadata(article.metadata),
        }


def _sentence_rows(contents: IndexContents) -> Iterator[dict[str, Any]]:
    spans, vectors = contents.sentences.spans, contents.sentences.vectors
    for at, ((chunk_row, start, end), vector) in enumerate(zip(spans, vectors, strict=True)):
        yield {
            "id": at,
            "chunk_row": int(chunk_row),
            "start": int(start),
            "end": int(end),
            "vector": vector.astype("float32").tolist(),
        }


def _article_rows(contents: IndexContents) -> Iterator[dict[str, Any]]:
    for ordinal, article in enumerate(sorted(contents.articles, key=lambda a: a.id)):
        yield {
            "id": article.id,
            "ordinal": ordinal,
            "title": article.title,
            "source": article.source,
            "url": article.url or "",
            "published": article.published or NO_DATE,
            "pages": json.dumps(list(article.pages)),
            "content_hash": article.content_hash,
            "parts": len(_parts(article.text)),
            "metadata": article.metadata,
            PLACEHOLDER: PLACEHOLDER_VECTOR,
        }


def _text_rows(contents: IndexContents, manifest: Manifest) -> Iterator[dict[str, Any]]:
    """Article texts, the manifest, the facets and the folded copies' ids, in parts."""
    owned = [(article_key(a.id), a.text) for a in contents.articles]
    owned += [
        (MANIFEST_KEY, json.dumps(manifest, ensure_ascii=False)),
        (FACETS_KEY, json.dumps(_facets(contents), ensure_ascii=False)),
        (ALIASES_KEY, json.dumps(contents.aliases, ensure_ascii=False)),
    ]
    for owner, text in owned:
        for part, piece in enumerate(_parts(text)):
            yield {
                "key": f"{owner}#{part}",
                "owner": owner,
                "part": part,
                "text": piece,
                PLACEHOLDER: PLACEHOLDER_VECTOR,
            }


def _parts(text: str) -> list[str]:
    return [text[i : i + TEXT_PART_CHARS] for i in range(0, len(text), TEXT_PART_CHARS)] or [""]


def _facets(contents: IndexContents) -> dict[str, Any]:
    """The articles' facets, counted once at build time by the chunk store's own SQL."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "facets.sqlite"
        write_chunk_store(path, contents.articles, [])
        store = ChunkStore([StorePart(path, 0)])
        try:
            return store.facets()
        finally:
            store.close()


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _check(milvus: Connection, names: Collections, manifest: Manifest) -> None:
    """Every row written is there (a strong read), or the alias stays where it is."""
    counts = manifest["counts"]
    for part, expected in (("chunks", counts["chunks"]), ("sentences", counts["sentences"])):
        found = milvus.call(
            "query",
            names[part],
            filter="",
            output_fields=["count(*)"],
            consistency_level="Strong",
        )[0]["count(*)"]
        if found != expected:
            raise IndexCorrupt(
                f"Milvus at {milvus.uri} kept {found} of the {expected} {part} written; the "
                f"index was left unchanged: {REBUILD}"
            )


def _switch(milvus: Connection, chunks: str, current: str | None) -> None:
    """Point the alias at the new build's chunk collection: one call."""
    if current is None:
        milvus.call("create_alias", chunks, milvus.uri.name)
    else:
        milvus.call("alter_alias", chunks, milvus.uri.name)


def _drop_builds(milvus: Connection, keep: set[str | None]) -> None:
    """Drop every collection of this index whose build is not kept."""
    dropped = [
        collection
        for collection in milvus.call("list_collections")
        if build_of(collection, milvus.uri.name) not in {None, *keep}
    ]
    if dropped:
        with ThreadPoolExecutor(len(PARTS)) as pool:
            list(pool.map(lambda collection: milvus.call("drop_collection", collection), dropped))
