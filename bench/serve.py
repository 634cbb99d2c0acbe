"""The one `qa serve` launcher: a real server process on a free loopback port, for the
benchmarks and the tests alike."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
SERVING = re.compile(r"serving http://127\.0\.0\.1:(\d+)/")


@dataclass
class Server:
    """A running `qa serve` subprocess: its pid, port and the output it printed so far."""

    process: subprocess.Popen[str]
    port: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base(self) -> str:
        """The server's URL without a trailing slash, e.g. http://127.0.0.1:40123."""
        return f"http://{HOST}:{self.port}"


class ServerFailed(RuntimeError):
    """`qa serve` exited or printed no address in time; the message holds its last lines."""


@contextmanager
def serving(
    index_dir: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> Iterator[Server]:
    """`qa serve --index DIR --port 0 [ARGS]`, up until the block ends, then stopped.

    The server reads no QA_* variable of this process (its settings are the index's and
    `env`'s), so it opens the index the caller built. Its output is drained all along, so a
    chatty server never blocks on a full pipe.
    """
    command = [sys.executable, "-m", "qa", "serve", "--index", str(index_dir), "--port", "0"]
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    environment = {**inherited, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1", **(env or {})}
    process = subprocess.Popen(
        [*command, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
        cwd=ROOT,
    )
    server = Server(process)
    fresh: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_drain, args=(process, server.lines, fresh), daemon=True).start()
    try:
        while not server.port:
            try:
                line = fresh.get(timeout=timeout)
            except queue.Empty:
                raise ServerFailed(
                    _failure(server, f"printed no address in {timeout:.0f} s")
                ) from None
            if line is None:
                raise ServerFailed(_failure(server, f"exited with {process.wait()}"))
            if found := SERVING.search(line):
                server.port = int(found.group(1))
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _drain(
    process: subprocess.Popen[str], lines: list[str], fresh: queue.Queue[str | None]
) -> None:
    """Keep every output line, and hand each to the launcher while it waits (None at the end)."""
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        fresh.put(lines[-1])
    fresh.put(None)


def _failure(server: Server, what: str) -> str:
    return f"qa serve {what}: " + " | ".join(server.lines[-5:])
