"""The first stage: candidates by meaning and by words, fused, near-copies folded, as Passages."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from qa.answer.records import Citation, Passage
from qa.answer.tuned import CANDIDATES, COPY_COSINE, HYBRID_WEIGHT, PREFER_WEIGHT
from qa.index.protocol import Index, LexicalScores


@dataclass
class FusedHit:
    """A chunk row the first stage kept: its fused score, its cosine, and the copies folded."""

    row: int
    fused: float
    cosine: float
    copies: int = 0


def retrieve(
    index: Index,
    query: np.ndarray,
    lexical: LexicalScores | None,
    k: int,
    mode: str,
    among: Sequence[int] | None = None,
    prefer: Collection[str] = (),
) -> list[FusedHit]:
    """Top-k rows by the chosen ranking (among the rows `among` only, when given), near-copies
    folded into the first seen; rows of the articles in `prefer` gain PREFER_WEIGHT.

    Hybrid scores a row by its cosine plus HYBRID_WEIGHT times its BM25 score relative to the
    best BM25 score for the question: names and numbers count, meaning still leads.
    """
    pool = max(CANDIDATES, 4 * k)
    if among is not None and lexical is not None:
        lexical = lexical.within(among)
    rows: list[int] = []
    if mode != "bm25":
        rows.extend(index.search(query, pool, among)[1].tolist())
    if lexical is not None:
        rows.extend(lexical.top(pool))
    rows = list(dict.fromkeys(rows))
    vectors = index.vectors_of(rows)
    cosines = vectors @ query if rows else np.zeros(0, dtype=np.float32)
    relative = np.zeros(len(rows), dtype=np.float32)
    if lexical is not None and rows and lexical.best > 0:
        relative = lexical.of(rows) / lexical.best
    if mode == "dense":
        keys = cosines
    elif mode == "bm25":
        keys = relative
    else:
        keys = cosines + HYBRID_WEIGHT * relative
    if prefer and rows:
        preferred = [c.article_id in prefer for c in index.chunks(rows)]
        keys = keys + PREFER_WEIGHT * np.asarray(preferred, dtype=np.float32)
    return _folded(rows, keys, cosines, vectors, k)


def _folded(
    rows: list[int], keys: np.ndarray, cosines: np.ndarray, vectors: np.ndarray, k: int
) -> list[FusedHit]:
    """The k best rows by `keys` that copy no better one, each with the count of the rows
    (anywhere in `rows`) that copy it and no better kept one.

    One matrix-vector product per kept row, never the rows × rows matrix: a product that size
    goes to BLAS's threads, which on a loaded host cost 8 ms where one thread takes 0.3 ms.
    """
    order = np.argsort(-keys, kind="stable")
    covered = np.zeros(len(rows), dtype=bool)
    positions: list[int] = []  # of the kept rows, in `rows`
    near: list[np.ndarray] = []  # per kept row: which rows copy it
    for position in order.tolist():
        if len(positions) == k:
            break
        if not covered[position]:
            positions.append(position)
            near.append((vectors @ vectors[position]) >= COPY_COSINE)
            covered |= near[-1]
    kept = [FusedHit(rows[p], float(keys[p]), float(cosines[p])) for p in positions]
    if kept:
        copying = np.stack(near, axis=1)
        copying[positions] = False  # a kept row copies itself, and no better kept one
        for first in np.argmax(copying[copying.any(axis=1)], axis=1).tolist():
            kept[first].copies += 1
    return kept


def passages_of(index: Index, hits: list[FusedHit]) -> list[Passage]:
    """The hits as ranked passages with their citations (no highlight yet)."""
    chunks = index.chunks([h.row for h in hits])
    articles = index.articles_meta([c.article_id for c in chunks])
    passages = []
    for rank, (hit, chunk) in enumerate(zip(hits, chunks, strict=True), start=1):
        article = articles[chunk.article_id]
        citation = Citation(
            article_id=article.id,
            title=article.title,
            source=article.source,
            published=article.published,
            url=article.url,
            paragraph=chunk.paragraph,
            start=chunk.start,
            end=chunk.end,
            page=article.page_at(chunk.start),
        )
        passages.append(Passage(rank, hit.cosine, chunk.text, None, hit.copies, citation, hit.row))
    return passages
