"""Questions a reader would ask of the seed article (tests/data/seed_questions.jsonl: every
wh-form, paraphrased, some off-topic): the one-article archive a new user starts with, where no
function word or common word the article happens to lack may veto a plain answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.answer.records import VAGUE_NOTICE
from qa.answer.searcher import Searcher
from qa.evaluate import Question, read_questions
from qa.text.words import FUNCTION_WORDS

QUESTIONS = read_questions(Path(__file__).parent / "data" / "seed_questions.jsonl")


def test_there_are_enough_questions_of_every_kind() -> None:
    answerable = [q for q in QUESTIONS if not q.unanswerable]
    assert len(answerable) >= 25 and len(QUESTIONS) - len(answerable) >= 3
    openings = {q.question.split()[0].lower() for q in answerable}
    assert {"who", "what", "when", "where", "which", "how", "why", "whose"} <= openings


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_answered_or_null_as_it_should_be(seed_searcher: Searcher, question: Question) -> None:
    answer = seed_searcher.ask(question.question, k=3)
    if question.unanswerable:
        assert answer.text is None
    else:
        assert answer.text is not None, question.question
        assert not {w.lower() for w in answer.unknown_words} & FUNCTION_WORDS


def test_the_passage_the_answer_quotes_comes_first(seed_searcher: Searcher) -> None:
    answered = [a for a in (seed_searcher.ask(q.question) for q in QUESTIONS) if a.found]
    assert len(answered) >= 25
    for answer in answered:
        assert answer.passage == 1 and answer.text in answer.passages[0].text
        assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))


def test_most_answer_sentences_hold_the_answer(seed_searcher: Searcher) -> None:
    answerable = [q for q in QUESTIONS if not q.unanswerable]
    held = [
        any(a.lower() in (seed_searcher.ask(q.question).text or "").lower() for a in q.answers)
        for q in answerable
    ]
    assert sum(held) / len(held) >= 0.75


@pytest.mark.parametrize("question", ["what is it?", "Что сказал Песков?", "🔥🔥🔥?", "为什么?"])
def test_vague_or_foreign_questions_get_a_plain_null(
    seed_searcher: Searcher, question: str
) -> None:
    data = seed_searcher.ask(question).to_dict()
    assert data["answer"] is None
    assert not {w.lower() for w in data["unknown_words"]} & FUNCTION_WORDS


def test_a_question_of_function_words_says_why_it_gets_no_answer(seed_searcher: Searcher) -> None:
    data = seed_searcher.ask("what is it?").to_dict()
    assert data["answer"] is None and data["unknown_words"] == []
    assert data["notice"] == VAGUE_NOTICE
    assert seed_searcher.ask("what is SANA?").to_dict()["notice"] is None
