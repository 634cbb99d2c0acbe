"""The Searcher: question → ranked, de-duplicated passages (dense, BM25 or both fused) → Answer.

The façade the CLI and the web app call. Each stage is a module of its own: the question read
(question), candidates fused and folded (retrieve), sentences and passages read and re-ranked
(read), "not found" (not_found); the index is anything that implements qa.index.protocol.Index.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from qa.answer.conversation import Resolution, Turn, resolve
from qa.answer.not_found import NotFoundFeatures
from qa.answer.question import Query
from qa.answer.read import (
    PassageFeatures,
    SentenceFeatures,
    answer_first,
    answer_sentence,
    best_per_passage,
    features_of,
    rescored,
)
from qa.answer.readers import reader_for
from qa.answer.records import VAGUE_NOTICE, Answer, Passage
from qa.answer.rerank import Reranker, load_reranker
from qa.answer.retrieve import FusedHit, passages_of, retrieve
from qa.answer.tuned import ANSWER_PASSAGES, RESCORE
from qa.config import MODES, Settings
from qa.embed.embedder import Embedder, load_embedder
from qa.index.errors import ModeUnavailable
from qa.index.filters import Filters
from qa.index.location import open_index
from qa.index.protocol import Index
from qa.text import forms, rarity


@dataclass(frozen=True)
class FirstStage:
    """The question read, the hits kept by the first stage, their passages and features."""

    query: Query
    hits: list[FusedHit]
    passages: list[Passage]
    features: list[PassageFeatures]


@dataclass(frozen=True)
class SearchResult:
    """What a search found: passages (best sentences highlighted) and the answer's evidence."""

    passages: list[Passage]
    # The answer sentence, ranked among `passages` (None when it lies in a passage not listed,
    # which happens only to a withheld answer: a given one's passage is listed first).
    best: SentenceFeatures | None
    not_found: NotFoundFeatures | None  # what the "not found" model weighs about the answer
    unknown_words: tuple[str, ...]  # the question's words that no indexed chunk contains
    # The question holds no word but function words ("what is it?"): nothing to answer about.
    vague: bool = False


class Searcher:
    """Opens an index once (checked against the model) and answers questions over it."""

    def __init__(
        self, settings: Settings, embedder: Embedder | None = None, index: Index | None = None
    ) -> None:
        self.settings = settings
        # The index first: a missing one is reported at once, before seconds of model loading.
        self.index = index or open_index(settings.index_dir)
        self.embedder = embedder or load_embedder(settings)
        self.index.check_compatible(
            settings.model, self.embedder.weights_hash, settings.chunker_fingerprint()
        )
        self.reranker: Reranker | None = (
            load_reranker(settings.reranker) if settings.reranker else None
        )
        self.reader = reader_for(settings.reader)
        rarity.warm_up()
        forms.warm_up()

    @property
    def manifest(self) -> dict:
        return self.index.manifest

    def ask(
        self,
        question: str,
        k: int = 5,
        mode: str = "hybrid",
        filters: Filters = (),
        history: Sequence[Turn] = (),
    ) -> Answer:
        """The answer sentence and the top-k passages, with exact citations; only passages of
        articles that satisfy `filters`; a follow-up resolved against the earlier turns.

        The answer is None when the calibrated "not found" model doubts the best sentence.
        """
        started = time.perf_counter()
        resolution = resolve(question, history, self.index) if history else Resolution(question)
        among = self.index.rows_matching(filters) if filters else None
        found = self.find(resolution.searched, k, mode, among, resolution.articles)
        best = found.best
        answered = found.not_found is not None and found.not_found.answers
        short = (
            self.reader.read(resolution.searched, found.passages, best.rank) if answered else None
        )
        return Answer(
            question=question,
            searched=resolution.searched,
            mode=mode,
            text=found.passages[best.rank - 1].text[slice(*best.span)] if answered else None,
            passage=best.rank if answered else None,
            passages=found.passages,
            took_ms=(time.perf_counter() - started) * 1000,
            unknown_words=found.unknown_words,
            reranker=self.reranker.name if self.reranker else None,
            short=short,
            reader=self.reader.name,
            notice=VAGUE_NOTICE if found.vague else None,
        )

    def find(
        self,
        question: str,
        k: int,
        mode: str,
        among: Sequence[int] | None = None,
        prefer: Collection[str] = (),
    ) -> SearchResult:
        """Ranked passages with their best sentences highlighted, and the answer's evidence.

        The answer is read from the first ANSWER_PASSAGES passages whatever `k`: its passage is
        listed first, so that one passage asked for is the answer's, not merely the first ranked.
        """
        read_k = max(k, ANSWER_PASSAGES)
        depth = max(read_k, RESCORE) if mode == "hybrid" else read_k
        stage = self.first_stage(question, depth, mode, among, prefer)
        passages, read = stage.passages, stage.features
        if mode == "hybrid":
            passages, read = rescored(passages, read)
        if self.reranker:
            passages, read = self.reranker.reorder(question, passages, read)
        passages = passages[:read_k]
        if self.reranker:
            winner = self.reranker.answer_sentence(question, passages, read)
        else:
            winner = answer_sentence(question, passages, read)
        best = best_per_passage(read[:read_k])  # only the passages read are highlighted
        best |= {winner.rank: winner} if winner else {}  # its passage highlights the answer
        passages = [
            replace(p, highlight=best[p.rank].span if p.rank in best else None) for p in passages
        ]
        unknown = stage.query.words.unseen
        if not stage.query.words.informative:
            return SearchResult(passages[:k], None, None, unknown, vague=True)
        if winner is None:
            return SearchResult(passages[:k], None, None, unknown)
        evidence = NotFoundFeatures.of(
            winner,
            passages[winner.rank - 1],
            read[winner.rank - 1],
            stage.query,
            self.index.chunk_count,
        )
        if evidence.answers:
            passages, winner = answer_first(passages, winner)
        return SearchResult(passages[:k], winner if winner.rank <= k else None, evidence, unknown)

    def first_stage(
        self,
        question: str,
        depth: int,
        mode: str,
        among: Sequence[int] | None = None,
        prefer: Collection[str] = (),
    ) -> FirstStage:
        """The question read, and the `depth` best passages of `mode` with their features
        (among the rows `among` only, when given; the articles in `prefer` preferred)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        missing = self.index.lacks(mode)
        if missing:
            raise ModeUnavailable(missing)
        query = Query.of(question, self.index, self.embedder)
        lexical = self.index.lexical_scores(question) if mode != "dense" else None
        hits = retrieve(self.index, query.vector, lexical, depth, mode, among, prefer)
        passages = passages_of(self.index, hits)
        return FirstStage(query, hits, passages, features_of(self.index, query, hits, passages))
