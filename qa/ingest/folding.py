"""Folding what reading finds into one set of articles: duplicate ids and identical copies.

Every article read (or known unchanged from an earlier build) goes through `Folding.add`: the
first of an id is kept, a later one with other text is a problem, and an article whose text is
another's is an alias of it. Known articles are folded by their hash, as read ones are.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.ingest.article import Article, Problem, ReadResult

# A file's record in the manifest: {"size", "mtime_ns", "items": [...]}, each item
# [id, content hash] for an article, or [None, reason, source] for a problem; a JSONL file's
# article items end with the digest of their line.
FileRecord = dict[str, Any]


@dataclass(frozen=True)
class Known:
    """An article whose JSONL line is unchanged since the last build: not parsed again."""

    id: str
    content_hash: str
    source: str


@dataclass(frozen=True)
class Lined:
    """What one line of a JSONL file gave, with the digest of the line."""

    item: Article | Problem | Known
    digest: str


def line_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def known_lines(record: FileRecord | None) -> dict[str, tuple[str, str]]:
    """The articles (id, content hash) of a JSONL file's last reading, by their line's digest."""
    items = record["items"] if record else []
    return {item[2]: (item[0], item[1]) for item in items if len(item) == 3 and item[0]}


class Folding:
    """The articles read so far, by id and by hash, and what was folded (into `result`)."""

    def __init__(self, result: ReadResult, take: Callable[[Article], None] | None = None) -> None:
        self.result = result
        self.take = take or result.articles.append  # given: each article kept, as it is read
        self.by_id: dict[str, tuple[str, str]] = {}  # id → (hash, source)
        self.by_hash: dict[str, str] = {}

    def add(self, article_id: str, content_hash: str, source: str, article: Article | None) -> None:
        """Fold one article: `article` when read now, None when known unchanged."""
        previous = self.by_id.get(article_id)
        if previous is not None:
            if previous[0] != content_hash:
                reason = (
                    f"duplicate id {article_id!r} with different text "
                    f"(kept the one from {previous[1]})"
                )
                self.result.problems.append(Problem(source, reason))
            return
        kept = self.by_hash.get(content_hash)
        if kept is not None:
            self.result.aliases.setdefault(article_id, kept)
            return
        self.by_id[article_id] = (content_hash, source)
        self.by_hash[content_hash] = article_id
        if article is None:
            self.result.known[article_id] = content_hash
        else:
            self.take(article)


def file_state(path: Path) -> tuple[int, int]:
    """What says a file may have changed since it was read: its size and modification time."""
    found = os.stat(path)
    return found.st_size, found.st_mtime_ns


def unchanged(record: FileRecord | None, path: Path) -> bool:
    """True when the file is as it was when `record` was made (then it is not read again)."""
    return record is not None and (record["size"], record["mtime_ns"]) == file_state(path)


def replay(record: FileRecord, folding: Folding, source: str) -> None:
    """Fold what the unchanged file `source` held when it was read, without reading it."""
    for item in record["items"]:
        if item[0] is None:
            folding.result.problems.append(Problem(item[2], item[1]))
        else:
            folding.add(item[0], item[1], source, None)


def fold(entry: Article | Problem | Lined, folding: Folding) -> list[Any]:
    """Fold one thing a file gave; its item for the file's record."""
    item = entry.item if isinstance(entry, Lined) else entry
    if isinstance(item, Problem):
        folding.result.problems.append(item)
        return [None, item.reason, item.source]
    folding.add(
        item.id, item.content_hash, item.source, item if isinstance(item, Article) else None
    )
    found = [item.id, item.content_hash]
    return [*found, entry.digest] if isinstance(entry, Lined) else found


def recorded_problems(known: dict[str, FileRecord]) -> list[Problem]:
    """The problems the files met when they were read (reported again while they stay)."""
    return [Problem(i[2], i[1]) for r in known.values() for i in r["items"] if i[0] is None]


def new_record(path: Path, items: list[list[Any]]) -> FileRecord:
    size, mtime_ns = file_state(path)
    return {"size": size, "mtime_ns": mtime_ns, "items": items}
