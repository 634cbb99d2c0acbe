"""The arrays around a model pass: padded token batches in, sentence vectors pooled out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa.text.spans import Span


def pool_spans(
    tokens: np.ndarray, offsets: Sequence[tuple[int, int]], spans: Sequence[Span]
) -> np.ndarray:
    """Unit vectors of the text spans: the mean of the token vectors that start inside each.

    `tokens` may be padded past the text's own tokens; `offsets` are the tokenizer's character
    offsets (empty for special tokens). A span with no token of its own gets the mean of all.
    """
    starts = np.array([a for a, _ in offsets])
    real = np.array([b > a for a, b in offsets])
    tokens = tokens[: len(offsets)]
    pooled = np.empty((len(spans), tokens.shape[1]), dtype=np.float32)
    for row, (start, end) in enumerate(spans):
        inside = real & (starts >= start) & (starts < end)
        pooled[row] = tokens[inside].mean(axis=0) if inside.any() else tokens.mean(axis=0)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def padded(batch: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids right-padded with zeros to the longest in the batch, and the attention mask."""
    width = max(len(ids) for ids in batch)
    ids = np.zeros((len(batch), width), dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    for row, pieces in enumerate(batch):
        ids[row, : len(pieces)] = pieces
        mask[row, : len(pieces)] = 1
    return ids, mask
