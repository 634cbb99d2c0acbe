"""Titles for articles that carry none: a heading, else the start of the first sentence."""

from __future__ import annotations

import re

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FIRST_SENTENCE = re.compile(r"(.+?[.!?])(?=[\"'”’)\]]*(\s|$))", re.S)
TITLE_CHARS = 90


def text_title(text: str) -> str:
    """A first line that is a heading, otherwise the start of the first sentence."""
    lines = text.lstrip("\ufeff").splitlines()
    first_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_index is None:
        return ""
    first = lines[first_index].strip()
    heading = _HEADING.match(first)
    if heading:
        return heading.group("title")
    following = lines[first_index + 1] if first_index + 1 < len(lines) else ""
    if _SETEXT.match(following):
        return first
    match = _FIRST_SENTENCE.match(first)
    sentence = match.group(1) if match else first
    return shorten(sentence, TITLE_CHARS)


def shorten(text: str, limit: int) -> str:
    """Cut text on a word boundary to at most `limit` characters, marking the cut with …."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
