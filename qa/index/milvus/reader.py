"""Reading a Milvus index: MilvusIndex implements qa.index.protocol.Index over the collections of
the build its alias names when it is opened, and keeps reading that build after a switch."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from qa.index.errors import IndexCorrupt, IndexMissing
from qa.index.filters import Filters
from qa.index.layout import REBUILD
from qa.index.manifest import ManifestFacts, checked_format
from qa.index.milvus.client import MAX_RESULTS, Connection, missing
from qa.index.milvus.expressions import NO_DATE, filters_expression, literal, rows_expression
from qa.index.milvus.lexical import MatchingRows, MilvusScores, expression_of
from qa.index.milvus.schema import HNSW_MIN_EF, PARTS, Collections, build_of
from qa.index.milvus.uri import MilvusUri
from qa.index.sentence_vectors import ChunkSentences
from qa.ingest.article import Article
from qa.text.chunking import Chunk

# Owners of the long texts kept in parts in the `texts` collection.
MANIFEST_KEY, FACETS_KEY, ALIASES_KEY = "manifest", "facets", "aliases"
ARTICLE_PREFIX = "article:"
CHUNK_FIELDS = ["row", "article_id", "paragraph", "start", "end", "text", "tokens"]
ARTICLE_FIELDS = ["id", "title", "source", "url", "published", "metadata", "pages"]


def article_key(article_id: str) -> str:
    """The owner of an article's text in the `texts` collection."""
    return f"{ARTICLE_PREFIX}{article_id}"


class MilvusIndex(ManifestFacts):
    """One build of a Milvus index, opened through its alias and checked against its manifest."""

    def __init__(self, uri: MilvusUri) -> None:
        self.uri = uri
        self.where = str(uri)
        self.milvus = Connection(uri)
        try:
            self._open()
        except BaseException:
            self.milvus.close()
            raise

    def _open(self) -> None:
        chunks = self.milvus.alias_target()
        build = build_of(chunks or "", self.uri.name)
        if build is None:
            raise IndexMissing(missing(self.uri))
        self.names = Collections(self.uri.name, build)
        for part in PARTS:
            self.milvus.call("load_collection", self.names[part])
        self.manifest = checked_format(self._json(MANIFEST_KEY), self.where)
        self._facets: dict[str, Any] = self._json(FACETS_KEY)
        self.bm25 = bool(self.manifest.get("milvus", {}).get("bm25"))
        counts = self.manifest["counts"]
        for part in ("chunks", "sentences"):
            found = self._count(part)
            if found != counts[part]:
                raise IndexCorrupt(
                    f"index at {self.where} is inconsistent ({found} {part}, manifest says "
                    f"{counts[part]}): {REBUILD}"
                )

    def _count(self, part: str) -> int:
        found = self.milvus.call("query", self.names[part], filter="", output_fields=["count(*)"])
        return int(found[0]["count(*)"])

    def _text(self, owner: str) -> str | None:
        """A long text from its parts, or None when there is none."""
        parts = self.milvus.query(
            self.names["texts"], f"owner == {literal(owner)}", ["part", "text"]
        )
        if not parts:
            return None
        return "".join(p["text"] for p in sorted(parts, key=lambda p: p["part"]))

    def _json(self, owner: str) -> Any:
        text = self._text(owner)
        if text is None:
            raise IndexCorrupt(f"index at {self.where} has no {owner}: {REBUILD}")
        return json.loads(text)

    @property
    def chunk_count(self) -> int:
        return int(self.manifest["counts"]["chunks"])

    def lacks(self, mode: str) -> str | None:
        if mode == "dense" or self.bm25:
            return None
        server = self.manifest.get("milvus", {}).get("server", "an unknown version")
        return (
            f"Milvus at {self.where} is {server}, which lacks BM25 full-text search (a BM25 "
            f"function over the chunk text, Milvus 2.5 or later): the {mode} mode needs it; "
            "the dense mode works"
        )

    def search(
        self, query: np.ndarray, k: int, rows: Sequence[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.chunk_count, MAX_RESULTS)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        found = self.milvus.call(
            "search",
            self.names["chunks"],
            data=[np.asarray(query, dtype=np.float32).tolist()],
            anns_field="vector",
            limit=k,
            filter=expression_of(rows),
            output_fields=["row"],
            search_params={"metric_type": "IP", "params": {"ef": max(HNSW_MIN_EF, k)}},
        )[0]
        scores = np.array([hit["distance"] for hit in found], dtype=np.float32)
        return scores, np.array([hit["entity"]["row"] for hit in found], dtype=np.int64)

    def _by_row(self, rows: Sequence[int], fields: list[str]) -> list[dict[str, Any]]:
        """The chunk records of these rows, in the order asked for."""
        wanted = [int(r) for r in rows]
        if not wanted:
            return []
        found = {
            r["row"]: r
            for r in self.milvus.query(self.names["chunks"], rows_expression(wanted), fields)
        }
        return [found[r] for r in wanted]

    def vectors_of(self, rows: Sequence[int]) -> np.ndarray:
        found = self._by_row(rows, ["row", "vector"])
        dim = int(self.manifest["model"]["dim"])
        return np.array([r["vector"] for r in found], dtype=np.float32).reshape(-1, dim)

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        return [
            Chunk(r["article_id"], r["paragraph"], r["start"], r["end"], r["text"], r["tokens"])
            for r in self._by_row(rows, CHUNK_FIELDS)
        ]

    def sentences_of(self, rows: Sequence[int]) -> list[ChunkSentences]:
        wanted = [int(r) for r in rows]
        dim = int(self.manifest["model"]["dim"])
        by_chunk: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if wanted:
            expression = f"chunk_row in [{', '.join(map(str, wanted))}]"
            fields = ["id", "chunk_row", "start", "end", "vector"]
            for found in self.milvus.query_all(self.names["sentences"], expression, fields):
                by_chunk[found["chunk_row"]].append(found)
        result = []
        for row in wanted:
            found = sorted(by_chunk[row], key=lambda s: s["id"])
            vectors = np.array([s["vector"] for s in found], dtype=np.float32).reshape(-1, dim)
            result.append(ChunkSentences([(s["start"], s["end"]) for s in found], vectors))
        return result

    def _search_words(self, question: str, limit: int, allowed: str) -> list[tuple[int, float]]:
        """BM25 hits of the question among the rows `allowed`: (row, score), best first."""
        found = self.milvus.call(
            "search",
            self.names["chunks"],
            data=[question],
            anns_field="sparse",
            limit=limit,
            filter=allowed,
            output_fields=["row"],
            search_params={"metric_type": "BM25"},
        )[0]
        # milvus-lite 3 reports BM25 scores negated (its distances sort ascending).
        return [(hit["entity"]["row"], abs(float(hit["distance"]))) for hit in found]

    def lexical_scores(self, question: str) -> MilvusScores | None:
        """Milvus' BM25 scores for the question; None on a server without BM25 (the dense mode,
        the only one it answers, reads none) or when no chunk holds a word of the question."""
        if not self.bm25:
            return None
        best = self._search_words(question, 1, "")
        return MilvusScores(self._search_words, question, "", best[0][1]) if best else None

    def word_frequency(self, stem: str) -> int:
        found = self.milvus.query(self.names["words"], f"stem == {literal(stem)}", ["chunks"])
        return int(found[0]["chunks"]) if found else 0

    def rows_of_article(self, article_id: str) -> list[int]:
        expression = f"article_id == {literal(article_id)}"
        return sorted(
            r["row"] for r in self.milvus.query_all(self.names["chunks"], expression, ["row"])
        )

    def article(self, article_id: str) -> Article | None:
        found = self.articles_meta([article_id]).get(article_id)
        if found is None:
            return None
        text = self._text(article_key(article_id)) or ""
        return replace(found, text=text)

    def articles_meta(self, ids: Sequence[str]) -> dict[str, Article]:
        unique = list(dict.fromkeys(ids))
        if not unique:
            return {}
        expression = f"id in [{', '.join(literal(i) for i in unique)}]"
        return {
            r["id"]: _article(r)
            for r in self.milvus.query(self.names["articles"], expression, ARTICLE_FIELDS)
        }

    def list_articles(self, offset: int, limit: int) -> list[Article]:
        expression = f"ordinal >= {int(offset)} and ordinal < {int(offset) + int(limit)}"
        found = self.milvus.query(self.names["articles"], expression, [*ARTICLE_FIELDS, "ordinal"])
        return [_article(r) for r in sorted(found, key=lambda r: r["ordinal"])]

    def rows_matching(self, filters: Filters) -> MatchingRows:
        return MatchingRows(filters_expression(filters), self._rows_where)

    def _rows_where(self, expression: str) -> list[int]:
        return sorted(
            r["row"] for r in self.milvus.query_all(self.names["chunks"], expression, ["row"])
        )

    def facets(self) -> dict[str, Any]:
        return self._facets

    def articles_quoting(self, text: str) -> list[str]:
        """Read every article's text (Milvus 2.3 matches prefixes only): the slow path."""
        parts: dict[str, list[tuple[int, str]]] = defaultdict(list)
        expression = f"owner like {literal(ARTICLE_PREFIX + '%')}"
        for found in self.milvus.query_all(
            self.names["texts"], expression, ["owner", "part", "text"]
        ):
            parts[found["owner"]].append((found["part"], found["text"]))
        whole = {owner: "".join(t for _, t in sorted(p)) for owner, p in parts.items()}
        return sorted(o[len(ARTICLE_PREFIX) :] for o, t in whole.items() if text in t)

    def close(self) -> None:
        self.milvus.close()


def _article(row: dict[str, Any]) -> Article:
    """An article record without its text."""
    return Article(
        id=row["id"],
        title=row["title"],
        text="",
        source=row["source"],
        url=row["url"] or None,
        published=None if row["published"] == NO_DATE else row["published"],
        metadata=dict(row["metadata"]),
        pages=tuple(json.loads(row["pages"])),
    )
