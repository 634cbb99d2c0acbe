"""How an error reads to a user of the CLI or the API: one line, never a traceback."""

from __future__ import annotations


def first_line(exc: BaseException) -> str:
    """The first line of the error's message, or its type's name when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
