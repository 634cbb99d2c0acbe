"""Title, metadata and main text of an HTML page, without scripts, styles or navigation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

# Elements that never hold article text.
NOISE = "script, style, noscript, template, svg, iframe, nav, header, footer, aside, form, button"
# Blocks whose text becomes one paragraph each; nested ones are taken innermost.
BLOCKS = "p, h1, h2, h3, h4, h5, h6, li, blockquote, pre, figcaption, td, dd, dt"
MAIN = ("article", "main", "[role=main]", "body")
# Parsing time grows with the square of the nesting depth (100,000 nested divs: ~20 s), so
# deeper pages are refused before parsing. Real pages nest a few dozen levels.
MAX_DEPTH = 2000
# Void elements and elements whose end tag may be left out never make the tree deeper.
VOID_TAGS = "area base br col embed hr img input link meta source track wbr"
OPTIONAL_END_TAGS = (
    "p li dt dd option optgroup tr td th thead tbody tfoot colgroup rb rt rp html head body"
)
FLAT_TAGS = frozenset(f"{VOID_TAGS} {OPTIONAL_END_TAGS}".split())
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>")


@dataclass(frozen=True)
class HtmlPage:
    title: str
    text: str
    url: str | None = None
    published: str | None = None


def extract_html(html: str) -> HtmlPage:
    """Parse with selectolax (lexbor) and keep the readable paragraphs of the main content."""
    tree = LexborHTMLParser(html)
    title = _meta(tree, "og:title") or _text_of(tree, "title") or _text_of(tree, "h1")
    url = _meta(tree, "og:url") or _attr(tree, "link[rel=canonical]", "href")
    published = _meta(tree, "article:published_time") or _attr(tree, "time[datetime]", "datetime")
    for node in tree.css(NOISE):
        node.decompose()
    main = next((node for sel in MAIN if (node := tree.css_first(sel)) is not None), tree.root)
    paragraphs: list[str] = []
    if main is not None:
        for block in main.css(BLOCKS):
            # lexbor's css() matches the node itself too: innermost blocks match only once.
            if len(block.css(BLOCKS)) == 1:
                paragraphs.append(_squash(block.text(separator="")))
        if not paragraphs:
            paragraphs = [_squash(line) for line in main.text(separator="\n").splitlines()]
    text = "\n\n".join(p for p in paragraphs if p)
    return HtmlPage(title=title, text=text, url=url, published=published)


def nesting_depth(html: str) -> int:
    """How deep the tags nest, counted by a linear scan (no parse), to refuse pathological pages."""
    depth = deepest = 0
    for match in _TAG.finditer(html):
        if match.group(2).lower() in FLAT_TAGS or match.group(0).endswith("/>"):
            continue
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _squash(text: str) -> str:
    return " ".join(text.split())


def _text_of(tree: LexborHTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    return _squash(node.text()) if node is not None else ""


def _attr(tree: LexborHTMLParser, selector: str, name: str) -> str | None:
    node = tree.css_first(selector)
    value = node.attributes.get(name) if node is not None else None
    return value.strip() if value else None


def _meta(tree: LexborHTMLParser, prop: str) -> str | None:
    return _attr(tree, f'meta[property="{prop}"]', "content")
