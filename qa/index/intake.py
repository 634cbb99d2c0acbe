"""A build's reading: each article sorted as it is read (new, changed, unchanged), the ones to
embed streamed into segments (qa.index.stream), so that no list of every article is kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qa.index.stream import SegmentStream
from qa.ingest.article import Article, ReadResult
from qa.ingest.readers import read_sources


def read_into(
    sources: Sequence[str],
    known: dict[str, Any] | None,
    old_hashes: dict[str, str],
    reusing: bool,
    stream: SegmentStream,
) -> tuple[ReadResult, Intake]:
    """The sources read, skipping the files `known` from the last build as unchanged, the fresh
    articles streamed; read whole again, from nothing streamed, if one of the unchanged files'
    articles is not indexed as it is (an alias whose original is gone)."""
    intake = Intake(old_hashes, reusing, stream)
    read = read_sources(sources, known, intake.take)
    if any(old_hashes.get(i) != h for i, h in read.known.items()):
        stream.discard()
        intake = Intake(old_hashes, reusing, stream)
        read = read_sources(sources, None, intake.take)
    return read, intake


@dataclass
class Intake:
    """The articles read, sorted as they come: new or changed ones streamed to be embedded, the
    unchanged ones kept (when the index is reused); all of them kept for a target written whole."""

    old_hashes: dict[str, str]
    reusing: bool
    stream: SegmentStream
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    hashes: dict[str, str] = field(default_factory=dict)  # every article read: id → hash
    kept: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.whole: list[Article] | None = [] if self.stream.staging is None else None

    def take(self, article: Article) -> None:
        old_hash = self.old_hashes.get(article.id)
        if old_hash is None:
            self.added += 1
        elif old_hash != article.content_hash:
            self.changed += 1
        self.hashes[article.id] = article.content_hash
        if self.whole is not None:
            self.whole.append(article)
        if self.reusing and old_hash == article.content_hash:
            self.unchanged += 1
            self.kept.add(article.id)
        else:
            self.stream.add(article)
