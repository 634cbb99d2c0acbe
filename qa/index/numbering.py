"""Chunk rows across segments: segment k numbers its chunks 0, 1, … and the index numbers them
from `bases[k]` (the chunks of the segments before it, deleted ones included)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence


def split_rows(bases: Sequence[int], rows: Sequence[int]) -> dict[int, tuple[list[int], list[int]]]:
    """For each segment holding some of `rows`: where they are in `rows`, and their own rows."""
    by_seg: dict[int, tuple[list[int], list[int]]] = {}
    for position, row in enumerate(rows):
        seg = bisect_right(bases, row) - 1
        positions, local = by_seg.setdefault(seg, ([], []))
        positions.append(position)
        local.append(int(row) - bases[seg])
    return by_seg
