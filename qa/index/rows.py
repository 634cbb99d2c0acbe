"""Rows of a 2-D .npy file on disk, read on demand (sentence vectors, exact chunk vectors)."""

from __future__ import annotations

import os
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class RowFile:
    """The rows of a 2-D .npy file, read on demand with pread.

    Not a memory map: the page cache may hold a mapped file in large folios, and touching one
    row then makes megabytes resident in the process; a 1M-chunk index read that way grew by
    2 GiB in 50 questions. The descriptor stays open, so the rows always come from the file this
    index was loaded from, even after a rebuild swapped a new one in.
    """

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran_order, dtype = read_header(handle)
            self.offset = handle.tell()
        if len(shape) != 2 or fortran_order:
            raise ValueError(f"{path.name} does not hold a matrix of rows")
        self.shape, self.dtype = shape, dtype
        self.row_bytes = shape[1] * dtype.itemsize
        size = self.offset + shape[0] * self.row_bytes
        if path.stat().st_size != size:
            raise ValueError(f"{path.name} has {path.stat().st_size} bytes, expected {size}")
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: slice) -> np.ndarray:
        start, stop, _ = rows.indices(self.shape[0])
        count = max(0, stop - start)
        data = os.pread(self._fd, count * self.row_bytes, self.offset + start * self.row_bytes)
        return np.frombuffer(data, dtype=self.dtype).reshape(count, self.shape[1])

    def take(self, rows: Sequence[int]) -> np.ndarray:
        """The given rows, in the order asked for (one read each, joined: no array per row)."""
        size, start = self.row_bytes, self.offset
        data = b"".join([os.pread(self._fd, size, start + int(row) * size) for row in rows])
        if len(data) != len(rows) * size:
            raise ValueError(f"rows past the end of a file of {self.shape[0]} rows")
        return np.frombuffer(data, dtype=self.dtype).reshape(len(rows), self.shape[1])
