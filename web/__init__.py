"""The web layer: the chat page, the article view and the JSON API (`flask --app web run`)."""

from web.app import create_app

__all__ = ["create_app"]
