"""Paragraph and sentence boundaries as exact character spans of the original text."""

from __future__ import annotations

import re

Span = tuple[int, int]

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
# A sentence ends at . ! ? or … (plus closing quotes/brackets) before white space and a
# capital, digit, quote or bracket that can open the next one.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9À-ÖØ-Þ])")
_ABBREVIATION_WORDS = (
    "mr mrs ms dr prof st jr sr gen col lt sgt capt cpt maj adm rev hon gov sen rep pres "
    "no nos vs etc e.g i.e approx dept est fig inc ltd co corp bros jan feb mar apr jun jul "
    "aug sep sept oct nov dec mt ft u.s u.k u.n a.m p.m"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split(" "))


def paragraph_spans(text: str) -> list[Span]:
    """Non-blank paragraphs: blocks between blank lines, or lines when there is no blank line."""
    splitter = _BLANK_LINE if _BLANK_LINE.search(text) else re.compile(r"\n")
    spans: list[Span] = []
    position = 0
    for match in splitter.finditer(text):
        spans.extend(_trimmed(text, position, match.start()))
        position = match.end()
    spans.extend(_trimmed(text, position, len(text)))
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of text[start:end], trimmed of surrounding white space."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    position = start
    for match in _BOUNDARY.finditer(text, start, end):
        if _is_abbreviation(text, position, match.start()):
            continue
        spans.extend(_trimmed(text, position, match.end()))
        position = match.end()
    spans.extend(_trimmed(text, position, end))
    return spans


def _is_abbreviation(text: str, sentence_start: int, dot: int) -> bool:
    """True when the full stop at `dot` ends an abbreviation or an initial, not a sentence."""
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > sentence_start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lstrip("\"'“‘(").lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _trimmed(text: str, start: int, end: int) -> list[Span]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if start < end else []


def split_chunk(text: str) -> list[Span]:
    """The spans of a chunk's sentences, as stored and as cited (highlights): at least one."""
    return sentence_spans(text) or [(0, len(text))]
