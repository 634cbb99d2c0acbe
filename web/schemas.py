"""The JSON schemas of the API's bodies and replies (the OpenAPI document's components).

The request rules here are the ones the API enforces: it takes the fields it accepts from
AskRequest, and the bounds from the modules that own them.
"""

from __future__ import annotations

from typing import Any

from qa.answer.conversation import MAX_TURNS
from qa.config import MAX_K, MODES
from qa.index.article_sql import MAX_FACET_VALUES
from qa.index.filters import MAX_FIELDS, MAX_VALUES
from web.limits import DEFAULT_K, MAX_LIMIT, MAX_OFFSET, MAX_QUESTION_CHARS

NULLABLE_STRING = {"type": ["string", "null"]}
# What a citation and an article listing both say of an article.
ARTICLE_FIELDS = {
    "title": {"type": "string"},
    "source": {"type": "string"},
    "url": NULLABLE_STRING,
    "published": NULLABLE_STRING,
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


QUESTION = {"type": "string", "minLength": 1, "maxLength": MAX_QUESTION_CHARS}
# A character that is not white space to Python (nor NUL): a text holding one is not blank.
NOT_BLANK = r"[^\s\u0000\u001c-\u001f\u0085]"
# A range's bounds: numbers or strings (ISO 8601 dates for published), never true/false; null
# (or absent) leaves that end open, as qa.index.filters reads it.
RANGE_BOUND = {"type": ["string", "number", "null"]}
BOUNDED = {"type": ["string", "number"]}

SCHEMAS: dict[str, Any] = {
    "AskRequest": {
        "type": "object",
        "required": ["question"],
        "additionalProperties": False,
        "properties": {
            "question": {
                **QUESTION,
                "pattern": rf"^[^\u0000]*{NOT_BLANK}[^\u0000]*$",
                "description": "Not blank; no NUL characters or unpaired surrogates.",
            },
            "k": {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": DEFAULT_K},
            "mode": {"type": "string", "enum": list(MODES), "default": MODES[0]},
            "history": {
                "type": "array",
                "maxItems": MAX_TURNS,
                "items": ref("Turn"),
                "description": "The earlier turns of the conversation, oldest first: a follow-up "
                "is resolved against them into a standalone question (the reply's `searched`).",
            },
            "filters": ref("Filters"),
        },
    },
    "Turn": {
        "type": "object",
        "required": ["question", "answer"],
        "additionalProperties": False,
        "properties": {
            "question": {**QUESTION, "pattern": NOT_BLANK, "description": "Not blank."},
            "answer": {**NULLABLE_STRING, "description": "The answer given; null: not found."},
        },
    },
    "Filters": {
        "type": "object",
        "maxProperties": MAX_FIELDS,
        "propertyNames": {"pattern": NOT_BLANK},
        "description": "Only passages of articles that satisfy every condition: a field "
        "(source, published, article_id or a metadata field such as section) and a value "
        "(equal), a list of values (any of) or a range {from, to} (inclusive; ISO 8601 dates "
        "for published). GET /api/facets lists the fields and their values.",
        "additionalProperties": {
            "oneOf": [
                ref("FilterValue"),
                {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_VALUES,
                    "items": ref("FilterValue"),
                },
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"from": RANGE_BOUND, "to": RANGE_BOUND},
                    # At least one end bounded: {"to": null} alone is no range.
                    "anyOf": [
                        {"required": [end], "properties": {end: BOUNDED}} for end in ("from", "to")
                    ],
                },
            ]
        },
    },
    "FilterValue": {"type": ["string", "number", "boolean"]},
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
            "page",
        ],
        "properties": {
            "article_id": {"type": "string"},
            **ARTICLE_FIELDS,
            "paragraph": {"type": "integer", "minimum": 1, "description": "1-based"},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 0},
            "page": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "The page the passage starts on (PDF); null for unpaged articles.",
            },
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
            "citation": ref("Citation"),
        },
    },
    "Answer": {
        "type": "object",
        "required": [
            "question",
            "searched",
            "mode",
            "answer",
            "passages",
            "unknown_words",
            "reranker",
            "notice",
            "took_ms",
        ],
        "properties": {
            "question": {"type": "string"},
            "searched": {
                "type": "string",
                "description": "The standalone question searched: the question itself, or a "
                "follow-up resolved against the history.",
            },
            "mode": {"type": "string", "enum": list(MODES)},
            "answer": {
                "description": "null when the articles do not answer the question.",
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["text", "passage", "short", "reader"],
                        "properties": {
                            "text": {"type": "string", "description": "The answer sentence."},
                            "passage": {"type": "integer", "minimum": 1},
                            "short": {"oneOf": [ref("ShortAnswer"), {"type": "null"}]},
                            "reader": {
                                "type": "string",
                                "description": "What read the short answer: `heuristic`, or "
                                "the extractive-QA model of QA_READER.",
                            },
                        },
                    },
                    {"type": "null"},
                ],
            },
            "passages": {"type": "array", "items": ref("Passage"), "maxItems": MAX_K},
            "unknown_words": {
                "description": "Words of the question that no indexed article contains, as the "
                "question spells them: often why the articles do not answer it.",
                "type": "array",
                "items": {"type": "string"},
            },
            "reranker": {
                "description": "The cross-encoder that re-scored passages and answer sentences "
                "(QA_RERANKER), or null when none is configured.",
                "type": ["string", "null"],
            },
            "took_ms": {"type": "number", "minimum": 0},
        },
    },
    "ShortAnswer": {
        "type": "object",
        "description": "The name, number, date or phrase asked for; null when the question asks "
        "for no short fact (why, how) or the reader is unsure. Article offsets, like citations: "
        "the text of passage `passage`'s article [start:end] == text.",
        "required": ["text", "start", "end", "passage"],
        "properties": {
            "text": {"type": "string", "minLength": 1},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 0},
            "passage": {"type": "integer", "minimum": 1},
        },
    },
    "Facets": {
        "type": "object",
        "required": ["articles", "fields", "published"],
        "properties": {
            "articles": {"type": "integer", "minimum": 0},
            "fields": {
                "type": "object",
                "description": "By field name: how many distinct values the articles hold, and "
                "the most common ones with their article counts.",
                "additionalProperties": {
                    "type": "object",
                    "required": ["distinct", "values"],
                    "properties": {
                        "distinct": {"type": "integer", "minimum": 0},
                        "values": {
                            "type": "array",
                            "maxItems": MAX_FACET_VALUES,
                            "items": {
                                "type": "object",
                                "required": ["value", "count"],
                                "properties": {
                                    "value": ref("FilterValue"),
                                    "count": {"type": "integer", "minimum": 1},
                                },
                            },
                        },
                    },
                },
            },
            "published": {
                "type": "object",
                "required": ["from", "to", "dated"],
                "properties": {
                    "from": NULLABLE_STRING,
                    "to": NULLABLE_STRING,
                    "dated": {"type": "integer", "minimum": 0},
                },
            },
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
            "articles": {"type": "array", "items": ref("ArticleSummary")},
        },
    },
    "Article": {
        "allOf": [
            ref("ArticleSummary"),
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
