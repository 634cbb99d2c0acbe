"""Searcher: question → ranked, de-duplicated passages (dense, BM25 or both fused) → Answer."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.answer import Answer, Citation, Passage, pick_answer
from qa.config import Settings
from qa.embedding import Embedder, load_embedder
from qa.lexical import LexicalIndex
from qa.store import IndexCorrupt, IndexReader

MODES = ("hybrid", "dense", "bm25")
MAX_K = 50
# How many candidates each ranking contributes before fusion and de-duplication.
CANDIDATES = 50
# Weight of the relative BM25 score next to the cosine in hybrid mode.
HYBRID_WEIGHT = 0.3
# Passages this close (cosine of their vectors) count as copies of one another.
COPY_COSINE = 0.97


@dataclass
class Candidate:
    row: int
    fused: float
    cosine: float
    vector: np.ndarray
    copies: int = 0


class Searcher:
    """Loads an index once (checked against the model) and answers questions over it."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or load_embedder(settings)
        self.reader = IndexReader(Path(settings.index_dir))
        self.reader.check_compatible(
            settings.model, self.embedder.weights_hash, settings.chunker_fingerprint()
        )
        try:
            self.lexical = LexicalIndex.load(self.reader.path, self.reader.chunk_count)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorrupt(
                f"index at {self.reader.path}: the BM25 index is missing or damaged ({exc}): "
                "run `qa build --full` to rebuild it"
            ) from None

    @property
    def manifest(self) -> dict:
        return self.reader.manifest

    def ask(self, question: str, k: int = 5, mode: str = "hybrid") -> Answer:
        """The answer sentence and the top-k passages, with exact citations."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        started = time.perf_counter()
        query = self.embedder.encode_query(question)
        candidates = self.retrieve(question, query, k, mode)
        passages = self._passages(candidates)
        answer_text, answer_passage, highlights = pick_answer(
            question, query, passages, self.embedder.encode
        )
        passages = [
            Passage(p.rank, p.score, p.text, highlights.get(p.rank), p.copies, p.citation, p.row)
            for p in passages
        ]
        return Answer(
            question=question,
            mode=mode,
            text=answer_text,
            passage=answer_passage,
            passages=passages,
            took_ms=(time.perf_counter() - started) * 1000,
        )

    def retrieve(self, question: str, query: np.ndarray, k: int, mode: str) -> list[Candidate]:
        """Top-k candidates by the chosen ranking, near-copies folded into the first seen.

        Hybrid scores a candidate by its cosine plus HYBRID_WEIGHT times its BM25 score relative
        to the best BM25 score for the question: names and numbers count, meaning still leads.
        """
        pool = max(CANDIDATES, 4 * k)
        lexical = self.lexical.scores(question) if mode != "dense" else None
        rows: list[int] = []
        if mode != "bm25":
            rows.extend(self.reader.search(query, pool)[1].tolist())
        if lexical is not None:
            rows.extend(_top_rows(lexical, pool))
        rows = list(dict.fromkeys(rows))
        vectors = self.reader.vectors_of(rows)
        cosines = vectors @ query if rows else np.zeros(0, dtype=np.float32)
        relative = np.zeros(len(rows), dtype=np.float32)
        if lexical is not None and rows and lexical.max() > 0:
            relative = lexical[rows] / lexical.max()
        if mode == "dense":
            keys = cosines
        elif mode == "bm25":
            keys = relative
        else:
            keys = cosines + HYBRID_WEIGHT * relative
        kept: list[Candidate] = []
        for position in np.argsort(-keys, kind="stable"):
            vector = vectors[position]
            original = next((c for c in kept if float(c.vector @ vector) >= COPY_COSINE), None)
            if original is not None:
                original.copies += 1
            elif len(kept) < k:
                kept.append(
                    Candidate(
                        rows[position], float(keys[position]), float(cosines[position]), vector
                    )
                )
        return kept

    def _passages(self, candidates: list[Candidate]) -> list[Passage]:
        chunks = self.reader.chunks([c.row for c in candidates])
        articles = self.reader.articles_meta([c.article_id for c in chunks])
        passages = []
        for rank, (candidate, chunk) in enumerate(zip(candidates, chunks, strict=True), start=1):
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
            )
            passages.append(
                Passage(
                    rank, candidate.cosine, chunk.text, None, candidate.copies, citation, chunk.row
                )
            )
        return passages


def _top_rows(scores: np.ndarray, k: int) -> list[int]:
    """Rows of the k highest positive scores, best first."""
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return top[scores[top] > 0].tolist()
