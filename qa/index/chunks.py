"""The chunk store (SQLite): chunk rows, the articles they come from, and folded copies' ids."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from qa.index.filters import ARTICLE_FIELDS, DATE_FIELD, Condition, Filters, Scalar
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
CREATE TABLE aliases (id TEXT PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id));
"""
# The columns of a Chunk, in its fields' order.
CHUNK_COLUMNS = 'article_id, paragraph, start, "end", text, tokens'
# The columns of an Article without its text (for citations and lists): text is ''.
ARTICLE_META = "id, title, '', source, url, published, metadata, pages"


def write_chunk_store(
    path: Path, articles: Sequence[Article], chunks: Sequence[Chunk], aliases: dict[str, str]
) -> None:
    """A new store at `path`: the articles, the chunks as rows 0, 1, … and the aliases."""
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
        db.executemany("INSERT INTO aliases VALUES (?, ?)", aliases.items())
        db.commit()
    finally:
        db.close()


class ChunkStore:
    """One read-only connection to a chunk store, shared by all threads.

    SQLite is built serialized, so one connection serves every thread, and every read hits the
    file this index was loaded from, even after a rebuild has swapped a new one in at the same
    path: a per-thread connection opened later would read the new chunks through the old
    vectors and cite the wrong passages.
    """

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(
            f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )

    def count(self) -> int:
        """How many chunk rows the store holds (sqlite3.DatabaseError if it is damaged)."""
        return self._connection.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        """The chunks of these rows, in the order asked for."""
        wanted = [int(r) for r in rows]
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        found = {
            r[0]: Chunk(*r[1:])
            for r in self._connection.execute(
                f"SELECT row, {CHUNK_COLUMNS} FROM chunks WHERE row IN ({marks})", wanted
            )
        }
        return [found[r] for r in wanted]

    def rows_of_article(self, article_id: str) -> list[int]:
        """The chunk rows of an article, in its text's order."""
        return [
            row
            for (row,) in self._connection.execute(
                "SELECT row FROM chunks WHERE article_id = ? ORDER BY row", (article_id,)
            )
        ]

    def chunk_texts(self) -> Iterator[str]:
        """Every chunk's text, row by row."""
        for (text,) in self._connection.execute("SELECT text FROM chunks ORDER BY row"):
            yield text

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
        clauses = [_clause(condition) for condition in filters]
        where = " AND ".join(sql for sql, _ in clauses) or "1"
        rows = self._connection.execute(
            f"SELECT row FROM chunks WHERE article_id IN "
            f"(SELECT a.id FROM articles AS a WHERE {where}) ORDER BY row",
            [param for _, params in clauses for param in params],
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
            "fields": _facet_fields(rows),
            "published": {"from": first, "to": last, "dated": dated},
        }

    def close(self) -> None:
        self._connection.close()


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


# The filterable article fields as columns of `articles AS a`; any other field is a metadata
# entry, `m` of json_each(a.metadata), matched by its key as a bound parameter (no JSON path).
ARTICLE_COLUMNS = {"source": "a.source", "published": "a.published", "article_id": "a.id"}
# Facets list at most this many values of a field; a field with a longer text is not a facet.
MAX_FACET_VALUES = 50
MAX_FACET_CHARS = 200
# (field, is boolean, value, articles) for the sources and the metadata fields' scalar values
# (metadata named like an article field excluded), by field, most common first, then by value.
FACET_VALUES = f"""
SELECT 'source', 0, source, count(*) FROM articles GROUP BY source
UNION ALL
SELECT m.key, m.type IN ('true', 'false'), m.atom, count(*)
FROM articles AS a, json_each(a.metadata) AS m
WHERE m.type NOT IN ('null', 'array', 'object')
    AND m.key NOT IN ({", ".join("?" * len(ARTICLE_FIELDS))})
GROUP BY 1, 2, 3
ORDER BY 1, 4 DESC, 3, 2
"""


def _clause(condition: Condition) -> tuple[str, list[Any]]:
    """SQL true of the articles (`a`) that satisfy one condition, and its parameters: any of
    its values equal, or every bound met."""
    tests = [_test(condition.field, "=", value) for value in condition.values] or [
        _test(condition.field, op, bound)
        for op, bound in ((">=", condition.low), ("<=", condition.high))
        if bound is not None
    ]
    joiner = " OR " if condition.values else " AND "
    sql = "(" + joiner.join(test for test, _ in tests) + ")"
    params = [param for _, test_params in tests for param in test_params]
    if condition.field in ARTICLE_COLUMNS:
        return sql, params
    entry = "EXISTS (SELECT 1 FROM json_each(a.metadata) AS m WHERE m.key = ? AND "
    return f"{entry}{sql})", [condition.field, *params]


def _test(field: str, op: str, value: Scalar) -> tuple[str, list[Any]]:
    """SQL comparing a field with a value (`op` is =, >= or <=), and its parameters: a date on
    the stored value's prefix of its length (a day covers its times), a metadata value only
    with values of its own JSON type (true is not 1, nor is "1")."""
    if field == DATE_FIELD:
        return f"substr({ARTICLE_COLUMNS[field]}, 1, ?) {op} ?", [len(str(value)), value]
    if field in ARTICLE_COLUMNS:
        return f"{ARTICLE_COLUMNS[field]} {op} ?", [value]
    return f"(m.type IN ({_json_types(value)}) AND m.atom {op} ?)", [value]


def _json_types(value: Scalar) -> str:
    """The json_each types, as an SQL list, of the metadata values comparable with `value`."""
    if isinstance(value, bool):
        return "'true'" if value else "'false'"
    return "'text'" if isinstance(value, str) else "'integer', 'real'"


def _facet_fields(rows: Iterator[tuple[str, int, Scalar, int]]) -> dict[str, dict[str, Any]]:
    """The facets of FACET_VALUES' rows: per field its distinct count and its first values."""
    fields: dict[str, dict[str, Any]] = {}
    long: set[str] = set()
    for field, boolean, value, count in rows:
        facet = fields.setdefault(field, {"distinct": 0, "values": []})
        facet["distinct"] += 1
        if isinstance(value, str) and len(value) > MAX_FACET_CHARS:
            long.add(field)
        if len(facet["values"]) < MAX_FACET_VALUES:
            facet["values"].append({"value": bool(value) if boolean else value, "count": count})
    return {field: facet for field, facet in fields.items() if field not in long}
