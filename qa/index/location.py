"""Where an index lives: a local directory or a Milvus URI (qa.index.milvus.uri). Opened,
watched for new builds and written alike, so nothing above this module tells them apart.

The Milvus client (the `milvus` extra) is imported only for a Milvus location.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from qa.index.errors import IndexProblem
from qa.index.layout import MANIFEST
from qa.index.legacy import upgradable, upgrade
from qa.index.manifest import Manifest, read_catalog, read_manifest
from qa.index.milvus.uri import MilvusUri, is_milvus_uri, parse_milvus_uri
from qa.index.protocol import Index
from qa.index.publish import Publication, publishing
from qa.index.reader import LocalIndex
from qa.index.writer import (
    IndexContents,
    IndexUpdate,
    compact_index,
    tidy_index,
    update_index,
)

Location = Path | str
# A cheap look at an index that changes whenever a new build is published (None: none yet).
Watch = Callable[[], Hashable | None]
NO_CLIENT = "a Milvus index needs the Milvus client: pip install 'article-qa[milvus]'"


class IndexTarget(Protocol):
    """Where a build goes: the index it may reuse, and the writer of the new one."""

    where: str

    def previous(self) -> Index | None:
        """The index there now, to reuse its unchanged articles (None: there is none)."""

    def published(self) -> Manifest | None:
        """The manifest of the index there now (None: there is none, or it is unreadable)."""

    def tidy(self, published: Manifest) -> None:
        """Remove what killed builds left there (a target that updates in place)."""

    def upgrade(self, ann_min_chunks: int) -> bool:
        """Rewrite an index of an older format there in this one, without embedding again;
        False when there is none to upgrade."""

    # True where a build streams its segments into a publication and updates only what changed
    # (`update`); else each build is written whole (`write`).
    updates_in_place: bool

    def staging(self) -> AbstractContextManager[Publication | None]:
        """Where a build streams the segments it writes, locked for it (None: written whole)."""

    def write(self, contents: IndexContents, manifest: Manifest, ann_min_chunks: int) -> Manifest:
        """Publish `contents` there atomically; the manifest as written."""

    def update(
        self, staging: Publication, update: IndexUpdate, manifest: Manifest, ann_min_chunks: int
    ) -> Manifest:
        """Publish `update` over its `previous` index (None: a new one) atomically."""


@dataclass
class LocalTarget:
    """An index directory as a build's target."""

    path: Path
    updates_in_place = True

    @property
    def where(self) -> str:
        return str(self.path)

    def previous(self) -> LocalIndex | None:
        try:
            return LocalIndex(self.path)
        except IndexProblem:
            return None

    def published(self) -> Manifest | None:
        try:
            return read_catalog(self.path, read_manifest(self.path))
        except IndexProblem:
            return None

    def tidy(self, published: Manifest) -> None:
        tidy_index(self.path, published)

    def upgrade(self, ann_min_chunks: int) -> bool:
        if not upgradable(self.path):
            return False
        upgrade(self.path, ann_min_chunks)
        return True

    def staging(self) -> AbstractContextManager[Publication]:
        return publishing(self.path)

    def update(
        self, staging: Publication, update: IndexUpdate, manifest: Manifest, ann_min_chunks: int
    ) -> Manifest:
        return update_index(staging, update, manifest, ann_min_chunks)


def open_index(location: Location) -> Index:
    """The index at `location` (a directory or a Milvus URI), loaded and checked."""
    if not is_milvus_uri(location):
        return LocalIndex(Path(location))
    with _milvus_client():
        from qa.index.milvus.reader import MilvusIndex
    return MilvusIndex(_uri(location))


def index_target(location: Location) -> IndexTarget:
    """The target of a build into `location`."""
    if not is_milvus_uri(location):
        return LocalTarget(Path(location))
    with _milvus_client():
        from qa.index.milvus.writer import MilvusTarget
    return MilvusTarget(_uri(location))


def compact(location: Location, ann_min_chunks: int) -> tuple[Manifest, Manifest]:
    """Merge a local index's segments (qa.index.writer.compact_index), without its deleted
    chunks: (before, after)."""
    if is_milvus_uri(location):
        raise IndexProblem("a Milvus index has no segments to compact: each build is written whole")
    previous = LocalIndex(Path(location))
    try:
        return previous.manifest, compact_index(previous, ann_min_chunks)
    finally:
        previous.close()


def watch(location: Location) -> Watch:
    """A look at `location` that changes with each new build: the manifest file's identity, or
    the collection a Milvus alias names (one call, on a connection kept between looks)."""
    if not is_milvus_uri(location):
        manifest = Path(location) / MANIFEST

        def stat() -> Hashable | None:
            try:
                found = os.stat(manifest)
            except OSError:
                return None
            return (found.st_ino, found.st_mtime_ns, found.st_size)

        return stat
    with _milvus_client():
        from qa.index.milvus.client import AliasWatch
    return AliasWatch(_uri(location))


def published_build(location: Location) -> str | None:
    """The id of the build published at `location` now; IndexProblem when there is none."""
    if not is_milvus_uri(location):
        return read_manifest(Path(location)).get("build_id")
    with _milvus_client():
        from qa.index.milvus.client import published_build as milvus_build
    return milvus_build(_uri(location))


def _uri(location: Location) -> MilvusUri:
    try:
        return parse_milvus_uri(str(location))
    except ValueError as exc:
        raise IndexProblem(str(exc)) from None


@contextmanager
def _milvus_client() -> Iterator[None]:
    """Import the Milvus modules in the block; without the client, one line naming the extra."""
    try:
        yield
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in ("pymilvus", "grpc"):
            raise IndexProblem(NO_CLIENT) from None
        raise
