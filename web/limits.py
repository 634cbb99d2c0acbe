"""The request limits of the web layer, named once: the API enforces them, the OpenAPI
document states them, the page keeps to them."""

from __future__ import annotations

MAX_QUESTION_CHARS = 2000
MAX_BODY_BYTES = 64 * 1024
DEFAULT_K = 5
DEFAULT_LIMIT = 20  # articles per page of GET /api/articles
MAX_LIMIT = 100
MAX_OFFSET = 10**9
