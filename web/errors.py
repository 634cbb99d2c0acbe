"""Errors as clients see them: JSON `{"error": {code, message}}` under /api/, else a page."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from qa.index.errors import IndexProblem

log = logging.getLogger(__name__)

# Werkzeug's status codes → our stable error codes (the API documents these).
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    503: "index_unavailable",
}


class ApiError(Exception):
    """A refused request: HTTP status, a stable code and a message that says what to change."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_json(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    """Every error becomes JSON under /api/ and a plain page elsewhere; never a traceback."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        response = error_json(error.status, error.code, error.message)
        response.headers.update(error.headers)
        return response

    @app.errorhandler(IndexProblem)
    def index_problem(error: IndexProblem) -> Response | tuple[str, int]:
        """The index failed mid-request (its Milvus server went away): 503, as with none."""
        log.warning("the index failed: %s", error)
        if wants_json():
            return error_json(503, "index_unavailable", str(error))
        return render_template("error.html", status=503, message=str(error)), 503

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | tuple[str, int]:
        status = error.code or 500
        message = _http_message(error)
        if wants_json():
            response = error_json(status, HTTP_CODES.get(status, "http_error"), message)
        else:
            response = app.make_response(
                (render_template("error.html", status=status, message=message), status)
            )
        for name, value in error.get_headers():  # Allow on 405, Retry-After on 429 …
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response | tuple[str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        message = "something went wrong on the server; the error is in its log"
        if wants_json():
            return error_json(500, "internal_error", message)
        return render_template("error.html", status=500, message=message), 500


def _http_message(error: HTTPException) -> str:
    messages = {
        404: "there is nothing at this address",
        405: f"{request.method} is not allowed here",
        413: f"the request body is larger than the {_limit_kib()} KiB limit",
    }
    return messages.get(error.code or 500, error.description or error.name)


def _limit_kib() -> int:
    return (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024
