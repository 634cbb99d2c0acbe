"""Word documents (.docx, python-docx): the paragraphs as text, title, author and date."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.document import Document
from docx.text.paragraph import Paragraph

from qa.errors import first_line
from qa.ingest.article import Article, ArticleError
from qa.ingest.dates import iso_date
from qa.ingest.markup import PARAGRAPH_BREAK
from qa.ingest.titles import TITLE_CHARS, shorten, text_title

HEADING_STYLES = ("Title", "Heading")
# A DOCX is a zip: unzipped, a small file could fill the memory, so larger ones are refused.
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024


def read_docx(data: bytes, article_id: str, source: str) -> Article:
    """The document as one Article: non-empty paragraphs apart by blank lines."""
    try:
        document = _open(data)
        paragraphs = [p for p in document.paragraphs if p.text.strip()]
        first = paragraphs[0] if paragraphs else None
        heading = shorten(first.text, TITLE_CHARS) if first and _is_heading(first) else ""
        properties = document.core_properties
        given_title, author, created = properties.title, properties.author, properties.created
    except ArticleError:
        raise
    except Exception as exc:  # zipfile, lxml and python-docx raise errors of many kinds
        raise ArticleError(f"not a valid DOCX ({first_line(exc)})") from None
    text = PARAGRAPH_BREAK.join(p.text.strip() for p in paragraphs)
    if not text:
        raise ArticleError("no text in the DOCX")
    author = (author or "").strip()
    return Article(
        id=article_id,
        title=(given_title or "").strip() or heading or text_title(text),
        text=text,
        source=source,
        published=iso_date(created),
        metadata={"author": author} if author else {},
    )


def _open(data: bytes) -> Document:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unzipped = sum(member.file_size for member in archive.infolist())
    if unzipped > MAX_UNZIPPED_BYTES:
        raise ArticleError(
            f"DOCX too large unzipped ({unzipped:,} bytes; the limit is {MAX_UNZIPPED_BYTES:,})"
        )
    return docx.Document(io.BytesIO(data))


def _is_heading(paragraph: Paragraph) -> bool:
    style = paragraph.style
    return style is not None and (style.name or "").startswith(HEADING_STYLES)
