"""The HTML pages: the chat page (GET /) and the article view with the cited passage marked."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from flask import Blueprint, abort, render_template, request

from qa.answer.conversation import MAX_TURNS
from qa.text.spans import Span, paragraph_spans
from web.holder import IndexUnavailable, current_searcher
from web.limits import MAX_QUESTION_CHARS

bp = Blueprint("pages", __name__)


@dataclass(frozen=True)
class Piece:
    """A run of article text inside one paragraph; `mark` is None, "passage" or "answer", with
    " short" added inside the short answer."""

    text: str
    mark: str | None = None
    anchor: bool = False


@bp.get("/")
def chat() -> tuple[str, int]:
    """The chat page; 503 (still usable) with a notice while no index is loaded."""
    try:
        manifest, problem = current_searcher().manifest, None
    except IndexUnavailable as exc:
        manifest, problem = None, str(exc)
    page = render_template(
        "chat.html",
        manifest=manifest,
        problem=problem,
        limit=MAX_QUESTION_CHARS,
        max_turns=MAX_TURNS,
    )
    return page, 503 if problem else 200


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> tuple[str, int]:
    """The whole article, paragraphs kept, the span ?start=&end= marked (and the answer sentence
    ?hs=&he= and the short answer ?ss=&se= inside)."""
    try:
        index = current_searcher().index
    except IndexUnavailable as exc:
        return render_template("error.html", status=503, message=str(exc)), 503
    found = index.article(article_id)
    if found is None:
        abort(404, description=f"there is no article with id {article_id!r} in the index")
    passage = _span("start", "end", len(found.text))
    sentence = _span("hs", "he", len(found.text))
    short = _span("ss", "se", len(found.text))
    return render_template(
        "article.html",
        article=found,
        paragraphs=marked_paragraphs(found.text, passage, sentence, short),
        cited=passage,
        link=found.url if found.url and found.url.startswith(("https://", "http://")) else None,
    ), 200


def _span(start_name: str, end_name: str, length: int) -> Span | None:
    """A valid [start, end) from the query string, else None (a bad link still shows the text)."""
    start = request.args.get(start_name, type=int)
    end = request.args.get(end_name, type=int)
    if start is None or end is None or not 0 <= start < end <= length:
        return None
    return start, end


def marked_paragraphs(
    text: str, passage: Span | None, sentence: Span | None, short: Span | None = None
) -> list[list[Piece]]:
    """The article's paragraphs as pieces, cut where the passage, the sentence and the short
    answer begin and end.

    The first marked piece carries the #cited anchor the citation links scroll to.
    """
    cuts = [point for span in (passage, sentence, short) if span for point in span]
    paragraphs: list[list[Piece]] = []
    anchored = False
    for start, end in paragraph_spans(text):
        points = sorted({start, end, *(p for p in cuts if start < p < end)})
        pieces = []
        for a, b in pairwise(points):
            mark = _mark_of(a, b, passage, sentence)
            if mark and short and short[0] <= a and b <= short[1]:
                mark += " short"
            anchor = mark is not None and not anchored
            anchored = anchored or anchor
            pieces.append(Piece(text[a:b], mark, anchor))
        paragraphs.append(pieces)
    return paragraphs


def _mark_of(a: int, b: int, passage: Span | None, sentence: Span | None) -> str | None:
    if sentence and sentence[0] <= a and b <= sentence[1]:
        return "answer"
    if passage and passage[0] <= a and b <= passage[1]:
        return "passage"
    return None
