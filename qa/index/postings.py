"""One segment's lexical postings: for each stemmed word, the chunk rows holding it and how often.

Raw term frequencies and chunk lengths, not BM25 scores: the scores need the whole index's
statistics (how many live chunks hold a word, their mean length), which change with every
segment added or article deleted, so qa.index.lexical computes them at query time. Words are
split, filtered and stemmed exactly as bm25s does (qa.text.words), so the scores are bm25s's.
Saved as four .npy files and a vocabulary; merged without re-reading any text.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import numpy as np

from qa.text.words import STOPWORDS, WORD, stems

VOCABULARY = "vocabulary.json"
ARRAYS = ("indptr", "rows", "counts", "lengths")


@dataclass(frozen=True)
class Postings:
    """`rows[indptr[t]:indptr[t + 1]]` hold term t, `counts` times each; `lengths` per row."""

    vocabulary: dict[str, int]  # stem → term id
    indptr: np.ndarray  # int64, one more than the terms
    rows: np.ndarray  # int32, ascending within each term
    counts: np.ndarray  # int32
    lengths: np.ndarray  # int32: the terms of each chunk row

    @property
    def size(self) -> int:
        return len(self.lengths)

    @classmethod
    def build(cls, texts: Iterable[str]) -> Postings:
        """The postings of chunk rows 0, 1, … with these texts."""
        vocabulary: dict[str, int] = {}
        term_of = dict.fromkeys(STOPWORDS, -1)  # each word seen: its term id, -1 for a stop word
        term_ids = array("q")  # raw int64s: a list of a segment's words would take 4 GiB
        words_per_text = array("q")
        for text in texts:
            words = WORD.findall(text.lower())
            unseen = list(set(words).difference(term_of))
            for word, stem in zip(unseen, stems(unseen), strict=True):
                term_of[word] = vocabulary.setdefault(stem, len(vocabulary))
            if words:
                found = itemgetter(*words)(term_of)
                term_ids.extend(found if len(words) > 1 else (found,))
            words_per_text.append(len(words))
        terms = np.frombuffer(term_ids, dtype=np.int64)
        row_of = np.repeat(np.arange(len(words_per_text)), np.frombuffer(words_per_text, np.int64))
        kept = terms >= 0
        lengths = np.bincount(row_of[kept], minlength=len(words_per_text))
        return cls.from_pairs(vocabulary, terms[kept], row_of[kept], lengths)

    @classmethod
    def from_pairs(
        cls,
        vocabulary: dict[str, int],
        terms: np.ndarray,
        rows: np.ndarray,
        lengths: Sequence[int] | np.ndarray,
        counts: np.ndarray | None = None,
    ) -> Postings:
        """Postings from (term, row) pairs, each counted once or `counts` times."""
        size = max(len(lengths), 1)
        keys, inverse = np.unique(terms * size + rows, return_inverse=True)
        weights = np.ones(len(terms), dtype=np.int64) if counts is None else counts
        totals = np.bincount(inverse, weights=weights, minlength=len(keys)).astype(np.int32)
        indptr = np.searchsorted(keys // size, np.arange(len(vocabulary) + 1)).astype(np.int64)
        return cls(
            vocabulary,
            indptr,
            (keys % size).astype(np.int32),
            totals,
            np.asarray(lengths, np.int32),
        )

    def tiled(self, copies: int) -> Postings:
        """The postings of `copies` copies of these rows, one after the other (a benchmark's
        synthesized archive)."""
        lengths = np.tile(self.lengths, copies)
        per_term = np.diff(self.indptr)
        terms = np.repeat(np.arange(len(per_term), dtype=np.int64), per_term)
        rows = np.concatenate(
            [np.asarray(self.rows, np.int64) + c * self.size for c in range(copies)]
        )
        counts = np.tile(np.asarray(self.counts, np.int64), copies)
        return Postings.from_pairs(self.vocabulary, np.tile(terms, copies), rows, lengths, counts)

    def frequency(self, stem: str) -> int:
        """How many chunk rows hold the stem (deleted ones included)."""
        term = self.vocabulary.get(stem)
        return 0 if term is None else int(self.indptr[term + 1] - self.indptr[term])

    def frequencies(self) -> dict[str, int]:
        """How many chunk rows hold each stem (for an index that stores them itself)."""
        held = np.diff(self.indptr)
        return {stem: int(held[term]) for stem, term in self.vocabulary.items()}

    def of(self, stem: str) -> tuple[np.ndarray, np.ndarray]:
        """The rows holding the stem and how often each does."""
        term = self.vocabulary.get(stem)
        if term is None:
            return self.rows[:0], self.counts[:0]
        start, end = self.indptr[term], self.indptr[term + 1]
        return self.rows[start:end], self.counts[start:end]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))
        (folder / VOCABULARY).write_text(json.dumps(self.vocabulary), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Postings:
        """The postings saved in `folder`, the arrays memory-mapped (ValueError if inconsistent)."""
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
        vocabulary = json.loads((folder / VOCABULARY).read_text(encoding="utf-8"))
        postings = cls(vocabulary, **arrays)
        if len(postings.indptr) != len(vocabulary) + 1 or postings.indptr[-1] != len(postings.rows):
            raise ValueError("the postings do not match their vocabulary")
        return postings


def merge_postings(parts: Sequence[tuple[Postings, np.ndarray]]) -> Postings:
    """The postings of the kept rows of each part, renumbered in order (part by part): `kept` is
    a boolean mask over each part's rows. No text is read again."""
    vocabulary: dict[str, int] = {}
    terms, rows, counts, lengths = [], [], [], []
    offset = 0
    for postings, kept in parts:
        new_row = np.cumsum(kept) - 1 + offset
        remap = np.array(
            [vocabulary.setdefault(stem, len(vocabulary)) for stem in postings.vocabulary],
            dtype=np.int64,
        )
        order = np.empty(len(remap), dtype=np.int64)
        order[list(postings.vocabulary.values())] = remap
        term_of = np.repeat(order, np.diff(postings.indptr))
        live = kept[postings.rows]
        terms.append(term_of[live])
        rows.append(new_row[postings.rows[live]])
        counts.append(np.asarray(postings.counts)[live])
        lengths.append(np.asarray(postings.lengths)[kept])
        offset += int(kept.sum())
    return Postings.from_pairs(
        vocabulary,
        np.concatenate(terms) if terms else np.zeros(0, np.int64),
        np.concatenate(rows) if rows else np.zeros(0, np.int64),
        np.concatenate(lengths) if lengths else np.zeros(0, np.int32),
        np.concatenate(counts) if counts else None,
    )
