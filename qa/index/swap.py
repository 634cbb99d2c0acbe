"""Publishing a build atomically: a sibling directory, written, then swapped into place.

One build per index at a time (an flock); directories left by a killed build are removed.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qa.index.errors import BuildLocked


@contextmanager
def building(target: Path) -> Iterator[Path]:
    """A fresh sibling build directory, swapped into `target` only if the block succeeds."""
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f".{target.name}.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"another `qa build` is writing {target}; wait for it") from None
        for stale in target.parent.glob(f".{target.name}.build-*"):
            shutil.rmtree(stale, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))
        try:
            yield folder
            _fsync_dir(folder)
            swap_into_place(folder, target)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def swap_into_place(folder: Path, target: Path) -> None:
    """Atomically replace `target` by `folder`; the old index ends up in `folder`.

    Linux renameat2(RENAME_EXCHANGE) swaps two directories in one step, so a reader sees the
    old index or the new one, never none. Elsewhere: two renames with a tiny gap.
    """
    if not target.exists():
        os.rename(folder, target)
        folder.mkdir()
        return
    if _exchange(folder, target):
        return
    parked = folder.with_name(folder.name + ".old")
    os.rename(target, parked)
    os.rename(folder, target)
    os.rename(parked, folder)


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    return result == 0


def _fsync_dir(folder: Path) -> None:
    for name in os.listdir(folder):
        path = folder / name
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
