"""Shared fixtures: the real model, loaded once, and small real indexes built once per session."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from qa.build import build_index
from qa.config import Settings
from qa.embedding import Embedder, load_embedder
from qa.search import Searcher

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_fea5b3fe5925253d.txt"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
SEED_QUESTION = "who reported the Turkish convoy?"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2, loaded once for the whole session."""
    return load_embedder(Settings())


@pytest.fixture
def make_settings(tmp_path: Path):
    """Settings pointing at a fresh index directory under tmp_path."""

    def make(**changes) -> Settings:
        return Settings(index_dir=tmp_path / "index").with_(**changes)

    return make


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """An index of seeds/, built once per session. Treat it as read-only."""
    folder = tmp_path_factory.mktemp("seed-index")
    settings = Settings(index_dir=folder / "index")
    build_index(settings, [str(SEEDS)], embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def seed_searcher(seed_index: Settings, embedder: Embedder) -> Searcher:
    return Searcher(seed_index, embedder=embedder)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of seeds/ for tests that add, edit or break articles."""
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


def needs_shared_eval() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not SHARED_EVAL.is_dir(),
        reason=f"public evaluation data not found at {SHARED_EVAL} (it lives beside the repo)",
    )


# An article whose text is markup and script: pages must show it as text and never run it.
MARKUP_QUESTION = "Who is the lighthouse keeper of Port Lumen?"
MARKUP_ARTICLE = """\
Port Lumen notes <script>window.__pwned = "title"; console.log("pwned")</script>

The harbour authority of Port Lumen said on Monday that its lighthouse keeper is Elsa Varga \
<img src=x onerror="window.__pwned = 'img'; alert('pwned')">, who has kept the light for \
twelve years.

She said the lamp <script>alert("pwned")</script> was last replaced in the spring.
"""


@pytest.fixture(scope="session")
def markup_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """An index of seeds/ plus MARKUP_ARTICLE (as port-lumen.txt), built once per session."""
    folder = tmp_path_factory.mktemp("markup-index")
    articles = folder / "articles"
    shutil.copytree(SEEDS, articles)
    (articles / "port-lumen.txt").write_text(MARKUP_ARTICLE, encoding="utf-8")
    settings = Settings(index_dir=folder / "index")
    build_index(settings, [str(articles)], embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def seed_app(seed_index: Settings, embedder: Embedder):
    """The web app (create_app) over the seed index, shared by the session: read-only."""
    from web import create_app

    return create_app(seed_index)


@pytest.fixture
def client(seed_app):
    """A Flask test client of `seed_app`."""
    return seed_app.test_client()


@contextlib.contextmanager
def running_server(index_dir: Path, timeout: float = 180.0):
    """`qa serve --index index_dir --port 0` in a subprocess; yields the URL it prints.

    QA_* variables are dropped so the server's settings match the index built in the test.
    """
    import queue
    import re
    import subprocess
    import sys
    import threading

    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env["PYTHONUNBUFFERED"] = "1"
    qa = shutil.which("qa", path=str(Path(sys.executable).parent)) or "qa"
    process = subprocess.Popen(
        [qa, "serve", "--index", str(index_dir), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_forward, args=(process.stdout, lines), daemon=True).start()
    output: list[str] = []
    try:
        url = None
        while url is None:
            try:
                output.append(lines.get(timeout=timeout))
            except queue.Empty:
                pytest.fail(f"qa serve printed no URL in {timeout} s: {''.join(output)}")
            if match := re.search(r"serving (http://\S+/)", output[-1]):
                url = match.group(1)
            elif process.poll() is not None:
                pytest.fail(f"qa serve exited with {process.returncode}: {''.join(output)}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _forward(stream, lines) -> None:
    """Copy a server's output lines to a queue, so reading them can time out."""
    for line in stream:
        lines.put(line)
