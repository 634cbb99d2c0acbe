"""An optional per-client limit: at most N requests in any sliding minute."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from flask import Flask, current_app

WINDOW = 60.0
# Above this many tracked clients, forget those idle for a whole window (bounded memory).
PRUNE_ABOVE = 10_000
EXTENSION = "qa.rate_limiter"  # where the app keeps its RateLimiter


class RateLimiter:
    """Counts requests per client key; `per_minute` 0 turns the limit off."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """Record a request; None if allowed, else the whole seconds until one is."""
        if self.per_minute <= 0:
            return None
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - WINDOW:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, math.ceil(hits[0] + WINDOW - now))
            hits.append(now)
            if len(self._hits) > PRUNE_ABOVE:
                self._prune(now)
            return None

    def _prune(self, now: float) -> None:
        idle = [key for key, hits in self._hits.items() if not hits or hits[-1] <= now - WINDOW]
        for key in idle:
            del self._hits[key]


def init_app(app: Flask, per_minute: int) -> None:
    """Register a limiter of `per_minute` requests per client on the app (0: no limit)."""
    app.extensions[EXTENSION] = RateLimiter(per_minute)


def rate_limiter() -> RateLimiter:
    """The current app's limiter."""
    return current_app.extensions[EXTENSION]
