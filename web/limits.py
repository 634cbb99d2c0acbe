"""The request limits of the web layer, named once: the API enforces them, the OpenAPI
document states them, the page keeps to them."""

from __future__ import annotations

from qa.config import MAX_QUESTION_CHARS

__all__ = ["DEFAULT_K", "DEFAULT_LIMIT", "MAX_BODY_BYTES", "MAX_LIMIT", "MAX_OFFSET"]
__all__ += ["MAX_QUESTION_CHARS"]  # the library's, as the API enforces it

MAX_BODY_BYTES = 64 * 1024
DEFAULT_K = 5
DEFAULT_LIMIT = 20  # articles per page of GET /api/articles
MAX_LIMIT = 100
MAX_OFFSET = 10**9
