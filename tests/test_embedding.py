"""The Embedder's passage pass: passage vectors, and sentence vectors pooled from its tokens."""

from __future__ import annotations

import numpy as np
import pytest

from qa.config import Settings
from qa.embed.embedder import Embedder, load_embedder
from qa.text.spans import split_chunk
from tests.conftest import SEED_FILE

PASSAGES = [
    SEED_FILE.read_text(encoding="utf-8")[2240:2781],
    "Floods in Leeds closed the railway station on Monday. Engineers expect repairs to last "
    "a week. Buses replace trains.",
    "One sentence only, with no full stop at the end",
]


@pytest.fixture(scope="module")
def fp32() -> Embedder:
    return load_embedder(Settings(backend="torch"))


def test_passage_vectors_are_the_model_s_own(fp32: Embedder) -> None:
    vectors, _ = fp32.encode_passages(PASSAGES, [split_chunk(p) for p in PASSAGES])
    assert np.min(np.sum(vectors * fp32.encode(PASSAGES), axis=1)) > 0.9999


def test_sentence_vectors_pool_the_passage_s_tokens_inside_each_sentence(fp32: Embedder) -> None:
    spans = [split_chunk(p) for p in PASSAGES]
    _, pooled = fp32.encode_passages(PASSAGES, spans)
    tokens = fp32.model.encode(PASSAGES, output_value="token_embeddings")
    offsets = fp32.model.tokenizer(PASSAGES, return_offsets_mapping=True)["offset_mapping"]
    for passage_tokens, passage_offsets, found, vectors in zip(
        tokens, offsets, spans, pooled, strict=True
    ):
        assert vectors.shape == (len(found), fp32.dim)
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
        for (start, end), vector in zip(found, vectors, strict=True):
            inside = [i for i, (a, b) in enumerate(passage_offsets) if b > a and start <= a < end]
            expected = passage_tokens[inside].mean(dim=0).numpy()
            assert float(vector @ expected / np.linalg.norm(expected)) > 0.9999


def test_each_sentence_is_closest_to_a_question_about_it(fp32: Embedder) -> None:
    spans = split_chunk(PASSAGES[1])
    _, (vectors,) = fp32.encode_passages([PASSAGES[1]], [spans])
    question = fp32.encode_query("What replaced the trains?")
    best = spans[int(np.argmax(vectors @ question))]
    assert PASSAGES[1][slice(*best)] == "Buses replace trains."


def test_no_passages_is_no_vectors(fp32: Embedder) -> None:
    vectors, pooled = fp32.encode_passages([], [])
    assert vectors.shape == (0, fp32.dim) and pooled == []
