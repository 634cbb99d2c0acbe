"""The lexical side of the second stage: the question's words (QuestionWords, weighted by the
BM25 index's frequencies) against a sentence or passage."""

from __future__ import annotations

import pytest

from qa.answer.question import QuestionWords
from qa.index.lexical import LexicalIndex, single
from qa.index.postings import Postings
from qa.text.words import content_words_of_spans


def content_words(text: str) -> set[str]:
    """The stemmed content words of a whole text, as the second stage sees a sentence's."""
    return content_words_of_spans(text, [(0, len(text))])[0]


def question_words(index: LexicalIndex, question: str) -> QuestionWords:
    return QuestionWords.of(question, index.frequency, index.size)


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return single(
        Postings.build(
            ["a convoy crossed the border in 2019", "rain fell on the city", "Blunkett's nanny"]
        )
    )


def test_content_words_are_the_words_bm25_indexes(index: LexicalIndex) -> None:
    # The "s" of a possessive and other one-character tokens never reach BM25's vocabulary: as
    # question words they would count as unseen, the rarest of all, and swamp every overlap.
    assert content_words("Blunkett's 7 cats") == {"blunkett", "cat"}
    assert question_words(index, "Blunkett's nanny?").unseen == ()


def test_focus_is_the_share_of_a_sentence_about_the_question(index: LexicalIndex) -> None:
    words = question_words(index, "Which convoy crossed the border?")
    assert words.focus(content_words("The convoy crossed the border.")) == 1.0
    assert 0 < words.focus(content_words("The convoy crossed the border in heavy rain.")) < 1
    assert words.focus(content_words("Rain fell on the city.")) == 0.0
    assert words.focus(set()) == 0.0


def test_words_no_chunk_contains_are_unseen(index: LexicalIndex) -> None:
    words = question_words(index, "The YouTube convoy?")
    assert words.unseen == ("YouTube",)  # as the question spells it
    assert words.weights["youtub"] > words.weights["convoy"]


def test_a_number_of_the_question_missing_from_a_passage(index: LexicalIndex) -> None:
    words = question_words(index, "Which convoy crossed the border in 2019?")
    assert not words.lacks_number(content_words("A convoy crossed the border in 2019."))
    assert words.lacks_number(content_words("A convoy crossed the border in 2018."))
    assert not question_words(index, "Which convoy crossed?").lacks_number(set())


def test_function_words_and_interrogatives_are_never_unseen(index: LexicalIndex) -> None:
    # None of these is in the three chunks; none says anything about the archive.
    words = question_words(index, "How many attacks did militants stage, and what about my own?")
    assert {w.lower() for w in words.unseen} == {"attacks", "militants", "stage"}
    assert not {"mani", "did", "about", "my", "own", "how", "what"} & words.informative.keys()


def test_silence_tells_more_the_larger_the_archive() -> None:
    # "start" is common English: one small archive may well lack it, a large one hardly.
    small = QuestionWords.of("When did the offensive start?", lambda stem: 0, 4)
    large = QuestionWords.of("When did the offensive start?", lambda stem: 0, 100_000)
    assert 0 < small.absence < 0.5 < large.absence <= 1
    rare = QuestionWords.of("Who is Peskov?", lambda stem: 0, 100_000)
    assert rare.absence < large.absence  # a rare name is missing from most archives
    seen = QuestionWords.of("When did the offensive start?", lambda stem: 1, 100_000)
    assert seen.absence == 0.0


def test_informed_share_weighs_rare_words_most(index: LexicalIndex) -> None:
    words = question_words(index, "Did Blunkett hire a nanny?")
    assert words.informed(content_words("Blunkett hired a nanny")) == 1.0
    assert words.informed(content_words("the nanny")) < words.informed(content_words("Blunkett"))
    assert words.informed(set()) == 0.0


def test_a_word_is_found_in_any_of_its_forms(index: LexicalIndex) -> None:
    # A stemmer joins "crossed" and "crossing", never "win" and "won" nor "fall" and "fell".
    words = question_words(index, "Which team did Hewitt beat when rain began to fall?")
    assert (
        words.overlap(content_words("Hewitt was beaten as rain fell."))[0]
        > words.overlap(content_words("Hewitt was absent as rain threatened."))[0]
    )
    assert words.focus(content_words("Rain fell.")) == 1.0
    assert words.informed(content_words("Rain fell")) == words.informed(content_words("Rain falls"))
    # The archive holds "fell": "fall" is no word it lacks.
    assert "fall" not in {w.lower() for w in words.unseen}


def test_function_words_have_no_forms(index: LexicalIndex) -> None:
    # "were" joined to "been" would make every perfect tense an answer.
    words = question_words(index, "How many people were killed?")
    assert words.overlap(content_words("They had been warned.")) == (0.0, 0.0)
