"""The FAISS index over chunk vectors: ids are chunk row numbers."""

from __future__ import annotations

import faiss
import numpy as np


def make_vector_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner-product search over unit vectors (cosine similarity)."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index
