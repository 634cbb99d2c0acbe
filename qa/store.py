"""The on-disk index: FAISS vectors + SQLite chunk/article store + manifest, swapped atomically."""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from qa.articles import Article
from qa.chunking import Chunk
from qa.row_file import RowFile
from qa.sentence_index import SentenceIndex
from qa.vector_index import is_approximate, one_thread, read_vector_index

# 2: sentence spans and vectors stored beside the chunks (qa.sentence_index).
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
# Beside an approximate (IVF) index only: the chunk vectors in fp16, read from disk to re-score
# the index's candidates exactly and to give exact vectors for copy folding.
EXACT_VECTORS = "chunk_vectors.npy"
# An approximate search fetches this many times the candidates asked for, then re-scores them.
REFINE_FACTOR = 4
CHUNKS = "chunks.sqlite"
README = "README.md"
README_TEXT = """\
# index/

Built by `qa build` (see the project README); never edit by hand.

- `manifest.json`: format version, model, chunker settings, counts, article hashes, build time
- `vectors.faiss`: the FAISS index of chunk vectors (ids = chunk rows)
- `chunks.sqlite`: chunk rows (text, article, paragraph, offsets) and articles
- `sentence_spans.npy`, `sentence_vectors.npy`: each chunk's sentences and their vectors (fp16)
- `chunk_vectors.npy`: the exact chunk vectors (fp16), beside an approximate (IVF) index only
- `bm25/`: the lexical (BM25) index of the same chunks

A build writes a sibling directory and swaps it in atomically.
"""

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


class IndexError_(RuntimeError):
    """Base of index problems; the message is one line that says which command fixes it."""


class IndexMissing(IndexError_):
    pass


class IndexCorrupt(IndexError_):
    pass


class IndexMismatch(IndexError_):
    pass


@dataclass(frozen=True)
class StoredChunk:
    row: int
    article_id: str
    paragraph: int
    start: int
    end: int
    tokens: int
    text: str


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the index at `path`; IndexMissing / IndexCorrupt if it cannot be read."""
    manifest_path = Path(path) / MANIFEST
    if not manifest_path.is_file():
        raise IndexMissing(f"no index at {path}: run `qa build` to create it")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(
            f"index at {path} has an unreadable manifest ({exc}): {REBUILD}"
        ) from None
    found = manifest.get("format") if isinstance(manifest, dict) else None
    if found != FORMAT_VERSION:
        raise IndexMismatch(
            f"index at {path} has format {found}, this version reads format "
            f"{FORMAT_VERSION}: {REBUILD}"
        )
    return manifest


REBUILD = "run `qa build --full` to rebuild it"


class IndexReader:
    """A loaded index: the FAISS index in memory and one read-only SQLite connection.

    The connection is opened once and shared by all threads (SQLite is built serialized), so
    every read hits the file this index was loaded from, even after a rebuild has swapped a
    new one in at the same path: a per-thread connection opened later would read the new
    chunks through the old vectors and cite the wrong passages.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.manifest = read_manifest(self.path)
        try:
            self.vectors = read_vector_index(self.path / VECTORS)
        except RuntimeError as exc:
            raise IndexCorrupt(
                f"index at {path}: {VECTORS} is missing or damaged ({_first_line(exc)}): {REBUILD}"
            ) from None
        db_path = self.path / CHUNKS
        if not db_path.is_file():
            raise IndexCorrupt(f"index at {path}: {CHUNKS} is missing: {REBUILD}")
        self._uri = f"file:{db_path}?mode=ro&immutable=1"
        self._connection: sqlite3.Connection | None = None
        try:
            chunk_count = self._db().execute("SELECT count(*) FROM chunks").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise IndexCorrupt(f"index at {path}: {CHUNKS} is damaged ({exc}): {REBUILD}") from None
        expected = self.manifest.get("counts", {}).get("chunks")
        if not (chunk_count == self.vectors.ntotal == expected):
            raise IndexCorrupt(
                f"index at {path} is inconsistent ({chunk_count} chunk rows, "
                f"{self.vectors.ntotal} vectors, manifest says {expected}): {REBUILD}"
            )
        self.sentences = self._load_sentences(chunk_count)
        self.exact = self._load_exact(chunk_count) if is_approximate(self.vectors) else None

    def _load_exact(self, chunk_count: int) -> RowFile:
        try:
            exact = RowFile(self.path / EXACT_VECTORS)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(
                f"index at {self.path}: {EXACT_VECTORS} is missing or damaged "
                f"({_first_line(exc)}): {REBUILD}"
            ) from None
        if len(exact) != chunk_count:
            raise IndexCorrupt(
                f"index at {self.path} is inconsistent ({len(exact)} exact vectors of "
                f"{chunk_count} chunks): {REBUILD}"
            )
        return exact

    def _load_sentences(self, chunk_count: int) -> SentenceIndex:
        try:
            sentences = SentenceIndex.load(self.path)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(
                f"index at {self.path}: the sentence vectors are missing or damaged "
                f"({_first_line(exc)}): {REBUILD}"
            ) from None
        expected = self.manifest.get("counts", {}).get("sentences")
        if len(sentences) != expected or sentences.chunk_rows() != chunk_count:
            raise IndexCorrupt(
                f"index at {self.path} is inconsistent ({len(sentences)} sentences of "
                f"{sentences.chunk_rows()} chunks, manifest says {expected} of {chunk_count}): "
                f"{REBUILD}"
            )
        return sentences

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            self._connection = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
        return self._connection

    @property
    def chunk_count(self) -> int:
        return int(self.vectors.ntotal)

    @property
    def article_count(self) -> int:
        return int(self.manifest["counts"]["articles"])

    def check_compatible(self, model_name: str, weights_hash: str, chunker: dict[str, Any]) -> None:
        """Refuse an index built with another model or chunker, naming the fix."""
        built = self.manifest.get("model", {})
        if built.get("weights_sha256") != weights_hash:
            raise IndexMismatch(
                f"index at {self.path} was built with model {built.get('name')!r} "
                f"(weights {str(built.get('weights_sha256'))[:12]}), but the configured model is "
                f"{model_name!r} (weights {weights_hash[:12]}): {REBUILD}"
            )
        if self.manifest.get("chunker") != chunker:
            raise IndexMismatch(
                f"index at {self.path} was built with chunker settings "
                f"{self.manifest.get('chunker')}, but the configured ones are {chunker}: {REBUILD}"
            )

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Inner-product (cosine) scores and chunk rows of the k nearest chunks.

        An approximate index proposes REFINE_FACTOR times k candidates, re-scored exactly.
        """
        k = min(k, self.chunk_count)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        query = np.asarray(query, dtype=np.float32).reshape(1, -1)
        fetch = k if self.exact is None else min(REFINE_FACTOR * k, self.chunk_count)
        with one_thread():
            scores, rows = self.vectors.search(query, fetch)
        rows = rows[0][rows[0] >= 0]
        if self.exact is None:
            return scores[0][: len(rows)], rows
        exact = self.vectors_of(rows) @ query[0]
        best = np.argsort(-exact, kind="stable")[:k]
        return exact[best], rows[best]

    def vectors_of(self, rows: Sequence[int]) -> np.ndarray:
        """The chunk vectors of these rows (exact: from disk beside an approximate index)."""
        if not len(rows):
            return np.zeros((0, self.vectors.d), dtype=np.float32)
        if self.exact is not None:
            return self.exact.take(rows).astype(np.float32)
        return np.vstack([self.vectors.reconstruct(int(r)) for r in rows])

    def chunks(self, rows: Sequence[int]) -> list[StoredChunk]:
        """Chunk rows in the order asked for."""
        wanted = [int(r) for r in rows]
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        found = {
            r[0]: StoredChunk(*r)
            for r in self._db().execute(
                f'SELECT row, article_id, paragraph, start, "end", tokens, text '
                f"FROM chunks WHERE row IN ({marks})",
                wanted,
            )
        }
        return [found[r] for r in wanted if r in found]

    def chunks_of_article(self, article_id: str) -> list[StoredChunk]:
        return [
            StoredChunk(*r)
            for r in self._db().execute(
                'SELECT row, article_id, paragraph, start, "end", tokens, text '
                "FROM chunks WHERE article_id = ? ORDER BY row",
                (article_id,),
            )
        ]

    def all_chunk_texts(self) -> Iterator[str]:
        for (text,) in self._db().execute("SELECT text FROM chunks ORDER BY row"):
            yield text

    def article(self, article_id: str) -> Article | None:
        row = (
            self._db()
            .execute(
                "SELECT id, title, text, source, url, published, metadata FROM articles "
                "WHERE id = ?",
                (article_id,),
            )
            .fetchone()
        )
        return _article(row) if row else None

    def articles_meta(self, ids: Sequence[str]) -> dict[str, Article]:
        """Articles by id without their text (for citations): text is ''."""
        if not ids:
            return {}
        unique = list(dict.fromkeys(ids))
        marks = ",".join("?" * len(unique))
        rows = self._db().execute(
            f"SELECT id, title, '', source, url, published, metadata FROM articles "
            f"WHERE id IN ({marks})",
            unique,
        )
        return {row[0]: _article(row) for row in rows}

    def list_articles(self, offset: int, limit: int) -> list[Article]:
        rows = self._db().execute(
            "SELECT id, title, '', source, url, published, metadata FROM articles "
            "ORDER BY id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_article(row) for row in rows]

    def close(self) -> None:
        if self._connection is not None:
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


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- writing -----------------------------------------------------------------------------


def write_store(
    folder: Path,
    articles: Sequence[Article],
    chunks: Sequence[Chunk],
    manifest: dict[str, Any],
    vector_index: faiss.Index,
    sentences: SentenceIndex,
    aliases: dict[str, str],
    exact: np.ndarray | None = None,
) -> None:
    """Write every index file into `folder` (a fresh build directory), manifest last.

    `exact` (the chunk vectors) is kept beside an approximate vector index.
    """
    db = sqlite3.connect(folder / CHUNKS)
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
    faiss.write_index(vector_index, str(folder / VECTORS))
    sentences.save(folder)
    if exact is not None:
        np.save(folder / EXACT_VECTORS, exact.astype(np.float16))
    (folder / README).write_text(README_TEXT, encoding="utf-8")
    _write_json_durably(folder / MANIFEST, manifest)


def _write_json_durably(path: Path, data: dict[str, Any]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())


class BuildLocked(IndexError_):
    pass


@contextmanager
def building(target: Path) -> Iterator[Path]:
    """A fresh sibling build directory, swapped into `target` only if the block succeeds.

    One build per index at a time (an flock); directories left by a killed build are removed.
    """
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f".{target.name}.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"another `qa build` is writing {target}; wait for it") from None
        for stale in target.parent.glob(f".{target.name}.build-*"):
            shutil.rmtree(stale, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))
        try:
            yield folder
            _fsync_dir(folder)
            swap_into_place(folder, target)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def swap_into_place(folder: Path, target: Path) -> None:
    """Atomically replace `target` by `folder`; the old index ends up in `folder`.

    Linux renameat2(RENAME_EXCHANGE) swaps two directories in one step, so a reader sees the
    old index or the new one, never none. Elsewhere: two renames with a tiny gap.
    """
    if not target.exists():
        os.rename(folder, target)
        folder.mkdir()
        return
    if _exchange(folder, target):
        return
    parked = folder.with_name(folder.name + ".old")
    os.rename(target, parked)
    os.rename(folder, target)
    os.rename(parked, folder)


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    return result == 0


def _fsync_dir(folder: Path) -> None:
    for name in os.listdir(folder):
        path = folder / name
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
