"""Each sentence's content words (stemmed, as BM25 splits them), made when a segment is written.

An answer compares the question's words with those of every sentence of the passages it reads
(qa.answer.read); splitting and stemming them took about 3 ms of each answer. A segment keeps
them in two files: one line of UTF-8 text per chunk row (its sentences' words separated by tabs,
each sentence's stems by spaces, sorted), read from disk per question, and the lines' byte
offsets (int64, in memory: 8 bytes a chunk). A segment written before has neither: `load` gives
None and its sentences' words are computed when read.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.index.layout import SENTENCE_WORDS, SENTENCE_WORDS_OFFSETS
from qa.index.sentence_vectors import SentenceVectors
from qa.text.words import content_words_of_spans

WORDS, SENTENCES = " ", "\t"  # what separates a sentence's stems, and a chunk's sentences


class SentenceWords:
    """The stemmed content words of every sentence of a segment, by chunk row."""

    def __init__(self, path: Path, offsets: np.ndarray) -> None:
        self.offsets = offsets
        if path.stat().st_size != int(offsets[-1]):
            raise ValueError(f"{path.name} has {path.stat().st_size} bytes, expected {offsets[-1]}")
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    @staticmethod
    def save(
        folder: Path,
        texts: Sequence[str],
        sentences: SentenceVectors,
        lines: Sequence[bytes | None] = (),
    ) -> None:
        """Write the words of the sentences of chunk rows 0, 1, … (`texts`: their text); a
        row's line read from the segment it comes from (`lines`, a merge) is written as it is."""
        rows = sentences.spans[:, 0]
        bounds = np.searchsorted(rows, np.arange(len(texts) + 1, dtype=rows.dtype))
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        with open(Path(folder) / SENTENCE_WORDS, "wb") as handle:
            for row, text in enumerate(texts):
                line = lines[row] if row < len(lines) else None
                if line is None:
                    spans = sentences.spans[bounds[row] : bounds[row + 1], 1:].tolist()
                    line = _line(content_words_of_spans(text, spans) if spans else [])
                offsets[row + 1] = offsets[row] + handle.write(line)
        np.save(Path(folder) / SENTENCE_WORDS_OFFSETS, offsets)

    @classmethod
    def load(cls, folder: Path) -> SentenceWords | None:
        """The segment's sentence words, or None for a segment written without them."""
        if not (Path(folder) / SENTENCE_WORDS_OFFSETS).is_file():
            return None
        return cls(Path(folder) / SENTENCE_WORDS, np.load(Path(folder) / SENTENCE_WORDS_OFFSETS))

    def chunk_rows(self) -> int:
        return len(self.offsets) - 1

    def lines_of(self, rows: Sequence[int]) -> list[bytes | None]:
        """The stored lines of these chunk rows, as `save` takes them."""
        return [self._line(row) for row in rows]

    def _line(self, row: int) -> bytes:
        start, end = int(self.offsets[row]), int(self.offsets[row + 1])
        return os.pread(self._fd, end - start, start)

    def of_rows(self, rows: Sequence[int], counts: Sequence[int]) -> list[list[set[str]]]:
        """The content words of each sentence of each chunk row (`counts`: how many sentences
        each has), in the order asked for."""
        found = []
        for row, count in zip(rows, counts, strict=True):
            line = self._line(row).decode("utf-8")[:-1]
            parts = line.split(SENTENCES) if count else []
            if len(parts) != count:
                raise ValueError(f"chunk row {row}: {len(parts)} sentences' words, not {count}")
            found.append([set(part.split()) for part in parts])
        return found


def _line(found: Sequence[set[str]]) -> bytes:
    """A chunk's line: its sentences' sorted stems."""
    return (SENTENCES.join(WORDS.join(sorted(words)) for words in found) + "\n").encode("utf-8")
