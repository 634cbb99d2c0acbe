"""Folding what reading finds into one set of articles: duplicate ids and identical copies.

Every article read (or known unchanged from an earlier build) goes through `Folding.add`: the
first of an id is kept, a later one with other text is a problem, and an article whose text is
another's is an alias of it. Known articles are folded by their hash, as read ones are.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from qa.ingest.article import Article, Problem, ReadResult

# A file's record in the manifest: {"size", "mtime_ns", "items": [...]}, each item
# [id, content hash, source] for an article, or [None, reason, source] for a problem.
FileRecord = dict[str, Any]


class Folding:
    """The articles read so far, by id and by hash, and what was folded (into `result`)."""

    def __init__(self, result: ReadResult) -> None:
        self.result = result
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
            self.result.articles.append(article)


def file_state(path: Path) -> tuple[int, int]:
    """What says a file may have changed since it was read: its size and modification time."""
    found = os.stat(path)
    return found.st_size, found.st_mtime_ns


def unchanged(record: FileRecord | None, path: Path) -> bool:
    """True when the file is as it was when `record` was made (then it is not read again)."""
    return record is not None and (record["size"], record["mtime_ns"]) == file_state(path)


def replay(record: FileRecord, folding: Folding) -> None:
    """Fold what an unchanged file held when it was read, without reading it."""
    for article_id, detail, source in record["items"]:
        if article_id is None:
            folding.result.problems.append(Problem(source, detail))
        else:
            folding.add(article_id, detail, source, None)


def new_record(path: Path, found: list[Article | Problem]) -> FileRecord:
    size, mtime_ns = file_state(path)
    items = [
        [None, item.reason, item.source]
        if isinstance(item, Problem)
        else [item.id, item.content_hash, item.source]
        for item in found
    ]
    return {"size": size, "mtime_ns": mtime_ns, "items": items}
