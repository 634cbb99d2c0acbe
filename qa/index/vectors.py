"""The chunk vectors: a FAISS index whose ids are chunk row numbers, and its search.

Exact (flat) search while the index is small; from `ann_min_chunks` chunks on, an inverted-file
index (IVF) with 8-bit scalar-quantized vectors (SQ8: a quarter of float32, recall@10 against exact
search 0.99+ at 1M chunks, README "Speed"), which keeps a direct map so that every
vector can still be reconstructed (search folds copies and incremental builds reuse vectors).
IVF was chosen over HNSW by measurement (see README "Speed"): higher recall at 100k chunks, in
less build time and a fraction of the memory.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

from qa.index.rows import RowFile

# Vectors scanned per query (lists probed × their mean length): recall@10 against exact search
# measured 0.993 at 1M chunks and 0.996 at 100k with about this many (README "Speed").
SCAN_VECTORS = 20_000
# Training sample per list (k-means), capped so that a 1M-chunk build trains in seconds.
TRAIN_PER_LIST = 32
# An approximate search fetches this many times the candidates asked for, then re-scores them.
REFINE_FACTOR = 4


def make_vector_index(vectors: np.ndarray, ann_min_chunks: int) -> faiss.Index:
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


class VectorSearch:
    """Cosine search over the chunk vectors, exact or approximate (then re-scored exactly).

    `exact` holds the chunk vectors in fp16 on disk beside an approximate index (None beside
    a flat one, which holds them itself). `deleted` marks the rows never to find (a boolean mask;
    None: none).
    """

    def __init__(
        self, index: faiss.Index, exact: RowFile | None, deleted: np.ndarray | None = None
    ) -> None:
        self.index = index
        self.exact = exact
        self.count = int(index.ntotal)
        self.deleted = deleted if deleted is not None and deleted.any() else None
        self._kept: faiss.IDSelector | None = None
        if deleted is not None and deleted.any():
            self.count -= int(deleted.sum())
            self._deleted = faiss.IDSelectorBatch(np.flatnonzero(deleted).astype(np.int64))
            self._kept = faiss.IDSelectorNot(self._deleted)  # keeps a reference: both stay alive

    @property
    def dim(self) -> int:
        return int(self.index.d)

    def search(
        self, query: np.ndarray, k: int, rows: Sequence[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cosine scores and chunk rows of the k nearest chunks, best first; among `rows` only
        when given (exact whenever the rows are few enough to score them all).

        An approximate index proposes REFINE_FACTOR times k candidates, re-scored exactly.
        """
        among = self.count if rows is None else len(rows)
        k = min(k, among)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        query = np.asarray(query, dtype=np.float32).reshape(1, -1)
        if rows is not None and self.exact is not None and len(rows) <= SCAN_VECTORS:
            return _best(np.asarray(rows, dtype=np.int64), self.vectors_of(rows) @ query[0], k)
        fetch = k if self.exact is None else min(REFINE_FACTOR * k, among)
        with one_thread():
            scores, found = self.index.search(query, fetch, params=self._selecting(rows))
        found = found[0][found[0] >= 0]
        if self.exact is None:
            return scores[0][: len(found)], found
        return _best(found, self.vectors_of(found) @ query[0], k)

    def vectors_of(self, rows: Sequence[int]) -> np.ndarray:
        """The chunk vectors of these rows (exact: from disk beside an approximate index)."""
        if not len(rows):
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.exact is not None:
            return self.exact.take(rows).astype(np.float32)
        return self.index.reconstruct_batch(np.asarray(rows, dtype=np.int64))  # one call

    def _selecting(self, rows: Sequence[int] | None) -> faiss.SearchParameters | None:
        """Search parameters that keep to `rows` (None: every row not deleted)."""
        if rows is None and self._kept is None:
            return None
        selector = (
            self._kept if rows is None else faiss.IDSelectorBatch(np.asarray(rows, dtype=np.int64))
        )
        ivf = faiss.try_extract_index_ivf(self.index)
        if ivf is None:
            return faiss.SearchParameters(sel=selector)
        return faiss.SearchParametersIVF(sel=selector, nprobe=ivf.nprobe)


def _best(rows: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best of these scored rows, best first (ties in the given order)."""
    best = np.argsort(-scores, kind="stable")[:k]
    return scores[best], rows[best]
