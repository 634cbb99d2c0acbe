"""Faults: killed builds, damaged or missing index files, and rebuilds under a serving server.

One real `qa serve` process serves this module's index, through every fault in turn; client
threads keep asking while builds are killed and while a real build swaps a new index in.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from bench.serve import HOST, Server, serving
from qa.answer.searcher import Searcher
from qa.cli import EXIT_ERROR, main
from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.index.build import build_index
from qa.index.layout import (
    CHUNKS,
    LEXICAL,
    MANIFEST,
    SENTENCE_SPANS,
    SENTENCE_VECTORS,
    VECTORS,
)
from tests.conftest import ROOT, SEED_QUESTION, SEEDS, only_segment
from web import create_app

RIVER = "The river Wey flooded the town of Godalming on Sunday, the council said."
RIVER_QUESTION = "Which town did the river Wey flood?"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def qa_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "qa", *args]


def get(server: Server, path: str) -> tuple[int, str, str]:
    """(status, content type, body) of a GET on the real server."""
    connection = http.client.HTTPConnection(HOST, server.port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode()
    finally:
        connection.close()


def ask(connection: http.client.HTTPConnection, question: str) -> tuple[int, dict]:
    payload = json.dumps({"question": question, "k": 1})
    connection.request("POST", "/api/ask", payload, {"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def wait_for(condition, seconds: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


@dataclass
class Asking:
    """Client threads asking the river question in a loop: every status and which index answered.

    `answers` holds (thread, time, status, answered from the new index) in order per thread.
    """

    port: int
    threads: int = 2
    pause: float = 0.05
    answers: list[tuple[int, float, int, bool]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> Asking:
        self._workers = [
            threading.Thread(target=self._loop, args=(n,)) for n in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=120)

    def _loop(self, number: int) -> None:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        while not self._stop.is_set():
            try:
                status, data = ask(connection, RIVER_QUESTION)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self.failures.append(f"{type(exc).__name__}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
                continue
            new = status == 200 and "Godalming" in data["passages"][0]["text"]
            self.answers.append((number, time.monotonic(), status, new))
            self._stop.wait(self.pause)
        connection.close()

    @property
    def new_index_seen(self) -> bool:
        return any(new for *_, new in self.answers)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(articles folder: seeds/ plus the river story, index directory: not built yet)."""
    folder = tmp_path_factory.mktemp("faults")
    articles = folder / "articles"
    shutil.copytree(SEEDS, articles)
    return articles, folder / "index"


@pytest.fixture(scope="module")
def server(site: tuple[Path, Path]):
    """`qa serve` over the module's index directory, started before any index exists."""
    with serving(site[1]) as running:
        yield running


def test_serving_without_an_index_is_503_until_a_build_appears(server, site) -> None:
    articles, index = site
    for _ in range(10):
        status, kind, text = get(server, "/api/health")
        assert (status, kind) == (503, "application/json")
        assert json.loads(text)["error"]["code"] == "index_unavailable"
        status, kind, text = get(server, "/")
        assert status == 503 and kind.startswith("text/html") and "qa build" in text
    assert server.process.poll() is None  # up, not crashing or restarting

    built = subprocess.run(
        qa_command("build", str(articles), "--index", str(index)), env=ENV, cwd=ROOT, timeout=600
    )
    assert built.returncode == 0
    wait_for(lambda: get(server, "/api/health")[0] == 200, 60, "the new index to be picked up")
    connection = http.client.HTTPConnection(HOST, server.port, timeout=60)
    status, data = ask(connection, SEED_QUESTION)
    assert status == 200 and "SANA reported" in data["passages"][0]["text"]
    assert server.process.poll() is None


def test_killed_builds_leave_the_old_index_serving(server, site, tmp_path: Path) -> None:
    _, index = site
    before = (index / MANIFEST).read_text()
    many = tmp_path / "many"
    many.mkdir()
    for i in range(400):
        (many / f"{i}.txt").write_text(f"Story {i}. Trains in Leeds ran late {i} times.")
    writing_after = 0.0
    kills: list[str] = []
    with Asking(server.port) as asking:
        # First killed as it starts writing the new index; then at random points before that
        # (loading the model, reading, chunking, embedding).
        for turn in range(3):
            started = time.monotonic()
            build = subprocess.Popen(
                qa_command("build", str(many), "--index", str(index)),
                env=ENV,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if turn == 0:
                wait_for(
                    lambda build=build: build.poll() is not None or writing(index),
                    600,
                    "the build to start writing",
                    every=0.002,  # the write phase is short: catch it as it begins
                )
                writing_after = time.monotonic() - started
                kills.append(f"writing ({writing_after:.1f} s)")
            else:
                delay = random.uniform(0.1, 0.9) * writing_after
                time.sleep(delay)
                kills.append(f"{delay:.1f} s")
            assert build.poll() is None, f"the build ended before the kill at {kills[-1]}"
            build.send_signal(signal.SIGKILL)
            assert build.wait(timeout=30) == -signal.SIGKILL
            assert (index / MANIFEST).read_text() == before, kills[-1]
    print(f"\nkilled builds at {', '.join(kills)}; {len(asking.answers)} answers meanwhile")
    assert not asking.failures
    assert asking.answers and all(status == 200 for _, _, status, _ in asking.answers)
    assert not asking.new_index_seen
    assert server.process.poll() is None


def writing(index: Path) -> bool:
    return any(index.parent.glob(f".{index.name}.build-*"))


def test_a_build_swaps_in_without_a_failed_request(server, site) -> None:
    articles, index = site
    (articles / "river.txt").write_text(RIVER)
    old_build = json.loads(get(server, "/api/health")[2])["build_id"]
    with Asking(server.port) as asking:
        time.sleep(1)
        built = subprocess.run(
            qa_command("build", "--index", str(index)), env=ENV, cwd=ROOT, timeout=600
        )
        assert built.returncode == 0  # a later build completes, after the killed ones
        wait_for(lambda: asking.new_index_seen, 60, "answers from the new index")
        time.sleep(2)
    statuses = [status for _, _, status, _ in asking.answers]
    swapped = sum(new for *_, new in asking.answers)
    print(
        f"\nswap: {len(statuses)} requests, {statuses.count(200)} OK, {swapped} from the new index"
    )
    assert not asking.failures
    assert statuses and set(statuses) == {200}
    # Once a thread got an answer from the new index it never got one from the old again.
    for number in range(asking.threads):
        mine = [new for n, _, _, new in asking.answers if n == number]
        first = mine.index(True)
        assert all(mine[first:]), f"thread {number} went back to the old index"
    assert json.loads(get(server, "/api/health")[2])["build_id"] != old_build
    assert not writing(index)  # the killed builds' debris is gone


def test_a_damaged_live_index_keeps_the_loaded_one_until_a_good_build(server, site) -> None:
    _, index = site
    loaded = json.loads(get(server, "/api/health")[2])["build_id"]
    (index / MANIFEST).write_text("{not json")
    time.sleep(2.5)  # the server notices the changed manifest, fails to load it, keeps serving
    connection = http.client.HTTPConnection(HOST, server.port, timeout=60)
    for _ in range(3):
        status, data = ask(connection, RIVER_QUESTION)
        assert status == 200 and "Godalming" in data["passages"][0]["text"]
    assert json.loads(get(server, "/api/health")[2])["build_id"] == loaded

    # The broken manifest no longer says which sources to read: name them.
    built = subprocess.run(
        qa_command("build", str(site[0]), "--index", str(index)), env=ENV, cwd=ROOT, timeout=600
    )
    assert built.returncode == 0
    wait_for(
        lambda: json.loads(get(server, "/api/health")[2])["build_id"] != loaded,
        60,
        "the rebuilt index to be picked up",
    )
    status, data = ask(connection, RIVER_QUESTION)
    assert status == 200 and "Godalming" in data["passages"][0]["text"]
    assert server.process.poll() is None


# --- each damaged or missing index file: one CLI line, 503 JSON, recovery without restart -------


def damage(index: Path, what: str) -> None:
    name = what.split(":")[0]
    path = (index if name == MANIFEST else only_segment(index)) / name
    if what.endswith(":missing"):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    elif path.is_dir():
        for part in path.iterdir():
            part.write_bytes(b"\x00garbage\xff" * 7)
    else:
        path.write_bytes(b"\x00garbage\xff" * 7)


DAMAGES = [
    f"{VECTORS}:missing",
    f"{VECTORS}:garbage",
    f"{CHUNKS}:missing",
    f"{CHUNKS}:garbage",
    f"{MANIFEST}:missing",
    f"{MANIFEST}:garbage",
    f"{LEXICAL}:missing",
    f"{LEXICAL}:garbage",
    f"{SENTENCE_SPANS}:missing",
    f"{SENTENCE_VECTORS}:garbage",
]


@pytest.fixture(scope="module")
def good_index(seed_index: Settings) -> Path:
    return seed_index.index_dir


@pytest.mark.parametrize("what", DAMAGES)
def test_a_damaged_index_is_one_cli_line_and_503_json_then_recovers(
    what: str, good_index: Path, tmp_path: Path, embedder: Embedder
) -> None:
    index = tmp_path / "index"
    shutil.copytree(good_index, index)
    damage(index, what)

    result = CliRunner().invoke(main, ["ask", SEED_QUESTION, "--index", str(index)])
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and "qa build" in lines[0]

    app: Flask = create_app(Settings(index_dir=index))
    client = app.test_client()
    for response in (
        client.post("/api/ask", json={"question": SEED_QUESTION}),
        client.get("/api/health"),
        client.get("/api/articles"),
    ):
        assert response.status_code == 503 and response.mimetype == "application/json"
        error = response.json["error"]
        assert error["code"] == "index_unavailable" and "\n" not in error["message"]
    page = client.get("/")
    assert page.status_code == 503 and "qa build" in page.get_data(as_text=True)

    # A good index appears (as a build leaves it: renamed into place); no restart.
    fresh = tmp_path / "fresh"
    shutil.copytree(good_index, fresh)
    shutil.rmtree(index)
    fresh.rename(index)
    wait_for(lambda: client.get("/api/health").status_code == 200, 30, "the good index")
    answer = client.post("/api/ask", json={"question": SEED_QUESTION, "k": 1})
    assert answer.status_code == 200 and "SANA reported" in answer.json["passages"][0]["text"]


def test_a_loaded_index_reads_its_own_files_after_a_swap_from_any_thread(
    seed_copy: Path, make_settings, embedder: Embedder
) -> None:
    """A server thread that first touches the old index after a rebuild must not mix the old
    vectors with the new chunk rows (the new article sorts first, so every row id shifts)."""
    settings = make_settings()
    build_index(settings, [str(seed_copy)], embedder=embedder)
    old = Searcher(settings, embedder=embedder)
    before = old.ask(SEED_QUESTION, k=3).to_dict()["passages"]
    (seed_copy / "000_aaa.txt").write_text(RIVER * 3)
    build_index(settings, [str(seed_copy)], embedder=embedder)
    seen: list[list[dict]] = []
    thread = threading.Thread(
        target=lambda: seen.append(old.ask(SEED_QUESTION, k=3).to_dict()["passages"])
    )
    thread.start()
    thread.join()
    assert [p["text"] for p in seen[0]] == [p["text"] for p in before]
    assert [p["citation"] for p in seen[0]] == [p["citation"] for p in before]
