"""PDF files (pypdf): the text of every page, a blank line between pages, and where each begins."""

from __future__ import annotations

import io
import logging
from itertools import accumulate

from pypdf import DocumentInformation, PdfReader
from pypdf.errors import PyPdfError

from qa.errors import first_line
from qa.ingest.article import Article, ArticleError
from qa.ingest.dates import iso_date
from qa.ingest.markup import PARAGRAPH_BREAK
from qa.ingest.titles import text_title

PAGE_BREAK = PARAGRAPH_BREAK  # a page ends a paragraph, so passages start on a new page
# pypdf logs a warning for every flaw it works around; what a user needs is the Problem's reason.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def read_pdf(data: bytes, article_id: str, source: str) -> Article:
    """The PDF as one Article whose `pages` say where pages 2..n begin in its text."""
    try:
        reader = PdfReader(io.BytesIO(data))
        _decrypt(reader)
        texts = [page.extract_text().strip() for page in reader.pages]
        info = reader.metadata or DocumentInformation()
        title, author, created = info.title, info.author, info.creation_date_raw
    except ArticleError:
        raise
    except Exception as exc:  # pypdf raises errors of many kinds on damaged files
        raise ArticleError(f"damaged PDF ({first_line(exc)})") from None
    text = PAGE_BREAK.join(texts)
    if not text.strip():
        raise ArticleError("no text in the PDF (image-only? it would need OCR)")
    author = (author or "").strip()
    return Article(
        id=article_id,
        title=(title or "").strip() or text_title(text),
        text=text,
        source=source,
        published=iso_date(created),
        metadata={"author": author} if author else {},
        pages=tuple(accumulate(len(page) + len(PAGE_BREAK) for page in texts[:-1])),
    )


def _decrypt(reader: PdfReader) -> None:
    """Open an encrypted PDF that needs no password to read (only to edit); refuse the others."""
    if not reader.is_encrypted:
        return
    try:
        opened = reader.decrypt("")
    except PyPdfError as exc:  # e.g. AES without the `cryptography` package
        raise ArticleError(f"encrypted PDF ({first_line(exc)})") from None
    if not opened:
        raise ArticleError("encrypted PDF (it needs a password)")
