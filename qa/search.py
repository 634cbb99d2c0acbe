"""Searcher: question → ranked, de-duplicated passages (dense, BM25 or both fused) → Answer."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from qa.answer import (
    NOT_FOUND_THRESHOLD,
    Answer,
    Citation,
    Evidence,
    Passage,
    Sentence,
    best_per_passage,
)
from qa.answer_type import AnswerType
from qa.config import Settings
from qa.embedding import Embedder, load_embedder
from qa.lexical import LexicalIndex, QuestionWords, content_words_of_spans
from qa.store import IndexCorrupt, IndexReader

MODES = ("hybrid", "dense", "bm25")
MAX_K = 50
# How many candidates each ranking contributes before fusion and de-duplication.
CANDIDATES = 50
# Weight of the relative BM25 score (score / best score for the question) next to the cosine.
HYBRID_WEIGHT = 0.3
# Hybrid re-ranks this many fused passages by their best sentences (vectors stored at build time).
RESCORE = 20
# Second-stage weights next to the fused score (of weight 1): the best sentence cosine, the best
# sentence's IDF-weighted share of the question's words, and that share for the whole passage.
# Chosen on the tuning half of the public sets (README, "Answer quality"; `bench/tune.py`).
SENTENCE_WEIGHT = 1.0
SENTENCE_WORDS_WEIGHT = 0.7
PASSAGE_WORDS_WEIGHT = 0.5
# Sentences of this many top passages compete for the answer in every mode.
ANSWER_PASSAGES = 3
# Passages this close (cosine of their vectors) count as copies of one another.
COPY_COSINE = 0.97


@dataclass(frozen=True)
class Finding:
    """What a search found: passages (best sentences highlighted) and the answer's evidence."""

    passages: list[Passage]
    best: Sentence | None
    evidence: Evidence | None  # what the "not found" model weighs about `best`
    unknown_words: tuple[str, ...]  # the question's words that no indexed chunk contains


@dataclass(frozen=True)
class Probe:
    """A question as the second stage reads it: its vector, its IDF-weighted content words and
    the kind of answer it asks for."""

    vector: np.ndarray
    words: QuestionWords
    asked: AnswerType


@dataclass(frozen=True)
class Reading:
    """A passage read against the question: its sentences, the IDF-weighted share of the
    question's words in the whole passage, and whether it lacks a number of the question."""

    sentences: list[Sentence]
    coverage: float
    lacks_number: bool


@dataclass
class Candidate:
    row: int
    fused: float
    cosine: float
    copies: int = 0


class Searcher:
    """Loads an index once (checked against the model) and answers questions over it."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        # The index first: a missing one is reported at once, before seconds of model loading.
        self.reader = IndexReader(Path(settings.index_dir))
        self.embedder = embedder or load_embedder(settings)
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
        """The answer sentence and the top-k passages, with exact citations.

        The answer is None when the calibrated "not found" model doubts the best sentence.
        """
        started = time.perf_counter()
        found = self.find(question, k, mode)
        best = found.best
        answered = (
            found.evidence is not None and found.evidence.probability() >= NOT_FOUND_THRESHOLD
        )
        return Answer(
            question=question,
            mode=mode,
            text=found.passages[best.rank - 1].text[slice(*best.span)] if answered else None,
            passage=best.rank if answered else None,
            passages=found.passages,
            took_ms=(time.perf_counter() - started) * 1000,
            unknown_words=found.unknown_words,
        )

    def find(self, question: str, k: int, mode: str) -> Finding:
        """Ranked passages with their best sentences highlighted, and the answer's evidence."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        probe = self.probe(question)
        lexical = self.lexical.scores(question) if mode != "dense" else None
        depth = max(k, RESCORE) if mode == "hybrid" else k
        candidates = self.retrieve(probe.vector, lexical, depth, mode)
        passages = self._passages(candidates)
        readings = self._read(passages, probe)
        if mode == "hybrid":
            passages, readings = _rescored(passages, readings, candidates)
        passages = passages[:k]
        best = best_per_passage(
            [replace(s, rank=rank) for rank, read in enumerate(readings, 1) for s in read.sentences]
        )
        passages = [
            replace(p, highlight=best[p.rank].span if p.rank in best else None) for p in passages
        ]
        contenders = [s for rank, s in best.items() if rank <= ANSWER_PASSAGES]
        winner = max(contenders, key=lambda s: s.score, default=None)
        if winner is None:
            return Finding(passages, None, None, probe.words.unseen)
        reading = readings[winner.rank - 1]
        evidence = Evidence(
            sentence=winner.cosine,
            passage=passages[winner.rank - 1].score,
            coverage=reading.coverage,
            unseen=float(bool(probe.words.unseen)),
            missing_number=float(reading.lacks_number),
        )
        return Finding(passages, winner, evidence, probe.words.unseen)

    def retrieve(
        self, query: np.ndarray, lexical: np.ndarray | None, k: int, mode: str
    ) -> list[Candidate]:
        """Top-k candidates by the chosen ranking, near-copies folded into the first seen.

        Hybrid scores a candidate by its cosine plus HYBRID_WEIGHT times its BM25 score relative
        to the best BM25 score for the question: names and numbers count, meaning still leads.
        """
        pool = max(CANDIDATES, 4 * k)
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
        copies = (vectors @ vectors.T) >= COPY_COSINE if rows else np.zeros((0, 0), dtype=bool)
        kept: list[Candidate] = []
        positions: list[int] = []  # of the kept candidates, in `rows`
        for position in np.argsort(-keys, kind="stable").tolist():
            original = np.flatnonzero(copies[position, positions]) if positions else ()
            if len(original):
                kept[original[0]].copies += 1
            elif len(kept) < k:
                kept.append(
                    Candidate(rows[position], float(keys[position]), float(cosines[position]))
                )
                positions.append(position)
        return kept

    def probe(self, question: str) -> Probe:
        """The question embedded (an answer's only model call) and read for the second stage."""
        return Probe(
            self.embedder.encode_query(question),
            self.lexical.question_words(question),
            AnswerType.of(question),
        )

    def _read(self, passages: list[Passage], probe: Probe) -> list[Reading]:
        """Each passage's sentences with their cosine, word overlap and answer kind.

        The sentence vectors were made at build time: answering embeds only the question.
        """
        words = probe.words
        readings = []
        for passage, found in zip(
            passages, self.reader.sentences.of_rows([p.row for p in passages]), strict=True
        ):
            present = content_words_of_spans(passage.text, found.spans)
            cosines = (found.vectors @ probe.vector).tolist()
            sentences = [
                Sentence(
                    passage.rank,
                    span,
                    cosine,
                    *words.overlap(words_in),
                    probe.asked.offered(passage.text[slice(*span)]),
                    words.focus(words_in),
                )
                for span, cosine, words_in in zip(found.spans, cosines, present, strict=True)
            ]
            everything = set().union(*present)
            readings.append(
                Reading(sentences, words.overlap(everything)[1], words.lacks_number(everything))
            )
        return readings

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


def _rescored(
    passages: list[Passage], readings: list[Reading], candidates: list[Candidate]
) -> tuple[list[Passage], list[Reading]]:
    """Hybrid's second stage: the first RESCORE passages re-ranked by fused score and sentences."""
    keys = [
        candidate.fused
        + SENTENCE_WEIGHT * max((s.cosine for s in read.sentences), default=0.0)
        + SENTENCE_WORDS_WEIGHT * max((s.weighted for s in read.sentences), default=0.0)
        + PASSAGE_WORDS_WEIGHT * read.coverage
        for candidate, read in zip(candidates[:RESCORE], readings, strict=False)
    ]
    order = sorted(range(len(keys)), key=lambda i: -keys[i])
    order += list(range(len(keys), len(passages)))
    ranked = [replace(passages[i], rank=rank) for rank, i in enumerate(order, start=1)]
    return ranked, [readings[i] for i in order]


def _top_rows(scores: np.ndarray, k: int) -> list[int]:
    """Rows of the k highest positive scores, best first."""
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return top[scores[top] > 0].tolist()
