"""The lexical side of the second stage: the question's words against a sentence or passage."""

from __future__ import annotations

import pytest

from qa.lexical import LexicalIndex, content_words_of_spans


def content_words(text: str) -> set[str]:
    """The stemmed content words of a whole text, as the second stage sees a sentence's."""
    return content_words_of_spans(text, [(0, len(text))])[0]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(
        ["a convoy crossed the border in 2019", "rain fell on the city", "Blunkett's nanny"]
    )


def test_content_words_are_the_words_bm25_indexes(index: LexicalIndex) -> None:
    # The "s" of a possessive and other one-character tokens never reach BM25's vocabulary: as
    # question words they would count as unseen, the rarest of all, and swamp every overlap.
    assert content_words("Blunkett's 7 cats") == {"blunkett", "cat"}
    assert index.question_words("Blunkett's nanny?").unseen == ()


def test_focus_is_the_share_of_a_sentence_about_the_question(index: LexicalIndex) -> None:
    words = index.question_words("Which convoy crossed the border?")
    assert words.focus(content_words("The convoy crossed the border.")) == 1.0
    assert 0 < words.focus(content_words("The convoy crossed the border in heavy rain.")) < 1
    assert words.focus(content_words("Rain fell on the city.")) == 0.0
    assert words.focus(set()) == 0.0


def test_words_no_chunk_contains_are_unseen(index: LexicalIndex) -> None:
    words = index.question_words("The YouTube convoy?")
    assert words.unseen == ("YouTube",)  # as the question spells it
    assert words.weights["youtub"] > words.weights["convoy"]


def test_a_number_of_the_question_missing_from_a_passage(index: LexicalIndex) -> None:
    words = index.question_words("Which convoy crossed the border in 2019?")
    assert not words.lacks_number(content_words("A convoy crossed the border in 2019."))
    assert words.lacks_number(content_words("A convoy crossed the border in 2018."))
    assert not index.question_words("Which convoy crossed?").lacks_number(set())
