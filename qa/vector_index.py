"""The FAISS index over chunk vectors: ids are chunk row numbers.

Exact (flat) search while the index is small; from `ann_min_chunks` chunks on, an inverted-file
index (IVF) with 8-bit scalar-quantized vectors (SQ8: a quarter of float32, recall@10 against exact
search 0.99+ at 1M chunks, README "Speed"), which keeps a direct map so that every
vector can still be reconstructed (search folds copies and incremental builds reuse vectors).
IVF was chosen over HNSW by measurement (see README "Speed"): higher recall at 100k chunks, in
less build time and a fraction of the memory.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

# Default size from which search is approximate: below it exact search answers in a few ms.
ANN_MIN_CHUNKS = 200_000
# Vectors scanned per query (lists probed × their mean length): recall@10 against exact search
# measured 0.993 at 1M chunks and 0.996 at 100k with about this many (README "Speed").
SCAN_VECTORS = 20_000
# Training sample per list (k-means), capped so that a 1M-chunk build trains in seconds.
TRAIN_PER_LIST = 32


def make_vector_index(vectors: np.ndarray, ann_min_chunks: int = ANN_MIN_CHUNKS) -> faiss.Index:
    """Inner-product search over unit vectors (cosine): exact below `ann_min_chunks`, else IVF."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) < max(ann_min_chunks, 1):
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(vectors)
        return index
    return _make_ivf(vectors)


def _make_ivf(vectors: np.ndarray) -> faiss.Index:
    count, dim = vectors.shape
    lists = max(1, min(4 * int(math.sqrt(count)), count // 39))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    sample = np.random.default_rng(0).permutation(count)[: lists * TRAIN_PER_LIST]
    index.train(vectors[np.sort(sample)])
    index.add(vectors)
    index.make_direct_map()
    index.nprobe = max(1, min(lists, math.ceil(SCAN_VECTORS * lists / count)))
    return index


def read_vector_index(path: Path) -> faiss.Index:
    """Load the index memory-mapped where FAISS can (flat codes), else into memory."""
    try:
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_MMAP_IFC)
    except RuntimeError:
        return faiss.read_index(str(path))


@contextmanager
def one_thread() -> Iterator[None]:
    """Run FAISS on one OpenMP thread in this thread for the block (a one-vector search).

    One query vector gains nothing from threads, and they fight the embedding runtime's threads
    for the cores: flat search over 100k chunks took 20 ms beside OpenVINO with two threads,
    5.5 ms with one (README "Speed"). OpenMP's thread count is per calling thread, so builds
    elsewhere keep every thread for training and adding.
    """
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def is_approximate(index: faiss.Index) -> bool:
    """True for the IVF index (its candidates are re-scored with the exact vectors)."""
    return faiss.try_extract_index_ivf(index) is not None


def describe(index: faiss.Index) -> dict[str, object]:
    """The index kind and its search parameters, for the manifest and the benchmark."""
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        return {"kind": "flat"}
    return {"kind": "ivf-sq8", "lists": int(ivf.nlist), "probes": int(ivf.nprobe)}
