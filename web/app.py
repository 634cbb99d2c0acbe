"""The Flask application factory: one Searcher holder, the page and API blueprints, hardening."""

from __future__ import annotations

from flask import Flask, Response

from qa.config import Settings
from qa.embed.embedder import load_embedder
from web import api, auth, holder, pages, ratelimit
from web.errors import register_error_handlers
from web.limits import MAX_BODY_BYTES

SECURITY_HEADERS = {
    # No inline script or style anywhere: article text can never become code.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def create_app(settings: Settings | None = None) -> Flask:
    """The app over `settings.index_dir` (default: from QA_* env). Loads the model once.

    A missing or broken index does not stop the app: the API answers 503 and the page says
    what to run, until `qa build` writes an index, which is picked up without a restart.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, DEBUG=False)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the contract's field order
    app.url_map.merge_slashes = False  # ids are keys: "//x" is an unknown id (404), not a redirect
    holder.init_app(app, settings, load_embedder(settings))
    ratelimit.init_app(app, settings.rate_limit)
    auth.init_app(app, settings.api_token)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    register_error_handlers(app)

    @app.after_request
    def harden(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    return app
