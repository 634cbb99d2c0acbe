"""HTML to article text: whole pages and fragments (a feed item's content), refusing markup
nested deeply enough to stall the parser."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from qa.ingest.article import ArticleError
from qa.ingest.html import BLOCKS, MAX_DEPTH, NOISE, HtmlPage, extract_html, nesting_depth

# Elements that end a line of text in a fragment, besides `br`.
LINE_ENDS = f"{BLOCKS}, div, section, article, ul, ol, dl, table, tr, figure, hr"
PARAGRAPH_BREAK = "\n\n"


def checked_html(html: str) -> HtmlPage:
    """extract_html, once the nesting is known to be at most MAX_DEPTH (parse time grows as its
    square); ArticleError otherwise."""
    _check_depth(html)
    return extract_html(html)


def fragment_text(html: str) -> str:
    """The text of an HTML fragment, inline text included: a paragraph for each block or line
    break, paragraphs apart by blank lines."""
    _check_depth(html)
    tree = LexborHTMLParser(html)
    for node in tree.css(NOISE):
        node.decompose()
    for node in tree.css("br"):
        node.replace_with("\n")
    for node in tree.css(LINE_ENDS):
        node.insert_before("\n")
        node.insert_after("\n")
    text = tree.body.text(separator="") if tree.body is not None else ""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return PARAGRAPH_BREAK.join(line for line in lines if line)


def _check_depth(html: str) -> None:
    if nesting_depth(html) > MAX_DEPTH:
        raise ArticleError(f"HTML nested too deeply (more than {MAX_DEPTH:,} levels)")
