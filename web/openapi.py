"""The OpenAPI 3.1 document of /api/: every endpoint, body, response and error code."""

from __future__ import annotations

from functools import cache
from typing import Any

from web.limits import DEFAULT_LIMIT, MAX_BODY_BYTES, MAX_LIMIT, MAX_OFFSET, MAX_QUESTION_CHARS
from web.schemas import SCHEMAS, ref


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(ref("Error"), description)


COMMON_ERRORS = {
    "401": {
        **_error("unauthorized: this server needs Authorization: Bearer TOKEN."),
        "headers": {"WWW-Authenticate": {"description": "Bearer.", "schema": {"type": "string"}}},
    },
    "404": _error("not_found: no such endpoint."),
    "405": _error("method_not_allowed: the endpoint exists; the Allow header lists methods."),
    "429": {
        **_error("rate_limited: over QA_RATE_LIMIT requests a minute from this address."),
        "headers": {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
        },
    },
    "500": _error("internal_error: a bug; details are in the server log, never here."),
    "503": _error(
        "index_unavailable: no index is loaded (run `qa build`), or its Milvus server cannot "
        "be reached."
    ),
}


def _operation(
    summary: str, ok: dict[str, Any], errors: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {"summary": summary, "responses": {"200": ok, **errors, **COMMON_ERRORS}, **extra}


def _query_integer(name: str, default: int, low: int, high: int) -> dict[str, Any]:
    schema = {"type": "integer", "minimum": low, "maximum": high, "default": default}
    return {"name": name, "in": "query", "required": False, "schema": schema}


@cache
def openapi_document() -> dict[str, Any]:
    """The document served at /api/openapi.json (and checked against real responses in tests)."""
    bad_query = _error("invalid_parameter: offset or limit is not an integer in range.")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "article-qa",
            "version": "1",
            "description": (
                "Questions over your news articles, answered with cited passages. Errors are "
                '{"error": {"code", "message"}}. Request bodies are limited to '
                f"{MAX_BODY_BYTES // 1024} KiB and questions to {MAX_QUESTION_CHARS:,} characters."
            ),
        },
        "paths": {
            "/api/ask": {
                "post": _operation(
                    "Answer a question: the short answer, the answer sentence and the top-k cited "
                    "passages.",
                    _json(ref("Answer"), "The answer (the same JSON as `qa ask --json`)."),
                    {
                        "400": _error(
                            "invalid_json, invalid_body, unknown_field, missing_question, "
                            "invalid_question, empty_question, invalid_characters, invalid_k, "
                            "invalid_mode, invalid_history, invalid_filter, mode_unavailable "
                            "(a Milvus server without BM25 answers the dense mode only)."
                        ),
                        "413": _error(
                            "question_too_long (over the character limit) or payload_too_large "
                            "(body over the byte limit)."
                        ),
                        "415": _error("unsupported_media_type: the body must be application/json."),
                    },
                    requestBody={
                        "required": True,
                        "content": {"application/json": {"schema": ref("AskRequest")}},
                    },
                )
            },
            "/api/facets": {
                "get": _operation(
                    "What the articles can be filtered by: each field's values with their "
                    "article counts, and the published date range.",
                    _json(ref("Facets"), "The facets of the loaded index."),
                    {},
                )
            },
            "/api/health": {
                "get": _operation(
                    "Whether an index is loaded, and its figures.",
                    _json(ref("Health"), "An index is loaded and answering."),
                    {},
                )
            },
            "/api/articles": {
                "get": _operation(
                    "A page of the indexed articles (metadata only), ordered by id.",
                    _json(ref("ArticleList"), "The page and the total count."),
                    {"400": bad_query},
                    parameters=[
                        _query_integer("offset", 0, 0, MAX_OFFSET),
                        _query_integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
                    ],
                )
            },
            "/api/articles/{article_id}": {
                "get": _operation(
                    "One article with its whole text; citations index into it.",
                    _json(ref("Article"), "The article."),
                    {"404": _error("article_not_found (or not_found).")},
                    parameters=[
                        {
                            "name": "article_id",
                            "in": "path",
                            "required": True,
                            "description": "May contain slashes, e.g. tech/029.",
                            "schema": {"type": "string"},
                        }
                    ],
                )
            },
            "/api/openapi.json": {
                "get": _operation(
                    "This document.",
                    _json({"type": "object"}, "The OpenAPI 3.1 document."),
                    {},
                )
            },
        },
        "components": {
            "schemas": SCHEMAS,
            # Required only by a server started with QA_API_TOKEN (all but health and this).
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
