"""Load test of the real `qa serve` on loopback: N keep-alive clients for S seconds.

    .venv/bin/qa build && .venv/bin/python -m bench.load            # 16 clients, 60 s
    .venv/bin/python -m bench.load --clients 8 --seconds 10 --index index

Prints a table (requests, errors, throughput, p50/p99 latency, server RSS at start, end and
max) and writes the same figures to bench-results/load.json. Only ever targets 127.0.0.1.
The server is started here, as a subprocess, so its memory is measured on its own.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results" / "load.json"
QUESTIONS = (
    "who reported the Turkish convoy?",
    "How many Russian troops were killed?",
    "Which militant group conducted most of the attacks?",
    "What did the Syrian army do in August last year?",
    "Where did the convoy cross into Syria?",
    "Who protects the terrorists in Idlib?",
)
SERVING = re.compile(r"serving http://127\.0\.0\.1:(\d+)/")


@dataclass
class Server:
    """A running `qa serve` subprocess: its pid, port and the output it printed."""

    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"


@contextmanager
def serving(
    index_dir: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> Iterator[Server]:
    """`qa serve --index DIR --port 0` (any free port), up until the block ends.

    Waits for the line that names the bound address; the server is killed on the way out.
    """
    command = [sys.executable, "-m", "qa", "serve", "--index", str(index_dir), "--port", "0"]
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1", **(env or {})}
    process = subprocess.Popen(
        [*command, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
        cwd=ROOT,
    )
    server = Server(process, 0)
    try:
        deadline = time.monotonic() + timeout
        assert process.stdout is not None
        for line in process.stdout:
            server.lines.append(line.rstrip("\n"))
            found = SERVING.search(line)
            if found:
                server.port = int(found.group(1))
                break
            if time.monotonic() > deadline:
                break
        if not server.port:
            raise RuntimeError("qa serve did not start: " + " | ".join(server.lines[-5:]))
        # Keep draining its output so a chatty server never blocks on a full pipe.
        threading.Thread(target=_drain, args=(process, server.lines), daemon=True).start()
        yield server
    finally:
        process.kill()
        process.wait(timeout=30)


def _drain(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))


def ask(connection: http.client.HTTPConnection, question: str, k: int = 5) -> tuple[int, bytes]:
    """POST /api/ask on a kept-alive connection: (status, body)."""
    body = json.dumps({"question": question, "k": k})
    connection.request("POST", "/api/ask", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, response.read()


def rss_kib(pid: int) -> int:
    """Resident memory of a process (VmRSS from /proc/<pid>/status), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


@dataclass
class LoadResult:
    """What a load run measured; latencies in milliseconds, memory in MiB."""

    clients: int
    seconds: float
    requests: int
    errors: int
    error_samples: list[str]
    throughput_rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    rss_start_mib: float
    rss_end_mib: float
    rss_max_mib: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_load(
    port: int,
    pid: int,
    clients: int,
    seconds: float,
    questions: Sequence[str] = QUESTIONS,
) -> LoadResult:
    """`clients` threads, each on one keep-alive connection, asking in a loop for `seconds`.

    A request counts as an error if it fails or answers anything but 200. The server's RSS is
    sampled every 0.2 s from the first request to the last.
    """
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    rss = [rss_kib(pid)]
    stop = threading.Event()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        turn = number
        while not stop.is_set():
            question = questions[turn % len(questions)]
            turn += 1
            started = time.perf_counter()
            try:
                status, body = ask(connection, question)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=60)
                continue
            if status != 200:
                errors.append(f"{status}: {body[:200]!r}")
                continue
            latencies[number].append((time.perf_counter() - started) * 1000)
        connection.close()

    def sample() -> None:
        while not stop.wait(0.2):
            rss.append(rss_kib(pid))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    sampler = threading.Thread(target=sample)
    started = time.perf_counter()
    for thread in [*threads, sampler]:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in [*threads, sampler]:
        thread.join()
    elapsed = time.perf_counter() - started
    rss.append(rss_kib(pid))
    done = np.concatenate([np.asarray(times) for times in latencies])
    mib = [round(value / 1024, 1) for value in rss]
    return LoadResult(
        clients=clients,
        seconds=round(elapsed, 2),
        requests=int(done.size) + len(errors),
        errors=len(errors),
        error_samples=errors[:5],
        throughput_rps=round(done.size / elapsed, 1),
        p50_ms=round(float(np.percentile(done, 50)), 1) if done.size else float("nan"),
        p99_ms=round(float(np.percentile(done, 99)), 1) if done.size else float("nan"),
        max_ms=round(float(done.max()), 1) if done.size else float("nan"),
        rss_start_mib=mib[0],
        rss_end_mib=mib[-1],
        rss_max_mib=max(mib),
    )


def warm_up(port: int, requests: int = 20) -> None:
    """A few answers first, so the run measures steady state, not first-call set-up."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    for turn in range(requests):
        status, body = ask(connection, QUESTIONS[turn % len(QUESTIONS)])
        if status != 200:
            raise RuntimeError(f"warm-up request failed: {status} {body[:200]!r}")
    connection.close()


def format_table(result: LoadResult) -> str:
    rows = [
        ("clients", f"{result.clients}"),
        ("duration", f"{result.seconds:.1f} s"),
        ("requests", f"{result.requests:,}"),
        ("errors", f"{result.errors}"),
        ("throughput", f"{result.throughput_rps:.1f} req/s"),
        ("latency p50", f"{result.p50_ms:.1f} ms"),
        ("latency p99", f"{result.p99_ms:.1f} ms"),
        ("latency max", f"{result.max_ms:.1f} ms"),
        ("server RSS start", f"{result.rss_start_mib:.1f} MiB"),
        ("server RSS end", f"{result.rss_end_mib:.1f} MiB"),
        ("server RSS max", f"{result.rss_max_mib:.1f} MiB"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value:>14}" for name, value in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--index", type=Path, default=ROOT / "index", help="a built index")
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    options = parser.parse_args(argv)
    try:
        with serving(options.index) as server:
            warm_up(server.port)
            # One client first, on the same server in the same run: the machine's own baseline.
            baseline = run_load(server.port, server.pid, 1, options.baseline_seconds)
            result = run_load(server.port, server.pid, options.clients, options.seconds)
    except RuntimeError as exc:  # no server or no index: say so in one line
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(format_table(result))
    print(
        f"\nbaseline, 1 client for {baseline.seconds:.0f} s: p50 {baseline.p50_ms:.1f} ms, "
        f"{baseline.throughput_rps:.1f} req/s; with {result.clients} clients p50 is "
        f"{result.p50_ms / baseline.p50_ms:.1f}x and throughput "
        f"{result.throughput_rps / baseline.throughput_rps:.1f}x"
    )
    figures = result.to_dict() | {
        "baseline_1_client": baseline.to_dict(),
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(figures, indent=1) + "\n")
    print(f"\nwrote {options.out}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
