"""The whole `qa build --full`, one process per backend, and the embedding alone, each against
plain fp32 encode in the same run.

Plain `SentenceTransformer.encode` fp32 (batch 32) runs on a sample of the same chunks before
each build and after the last one; each build's ratio is to the mean of the plain runs on either
side of it (CPU time on a shared host drifts). The breakdown splits the build's wall time into
process start (Python, imports, exit), model load, read, chunk, tokenize, model, pool and write.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import folder_bytes, percentiles, run_measured
from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.index.engine import make_chunker
from qa.index.layout import SEGMENTS, VECTORS
from qa.index.manifest import read_manifest
from qa.ingest.readers import read_sources

# The build's own timings, in order (qa.index.build and qa.index.engine name them).
STAGES = ("read", "reuse", "chunk", "embed", "write")
EMBED_STAGES = ("embed_tokenize", "embed_model", "embed_pool")
PLAIN_BATCH = 32


def first_articles(sources: Sequence[str], count: int, work: Path) -> list[str]:
    """A JSONL file of the first `count` articles of the first source (the issue's 800 BBC)."""
    lines = Path(sources[0]).read_text(encoding="utf-8").splitlines()[:count]
    target = work / f"articles-{count}.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [str(target)]


def run_build(sources: Sequence[str], backend: str, index_dir: Path) -> dict[str, Any]:
    """Run `qa --backend B build --full --json` and time the whole process; peak memory too."""
    command = [sys.executable, "-m", "qa", "--backend", backend, "build", "--full", "--json"]
    command += ["--index", str(index_dir), *sources]
    run = run_measured(command)
    if run.code not in (0, 3):
        raise RuntimeError(f"`{' '.join(command)}` failed: {run.stderr.decode()[-500:]}")
    summary, wall = json.loads(run.stdout), run.wall_s
    timings = summary["timings"]
    stages = {f"{name}_s": timings.get(name, 0.0) for name in (*STAGES, *EMBED_STAGES)}
    stages["start_s"] = wall - summary["seconds"]  # Python, imports, the CLI, exit
    stages["load_s"] = summary["seconds"] - sum(timings.get(name, 0.0) for name in STAGES)
    return {
        "backend": backend,
        "used": read_manifest(index_dir)["model"]["backend"],
        "articles": summary["articles"],
        "chunks": summary["chunks"],
        "wall_s": round(wall, 1),
        **{name: round(value, 2) for name, value in stages.items()},
        "peak_rss_mib": run.peak_rss_mib,
        "bytes_per_chunk": round(folder_bytes(index_dir) / summary["chunks"]),
        "vectors_bytes_per_chunk": round(vectors_bytes(index_dir) / summary["chunks"]),
    }


def vectors_bytes(index_dir: Path) -> int:
    """The bytes of the index's FAISS files (one per segment)."""
    return sum(p.stat().st_size for p in (index_dir / SEGMENTS).glob(f"*/{VECTORS}"))


def bench_builds(
    sources: Sequence[str], backends: Sequence[str], work: Path, sample: int
) -> list[dict[str, Any]]:
    """One build per backend, each beside plain fp32 encode of the same chunks (interleaved)."""
    plain = Embedder(backend="torch")
    articles = read_sources(list(sources)).articles
    chunker = make_chunker(Settings(), plain)
    chunks = [c.text for a in articles for c in chunker.chunk(a.id, a.text)]
    texts = chunks[:: max(1, len(chunks) // sample)][:sample]
    plain_pieces = sum(plain.count_pieces(texts))
    article_pieces = sum(plain.count_pieces([a.text for a in articles]))
    chunk_pieces = sum(plain.count_pieces(chunks))

    def plain_rate() -> float:
        started = time.perf_counter()
        plain.model.encode(texts, batch_size=PLAIN_BATCH, normalize_embeddings=True)
        return plain_pieces / (time.perf_counter() - started)

    plain.model.encode(texts[:PLAIN_BATCH], batch_size=PLAIN_BATCH)  # warm up, untimed
    rates = [plain_rate()]
    rows = []
    for name in backends:
        row = run_build(sources, name, work / f"index-{name}")
        rates.append(plain_rate())
        row["plain_fp32_pieces_per_s"] = round((rates[-2] + rates[-1]) / 2)
        row["article_pieces"], row["chunk_pieces"] = article_pieces, chunk_pieces
        row["article_pieces_per_s"] = round(article_pieces / row["wall_s"])
        row["x_plain_fp32"] = round(row["article_pieces_per_s"] / row["plain_fp32_pieces_per_s"], 2)
        row["embed_chunk_pieces_per_s"] = round(chunk_pieces / row["embed_s"])
        rows.append(row)
    return rows


# --- embedding: every backend against plain SentenceTransformer.encode fp32 ----------------------


def bench_embedding(
    texts: Sequence[str], backends: Sequence[str], settings: Settings, rounds: int = 2
) -> list[dict[str, Any]]:
    """Pieces/s per backend, interleaved rounds (best kept), cosine to fp32, one-query latency."""
    embedders = {name: Embedder(settings.model, 0, name, settings.model_cache) for name in backends}
    plain = next(iter(embedders.values())).model  # the SentenceTransformer itself
    pieces = sum(next(iter(embedders.values())).count_pieces(texts))
    encoders: dict[str, Callable[[], np.ndarray]] = {
        "plain-fp32-b32": lambda: plain.encode(
            list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
    }
    for name, embedder in embedders.items():
        embedder.encode(texts[:64])  # converts (and calibrates) once, outside the timing
        encoders[name] = lambda embedder=embedder: embedder.encode(texts)
    best: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for name, encode in encoders.items():
            started = time.perf_counter()
            vectors[name] = encode()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)
    reference = vectors["plain-fp32-b32"]
    rows = []
    for name, seconds in best.items():
        cosines = np.sum(vectors[name] * reference, axis=1)
        row = {
            "variant": name,
            "texts": len(texts),
            "pieces": pieces,
            "seconds": round(seconds, 2),
            "pieces_per_s": round(pieces / seconds),
            "x_fp32": round(best["plain-fp32-b32"] / seconds, 2),
            "cosine_mean": round(float(cosines.mean()), 5),
            "cosine_min": round(float(cosines.min()), 5),
        }
        if name in embedders:
            row["query_ms"] = percentiles(_query_times(embedders[name]), 2)["p50_ms"]
        rows.append(row)
    return rows


def _query_times(embedder: Any, count: int = 50) -> list[float]:
    times = []
    for i in range(count):
        started = time.perf_counter()
        embedder.encode_query(f"who reported the Turkish convoy number {i}?")
        times.append((time.perf_counter() - started) * 1000)
    return times
