"""Load test of the real `qa serve` on loopback: N keep-alive clients for S seconds.

    .venv/bin/qa build && .venv/bin/python -m bench.load            # 16 clients, 60 s
    .venv/bin/python -m bench.load --clients 8 --seconds 10 --index index
    .venv/bin/python -m bench.load --index bench-results/quality-index \
        --questions ../shared/eval/bbc/questions.jsonl ../shared/eval/squad2/questions.jsonl

Every fourth request is a follow-up of bench/conversations.jsonl sent with its earlier turns as
`history` (answered by the server first), so that the conversation path is in the figures.

Prints a table (requests, errors, throughput, p50/p99 latency, server RSS at start, end and
max) and writes the same figures to bench-results/load.json. Only ever targets 127.0.0.1.
The server is started here, as a subprocess, so its memory is measured on its own.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.conversations import Conversation, read_conversations
from bench.public import RESULTS, ROOT
from bench.report import memory_mib, percentiles, save_json, table
from bench.serve import HOST, serving
from qa.config import MODES
from qa.evaluate import read_questions

QUESTIONS = (
    "who reported the Turkish convoy?",
    "How many Russian troops were killed?",
    "Which militant group conducted most of the attacks?",
    "What did the Syrian army do in August last year?",
    "Where did the convoy cross into Syria?",
    "Who protects the terrorists in Idlib?",
)


# A POST /api/ask body: {"question": …} with any of k, mode, filters, history.
Body = dict[str, Any]
# Of the requests, one after every this many questions is a follow-up with a history.
FOLLOWUP_EVERY = 3
# Questions read from --questions files: the first this many.
MAX_QUESTIONS = 300


def ask(
    connection: http.client.HTTPConnection,
    question: str | Body,
    k: int = 5,
    mode: str = MODES[0],
) -> tuple[int, bytes]:
    """POST /api/ask on a kept-alive connection: (status, body); a dict is the whole body."""
    fields = question if isinstance(question, dict) else {"question": question}
    body = json.dumps({"k": k, "mode": mode, **fields})
    connection.request("POST", "/api/ask", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, response.read()


def interleaved(questions: Sequence[str], every: int = FOLLOWUP_EVERY) -> list[str | Conversation]:
    """The questions, and after every `every`-th one a conversation of bench/conversations.jsonl
    (its follow-up to be asked with its earlier turns as history)."""
    conversations = read_conversations()
    mixed: list[str | Conversation] = []
    for number, question in enumerate(questions):
        mixed.append(question)
        if number % every == 0:
            mixed.append(conversations[(number // every) % len(conversations)])
    return mixed


def with_followups(port: int, questions: Sequence[str]) -> list[str | Body]:
    """The requests of `interleaved`: each follow-up's earlier turns answered by the server."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    requests: list[str | Body] = []
    for item in interleaved(questions):
        if isinstance(item, str):
            requests.append(item)
            continue
        history: list[dict[str, str | None]] = []
        for turn in item.turns:
            answer = turn["answer"] if "answer" in turn else _answer(connection, turn, history)
            history.append({"question": turn["question"], "answer": answer})
        requests.append({"question": item.followup, "history": history})
    connection.close()
    return requests


def _answer(
    connection: http.client.HTTPConnection, turn: dict[str, Any], history: list[Any]
) -> str | None:
    """The answer sentence the server gives to an earlier turn (None: not found)."""
    status, body = ask(connection, {"question": turn["question"], "history": list(history)})
    if status != 200:
        raise RuntimeError(f"a conversation turn failed: {status} {body[:200]!r}")
    found = json.loads(body)["answer"]
    return found["text"] if found else None


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
    p95_ms: float
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
    questions: Sequence[str | Body] = QUESTIONS,
    mode: str = MODES[0],
) -> LoadResult:
    """`clients` threads, each on one keep-alive connection, asking in a loop for `seconds`.

    A request counts as an error if it fails or answers anything but 200. The server's RSS is
    sampled every 0.2 s from the first request to the last.
    """
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    rss = [memory_mib(pid)]
    stop = threading.Event()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        turn = number
        while not stop.is_set():
            question = questions[turn % len(questions)]
            turn += 1
            started = time.perf_counter()
            try:
                status, body = ask(connection, question, mode=mode)
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
            rss.append(memory_mib(pid))

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
    rss.append(memory_mib(pid))
    done = np.concatenate([np.asarray(times) for times in latencies])
    spread = percentiles(done if done.size else [float("nan")])
    return LoadResult(
        clients=clients,
        seconds=round(elapsed, 2),
        requests=int(done.size) + len(errors),
        errors=len(errors),
        error_samples=errors[:5],
        throughput_rps=round(done.size / elapsed, 1),
        **spread,
        max_ms=round(float(done.max()), 1) if done.size else float("nan"),
        rss_start_mib=rss[0],
        rss_end_mib=rss[-1],
        rss_max_mib=max(rss),
    )


def warm_up(port: int, requests: int = 20, questions: Sequence[str | Body] = QUESTIONS) -> None:
    """A few answers first, so the run measures steady state, not first-call set-up."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    for turn in range(requests):
        status, body = ask(connection, questions[turn % len(questions)])
        if status != 200:
            raise RuntimeError(f"warm-up request failed: {status} {body[:200]!r}")
    connection.close()


def format_table(result: LoadResult) -> str:
    """The figures of a run as a table, one column each."""
    return table([result.to_dict()], FIGURES)


FIGURES = (
    "clients seconds requests errors throughput_rps p50_ms p95_ms p99_ms max_ms "
    "rss_start_mib rss_end_mib rss_max_mib"
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--index", type=Path, default=ROOT / "index", help="a built index")
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    parser.add_argument(
        "--questions",
        type=Path,
        nargs="*",
        help=f"JSONL question files (the first {MAX_QUESTIONS})",
    )
    options = parser.parse_args(argv)
    asked = [q.question for path in options.questions or () for q in read_questions(path)]
    try:
        with serving(options.index) as server:
            requests = with_followups(server.port, asked[:MAX_QUESTIONS] or QUESTIONS)
            warm_up(server.port, questions=requests)
            # One client first, on the same server in the same run: the machine's own baseline.
            baseline = run_load(server.port, server.pid, 1, options.baseline_seconds, requests)
            result = run_load(server.port, server.pid, options.clients, options.seconds, requests)
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
    save_json(options.out, figures)
    print(f"\nwrote {options.out}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
