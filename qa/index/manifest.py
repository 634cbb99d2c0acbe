"""The manifest: what an index was built from and holds, read, checked and written durably."""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qa.index.errors import IndexCorrupt, IndexMismatch, IndexMissing
from qa.index.layout import FORMAT_VERSION, MANIFEST, REBUILD, UPGRADABLE_FORMAT, UPGRADE

Manifest = dict[str, Any]
# What a build records of each article and source file, kept apart from the manifest.
CATALOG_KEYS = ("articles", "aliases", "files")
CATALOG_PREFIX = "catalog-"


def read_manifest(path: Path) -> Manifest:
    """The manifest of the index at `path`; IndexMissing / IndexCorrupt / IndexMismatch if it
    cannot be read or is of another format."""
    manifest_path = Path(path) / MANIFEST
    if not manifest_path.is_file():
        raise IndexMissing(f"no index at {path}: run `qa build` to create it")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(
            f"index at {path} has an unreadable manifest ({exc}): {REBUILD}"
        ) from None
    return checked_format(manifest, str(path))


def checked_format(manifest: Any, where: str) -> Manifest:
    """The manifest, if it is of the format this version reads; IndexMismatch if not."""
    found = manifest.get("format") if isinstance(manifest, dict) else None
    if found != FORMAT_VERSION:
        fix = UPGRADE if found == UPGRADABLE_FORMAT else REBUILD
        raise IndexMismatch(
            f"index at {where} has format {found}, this version reads format "
            f"{FORMAT_VERSION}: {fix}"
        )
    return manifest


def new_manifest(model: dict[str, Any], chunker: dict[str, Any], sources: list[str]) -> Manifest:
    """What a build records before writing; the writer adds the counts and the build's id."""
    return {"format": FORMAT_VERSION, "model": model, "chunker": chunker, "sources": sources}


def stamped(manifest: Manifest, **facts: Any) -> Manifest:
    """The manifest with the facts of the written index, its build time and a new build id."""
    return {
        **manifest,
        **facts,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_id": uuid.uuid4().hex,
    }


def check_compatible(
    manifest: Manifest, where: str, model_name: str, weights_hash: str, chunker: dict[str, Any]
) -> None:
    """Refuse an index built with another model or chunker than configured, naming the fix."""
    built = manifest.get("model", {})
    if built.get("weights_sha256") != weights_hash:
        raise IndexMismatch(
            f"index at {where} was built with model {built.get('name')!r} "
            f"(weights {str(built.get('weights_sha256'))[:12]}), but the configured model is "
            f"{model_name!r} (weights {weights_hash[:12]}): {REBUILD}"
        )
    if manifest.get("chunker") != chunker:
        raise IndexMismatch(
            f"index at {where} was built with chunker settings "
            f"{manifest.get('chunker')}, but the configured ones are {chunker}: {REBUILD}"
        )


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write the manifest into `folder`, its catalog beside it, both fsynced.

    The catalog (CATALOG_KEYS: per-article facts only a build needs; at a million chunks, 100 MB
    of JSON) goes in a file named by the build, so that loading an index reads a small manifest.
    """
    catalog = {key: manifest[key] for key in CATALOG_KEYS if key in manifest}
    small = {key: value for key, value in manifest.items() if key not in CATALOG_KEYS}
    if catalog:
        small["catalog"] = f"{CATALOG_PREFIX}{manifest['build_id']}.json"
        _write_json(Path(folder) / small["catalog"], catalog)
    _write_json(Path(folder) / MANIFEST, small)


def read_catalog(path: Path, manifest: Manifest) -> Manifest:
    """The manifest of the index at `path` with its catalog read in (IndexCorrupt if lost)."""
    name = manifest.get("catalog")
    if not name:
        return manifest
    try:
        catalog = json.loads((Path(path) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"index at {path} has an unreadable {name} ({exc}): {REBUILD}") from None
    return {**manifest, **catalog}


def _write_json(path: Path, data: Any) -> None:
    with path.open("w", encoding="utf-8") as handle:
        # dumps, not dump: one call of the C encoder, not a write per token (7 s -> 0.3 s at 1M)
        handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        handle.flush()
        os.fsync(handle.fileno())


class ManifestFacts:
    """What an index answers from its manifest alone: its article count and whether it was
    built with the configured model and chunker (for the index classes to inherit)."""

    where: str
    manifest: Manifest

    @property
    def article_count(self) -> int:
        return int(self.manifest["counts"]["articles"])

    def check_compatible(self, model_name: str, weights_hash: str, chunker: dict[str, Any]) -> None:
        """Raise IndexMismatch (naming the fix) for another model or chunker than configured."""
        check_compatible(self.manifest, self.where, model_name, weights_hash, chunker)
