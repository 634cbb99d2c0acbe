"""The vector index: exact while small, IVF above a threshold, memory-mapped, reconstructible."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.index.build import build_index
from qa.index.errors import IndexCorrupt
from qa.index.layout import EXACT_VECTORS, VECTORS
from qa.index.reader import LocalIndex
from qa.index.rows import RowFile
from qa.index.vectors import VectorSearch, describe, make_vector_index, read_vector_index

from .conftest import SEED_QUESTION, SEEDS, only_segment

SEED_QUESTIONS = (
    SEED_QUESTION,
    "how many Russian soldiers were killed?",
    "where did the militants attack?",
    "what did the Syrian army say?",
)


@pytest.fixture(scope="module")
def seed_vectors(seed_index: Settings) -> np.ndarray:
    reader = LocalIndex(seed_index.index_dir)
    return reader.vectors_of(range(reader.chunk_count))


@pytest.fixture(scope="module")
def crowded(seed_vectors: np.ndarray) -> np.ndarray:
    """The seed chunks hidden among 30,000 random unit vectors: IVF then reads few lists."""
    noise = np.random.default_rng(7).standard_normal((30_000, seed_vectors.shape[1]))
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    return np.vstack([noise.astype(np.float32), seed_vectors])


def test_small_indexes_are_exact(crowded: np.ndarray) -> None:
    index = make_vector_index(crowded, Settings().ann_min_chunks)
    assert isinstance(index, faiss.IndexFlatIP)
    assert describe(index) == {"kind": "flat"}


def test_above_the_threshold_the_index_is_ivf(crowded: np.ndarray) -> None:
    index = make_vector_index(crowded, ann_min_chunks=1000)
    described = describe(index)
    assert described["kind"] == "ivf-sq8"
    assert 1 < described["probes"] < described["lists"]  # approximate: not every list is read
    assert index.ntotal == len(crowded)


def test_ivf_returns_the_exact_top_result_on_seed_questions(
    crowded: np.ndarray, embedder: Embedder
) -> None:
    exact = make_vector_index(crowded, Settings().ann_min_chunks)
    approximate = make_vector_index(crowded, ann_min_chunks=1000)
    queries = embedder.encode(list(SEED_QUESTIONS))
    _, expected = exact.search(queries, 1)
    _, found = approximate.search(queries, 1)
    assert expected[:, 0].tolist() == found[:, 0].tolist()
    assert (expected[:, 0] >= 30_000).all()  # the top results are seed chunks, not noise


def test_saved_ivf_loads_memory_mapped_and_reconstructs(
    crowded: np.ndarray, tmp_path: Path
) -> None:
    path = tmp_path / VECTORS
    faiss.write_index(make_vector_index(crowded, ann_min_chunks=1000), str(path))
    loaded = read_vector_index(path)
    rows = [0, 17, len(crowded) - 1]
    rebuilt = np.vstack([loaded.reconstruct(r) for r in rows])
    assert np.allclose(rebuilt, crowded[rows], atol=2e-2)  # SQ8 storage: close, not equal
    _, found = loaded.search(crowded[-1:], 1)
    assert found[0, 0] == len(crowded) - 1


def test_a_forced_ann_build_answers_like_the_exact_one(
    seed_index: Settings, seed_searcher: Searcher, make_settings, embedder: Embedder
) -> None:
    settings = make_settings(ann_min_chunks=1)
    build_index(settings, [str(SEEDS)], embedder=embedder)
    searcher = Searcher(settings, embedder=embedder)
    assert describe(searcher.index.segments[0].vectors.index)["kind"] == "ivf-sq8"
    for question in SEED_QUESTIONS:
        expected = seed_searcher.ask(question, k=3, mode="dense")
        found = searcher.ask(question, k=3, mode="dense")
        assert found.passages[0].text == expected.passages[0].text
        assert found.text == expected.text
        # Candidates are re-scored with the exact vectors: the same scores as exact search.
        assert found.passages[0].score == pytest.approx(expected.passages[0].score, abs=2e-3)
    reader = searcher.index
    rows = list(range(reader.chunk_count))
    assert np.allclose(reader.vectors_of(rows), seed_searcher.index.vectors_of(rows), atol=2e-3)
    # An incremental build reuses the exact vectors.
    summary = build_index(settings, [str(SEEDS)], embedder=embedder)
    assert summary.unchanged == summary.articles and summary.embedded_chunks == 0
    assert np.allclose(LocalIndex(settings.index_dir).vectors_of(rows), reader.vectors_of(rows))


def test_an_ann_index_without_its_exact_vectors_is_refused(make_settings, embedder) -> None:
    settings = make_settings(ann_min_chunks=1)
    build_index(settings, [str(SEEDS)], embedder=embedder)
    (only_segment(settings.index_dir) / EXACT_VECTORS).unlink()
    with pytest.raises(IndexCorrupt, match="qa build --full"):
        LocalIndex(settings.index_dir)


@pytest.mark.parametrize("approximate", [False, True])
def test_a_search_among_chosen_rows_keeps_to_them_and_is_exact(
    crowded: np.ndarray, tmp_path: Path, approximate: bool
) -> None:
    exact = None
    if approximate:
        np.save(tmp_path / "exact.npy", crowded.astype(np.float16))
        exact = RowFile(tmp_path / "exact.npy")
    search = VectorSearch(make_vector_index(crowded, 1000 if approximate else 10**6), exact)
    query = crowded[-1]  # a seed chunk: its own row is left out of the choice below
    rows = list(range(0, 30_000, 7))
    scores, found = search.search(query, 10, rows)
    truth = [rows[i] for i in np.argsort(-(crowded[rows] @ query))[:10]]
    assert len(found) == 10 and set(found.tolist()) <= set(rows)
    assert found[0] == truth[0] and set(found.tolist()) == set(truth)
    assert scores.tolist() == sorted(scores.tolist(), reverse=True)
    # Many rows: the index's own search, with a selector, still never leaves them.
    many = list(range(25_000))
    _, found = search.search(query, 10, many)
    assert len(found) == 10 and max(found) < 25_000
