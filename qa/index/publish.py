"""Publishing a build: new segments moved in, then a new manifest swapped in by one rename.

A reader sees the old manifest with its segments or the new one with its, never a mix: segments
are immutable and each build names its own, and the manifest is the one file that changes. One
build per index at a time (an flock); what a killed build left (its working directory, segments
no manifest lists) is removed by the next one.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qa.index.errors import BuildLocked
from qa.index.layout import MANIFEST, OLD_FORMAT_FILES, README, README_TEXT, SEGMENTS
from qa.index.manifest import CATALOG_PREFIX, Manifest, write_manifest
from qa.index.segment import new_segment_name


class Publication:
    """One build's working directory beside the index: segments are written into it, then
    published with their manifest."""

    def __init__(self, target: Path, folder: Path) -> None:
        self.target = target
        self.folder = folder

    def new_segment(self) -> Path:
        """An empty directory for a new segment (published by `publish`)."""
        path = self.folder / new_segment_name()
        path.mkdir()
        return path

    def publish(self, manifest: Manifest) -> None:
        """Move the new segments in, swap the manifest in, then remove what it no longer lists."""
        segments = self.target / SEGMENTS
        segments.mkdir(parents=True, exist_ok=True)
        for segment in sorted(p for p in self.folder.iterdir() if p.is_dir()):
            _fsync_tree(segment)
            os.rename(segment, segments / segment.name)
        _fsync(segments)
        write_manifest(self.folder, manifest)
        for catalog in self.folder.glob(f"{CATALOG_PREFIX}*"):
            os.rename(catalog, self.target / catalog.name)
        os.rename(self.folder / MANIFEST, self.target / MANIFEST)
        _fsync(self.target)
        readme = self.target / README  # rewritten when it describes an older layout
        if not readme.is_file() or readme.read_text(encoding="utf-8") != README_TEXT:
            readme.write_text(README_TEXT, encoding="utf-8")
        self.tidy(manifest)

    def tidy(self, manifest: Manifest) -> None:
        """Remove the segments `manifest` (the published one) does not list, and the files of an
        older format: what replaced builds and killed ones left."""
        listed = {record["name"] for record in manifest["segments"]}
        current = f"{CATALOG_PREFIX}{manifest['build_id']}.json"
        for catalog in self.target.glob(f"{CATALOG_PREFIX}*"):
            if catalog.name != current:
                catalog.unlink(missing_ok=True)
        segments = self.target / SEGMENTS
        for stale in segments.iterdir() if segments.is_dir() else ():
            if stale.name not in listed:
                shutil.rmtree(stale, ignore_errors=True)
        for name in OLD_FORMAT_FILES:  # an index of an older format, replaced by this one
            old = self.target / name
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)


@contextmanager
def publishing(target: Path) -> Iterator[Publication]:
    """The index at `target` locked for one build, with a fresh working directory beside it."""
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f".{target.name}.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"another `qa build` is writing {target}; wait for it") from None
        for stale in target.parent.glob(f".{target.name}.build-*"):
            shutil.rmtree(stale, ignore_errors=True)
        target.mkdir(exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))
        try:
            yield Publication(target, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    _fsync(folder)


def _fsync(folder: Path) -> None:
    """Make the directory's entries (renames) durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
