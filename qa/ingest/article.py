"""The records reading gives: articles, the problems met on the way, and what was folded."""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """One article: its text is what citations point into, character for character."""

    id: str
    title: str
    text: str
    source: str
    url: str | None = None
    published: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    # Where each page after the first begins in `text` (character offsets, ascending): set for
    # paged formats (PDF), empty for the others.
    pages: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding character `offset`, or None for an unpaged article."""
        return bisect.bisect_right(self.pages, offset) + 1 if self.pages else None

    @property
    def content_hash(self) -> str:
        """Hash of the text alone: an unchanged hash means the chunks and vectors still hold."""
        return content_hash(self.text)


@dataclass(frozen=True)
class Problem:
    """A file (or a record in it) that could not be indexed, and why."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass
class ReadResult:
    """What reading the sources gave: articles to index, problems, folded duplicates.

    `aliases` maps the id of each article folded as an identical copy to the id kept, so that
    a link or a gold answer naming the copy still finds its text.
    """

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    # Articles of files unchanged since the last build, not read again: id → content hash.
    known: dict[str, str] = field(default_factory=dict)
    # Every file read or known, for the next build (qa.ingest.folding.FileRecord).
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def duplicates(self) -> int:
        return len(self.aliases)


class ArticleError(ValueError):
    """A record or file that cannot become an article; the message is shown to the user."""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
