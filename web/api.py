"""The JSON API under /api/: ask, health, articles and the OpenAPI document that describes them."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, jsonify, request

from qa.answer.conversation import HistoryError, parse_history
from qa.answer.searcher import Searcher
from qa.config import MAX_K, MODES
from qa.index.errors import ModeUnavailable
from qa.index.filters import FilterError, parse_filters
from qa.ingest.article import Article
from web.errors import ApiError
from web.holder import IndexUnavailable, current_searcher
from web.limits import DEFAULT_K, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MAX_QUESTION_CHARS
from web.openapi import openapi_document
from web.ratelimit import rate_limiter
from web.schemas import ASK_FIELDS

DIGITS = re.compile(r"[0-9]{1,18}")

bp = Blueprint("api", __name__, url_prefix="/api")


def searcher() -> Searcher:
    try:
        return current_searcher()
    except IndexUnavailable as exc:
        raise ApiError(503, "index_unavailable", str(exc)) from None


@bp.before_request
def limit_rate() -> None:
    if request.endpoint in {"api.health", "api.openapi"}:
        return  # monitoring and documentation are never throttled
    wait = rate_limiter().retry_after(request.remote_addr or "")
    if wait is not None:
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests: try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )


@bp.after_request
def no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.post("/ask")
def ask() -> Response:
    """Answer a question: exactly `Searcher.ask(...).to_dict()`, as `qa ask --json` prints."""
    body = json_body()
    unknown = sorted(set(body) - ASK_FIELDS)
    if unknown:
        fields = ", ".join(sorted(ASK_FIELDS))
        raise ApiError(400, "unknown_field", f"unknown field {unknown[0]!r}: send {fields}")
    question = checked_question(body.get("question"))
    k = body.get("k", DEFAULT_K)
    if isinstance(k, float) and k.is_integer():
        k = int(k)  # 5.0 is an integer to JSON Schema, so to the documented contract too
    if type(k) is not int or not 1 <= k <= MAX_K:  # bool is an int subclass: refuse it too
        raise ApiError(400, "invalid_k", f"k must be an integer from 1 to {MAX_K}")
    mode = body.get("mode", MODES[0])
    if mode not in MODES:
        raise ApiError(400, "invalid_mode", f"mode must be one of {', '.join(MODES)}")
    try:
        history = parse_history(body.get("history", []))
    except HistoryError as exc:
        raise ApiError(400, "invalid_history", str(exc)) from None
    try:
        filters = parse_filters(body.get("filters", {}))
    except FilterError as exc:
        raise ApiError(400, "invalid_filter", str(exc)) from None
    try:
        answer = searcher().ask(question, k=k, mode=mode, filters=filters, history=history)
    except ModeUnavailable as exc:
        raise ApiError(400, "mode_unavailable", str(exc)) from None
    return jsonify(answer.to_dict())


def json_body() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", "send the request body as Content-Type: application/json"
        )
    try:
        body = json.loads(request.get_data(cache=False))
    except ValueError as exc:  # bad JSON or bytes that are not UTF-8
        raise ApiError(400, "invalid_json", f"the body is not valid JSON ({exc})") from None
    except RecursionError:  # e.g. [[[[…]]]] thousands deep: fits the body limit, breaks the parser
        message = "the body is not valid JSON (nested too deeply)"
        raise ApiError(400, "invalid_json", message) from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", 'the body must be a JSON object: {"question": "…"}')
    return body


def checked_question(question: Any) -> str:
    if question is None:
        raise ApiError(400, "missing_question", 'the body needs a "question"')
    if not isinstance(question, str):
        raise ApiError(400, "invalid_question", "the question must be a string")
    if not question.strip():
        raise ApiError(400, "empty_question", "the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise ApiError(
            413,
            "question_too_long",
            f"the question has {len(question):,} characters; the limit is {MAX_QUESTION_CHARS:,}",
        )
    if "\x00" in question or not _is_encodable(question):
        raise ApiError(
            400, "invalid_characters", "the question contains a NUL or an unpaired surrogate"
        )
    return question


def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@bp.get("/health")
def health() -> Response:
    """200 with the loaded index's figures; 503 (error JSON) while there is none."""
    manifest = searcher().manifest
    return jsonify(
        {
            "status": "ok",
            "articles": manifest["counts"]["articles"],
            "chunks": manifest["counts"]["chunks"],
            "model": manifest["model"]["name"],
            "built_at": manifest.get("built_at"),
            "build_id": manifest.get("build_id"),
        }
    )


@bp.get("/facets")
def facets() -> Response:
    """What the articles can be filtered by: fields with their values and counts, dates."""
    return jsonify(searcher().index.facets())


@bp.get("/articles")
def articles() -> Response:
    """A page of articles (metadata only), ordered by id, with the total count."""
    offset = int_parameter("offset", 0, 0, MAX_OFFSET)
    limit = int_parameter("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    index = searcher().index
    return jsonify(
        {
            "total": index.article_count,
            "offset": offset,
            "limit": limit,
            "articles": [article_json(a) for a in index.list_articles(offset, limit)],
        }
    )


def int_parameter(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    value = int(raw) if DIGITS.fullmatch(raw) else None
    if value is None or not low <= value <= high:
        raise ApiError(400, "invalid_parameter", f"{name} must be an integer from {low} to {high}")
    return value


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> Response:
    """One article with its whole text: citations' start/end index into `text`."""
    found = searcher().index.article(article_id)
    if found is None:
        raise ApiError(404, "article_not_found", f"no article with id {article_id!r}")
    return jsonify(article_json(found) | {"text": found.text, "metadata": found.metadata})


def article_json(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published": article.published,
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
