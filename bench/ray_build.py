"""Embedding throughput per core: the local engine against `--engine ray` with 1 and 2 actors.

The chunk-and-embed step of `qa build` over the evaluation articles, timed on its own (reading
and writing are the same for both engines). Each Ray pool also runs over a handful of articles
first: the difference between the two runs gives the steady rate, free of the fixed cost of
starting the actors (loading and compiling the model in each). Ray probes cloud metadata
addresses when it starts, so this runs inside a loopback-only network namespace only:

    unshare --net sh -c 'ip link set lo up && RAY_USAGE_STATS_ENABLED=0 \\
        .venv/bin/python -m bench.ray_build --data ../shared/eval'
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from bench.namespace import HOW, loopback_only
from bench.public import arguments, corpus
from bench.report import machine, save_json, table
from qa.config import Settings
from qa.embed.embedder import Embedder, load_embedder
from qa.index.engine import Made, Text, chunk_and_embed, make_chunker
from qa.ingest.readers import read_sources

WARM_ARTICLES = 8  # the small run that measures a pool's fixed cost
PROJECTED_CHUNKS = (10_000_000, 100_000_000)
PROJECTED_WORKERS = (1, 8, 64, 512)  # Ray actors of one core each


def local(settings: Settings, texts: Sequence[Text]) -> tuple[list[Made], float]:
    """The local engine in this process (its embedder's threads as `settings` say)."""
    embedder = load_embedder(settings)
    chunker = make_chunker(settings, embedder)
    chunk_and_embed(embedder, chunker, texts[:WARM_ARTICLES])  # compiled before the timing
    started = time.perf_counter()
    made = chunk_and_embed(embedder, chunker, texts)
    return made, time.perf_counter() - started


def on_ray(settings: Settings, texts: Sequence[Text], actors: int) -> dict[str, Any]:
    """A pool of `actors` over a few articles, then over all: fixed cost and steady rate."""
    from qa.index.ray_engine import ray_chunk_and_embed

    pool = settings.overridden(engine="ray", ray_actors=actors)
    runs = []
    for some in (texts[:WARM_ARTICLES], texts):
        started = time.perf_counter()
        made, _ = ray_chunk_and_embed(pool, some, False, {})
        runs.append((made, time.perf_counter() - started))
    (small, small_s), (made, full_s) = runs
    steady = (chunks(made) - chunks(small), full_s - small_s)
    return {"made": made, "seconds": full_s, "steady": steady}


def chunks(made: Sequence[Made]) -> int:
    return sum(len(article_chunks) for article_chunks, _ in made)


def row(name: str, made: Sequence[Made], seconds: float, cores: int, pieces: int) -> dict[str, Any]:
    count = chunks(made)
    return {
        "engine": name,
        "cores": cores,
        "chunks": count,
        "seconds": round(seconds, 1),
        "chunks_per_s": round(count / seconds, 1),
        "pieces_per_s": round(pieces / seconds),
        "chunks_per_s_per_core": round(count / seconds / cores, 1),
    }


def agreement(made: Sequence[Made], reference: Sequence[Made]) -> dict[str, Any]:
    """Whether the chunks are the reference's, and the lowest cosines of the vectors."""
    same = [c for c, _ in made] == [c for c, _ in reference]
    vectors = [np.vstack([v for _, (v, _) in m]) for m in (made, reference)]
    pooled = [np.vstack([s.vectors for _, (_, ss) in m for s in ss]) for m in (made, reference)]
    return {
        "same_chunks": same,
        "chunk_cosine_min": round(float(np.sum(vectors[0] * vectors[1], axis=1).min()), 6),
        "sentence_cosine_min": round(float(np.sum(pooled[0] * pooled[1], axis=1).min()), 6),
    }


def projection(per_actor: float, fixed_s: float) -> list[dict[str, Any]]:
    """Hours to embed 10 M and 100 M chunks on N one-core actors at the measured steady rate."""
    return [
        {
            "chunks": total,
            "actors": workers,
            "hours": round((total / (per_actor * workers) + fixed_s) / 3600, 2),
        }
        for total in PROJECTED_CHUNKS
        for workers in PROJECTED_WORKERS
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = arguments(__doc__ or "", "ray_build.json", index=False)
    parser.add_argument("--articles", type=int, default=0, help="only the first N (0: all)")
    parser.add_argument("--actors", default="1,2", help="Ray pool sizes to measure")
    options = parser.parse_args(argv)
    if not loopback_only():
        sys.exit(f"Ray probes cloud metadata when it starts: run this inside {HOW}")
    import ray

    at_start = machine()
    read = read_sources([str(p) for p in corpus(options.data)])
    articles = read.articles[: options.articles or None]
    texts = [(a.id, a.text) for a in articles]
    settings = Settings()
    embedder: Embedder = load_embedder(settings)

    made, seconds = local(settings, texts)
    pieces = sum(embedder.count_pieces([c.text for article, _ in made for c in article]))
    rows = [row("local (every core)", made, seconds, at_start["cores"], pieces)]
    single, seconds = local(settings.overridden(embed_threads=1), texts)
    rows.append(row("local (1 thread)", single, seconds, 1, pieces))

    started = time.perf_counter()
    ray.init(num_cpus=at_start["cores"], include_dashboard=False, log_to_driver=False)
    ray_start_s = time.perf_counter() - started
    checks, steady = {}, {}
    for actors in [int(n) for n in options.actors.split(",")]:
        run = on_ray(settings, texts, actors)
        name = f"ray ({actors} actor{'s' if actors > 1 else ''})"
        rows.append(row(name, run["made"], run["seconds"], actors, pieces))
        extra, extra_s = run["steady"]
        steady[actors] = {
            "chunks_per_s": round(extra / extra_s, 1),
            "fixed_s": round(run["seconds"] - extra_s * chunks(run["made"]) / extra, 1),
        }
        checks[actors] = agreement(run["made"], made)
    ray.shutdown()

    one = steady[min(steady)]
    data = {
        "machine": at_start,
        "articles": len(articles),
        "chunks": chunks(made),
        "pieces": pieces,
        "ray_start_s": round(ray_start_s, 1),
        "rows": rows,
        "ray_steady": steady,
        "agreement": checks,
        "projection": projection(one["chunks_per_s"] / min(steady), one["fixed_s"]),
    }
    columns = "engine cores chunks seconds chunks_per_s pieces_per_s chunks_per_s_per_core"
    print(table(rows, columns))
    print(f"Ray start {ray_start_s:.1f} s; steady rates (chunks/s) and fixed costs: {steady}")
    print(f"Agreement with the local engine: {checks}")
    print(table(data["projection"], "chunks actors hours"))
    save_json(options.out, data)
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
