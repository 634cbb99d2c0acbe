"""RSS 2.0 and Atom feeds (feedparser, from the file's bytes, never a URL): an article per item."""

from __future__ import annotations

import io
from typing import Any
from xml.sax import SAXParseException

import feedparser

from qa.errors import first_line
from qa.ingest.article import Article, ArticleError, content_hash
from qa.ingest.dates import iso_date
from qa.ingest.markup import fragment_text
from qa.ingest.titles import text_title

HTML_TYPES = {"text/html", "application/xhtml+xml"}


def feed_entries(data: bytes) -> list[Any]:
    """The items (entries) of the feed in `data`; ArticleError if it is no feed or has none."""
    feed = feedparser.parse(io.BytesIO(data))  # a stream, so it is never taken for a URL
    if feed.entries:
        return feed.entries  # a flaw feedparser worked around (bozo) does not lose the items
    reason = "feed has no items" if feed.version else "not an RSS or Atom feed"
    if feed.bozo:
        reason += f" ({_xml_error(feed.bozo_exception)})"
    raise ArticleError(reason)


def from_entry(entry: Any, source: str, file_id: str) -> Article:
    """An Article from one feed item: its content (else its summary) as text, link, author, date.

    The id is the item's id (guid), else its link, else the file's id with a hash of the text,
    so that it stays the same when the feed gains or loses other items.
    """
    bodies = [*entry.get("content", []), entry.get("summary_detail") or {}]
    text = next((text for text in map(_text, bodies) if text), "")
    if not text:
        raise ArticleError("item has no text (no content or summary)")
    given = ((entry.get(name) or "").strip() for name in ("id", "link"))
    author = entry.get("author")
    return Article(
        id=next((value for value in given if value), f"{file_id}#h-{content_hash(text)[:16]}"),
        title=" ".join(_text(entry.get("title_detail") or {}).split()) or text_title(text),
        text=text,
        source=source,
        url=entry.get("link") or None,
        published=iso_date(entry.get("published_parsed") or entry.get("updated_parsed")),
        metadata={"author": author} if author else {},
    )


def _text(body: dict[str, Any]) -> str:
    """The text of a feed value: HTML becomes paragraphs apart by blank lines, text stays."""
    value = body.get("value") or ""
    return fragment_text(value) if body.get("type") in HTML_TYPES else value.strip()


def _xml_error(exc: Exception) -> str:
    """The XML error without its place: feedparser may add a line before the file's first."""
    return exc.getMessage() if isinstance(exc, SAXParseException) else first_line(exc)
