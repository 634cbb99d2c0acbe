"""`qa build --engine ray`: chunk and embed the fresh articles as a Ray Data pipeline.

The articles become rows; `map_batches` sends batches of them to a pool of actors, each of which
loads the project's own embedder once (load_embedder) and runs the local engine's function
(qa.index.engine.chunk_and_embed) on its batch. So the chunks and offsets are the local engine's,
and the vectors agree with it to a cosine of 0.9999 (only the model's batches differ). The driver
collects the results and the build writes them through the usual writer.

RAY_ADDRESS selects a running cluster (its workers need article-qa installed); otherwise a local
Ray starts with this machine's CPUs and stops when the step ends. Ray probes cloud metadata
addresses when it starts: README "Ray" says where to run it.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from qa.config import Settings
from qa.embed.embedder import load_embedder
from qa.errors import first_line
from qa.index.engine import Made, Text, chunk_and_embed, make_chunker
from qa.index.sentence_vectors import ChunkSentences
from qa.text.chunking import Chunk

# Articles per actor call: about 50 chunks of news, enough for the embedder's length-sorted
# batches, few enough that a small build still spreads over every actor.
ARTICLES_PER_BATCH = 16
ACTOR_CPUS = 1  # each actor reserves one CPU and embeds on one thread: Ray's unit of scale
CHUNK_FIELDS = ("paragraph", "start", "end", "tokens")  # Chunk's integer fields
CONNECT_TIMEOUT_S = 10  # to reach RAY_ADDRESS before handing it to Ray
# The last line of a Python traceback: "package.module.SomeError: what went wrong".
RAISED = re.compile(r"^[\w.]*\w(?:Error|Exception): (.+)$", re.MULTILINE)


class EngineError(RuntimeError):
    """Ray is missing, cannot start, lacks what was asked for, or a worker failed."""


class ChunkEmbedActor:
    """One Ray actor: the model loaded once, then batches of articles chunked and embedded."""

    def __init__(self, settings: Settings, device: str) -> None:
        self.embedder = load_embedder(settings, device)
        self.chunker = make_chunker(settings, self.embedder)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Articles (row, id, text) in; one output row per chunk, keyed by (row, number)."""
        texts = list(zip(batch["id"].tolist(), batch["text"].tolist(), strict=True))
        made = chunk_and_embed(self.embedder, self.chunker, texts)
        keys = zip(batch["row"].tolist(), made, strict=True)
        rows = [(row, n) for row, (chunks, _) in keys for n in range(len(chunks))]
        chunks = [chunk for chunks, _ in made for chunk in chunks]
        sentences = [s for _, (_, article_sentences) in made for s in article_sentences]
        columns = {
            "row": np.array([row for row, _ in rows], dtype=np.int64),
            "number": np.array([n for _, n in rows], dtype=np.int64),
            "text": np.array([c.text for c in chunks], dtype=object),
            "vector": np.vstack([vectors for _, (vectors, _) in made]).astype(np.float32),
            # Ragged: each chunk's sentence spans and vectors (fp16, as the index stores them).
            "spans": _ragged(np.array(s.spans, dtype=np.int32) for s in sentences),
            "sentence_vectors": _ragged(s.vectors.astype(np.float16) for s in sentences),
        }
        for name in CHUNK_FIELDS:
            columns[name] = np.array([getattr(c, name) for c in chunks], dtype=np.int64)
        return columns


def ray_chunk_and_embed(
    settings: Settings, articles: Sequence[Text], progress: bool, timings: dict[str, float]
) -> tuple[list[Made], int]:
    """Each article's chunks, vectors and sentences, in order, and how many actors made them.

    `timings` gets "ray_start" (connecting or starting Ray) and "chunk_embed" (the pipeline,
    the actors' model loading included). Nothing to embed: Ray is not started.
    """
    if not articles:
        return [], 0
    ray = _import_ray()
    mark = time.perf_counter()
    started_here = _start(ray, settings)
    try:
        actors, cpus, gpus = _pool(ray, settings)
        timings["ray_start"] = time.perf_counter() - mark
        mark = time.perf_counter()
        _quiet(ray, progress)
        items = [{"row": row, "id": a, "text": t} for row, (a, t) in enumerate(articles)]
        pipeline = ray.data.from_items(items).map_batches(
            ChunkEmbedActor,
            fn_constructor_kwargs=_actor_arguments(settings, cpus, gpus),
            batch_size=ARTICLES_PER_BATCH,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=cpus,
            num_gpus=gpus,
        )
        made = _assemble(pipeline.iter_batches(batch_size=None, batch_format="numpy"), articles)
        timings["chunk_embed"] = time.perf_counter() - mark
    except ray.exceptions.RayError as exc:
        cause = _cause(exc)
        message = f"the Ray pipeline failed, the index was left unchanged: {cause}"
        raise EngineError(message) from exc
    finally:
        if started_here:
            ray.shutdown()
    return made, actors


def _import_ray() -> Any:
    """The ray module, imported only now: Ray is an extra, and `qa build` starts faster without."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise EngineError("--engine ray needs Ray Data: pip install 'article-qa[ray]'") from None
    return ray


def _start(ray: Any, settings: Settings) -> bool:
    """Connect to RAY_ADDRESS or start a local Ray; True when this call started it."""
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    address = os.environ.get("RAY_ADDRESS") or None
    if address:
        _check_reachable(address)
    local = {} if address else {"num_cpus": max(os.cpu_count() or 1, settings.ray_actors)}
    try:
        ray.init(
            address=address,
            include_dashboard=False,
            logging_level=logging.ERROR,
            log_to_driver=False,
            **local,
        )
    except Exception as exc:  # Ray raises many kinds (ConnectionError, RuntimeError, ...)
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise EngineError(f"cannot start {where}: {first_line(exc)}") from exc
    return True


def _check_reachable(address: str) -> None:
    """Fail in seconds on a cluster address nothing answers at (ray.init retries for minutes)."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not port.isdigit():
        return  # "auto", "local": Ray looks for the cluster itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        message = f"cannot reach the Ray cluster at {address} (RAY_ADDRESS): {reason}"
        raise EngineError(message) from None


def _pool(ray: Any, settings: Settings) -> tuple[int, int, float]:
    """How many actors, and the CPUs and GPUs each reserves, checked against the cluster."""
    resources = ray.cluster_resources()
    cpus_there, gpus_there = resources.get("CPU", 0), resources.get("GPU", 0)
    gpus = settings.ray_gpus
    if gpus and gpus_there < gpus:
        raise EngineError(f"--ray-gpus {gpus:g}: the Ray cluster has {gpus_there:g} GPUs")
    most = int(gpus_there // gpus) if gpus else int(cpus_there // ACTOR_CPUS)
    actors = settings.ray_actors or most
    if not actors or actors > most or actors * ACTOR_CPUS > cpus_there:
        raise EngineError(
            f"{actors} Ray actors need {actors * ACTOR_CPUS} CPUs"
            + (f" and {actors * gpus:g} GPUs" if gpus else "")
            + f"; the cluster has {cpus_there:g} CPUs and {gpus_there:g} GPUs"
        )
    return actors, ACTOR_CPUS, gpus


def _actor_arguments(settings: Settings, cpus: int, gpus: float) -> dict[str, Any]:
    """What each actor builds its embedder from: on a GPU, torch; on a CPU, its own threads."""
    if gpus:
        return {"settings": settings.overridden(backend="torch"), "device": "cuda"}
    threads = settings.embed_threads or cpus
    return {"settings": settings.overridden(embed_threads=threads), "device": "cpu"}


def _quiet(ray: Any, progress: bool) -> None:
    """Ray Data's progress bars only when asked for, and no per-run log lines on the terminal."""
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = progress
    context.print_on_execution_start = False
    context.enable_auto_log_stats = False


def _ragged(arrays: Iterable[np.ndarray]) -> np.ndarray:
    """A 1-D object array holding one array per chunk (never stacked into one block)."""
    items = list(arrays)
    column = np.empty(len(items), dtype=object)
    for row, item in enumerate(items):
        column[row] = item
    return column


def _assemble(batches: Iterable[dict[str, np.ndarray]], articles: Sequence[Text]) -> list[Made]:
    """The output rows, which arrive in any order, back in article and chunk order."""
    found: list[list[tuple[int, Chunk, np.ndarray, ChunkSentences]]] = [[] for _ in articles]
    for batch in batches:
        keys = zip(batch["row"].tolist(), batch["number"].tolist(), strict=True)
        for i, (row, number) in enumerate(keys):
            paragraph, start, end, tokens = (int(batch[name][i]) for name in CHUNK_FIELDS)
            text = str(batch["text"][i])
            chunk = Chunk(articles[row][0], paragraph, start, end, text, tokens)
            spans = [(int(a), int(b)) for a, b in batch["spans"][i]]
            sentences = ChunkSentences(spans, np.asarray(batch["sentence_vectors"][i], np.float32))
            found[row].append((number, chunk, batch["vector"][i], sentences))
    made: list[Made] = []
    for rows in found:
        rows.sort(key=lambda item: item[0])
        vectors = np.array([vector for _, _, vector, _ in rows], dtype=np.float32)
        made.append(([chunk for _, chunk, _, _ in rows], (vectors, [s for *_, s in rows])))
    return made


def _cause(error: BaseException) -> str:
    """What the worker's own error said: Ray hands it back as text inside its wrappers."""
    chain = [error]
    while (inner := chain[-1].__cause__) is not None:
        chain.append(inner)
    text = next((str(e) for e in reversed(chain) if str(e)), type(error).__name__)
    raised = RAISED.findall(text)
    return raised[-1] if raised else first_line(text)
