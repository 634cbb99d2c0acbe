"""The chunk stores (SQLite), one per segment: chunk rows and the articles they come from."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from qa.index.article_sql import FACET_VALUES, article_clause, facet_fields
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
# SQLite reads at most this many attached files at once: the most segments an index may hold.
MAX_ATTACHED = 10
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

    One read-only connection attaches every segment's file and is shared by all threads (SQLite
    is built serialized), so every read hits the files this index was loaded from, even after a
    build has published new ones: a connection opened later would read the new chunks through
    the old vectors and cite the wrong passages. The temporary view `articles` holds the live
    articles of every segment, so the article queries are written once, as for one store.
    """

    def __init__(self, parts: Sequence[StorePart]) -> None:
        if not 0 < len(parts) <= MAX_ATTACHED:
            raise ValueError(f"{len(parts)} segments (1 to {MAX_ATTACHED} can be read)")
        self.parts = list(parts)
        self._connection = sqlite3.connect("file::memory:", uri=True, check_same_thread=False)
        db = self._connection
        db.execute("CREATE TEMP TABLE gone (seg INTEGER NOT NULL, id TEXT NOT NULL)")
        for seg, part in enumerate(self.parts):
            location = quote(str(Path(part.path).absolute()))
            db.execute(f"ATTACH DATABASE ? AS s{seg}", (f"file:{location}?mode=ro&immutable=1",))
            db.executemany("INSERT INTO gone VALUES (?, ?)", ((seg, i) for i in part.deleted))
        db.execute("CREATE INDEX temp.gone_by_seg ON gone(seg, id)")
        db.execute(
            "CREATE TEMP VIEW articles AS "
            + " UNION ALL ".join(
                f"SELECT *, {seg} AS seg FROM s{seg}.articles WHERE {_live(seg, 'id')}"
                for seg in range(len(self.parts))
            )
        )
        self.bases = [part.base for part in self.parts]

    def count(self) -> int:
        """How many live chunk rows the store holds (sqlite3.DatabaseError if it is damaged)."""
        return sum(self.segment_count(seg) - len(self.deleted_rows(seg)) for seg in self._segs())

    def segment_count(self, seg: int) -> int:
        """How many chunk rows one segment holds, deleted ones included."""
        return self._connection.execute(f"SELECT count(*) FROM s{seg}.chunks").fetchone()[0]

    def deleted_rows(self, seg: int) -> list[int]:
        """One segment's rows (its own numbering) of the articles deleted from it."""
        sql = f"SELECT row FROM s{seg}.chunks WHERE NOT {_live(seg, 'article_id')} ORDER BY row"
        return [row for (row,) in self._connection.execute(sql)]

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        """The chunks of these rows, in the order asked for."""
        found: dict[int, Chunk] = {}
        for seg, (_, local) in split_rows(self.bases, rows).items():
            marks = ",".join("?" * len(local))
            base = self.bases[seg]
            found.update(
                (r[0] + base, Chunk(*r[1:]))
                for r in self._connection.execute(
                    f"SELECT row, {CHUNK_COLUMNS} FROM s{seg}.chunks WHERE row IN ({marks})", local
                )
            )
        return [found[int(r)] for r in rows]

    def rows_of_article(self, article_id: str) -> list[int]:
        """The chunk rows of a live article, in its text's order."""
        held = self._connection.execute(
            "SELECT seg FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if held is None:
            return []
        seg = held[0]
        return [
            row + self.bases[seg]
            for (row,) in self._connection.execute(
                f"SELECT row FROM s{seg}.chunks WHERE article_id = ? ORDER BY row", (article_id,)
            )
        ]

    def live_chunks(self, seg: int) -> Iterator[tuple[int, Chunk]]:
        """One segment's live chunks with their rows (its own numbering), in row order."""
        sql = (
            f"SELECT row, {CHUNK_COLUMNS} FROM s{seg}.chunks "
            f"WHERE {_live(seg, 'article_id')} ORDER BY row"
        )
        for row in self._connection.execute(sql):
            yield row[0], Chunk(*row[1:])

    def live_articles(self, seg: int) -> Iterator[Article]:
        """One segment's live articles with their text, in the order they were written."""
        sql = (
            "SELECT id, title, text, source, url, published, metadata, pages "
            f"FROM s{seg}.articles WHERE {_live(seg, 'id')} ORDER BY rowid"
        )
        for row in self._connection.execute(sql):
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
        row = self._connection.execute(
            "SELECT id, title, text, source, url, published, metadata, pages FROM articles "
            "WHERE id = ?",
            (article_id,),
        ).fetchone()
        return _article(row) if row else None

    def articles_meta(self, ids: Sequence[str]) -> dict[str, Article]:
        """Articles by id without their text (for citations): text is ''."""
        if not ids:
            return {}
        unique = list(dict.fromkeys(ids))
        marks = ",".join("?" * len(unique))
        rows = self._connection.execute(
            f"SELECT {ARTICLE_META} FROM articles WHERE id IN ({marks})", unique
        )
        return {row[0]: _article(row) for row in rows}

    def list_articles(self, offset: int, limit: int) -> list[Article]:
        """A page of articles without their text, ordered by id."""
        rows = self._connection.execute(
            f"SELECT {ARTICLE_META} FROM articles ORDER BY id LIMIT ? OFFSET ?", (limit, offset)
        )
        return [_article(row) for row in rows]

    def articles_quoting(self, text: str) -> list[str]:
        """The ids of the articles whose text contains `text` word for word, ordered by id."""
        rows = self._connection.execute(
            "SELECT id FROM articles WHERE instr(text, ?) > 0 ORDER BY id", (text,)
        )
        return [article_id for (article_id,) in rows]

    def rows_matching(self, filters: Filters) -> list[int]:
        """The chunk rows of the articles that satisfy every condition, ascending (every row
        when there is none): each article is tested once, its chunks found through the index."""
        clauses = [article_clause(condition) for condition in filters]
        where = " AND ".join(sql for sql, _ in clauses) or "1"
        params = [param for _, params in clauses for param in params]
        selects = [
            f"SELECT row + {self.bases[seg]} FROM s{seg}.chunks WHERE article_id IN "
            f"(SELECT a.id FROM articles AS a WHERE a.seg = {seg} AND {where})"
            for seg in self._segs()
        ]
        rows = self._connection.execute(
            " UNION ALL ".join(selects) + " ORDER BY 1", params * len(selects)
        )
        return [row for (row,) in rows]

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
        rows = self._connection.execute(FACET_VALUES, ARTICLE_FIELDS)
        first, last, dated, articles = self._connection.execute(
            "SELECT min(published), max(published), count(published), count(*) FROM articles"
        ).fetchone()
        return {
            "articles": articles,
            "fields": facet_fields(rows),
            "published": {"from": first, "to": last, "dated": dated},
        }

    def close(self) -> None:
        self._connection.close()


def _live(seg: int, column: str) -> str:
    """SQL true of a row of segment `seg` whose article (id in `column`) was not deleted."""
    return f"{column} NOT IN (SELECT id FROM gone WHERE seg = {seg})"


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
