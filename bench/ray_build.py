"""Embedding throughput per core: the local engine against `--engine ray` with 1 and 2 actors.

The chunk-and-embed step of `qa build` over the evaluation articles, timed on its own (reading
and writing are the same for both engines), in wall seconds and in CPU seconds: on a shared
machine the CPU seconds (of this process, and of Ray's map workers, sampled while they run) say
what a core does, whatever else runs. Each Ray pool also runs over a handful of articles first:
the difference between the two runs gives the steady rate, free of the fixed cost of starting
the actors (loading and compiling the model in each). Ray probes cloud metadata addresses when
it starts, so this runs inside a loopback-only network namespace only:

    unshare --net sh -c 'ip link set lo up && RAY_USAGE_STATS_ENABLED=0 \\
        .venv/bin/python -m bench.ray_build --data ../shared/eval'
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import psutil

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
MAP_WORKER = "ray::MapWorker"  # how Ray Data's actors name their processes
SAMPLE_S = 0.2


class CpuSeconds:
    """CPU seconds of this process and of Ray's map workers from now until `stop`.

    The workers exit with their pool, so their times are sampled while they run.
    """

    def __init__(self) -> None:
        self.started = time.process_time()
        self.workers: dict[int, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.wait(SAMPLE_S):
            for process in psutil.process_iter(["cmdline", "cpu_times"]):
                command, times = process.info["cmdline"], process.info["cpu_times"]
                if command and times and command[0].startswith(MAP_WORKER):
                    self.workers[process.pid] = times.user + times.system

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return time.process_time() - self.started + sum(self.workers.values())


def local(settings: Settings, texts: Sequence[Text]) -> tuple[list[Made], float, float]:
    """The local engine in this process (its embedder's threads as `settings` say)."""
    embedder = load_embedder(settings)
    chunker = make_chunker(settings, embedder)
    chunk_and_embed(embedder, chunker, texts[:WARM_ARTICLES])  # compiled before the timing
    started, cpu = time.perf_counter(), CpuSeconds()
    made = chunk_and_embed(embedder, chunker, texts)
    return made, time.perf_counter() - started, cpu.stop()


def on_ray(settings: Settings, texts: Sequence[Text], actors: int) -> dict[str, Any]:
    """A pool of `actors` over a few articles, then over all: fixed cost and steady rate."""
    from qa.index.ray_engine import ray_chunk_and_embed

    pool = settings.overridden(engine="ray", ray_actors=actors)
    runs = []
    for some in (texts[:WARM_ARTICLES], texts):
        started, cpu = time.perf_counter(), CpuSeconds()
        made, _ = ray_chunk_and_embed(pool, some, False, {})
        runs.append((made, time.perf_counter() - started, cpu.stop()))
    (small, small_s, small_cpu), (made, full_s, full_cpu) = runs
    extra = chunks(made) - chunks(small)
    return {
        "made": made,
        "seconds": full_s,
        "cpu_s": full_cpu,
        "steady_chunks_per_s": round(extra / (full_s - small_s), 1),
        "steady_chunks_per_cpu_s": round(extra / (full_cpu - small_cpu), 1),
        "fixed_s": round(full_s - (full_s - small_s) * chunks(made) / extra, 1),
        "fixed_cpu_s": round(full_cpu - (full_cpu - small_cpu) * chunks(made) / extra, 1),
    }


def chunks(made: Sequence[Made]) -> int:
    return sum(len(article_chunks) for article_chunks, _ in made)


def measured(
    name: str, made: Sequence[Made], seconds: float, cpu_s: float, pieces: int
) -> dict[str, Any]:
    """One engine's row of the table (printed at once: the runs are long)."""
    count = chunks(made)
    row = {
        "engine": name,
        "chunks": count,
        "seconds": round(seconds, 1),
        "chunks_per_s": round(count / seconds, 1),
        "cpu_s": round(cpu_s, 1),
        "chunks_per_cpu_s": round(count / cpu_s, 1),
        "pieces_per_cpu_s": round(pieces / cpu_s),
    }
    print(table([row], " ".join(row)), flush=True)
    return row


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
    """Hours to embed 10 M and 100 M chunks on N one-core actors at a steady per-core rate."""
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

    made, seconds, cpu_s = local(settings, texts)
    pieces = sum(embedder.count_pieces([c.text for article, _ in made for c in article]))
    rows = [measured("local (every core)", made, seconds, cpu_s, pieces)]
    single, seconds, cpu_s = local(settings.overridden(embed_threads=1), texts)
    rows.append(measured("local (1 thread)", single, seconds, cpu_s, pieces))

    started = time.perf_counter()
    ray.init(num_cpus=at_start["cores"], include_dashboard=False, log_to_driver=False)
    ray_start_s = time.perf_counter() - started
    checks, steady = {}, {}
    for actors in [int(n) for n in options.actors.split(",")]:
        run = on_ray(settings, texts, actors)
        name = f"ray ({actors} actor{'s' if actors > 1 else ''})"
        rows.append(measured(name, run["made"], run["seconds"], run["cpu_s"], pieces))
        steady[actors] = {k: v for k, v in run.items() if k.startswith(("steady", "fixed"))}
        checks[actors] = agreement(run["made"], made)
    ray.shutdown()

    one = steady[min(steady)]  # per core: CPU seconds, whatever else the machine runs
    data = {
        "machine": at_start,
        "articles": len(articles),
        "chunks": chunks(made),
        "pieces": pieces,
        "ray_start_s": round(ray_start_s, 1),
        "rows": rows,
        "ray_steady": steady,
        "agreement": checks,
        "projection": projection(one["steady_chunks_per_cpu_s"], one["fixed_s"]),
    }
    print(table(rows, " ".join(rows[0])))
    print(f"Ray start {ray_start_s:.1f} s; steady rates and fixed costs: {steady}")
    print(f"Agreement with the local engine: {checks}")
    print(table(data["projection"], "chunks actors hours"))
    save_json(options.out, data)
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
