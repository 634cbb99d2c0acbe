"""Search at scale: recall and speed of the saved index's vector search against exact search
over the same vectors, and the approximate index kinds compared (for bench.speed)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from bench.report import percentiles
from qa.index.reader import LocalIndex
from qa.index.vectors import describe, make_vector_index

RECALL_K = 10


def bench_search(matrix: np.ndarray, queries: np.ndarray, index_dir: Path) -> dict[str, Any]:
    """Recall@10 of the saved index's search (approximate: candidates re-scored exactly, as the
    answer path searches) against exact search over the same vectors, and its speed."""
    exact = faiss.IndexFlatIP(matrix.shape[1])
    exact.add(matrix)
    _, truth = exact.search(queries, RECALL_K)
    reader = LocalIndex(index_dir)
    result = {
        "recall@10": _recall(truth, _found(reader, queries)),
        "search_ms": percentiles(_search_times(lambda q: reader.search(q, 50), queries), 2),
        "exact_search_ms": percentiles(
            _search_times(lambda q: exact.search(q.reshape(1, -1), 50), queries)
        ),
    }
    ivf = faiss.try_extract_index_ivf(reader.segments[0].vectors.index)
    if ivf is not None:  # the recall / speed trade-off around the chosen number of probes
        chosen = ivf.nprobe
        result["probe_sweep"] = []
        for probes in sorted({8, 16, 32, 64, chosen, 128, 256} & set(range(1, ivf.nlist + 1))):
            ivf.nprobe = probes
            _, unrefined = reader.segments[0].vectors.index.search(queries, RECALL_K)
            result["probe_sweep"].append(
                {
                    "probes": probes,
                    "recall@10": _recall(truth, _found(reader, queries)),
                    "recall@10_unrefined": _recall(truth, unrefined),
                    "p50_ms": percentiles(
                        _search_times(lambda q: reader.search(q, 50), queries), 2
                    )["p50_ms"],
                }
            )
        ivf.nprobe = chosen
    return result


def _found(reader: Any, queries: np.ndarray) -> np.ndarray:
    return np.array([reader.search(q, RECALL_K)[1] for q in queries])


def _recall(truth: np.ndarray, found: np.ndarray) -> float:
    shares = [len(set(a) & set(b)) / RECALL_K for a, b in zip(truth, found, strict=True)]
    return round(float(np.mean(shares)), 4)


def _search_times(search: Callable[[np.ndarray], Any], queries: np.ndarray) -> list[float]:
    times = []
    for query in queries:
        mark = time.perf_counter()
        search(query)
        times.append((time.perf_counter() - mark) * 1000)
    return times


def bench_ann_choices(matrix: np.ndarray, queries: np.ndarray) -> list[dict[str, Any]]:
    """IVF (what make_vector_index builds) against HNSW on the same vectors, built in memory."""
    exact = faiss.IndexFlatIP(matrix.shape[1])
    exact.add(matrix)
    _, truth = exact.search(queries, RECALL_K)
    rows = []
    for name, make in (
        ("ivf-sq8", lambda: make_vector_index(matrix, 0)),
        ("hnsw32-flat", lambda: _hnsw(matrix)),
    ):
        started = time.perf_counter()
        index = make()
        built = time.perf_counter() - started
        _, found = index.search(queries, RECALL_K)
        rows.append(
            {
                "index": name,
                "params": describe(index) if name.startswith("ivf") else {"M": 32, "efSearch": 64},
                "build_s": round(built, 1),
                "recall@10": _recall(truth, found),
                "search_ms": percentiles(
                    _search_times(lambda q, i=index: i.search(q.reshape(1, -1), 50), queries)
                ),
                "bytes_per_vector": round(faiss.serialize_index(index).nbytes / len(matrix)),
            }
        )
    return rows


def _hnsw(matrix: np.ndarray) -> Any:
    index = faiss.IndexHNSWFlat(matrix.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efSearch = 64
    index.add(matrix)
    return index
