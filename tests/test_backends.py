"""Embedding backends: OpenVINO vectors agree with fp32; unavailable backends fall back to torch."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.config import Settings
from qa.embed import backends
from qa.embed.embedder import Embedder, load_embedder
from qa.text.chunking import Chunker
from qa.text.spans import split_chunk

from .conftest import ROOT, SEED_FILE, SEED_QUESTION

pytest.importorskip("openvino", reason="the fast backends need openvino (the `fast` extra)")


@pytest.fixture(scope="module")
def fp32() -> Embedder:
    return load_embedder(Settings(backend="torch"))


@pytest.fixture(scope="module")
def seed_chunks(fp32: Embedder) -> list[str]:
    chunker = Chunker(
        Settings().encoding, 128, 32, count_pieces=fp32.count_pieces, max_pieces=fp32.max_pieces
    )
    return [c.text for c in chunker.chunk("seed", SEED_FILE.read_text(encoding="utf-8"))]


def test_openvino_vectors_are_close_to_fp32(fp32: Embedder, seed_chunks: list[str]) -> None:
    fast = load_embedder(Settings(backend="openvino"))
    assert fast.backend == "openvino"
    texts = [*seed_chunks, SEED_QUESTION]
    cosines = np.sum(fast.encode(texts) * fp32.encode(texts), axis=1)
    assert cosines.min() >= 0.99
    assert np.allclose(np.linalg.norm(fast.encode(texts), axis=1), 1, atol=1e-3)
    assert fast.encode([]).shape == (0, fp32.dim)


def test_openvino_sentence_vectors_are_close_to_fp32(
    fp32: Embedder, seed_chunks: list[str]
) -> None:
    fast = load_embedder(Settings(backend="openvino"))
    spans = [split_chunk(text) for text in seed_chunks]
    _, ours = fast.encode_passages(seed_chunks, spans)
    _, theirs = fp32.encode_passages(seed_chunks, spans)
    for a, b in zip(ours, theirs, strict=True):
        assert np.sum(a * b, axis=1).min() >= 0.99


def test_openvino_keeps_the_model_api(fp32: Embedder) -> None:
    fast = load_embedder(Settings(backend="openvino"))
    assert fast.weights_hash == fp32.weights_hash  # same weights: indexes are interchangeable
    assert (fast.dim, fast.max_pieces) == (fp32.dim, fp32.max_pieces)
    assert fast.count_pieces(["a convoy"]) == fp32.count_pieces(["a convoy"])
    query = fast.encode_query(SEED_QUESTION)
    assert query.shape == (fp32.dim,) and query.dtype == np.float32


def test_auto_picks_a_fast_backend_where_openvino_is_installed() -> None:
    assert backends.resolve_backend("auto") == "openvino"


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend must be one of"):
        backends.resolve_backend("tpu")


def test_missing_openvino_falls_back_to_torch_with_a_notice(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fp32: Embedder
) -> None:
    monkeypatch.setitem(sys.modules, "openvino", None)  # what an uninstalled package looks like
    with caplog.at_level(logging.WARNING, logger="qa.embed.backends"):
        embedder = Embedder(backend="openvino")
    assert embedder.backend == "torch"
    assert "openvino is not installed" in caplog.text and "using torch" in caplog.text
    assert len(caplog.records) == 1 and "\n" not in caplog.records[0].getMessage()
    assert np.allclose(embedder.encode([SEED_QUESTION]), fp32.encode([SEED_QUESTION]), atol=1e-5)


def test_int8_without_vnni_steps_down_to_openvino(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(backends, "cpu_flags", lambda: frozenset({"avx2"}))
    with caplog.at_level(logging.WARNING, logger="qa.embed.backends"):
        assert backends.resolve_backend("openvino-int8") == "openvino"
    assert "no VNNI/AMX int8 instructions" in caplog.text


def test_a_failing_runtime_falls_back_to_torch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, fp32: Embedder
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the model cache should be")
    embedder = Embedder(backend="openvino", cache_dir=blocked)
    with caplog.at_level(logging.WARNING, logger="qa.embed.backends"):
        vectors = embedder.encode([SEED_QUESTION])
    assert embedder.backend == "torch"
    assert "using torch" in caplog.text
    assert np.allclose(vectors, fp32.encode([SEED_QUESTION]), atol=1e-5)


def test_a_damaged_cached_model_is_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, fp32: Embedder
) -> None:
    folder = backends.cache_folder(tmp_path, fp32.weights_hash, "openvino")
    folder.mkdir(parents=True)
    (folder / backends.MODEL_FILE).write_text("<net>truncated")
    embedder = Embedder(backend="openvino", cache_dir=tmp_path)
    with caplog.at_level(logging.WARNING, logger="qa.embed.backends"):
        vector = embedder.encode_query(SEED_QUESTION)
    assert embedder.backend == "openvino"
    assert "rebuilding the cached model" in caplog.text
    assert float(vector @ fp32.encode_query(SEED_QUESTION)) >= 0.99


def test_repeated_texts_are_encoded_once_and_keep_their_rows(seed_chunks: list[str]) -> None:
    fast = load_embedder(Settings(backend="openvino"))
    texts = [seed_chunks[1], seed_chunks[0], seed_chunks[1]]
    vectors = fast.encode(texts)
    assert vectors.shape == (3, fast.dim)
    assert np.array_equal(vectors[0], vectors[2])
    assert np.allclose(vectors[:2], fast.encode(texts[:2]), atol=1e-6)


def test_a_described_cached_model_embeds_without_torch(seed_chunks: list[str]) -> None:
    fast = load_embedder(Settings(backend="openvino"))  # converts and describes it if need be
    folder = backends.cache_folder(fast.cache_dir, fast.weights_hash, "openvino")
    assert backends.read_description(folder) is not None
    script = (
        "import sys, json; from qa.embed.embedder import Embedder; "
        "e = Embedder(backend='openvino'); "
        "v = e.encode(json.loads(sys.stdin.read())); "
        "print(json.dumps([e.backend, e.dim, e.max_pieces, 'torch' in sys.modules, "
        "'sentence_transformers' in sys.modules, v.tolist()]))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(seed_chunks),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    backend, dim, max_pieces, torch, sentence_transformers, vectors = json.loads(run.stdout)
    assert (backend, dim, max_pieces) == ("openvino", fast.dim, fast.max_pieces)
    assert not torch and not sentence_transformers
    assert np.allclose(vectors, fast.encode(seed_chunks), atol=1e-5)
