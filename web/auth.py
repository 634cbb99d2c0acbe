"""An optional access token: Bearer on /api/, a login form and a session cookie for the page."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from web.errors import ApiError, wants_json

EXTENSION = "qa.api_token"  # where the app keeps its token
COOKIE = "qa_session"
COOKIE_LABEL = b"article-qa session v1"  # what the cookie is an HMAC of, keyed by the token
OPEN_ENDPOINTS = {"api.health", "api.openapi", "auth.login", "static"}  # monitoring, docs, login
# A same-site path to return to after login: one slash then no slash or backslash (so never
# //host or /\host), no whitespace or control characters (browsers drop tabs and newlines).
SAFE_NEXT = re.compile(r"/(?![/\\])[^\x00-\x20\x7f\\]*")

bp = Blueprint("auth", __name__)


def is_loopback(host: str) -> bool:
    """Whether `host` only listens on this machine ("localhost", 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # another host name: it may resolve to any address


def init_app(app: Flask, token: str) -> None:
    """With a token, require it on every request but OPEN_ENDPOINTS; without one, change nothing."""
    if not token:
        return
    app.extensions[EXTENSION] = token
    app.register_blueprint(bp)
    app.before_request(require_token)


def require_token() -> ResponseReturnValue | None:
    """None when the request may go on; else a 401 under /api/ or a redirect to the login."""
    if request.endpoint in OPEN_ENDPOINTS or _has_bearer() or _has_cookie():
        return None
    if wants_json():
        raise ApiError(
            401,
            "unauthorized",
            "this server needs the header Authorization: Bearer <token> (QA_API_TOKEN)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    query = request.query_string.decode("latin-1")
    return redirect(url_for("auth.login", next=request.path + (f"?{query}" if query else "")))


def _token() -> str:
    return current_app.extensions[EXTENSION]


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())  # bytes: any text compares


def _has_bearer() -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and _same(given.strip(), _token())


def session_value(token: str) -> str:
    """The cookie's value: derived from the token, so no session store, and a new token logs out."""
    return hmac.new(token.encode(), COOKIE_LABEL, hashlib.sha256).hexdigest()


def _has_cookie() -> bool:
    return _same(request.cookies.get(COOKIE, ""), session_value(_token()))


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else "/": a login never sends anyone elsewhere."""
    return target if target and SAFE_NEXT.fullmatch(target) else "/"


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The form (GET); POST checks `token`, sets the session cookie and goes on to `next`."""
    if request.method == "GET":
        return render_template("login.html", next=safe_next(request.args.get("next")))
    target = safe_next(request.form.get("next"))
    # Pasted tokens often bring a space or a line end along; the Bearer check ignores them too.
    if not _same(request.form.get("token", "").strip(), _token()):
        problem = "That token is not right: check it and try again."
        page = render_template("login.html", next=target, problem=problem)
        return page, 401
    response: Response = redirect(target, 303)
    response.set_cookie(
        COOKIE,
        session_value(_token()),
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
        path="/",
    )
    return response
