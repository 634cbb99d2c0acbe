"""Read-only SQLite connections over segments' chunk stores, at most MAX_ATTACHED per connection.

SQLite attaches at most 10 files to one connection (its compile-time limit, which a program
cannot raise), so an index of more segments is read through several connections, each over
consecutive segments: one connection up to 10 segments, two up to 20. Each attaches its
segments as `s{seg}` (seg: the segment's position in the whole index) and holds the temporary
table `gone` (deleted article ids) and view `articles` (its segments' live articles), so a query
over articles is written once and run on each connection, and a query of one segment on its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

# SQLite reads at most this many attached files through one connection.
MAX_ATTACHED = 10


def connect_group(first: int, parts: Sequence[tuple[Path, Sequence[str]]]) -> sqlite3.Connection:
    """One connection attaching the stores (path, deleted article ids) of segments `first`, …"""
    assert 0 < len(parts) <= MAX_ATTACHED
    db = sqlite3.connect("file::memory:", uri=True, check_same_thread=False)
    db.execute("CREATE TEMP TABLE gone (seg INTEGER NOT NULL, id TEXT NOT NULL)")
    segs = range(first, first + len(parts))
    for seg, (path, deleted) in zip(segs, parts, strict=True):
        location = quote(str(Path(path).absolute()))
        db.execute(f"ATTACH DATABASE ? AS s{seg}", (f"file:{location}?mode=ro&immutable=1",))
        db.executemany("INSERT INTO gone VALUES (?, ?)", ((seg, i) for i in deleted))
    db.execute("CREATE INDEX temp.gone_by_seg ON gone(seg, id)")
    db.execute(
        "CREATE TEMP VIEW articles AS "
        + " UNION ALL ".join(
            f"SELECT *, {seg} AS seg FROM s{seg}.articles WHERE {live(seg, 'id')}" for seg in segs
        )
    )
    return db


def live(seg: int, column: str) -> str:
    """SQL true of a row of segment `seg` whose article (id in `column`) was not deleted."""
    return f"{column} NOT IN (SELECT id FROM gone WHERE seg = {seg})"
