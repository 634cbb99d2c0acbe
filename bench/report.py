"""What the benchmarks print and write: tables, percentiles, memory, the machine, and timed
processes.

Tables and percentiles are `qa eval`'s own (qa.evaluate), so every figure reads the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.embed.backends import cpu_flags
from qa.evaluate import percentiles, text_table

__all__ = [
    "folder_bytes",
    "machine",
    "memory_mib",
    "percentiles",
    "run_measured",
    "save_json",
    "table",
]


def table(rows: Sequence[dict[str, Any]], columns: str) -> str:
    """Rows as a text table of the space-separated keys in `columns` (headed by the keys)."""
    return text_table(rows, [(key, key) for key in columns.split()])


def memory_mib(pid: int | str = "self", field: str = "VmRSS") -> float:
    """Resident memory of a process in MiB: VmRSS now, or VmHWM (its peak) from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no {field} for process {pid}")


def folder_bytes(folder: Path) -> int:
    """The bytes of every file under `folder`."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def machine() -> dict[str, Any]:
    """The CPU, its cores and relevant instruction sets, Python, and the load at the start."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    wanted = ("avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "avx_vnni")
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "flags": sorted(set(wanted) & cpu_flags()),
        "python": platform.python_version(),
        "load_at_start": os.getloadavg()[0],
    }


def save_json(path: Path, data: Any) -> None:
    """Write the figures as indented JSON, making the folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Run:
    """A finished process: exit code, wall time, peak resident memory, what it printed."""

    code: int
    wall_s: float
    peak_rss_mib: float
    stdout: bytes
    stderr: bytes


def run_measured(command: Sequence[str], every: float = 0.02) -> Run:
    """Run `command` to its end, timing it and reading its peak memory: the high-water mark of
    its resident set (VmHWM), read every `every` seconds. (The child's ru_maxrss would count
    this process's size at the fork, however small the child.)"""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=err)
        peak = 0.0
        while True:
            pid, status, _ = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            with contextlib.suppress(OSError, RuntimeError):  # unreadable as it exits
                peak = max(peak, memory_mib(process.pid, "VmHWM"))
            time.sleep(every)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(process.returncode, wall, round(peak, 1), out.read(), err.read())
