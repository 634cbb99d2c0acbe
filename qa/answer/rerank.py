"""An optional cross-encoder (QA_RERANKER: a Hugging Face id or a local directory) that re-scores
the top passages and the candidate answer sentences, for users who have such a model
(cross-encoder/ms-marco-MiniLM-L-6-v2, say). Off by default: none ships offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cache

import numpy as np

from qa.answer.read import PassageFeatures, SentenceFeatures
from qa.answer.records import Passage
from qa.answer.tuned import ANSWER_PASSAGES, RESCORE


class Reranker:
    """A sentence-transformers CrossEncoder scoring (question, text) pairs."""

    def __init__(self, name: str) -> None:
        from sentence_transformers import CrossEncoder  # only when a reranker is configured

        self.name = name
        self.model = CrossEncoder(name, device="cpu")

    def scores(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """One relevance score a text, higher the better."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        pairs = [(question, text) for text in texts]
        return np.asarray(self.model.predict(pairs, show_progress_bar=False), dtype=np.float32)

    def reorder(
        self, question: str, passages: list[Passage], read: list[PassageFeatures]
    ) -> tuple[list[Passage], list[PassageFeatures]]:
        """The first RESCORE passages in the order of their cross-encoder scores."""
        scores = self.scores(question, [p.text for p in passages[:RESCORE]])
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        order += list(range(len(scores), len(passages)))
        ranked = [replace(passages[i], rank=rank) for rank, i in enumerate(order, start=1)]
        return ranked, [read[i] for i in order]

    def answer_sentence(
        self, question: str, passages: Sequence[Passage], read: Sequence[PassageFeatures]
    ) -> SentenceFeatures | None:
        """Of every sentence of the first ANSWER_PASSAGES passages listed, the one it scores
        highest (ranked as its passage is)."""
        candidates = [
            replace(sentence, rank=passage.rank)
            for passage, features in zip(passages[:ANSWER_PASSAGES], read, strict=False)
            for sentence in features.sentences
        ]
        texts = [passages[s.rank - 1].text[slice(*s.span)] for s in candidates]
        scores = self.scores(question, texts)
        return candidates[int(np.argmax(scores))] if candidates else None


@cache
def load_reranker(name: str) -> Reranker:
    """The cross-encoder `name`, loaded once per process."""
    return Reranker(name)
