"""The chunk store (SQLite): chunk rows, the articles they come from, and folded copies' ids."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from qa.ingest.article import Article
from qa.text.chunking import Chunk

SCHEMA = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, url TEXT,
    published TEXT, metadata TEXT NOT NULL, text TEXT NOT NULL, content_hash TEXT NOT NULL
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
ARTICLE_META = "id, title, '', source, url, published, metadata"


def write_chunk_store(
    path: Path, articles: Sequence[Article], chunks: Sequence[Chunk], aliases: dict[str, str]
) -> None:
    """A new store at `path`: the articles, the chunks as rows 0, 1, … and the aliases."""
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
            "SELECT id, title, text, source, url, published, metadata FROM articles WHERE id = ?",
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
    )
