"""Embedding backends: the same model weights run by torch (fp32) or by OpenVINO (bf16 / int8).

The OpenVINO model is converted locally from the loaded sentence-transformers model (pooling and
normalization included), cached per weights hash with its tokenizer and its compiled form, and
reused without loading torch; nothing is downloaded. The int8
variant is statically quantized (NNCF), calibrated on local text: the chunks being indexed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import BACKENDS
from qa.embed.tokens import Pieces

# How many texts a static int8 calibration wants; fewer than CALIBRATION_MIN is not enough.
CALIBRATION_SIZE = 300
CALIBRATION_MIN = 64
MODEL_FILE = "model.xml"
# Beside it: what the embedder needs to run it without loading the torch model (qa.embed.tokens).
DESCRIPTION_FILE = "embedder.json"
COMPILED_FOLDER = "compiled"  # OpenVINO's own cache of the model compiled for this CPU
# Texts per batch, measured on 2 cores (length-sorted batches; see README "Speed"). OpenVINO
# likes big batches of the even lengths a build sorts into, but small ones for the few mixed
# sentences of one answer (less padding): SMALL_CALL texts or fewer use the small batch.
BEST_BATCH = {"torch": 16, "openvino": 64, "openvino-int8": 64}
SMALL_BATCH = 16
SMALL_CALL = 256
# CPU features under which OpenVINO runs int8 matrix products natively (else int8 is slower).
INT8_FLAGS = {"avx512_vnni", "avx_vnni", "amx_int8"}

log = logging.getLogger(__name__)


class BackendUnavailable(RuntimeError):
    """This backend cannot run here; the message says why (the caller falls back to torch)."""


@cache
def cpu_flags() -> frozenset[str]:
    """The instruction-set flags of this CPU (empty where /proc/cpuinfo is missing)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def resolve_backend(requested: str) -> str:
    """The backend to use for `requested`: "auto" is OpenVINO where it is installed.

    "auto" is not int8: int8 measured 1.5x faster than bf16 with the same hit@k, but its model
    is calibrated on whatever corpus is built first; bf16 (OpenVINO's default on CPUs that have
    it) needs no calibration and gives the fp32 vectors to a cosine of 0.99998 (README "Speed").
    A request this machine cannot honour steps down (int8 → openvino → torch) with a one-line
    notice; "auto" steps down silently.
    """
    if requested not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {requested!r}")
    wanted = "openvino" if requested == "auto" else requested
    if wanted == "openvino-int8" and not (cpu_flags() & INT8_FLAGS):
        _notice(requested, "openvino", "this CPU has no VNNI/AMX int8 instructions")
        wanted = "openvino"
    if wanted == "openvino-int8" and not _importable("nncf"):
        _notice(requested, "openvino", "nncf is not installed (pip install 'article-qa[fast]')")
        wanted = "openvino"
    if wanted == "openvino" and not _importable("openvino"):
        _notice(requested, "torch", "openvino is not installed (pip install 'article-qa[fast]')")
        wanted = "torch"
    return wanted


def fall_back(requested: str, reason: str) -> str:
    """Announce that `requested` failed at run time and that torch takes over."""
    _notice(requested, "torch", reason, always=True)
    return "torch"


def _notice(requested: str, used: str, reason: str, always: bool = False) -> None:
    if always or requested != "auto":
        log.warning(
            "notice: embedding backend %s unavailable (%s); using %s", requested, reason, used
        )


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# Bumped when the converted model's outputs change, so that an older cached model is not reused.
# 2: the token vectors as a second output (sentence vectors are pooled from them).
CONVERTED_VERSION = 2


def cache_folder(root: Path, weights_hash: str, backend: str) -> Path:
    """Where the converted model of these weights for this backend lives."""
    return Path(root).expanduser() / f"{weights_hash[:16]}-{backend}-v{CONVERTED_VERSION}"


class OpenVinoRunner:
    """A compiled OpenVINO model: padded token ids and mask in; unit-length vectors and the
    token vectors they were pooled from out."""

    def __init__(self, model_file: Path, threads: int = 0) -> None:
        import openvino as ov

        core = ov.Core()
        # Latency hint: one request uses every core, which is what both a build and a query want
        # (unless `threads` says fewer: a Ray actor keeps to the CPUs it reserved).
        # The compiled model is cached beside the converted one: a second of every start.
        # Its threads are not pinned to cores: on a host shared with other work a pinned thread
        # waits for its own core while the other is free (a question's embedding inside an
        # answer, load 5 to 7: p50 37 ms pinned, 25 ms not; the same vectors).
        config: dict[str, Any] = {
            "PERFORMANCE_HINT": "LATENCY",
            "CACHE_DIR": str(model_file.parent / COMPILED_FOLDER),
            "ENABLE_CPU_PINNING": False,
        }
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self.compiled = core.compile_model(str(model_file), "CPU", config)
        self.precision = str(self.compiled.get_property("INFERENCE_PRECISION_HINT"))
        self._local = threading.local()  # an infer request serves one thread at a time

    def __call__(
        self, input_ids: np.ndarray, attention_mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self.compiled.create_infer_request()
        result = request.infer({"input_ids": input_ids, "attention_mask": attention_mask})
        # Copies: the request reuses its buffers.
        return np.array(result[0], dtype=np.float32), np.array(result[1], dtype=np.float32)


def open_openvino(
    load_model: Callable[[], Any],
    folder: Path,
    calibration: Sequence[tuple[np.ndarray, np.ndarray]] | None,
    threads: int = 0,
) -> OpenVinoRunner:
    """The runner for the model cached in `folder`, converting (and quantizing) it first if absent.

    `load_model` gives the sentence-transformers model, needed only to convert. `calibration`
    (token id and mask batches) is given for int8 only; a cached model ignores it.
    `threads`: the CPU threads it may use (0: every core).
    """
    model_file = folder / MODEL_FILE
    if not model_file.is_file():
        _convert(load_model(), folder, calibration)
    try:
        return OpenVinoRunner(model_file, threads)
    except RuntimeError as exc:  # a damaged cache: convert again once
        log.warning("notice: rebuilding the cached model in %s (%s)", folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
        _convert(load_model(), folder, calibration)
        return OpenVinoRunner(model_file, threads)


def read_description(folder: Path) -> tuple[int, int, Pieces] | None:
    """The vector size, word-piece limit and tokenizer saved beside a converted model, if any."""
    try:
        described = json.loads((folder / DESCRIPTION_FILE).read_text(encoding="utf-8"))
        pieces = Pieces.load(folder, int(described["max_pieces"]))
    except Exception:  # missing or damaged (tokenizers raises plain Exception): load the model
        return None
    if not (folder / MODEL_FILE).is_file():
        return None
    return int(described["dim"]), pieces.max_pieces, pieces


def write_description(folder: Path, dim: int, pieces: Pieces) -> None:
    """Save what read_description reads (the tokenizer first: the description is the marker)."""
    with contextlib.suppress(OSError):
        pieces.save(folder)
        described = json.dumps({"dim": dim, "max_pieces": pieces.max_pieces})
        staging = folder / f".{DESCRIPTION_FILE}.tmp"
        staging.write_text(described, encoding="utf-8")
        staging.replace(folder / DESCRIPTION_FILE)


def _convert(
    model: Any, folder: Path, calibration: Sequence[tuple[np.ndarray, np.ndarray]] | None
) -> None:
    """Convert the sentence-transformers model to OpenVINO IR, written atomically into `folder`."""
    import openvino as ov
    import torch
    from transformers.utils import logging as transformers_logging

    class Pooled(torch.nn.Module):
        """The whole sentence-transformers pipeline (encoder, mean pooling, normalize), and the
        encoder's token vectors (for sentence vectors pooled from a passage's pass)."""

        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor
        ) -> tuple[torch.Tensor, torch.Tensor]:
            features = self.inner({"input_ids": input_ids, "attention_mask": attention_mask})
            return features["sentence_embedding"], features["token_embeddings"]

    example = {
        "input_ids": torch.ones((2, 8), dtype=torch.int64),
        "attention_mask": torch.ones((2, 8), dtype=torch.int64),
    }
    # Tracing warns about shapes it freezes (they hold for every input here) and transformers
    # about a loss it never uses: noise for the user of a one-time conversion.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        transformers_logging.set_verbosity_error()
        converted = ov.convert_model(Pooled().eval(), example_input=example)
    if calibration is not None:
        converted = _quantize(converted, calibration)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        ov.save_model(converted, str(staging / MODEL_FILE))
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _quantize(converted: Any, calibration: Sequence[tuple[np.ndarray, np.ndarray]]) -> Any:
    """Static int8 quantization (weights and activations), calibrated on local batches."""
    import nncf

    logging.getLogger("nncf").setLevel(logging.ERROR)
    data = nncf.Dataset([{"input_ids": ids, "attention_mask": mask} for ids, mask in calibration])
    # NNCF draws progress bars on stdout, where `qa build --json` prints its summary.
    with contextlib.redirect_stdout(sys.stderr):
        return nncf.quantize(
            converted,
            data,
            model_type=nncf.ModelType.TRANSFORMER,
            subset_size=len(calibration),
        )
