"""The live Searcher, replaced in the background when `qa build` swaps in a new index.

Registered on the app by `init_app` and fetched through `current_searcher()` (flaskr's
`get_db` pattern): no other module knows where the app keeps it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Hashable

from flask import Flask, current_app

from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.index.errors import IndexProblem
from qa.index.location import published_build, watch

log = logging.getLogger(__name__)

# How often (seconds) a request may look for a new build: stat manifest.json, or ask Milvus
# which collection the index's alias names.
CHECK_EVERY = 1.0
# What that look sees (qa.index.location.watch): it changes with each new build.
Signature = Hashable | None
EXTENSION = "qa.index"  # where the app keeps its IndexHolder


class IndexUnavailable(RuntimeError):
    """No index is loaded; the message says why and what to run."""


class IndexHolder:
    """Hands out the current Searcher; notices a new build and loads it off the request path.

    Requests keep using the old Searcher while the new one loads; the reference is swapped
    only once the new index is fully loaded, so no request fails during a rebuild. An old
    Searcher keeps answering from the files it loaded even after the swap on disk: its chunk
    store connection and memory maps were opened at load (qa.index.reader); a Milvus one from
    the collections of its build, kept by the next build (qa.index.milvus.writer). The
    embedder is loaded once and shared by every Searcher.
    """

    def __init__(
        self, settings: Settings, embedder: Embedder, check_every: float = CHECK_EVERY
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.check_every = check_every
        self._look = watch(settings.index_dir)
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._problem = "the index is loading"
        self._seen: Signature = None  # the manifest last loaded (or tried)
        self._checked = time.monotonic()
        self._loading = True
        self._load(self._signature())

    def current(self) -> Searcher:
        """The loaded Searcher; IndexUnavailable when there is none."""
        self._notice_new_build()
        searcher = self._searcher
        if searcher is None:
            raise IndexUnavailable(self._problem)
        return searcher

    @property
    def build_id(self) -> str | None:
        searcher = self._searcher
        return searcher.manifest.get("build_id") if searcher else None

    def _signature(self) -> Signature:
        return self._look()

    def _notice_new_build(self) -> None:
        """At most every `check_every` seconds, look for a build; start a load if one changed."""
        now = time.monotonic()
        if now - self._checked < self.check_every:
            return
        with self._lock:
            if self._loading or now - self._checked < self.check_every:
                return
            self._checked = now
            signature = self._signature()
            if signature == self._seen:
                return
            self._loading = True
        threading.Thread(
            target=self._load, args=(signature,), name="qa-index-load", daemon=True
        ).start()

    def _load(self, signature: Signature) -> None:
        """Load the index behind `signature` and swap it in; keep the old one on failure."""
        searcher, problem = None, "the index could not be loaded"
        try:
            searcher, problem = self._open()
        finally:
            with self._lock:
                self._seen = signature
                if searcher is not None:
                    if self._searcher not in (None, searcher):
                        log.info("loaded the new index %s", searcher.manifest.get("build_id"))
                    self._searcher = searcher
                else:
                    self._problem = problem
                    if self._searcher is not None:
                        log.warning("keeping the loaded index: %s", problem)
                self._loading = False

    def _open(self) -> tuple[Searcher | None, str]:
        try:
            build_id = published_build(self.settings.index_dir)
            if build_id is not None and build_id == self.build_id:
                return self._searcher, ""  # touched, not rebuilt
            return Searcher(self.settings, embedder=self.embedder), ""
        except IndexProblem as exc:
            return None, str(exc)
        except Exception as exc:  # a half-written or foreign directory: say so, keep serving
            log.exception("cannot load the index at %s", self.settings.index_dir)
            return None, f"the index at {self.settings.index_dir} cannot be loaded ({exc})"


def init_app(app: Flask, settings: Settings, embedder: Embedder) -> None:
    """Register the holder of the index at `settings.index_dir` on the app."""
    app.extensions[EXTENSION] = IndexHolder(settings, embedder)


def index_holder(app: Flask | None = None) -> IndexHolder:
    """The app's holder (the current app's by default)."""
    return (app or current_app).extensions[EXTENSION]


def current_searcher() -> Searcher:
    """The current app's loaded Searcher; IndexUnavailable when there is none."""
    return index_holder().current()
