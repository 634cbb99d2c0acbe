"""The chunk stores (SQLite), one per segment: chunk rows and the articles they come from."""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from qa.index.article_sql import FACET_VALUES, article_clause, facet_counts, facet_fields
from qa.index.attached import MAX_ATTACHED, connect_group, live
from qa.index.filters import ARTICLE_FIELDS, Filters
from qa.index.numbering import split_rows
from qa.ingest.article import Article
from qa.text.chunking import Chunk

SCHEMA = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, url TEXT,
    published TEXT, metadata TEXT NOT NULL, text TEXT NOT NULL, content_hash TEXT NOT NULL,
    pages TEXT NOT NULL
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id),
    paragraph INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    tokens INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE INDEX chunks_by_article ON chunks(article_id, row);
"""
# The columns of a Chunk, in its fields' order.
CHUNK_COLUMNS = 'article_id, paragraph, start, "end", text, tokens'
# The columns of an Article without its text (for citations and lists): text is ''.
ARTICLE_META = "id, title, '', source, url, published, metadata, pages"


@dataclass(frozen=True)
class StorePart:
    """One segment's chunk store, the global row of its first chunk, its deleted article ids."""

    path: Path
    base: int
    deleted: Sequence[str] = ()


def write_chunk_store(path: Path, articles: Sequence[Article], chunks: Sequence[Chunk]) -> None:
    """A new store at `path`: the articles, and the chunks as rows 0, 1, …"""
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    a.id,
                    a.title,
                    a.source,
                    a.url,
                    a.published,
                    json.dumps(a.metadata, ensure_ascii=False),
                    a.text,
                    a.content_hash,
                    json.dumps(list(a.pages)),
                )
                for a in articles
            ),
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (row, c.article_id, c.paragraph, c.start, c.end, c.tokens, c.text)
                for row, c in enumerate(chunks)
            ),
        )
        db.commit()
    finally:
        db.close()


class ChunkStore:
    """The chunk stores of an index's segments, read as one: rows numbered across segments
    (each segment's from its `base`), deleted articles left out everywhere.

    Read-only connections (qa.index.attached: one per MAX_ATTACHED segments) are opened at load
    and shared by all threads (SQLite is built serialized), so every read hits the files this
    index was loaded from, even after a build has published new ones: a connection opened later
    would read the new chunks through the old vectors and cite the wrong passages. Each holds the
    temporary view `articles` of its segments' live articles: an article query is written once,
    as for one store, run on each connection and the answers joined.
    """

    def __init__(self, parts: Sequence[StorePart]) -> None:
        if not parts:
            raise ValueError("an index of no segment has no chunk store")
        self.parts = list(parts)
        self._groups = [
            connect_group(first, [(p.path, p.deleted) for p in parts[first : first + MAX_ATTACHED]])
            for first in range(0, len(parts), MAX_ATTACHED)
        ]
        self.bases = [part.base for part in self.parts]

    def _db(self, seg: int) -> sqlite3.Connection:
        """The connection attaching segment `seg`."""
        return self._groups[seg // MAX_ATTACHED]

    def _each(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        """The rows of one query over `articles`, run on each connection in turn (segment order)."""
        for db in self._groups:
            yield from db.execute(sql, params)

    def count(self) -> int:
        """How many live chunk rows the store holds (sqlite3.DatabaseError if it is damaged)."""
        return sum(self.segment_count(seg) - len(self.deleted_rows(seg)) for seg in self._segs())

    def segment_count(self, seg: int) -> int:
        """How many chunk rows one segment holds, deleted ones included."""
        return self._db(seg).execute(f"SELECT count(*) FROM s{seg}.chunks").fetchone()[0]

    def deleted_rows(self, seg: int) -> list[int]:
        """One segment's rows (its own numbering) of the articles deleted from it."""
        sql = f"SELECT row FROM s{seg}.chunks WHERE NOT {live(seg, 'article_id')} ORDER BY row"
        return [row for (row,) in self._db(seg).execute(sql)]

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        """The chunks of these rows, in the order asked for."""
        found: dict[int, Chunk] = {}
        for seg, (_, local) in split_rows(self.bases, rows).items():
            marks = ",".join("?" * len(local))
            base = self.bases[seg]
            found.update(
                (r[0] + base, Chunk(*r[1:]))
                for r in self._db(seg).execute(
                    f"SELECT row, {CHUNK_COLUMNS} FROM s{seg}.chunks WHERE row IN ({marks})", local
                )
            )
        return [found[int(r)] for r in rows]

    def rows_of_article(self, article_id: str) -> list[int]:
        """The chunk rows of a live article, in its text's order."""
        held = next(self._each("SELECT seg FROM articles WHERE id = ?", (article_id,)), None)
        if held is None:
            return []
        seg = held[0]
        return [
            row + self.bases[seg]
            for (row,) in self._db(seg).execute(
                f"SELECT row FROM s{seg}.chunks WHERE article_id = ? ORDER BY row", (article_id,)
            )
        ]

    def live_chunks(self, seg: int) -> Iterator[tuple[int, Chunk]]:
        """One segment's live chunks with their rows (its own numbering), in row order."""
        sql = (
            f"SELECT row, {CHUNK_COLUMNS} FROM s{seg}.chunks "
            f"WHERE {live(seg, 'article_id')} ORDER BY row"
        )
        for row in self._db(seg).execute(sql):
            yield row[0], Chunk(*row[1:])

    def live_articles(self, seg: int) -> Iterator[Article]:
        """One segment's live articles with their text, in the order they were written."""
        sql = (
            "SELECT id, title, text, source, url, published, metadata, pages "
            f"FROM s{seg}.articles WHERE {live(seg, 'id')} ORDER BY rowid"
        )
        for row in self._db(seg).execute(sql):
            yield _article(row)

    def chunk_texts(self) -> Iterator[str]:
        """Every live chunk's text, row by row."""
        for seg in self._segs():
            for _, chunk in self.live_chunks(seg):
                yield chunk.text

    def _segs(self) -> range:
        return range(len(self.parts))

    def article(self, article_id: str) -> Article | None:
        """The article with its whole text, or None."""
        row = next(
            self._each(
                "SELECT id, title, text, source, url, published, metadata, pages FROM articles "
                "WHERE id = ?",
                (article_id,),
            ),
            None,
        )
        return _article(row) if row else None

    def articles_meta(self, ids: Sequence[str]) -> dict[str, Article]:
        """Articles by id without their text (for citations): text is ''."""
        if not ids:
            return {}
        unique = list(dict.fromkeys(ids))
        marks = ",".join("?" * len(unique))
        rows = self._each(f"SELECT {ARTICLE_META} FROM articles WHERE id IN ({marks})", unique)
        return {row[0]: _article(row) for row in rows}

    def list_articles(self, offset: int, limit: int) -> list[Article]:
        """A page of articles without their text, ordered by id: each connection's first
        `offset + limit`, merged (one connection skips the offset itself)."""
        skip = offset if len(self._groups) == 1 else 0
        sql = f"SELECT {ARTICLE_META} FROM articles ORDER BY id LIMIT ? OFFSET ?"
        pages = [db.execute(sql, (offset + limit - skip, skip)) for db in self._groups]
        merged = heapq.merge(*pages, key=lambda row: row[0])
        return [_article(row) for row in islice(merged, offset - skip, offset - skip + limit)]

    def articles_quoting(self, text: str) -> list[str]:
        """The ids of the articles whose text contains `text` word for word, ordered by id."""
        sql = "SELECT id FROM articles WHERE instr(text, ?) > 0 ORDER BY id"
        return list(heapq.merge(*([i for (i,) in db.execute(sql, (text,))] for db in self._groups)))

    def rows_matching(self, filters: Filters) -> list[int]:
        """The chunk rows of the articles that satisfy every condition, ascending (every row
        when there is none): each article is tested once, its chunks found through the index.
        Each connection's rows come before the next one's: its segments come first."""
        clauses = [article_clause(condition) for condition in filters]
        where = " AND ".join(sql for sql, _ in clauses) or "1"
        params = [param for _, params in clauses for param in params]
        found: list[int] = []
        for group, db in enumerate(self._groups):
            selects = [
                f"SELECT row + {self.bases[seg]} FROM s{seg}.chunks WHERE article_id IN "
                f"(SELECT a.id FROM articles AS a WHERE a.seg = {seg} AND {where})"
                for seg in self._segs()[group * MAX_ATTACHED : (group + 1) * MAX_ATTACHED]
            ]
            rows = db.execute(" UNION ALL ".join(selects) + " ORDER BY 1", params * len(selects))
            found.extend(row for (row,) in rows)
        return found

    def facets(self) -> dict[str, Any]:
        """What the articles may be filtered on, JSON-ready, for clients to offer:

            {"articles": 2225,
             "fields": {"section": {"distinct": 5,
                                    "values": [{"value": "sport", "count": 511}, ...]},
                        "source": {"distinct": 2225, "values": [...]}},
             "published": {"from": "2005-01-04", "to": "2005-12-30", "dated": 1800}}

        `fields`, by name: `source` and every metadata field with string, number or boolean
        values; each value with its count of articles, most common first (then by value), at
        most MAX_FACET_VALUES of the field's `distinct` values. A field holding a text longer
        than MAX_FACET_CHARS is left out (text, not a category), as are the article ids.
        `published`: the earliest and latest dates as written (null when no article has one)
        and how many articles have one.
        """
        rows = facet_counts(self._each(FACET_VALUES, ARTICLE_FIELDS))
        spans = list(
            self._each(
                "SELECT min(published), max(published), count(published), count(*) FROM articles"
            )
        )
        dates = [(first, last) for first, last, dated, _ in spans if dated]
        return {
            "articles": sum(row[3] for row in spans),
            "fields": facet_fields(rows),
            "published": {
                "from": min((first for first, _ in dates), default=None),
                "to": max((last for _, last in dates), default=None),
                "dated": sum(row[2] for row in spans),
            },
        }

    def close(self) -> None:
        for db in self._groups:
            db.close()


def _article(row: Sequence[Any]) -> Article:
    return Article(
        id=row[0],
        title=row[1],
        text=row[2],
        source=row[3],
        url=row[4],
        published=row[5],
        metadata=json.loads(row[6]),
        pages=tuple(json.loads(row[7])),
    )
