"""QA_RERANKER: a cross-encoder re-scores the passages and picks the answer sentence (here a tiny
one the test makes: the plumbing, not the quality)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa.answer.rerank import load_reranker
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.index.reader import LocalIndex
from tests.conftest import SEED_QUESTION
from tests.tiny_models import tiny_bert


@pytest.fixture(scope="module")
def reranked(
    tmp_path_factory: pytest.TempPathFactory, seed_index: Settings, embedder: Embedder
) -> Searcher:
    folder = tiny_bert(
        tmp_path_factory.mktemp("reranker"), "BertForSequenceClassification", num_labels=1
    )
    return Searcher(seed_index.overridden(reranker=str(folder)), embedder=embedder)


def test_the_reranker_orders_the_passages_and_is_named(reranked: Searcher) -> None:
    answer = reranked.ask(SEED_QUESTION, k=4)
    data = answer.to_dict()
    assert data["reranker"] == reranked.settings.reranker
    scores = load_reranker(reranked.settings.reranker).scores(
        SEED_QUESTION, [p.text for p in answer.passages]
    )
    assert np.all(np.diff(scores) <= 1e-6)  # best first, by the cross-encoder


def test_reranked_answers_keep_exact_citations(reranked: Searcher) -> None:
    answer = reranked.ask("Who is the Kremlin spokesman?", k=4)
    index = LocalIndex(Path(reranked.settings.index_dir))
    for passage in answer.passages:
        text = index.article(passage.citation.article_id).text
        assert text[passage.citation.start : passage.citation.end] == passage.text
        assert passage.highlight is not None
    if answer.text is not None:
        cited = answer.passages[answer.passage - 1]
        assert cited.text[slice(*cited.highlight)] == answer.text


def test_no_reranker_by_default(seed_searcher: Searcher) -> None:
    assert seed_searcher.reranker is None
    assert seed_searcher.ask(SEED_QUESTION).to_dict()["reranker"] is None
