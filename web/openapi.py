"""The OpenAPI 3.1 document of /api/: every endpoint, body, response and error code."""

from __future__ import annotations

from functools import cache
from typing import Any

from qa.config import MAX_K, MODES
from web.limits import (
    DEFAULT_K,
    DEFAULT_LIMIT,
    MAX_BODY_BYTES,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_QUESTION_CHARS,
)

NULLABLE_STRING = {"type": ["string", "null"]}
# What a citation and an article listing both say of an article.
ARTICLE_FIELDS = {
    "title": {"type": "string"},
    "source": {"type": "string"},
    "url": NULLABLE_STRING,
    "published": NULLABLE_STRING,
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


SCHEMAS: dict[str, Any] = {
    "AskRequest": {
        "type": "object",
        "required": ["question"],
        "additionalProperties": False,
        "properties": {
            "question": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_QUESTION_CHARS,
                # Not blank (Python's idea of white space) and no NUL anywhere.
                "pattern": r"^[^\u0000]*[^\s\u0000\u001c-\u001f\u0085][^\u0000]*$",
                "description": "Not blank; no NUL characters or unpaired surrogates.",
            },
            "k": {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": DEFAULT_K},
            "mode": {"type": "string", "enum": list(MODES), "default": MODES[0]},
        },
    },
    "Citation": {
        "type": "object",
        "description": "Where a passage comes from: article text[start:end] == passage text.",
        "required": [
            "article_id",
            "title",
            "source",
            "published",
            "url",
            "paragraph",
            "start",
            "end",
        ],
        "properties": {
            "article_id": {"type": "string"},
            **ARTICLE_FIELDS,
            "paragraph": {"type": "integer", "minimum": 1, "description": "1-based"},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 0},
        },
    },
    "Passage": {
        "type": "object",
        "required": ["rank", "score", "text", "highlight", "copies", "citation"],
        "properties": {
            "rank": {"type": "integer", "minimum": 1},
            "score": {"type": "number"},
            "text": {"type": "string"},
            "highlight": {
                "description": "The answer sentence's [start, end) within text (code points).",
                "oneOf": [
                    {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 0},
                        "minItems": 2,
                        "maxItems": 2,
                    },
                    {"type": "null"},
                ],
            },
            "copies": {
                "type": "integer",
                "minimum": 0,
                "description": "Near-identical passages of other articles folded into this one.",
            },
            "citation": _ref("Citation"),
        },
    },
    "Answer": {
        "type": "object",
        "required": ["question", "mode", "answer", "passages", "unknown_words", "took_ms"],
        "properties": {
            "question": {"type": "string"},
            "mode": {"type": "string", "enum": list(MODES)},
            "answer": {
                "description": "null when the articles do not answer the question.",
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["text", "passage"],
                        "properties": {
                            "text": {"type": "string"},
                            "passage": {"type": "integer", "minimum": 1},
                        },
                    },
                    {"type": "null"},
                ],
            },
            "passages": {"type": "array", "items": _ref("Passage"), "maxItems": MAX_K},
            "unknown_words": {
                "description": "Words of the question that no indexed article contains, as the "
                "question spells them: often why the articles do not answer it.",
                "type": "array",
                "items": {"type": "string"},
            },
            "took_ms": {"type": "number", "minimum": 0},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "articles", "chunks", "model", "built_at", "build_id"],
        "properties": {
            "status": {"const": "ok"},
            "articles": {"type": "integer", "minimum": 0},
            "chunks": {"type": "integer", "minimum": 0},
            "model": {"type": "string"},
            "built_at": NULLABLE_STRING,
            "build_id": NULLABLE_STRING,
        },
    },
    "ArticleSummary": {
        "type": "object",
        "required": ["id", "title", "source", "url", "published"],
        "properties": {
            "id": {"type": "string"},
            **ARTICLE_FIELDS,
        },
    },
    "ArticleList": {
        "type": "object",
        "required": ["total", "offset", "limit", "articles"],
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "offset": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            "articles": {"type": "array", "items": _ref("ArticleSummary")},
        },
    },
    "Article": {
        "allOf": [
            _ref("ArticleSummary"),
            {
                "type": "object",
                "required": ["text", "metadata"],
                "properties": {"text": {"type": "string"}, "metadata": {"type": "object"}},
            },
        ]
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {
                        "type": "string",
                        "description": "Stable and machine-readable, e.g. question_too_long.",
                    },
                    "message": {"type": "string", "description": "What to change, for people."},
                },
            }
        },
    },
}

# The fields POST /api/ask accepts: the API refuses any other (unknown_field).
ASK_FIELDS = frozenset(SCHEMAS["AskRequest"]["properties"])

COMMON_ERRORS = {
    "404": _error("not_found: no such endpoint."),
    "405": _error("method_not_allowed: the endpoint exists; the Allow header lists methods."),
    "429": {
        **_error("rate_limited: over QA_RATE_LIMIT requests a minute from this address."),
        "headers": {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
        },
    },
    "500": _error("internal_error: a bug; details are in the server log, never here."),
    "503": _error("index_unavailable: no index is loaded; run `qa build`."),
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
                    "Answer a question: the answer sentence and the top-k cited passages.",
                    _json(_ref("Answer"), "The answer (the same JSON as `qa ask --json`)."),
                    {
                        "400": _error(
                            "invalid_json, invalid_body, unknown_field, missing_question, "
                            "invalid_question, empty_question, invalid_characters, invalid_k, "
                            "invalid_mode."
                        ),
                        "413": _error(
                            "question_too_long (over the character limit) or payload_too_large "
                            "(body over the byte limit)."
                        ),
                        "415": _error("unsupported_media_type: the body must be application/json."),
                    },
                    requestBody={
                        "required": True,
                        "content": {"application/json": {"schema": _ref("AskRequest")}},
                    },
                )
            },
            "/api/health": {
                "get": _operation(
                    "Whether an index is loaded, and its figures.",
                    _json(_ref("Health"), "An index is loaded and answering."),
                    {},
                )
            },
            "/api/articles": {
                "get": _operation(
                    "A page of the indexed articles (metadata only), ordered by id.",
                    _json(_ref("ArticleList"), "The page and the total count."),
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
                    _json(_ref("Article"), "The article."),
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
        "components": {"schemas": SCHEMAS},
    }
