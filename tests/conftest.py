"""Shared fixtures: the real model, loaded once, and small real indexes built once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import Embedder, load_embedder
from qa.index.build import build_index
from qa.index.layout import SEGMENTS
from qa.index.reader import LocalIndex
from qa.text.words import content_words_of_spans

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_fea5b3fe5925253d.txt"
# The public evaluation data beside the repo (QA_EVAL_DATA: elsewhere, e.g. from a worktree).
SHARED_EVAL = Path(os.environ.get("QA_EVAL_DATA") or ROOT.parent / "shared" / "eval")
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
        return Settings(index_dir=tmp_path / "index").overridden(**changes)

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


def only_segment(index: Path) -> Path:
    """The folder of an index's one segment (a fresh build's), for tests that damage its files."""
    (folder,) = (index / SEGMENTS).iterdir()
    return folder


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


def seeds_plus(folder: Path, name: str, text: str, embedder: Embedder) -> Settings:
    """An index (under `folder`) of seeds/ plus one article `name` with `text`."""
    articles = folder / "articles"
    shutil.copytree(SEEDS, articles)
    (articles / name).write_text(text, encoding="utf-8")
    settings = Settings(index_dir=folder / "index")
    build_index(settings, [str(articles)], embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def markup_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """An index of seeds/ plus MARKUP_ARTICLE (as port-lumen.txt), built once per session."""
    folder = tmp_path_factory.mktemp("markup-index")
    return seeds_plus(folder, "port-lumen.txt", MARKUP_ARTICLE, embedder)


@pytest.fixture(scope="session")
def seed_app(seed_index: Settings, embedder: Embedder):
    """The web app (create_app) over the seed index, shared by the session: read-only."""
    from web import create_app

    return create_app(seed_index)


@pytest.fixture
def client(seed_app):
    """A Flask test client of `seed_app`."""
    return seed_app.test_client()


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real Milvus 2.3.5 standalone server (PyPI `milvus`, C++), one for the session: its
    URI prefix, milvus://127.0.0.1:PORT. It binds fixed ports, so one instance at a time; it is
    stopped by its process id when the session ends."""
    pytest.importorskip("milvus", reason="the `milvus` server package is absent")
    from bench.milvus_server import MilvusFailed
    from bench.milvus_server import milvus_server as running_milvus

    try:
        with running_milvus(tmp_path_factory.mktemp("milvus-server")) as uri:
            yield uri
    except MilvusFailed as exc:
        pytest.skip(f"{exc} (the Milvus tests need it)")


def milvus_lite_uri(folder: Path, name: str = "qa") -> str:
    """A milvus-lite index location in `folder` (the pure-Python engine, in this process)."""
    pytest.importorskip("milvus_lite", reason="milvus-lite is absent")
    return f"milvus-lite://{folder / 'milvus.db'}/{name}"


def assert_stored_words(index_dir: Path) -> None:
    """Every chunk's stored sentence words are those its text gives (qa.index.sentence_words)."""
    index = LocalIndex(index_dir)
    rows = list(range(index.chunk_count))
    stored = index.sentences_of(rows)
    assert all(s.words is not None for s in stored)
    for chunk, sentences in zip(index.chunks(rows), stored, strict=True):
        assert sentences.words == content_words_of_spans(chunk.text, sentences.spans)
