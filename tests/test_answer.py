"""The answer sentence, its highlight, the "not found" path and the JSON contract."""

from __future__ import annotations

from qa.answer import answer_probability
from qa.search import Searcher
from tests.conftest import SEED_QUESTION


def test_seed_question_highlights_the_sana_sentence(seed_searcher: Searcher) -> None:
    answer = seed_searcher.ask(SEED_QUESTION, k=3)
    assert answer.text is not None and "SANA reported" in answer.text
    passage = answer.passages[answer.passage - 1]
    assert passage.highlight is not None
    assert answer.text == passage.text[passage.highlight[0] : passage.highlight[1]]
    data = answer.to_dict()
    assert data["answer"] == {"text": answer.text, "passage": answer.passage}


def test_every_passage_highlights_a_sentence_of_its_own(seed_searcher: Searcher) -> None:
    for passage in seed_searcher.ask(SEED_QUESTION, k=3).passages:
        a, b = passage.highlight
        assert 0 <= a < b <= len(passage.text)
        assert passage.text[a:b] == passage.text[a:b].strip()


def test_off_topic_question_gets_no_answer_but_passages(seed_searcher: Searcher) -> None:
    answer = seed_searcher.ask("What is the best recipe for a lemon drizzle cake?", k=3)
    data = answer.to_dict()
    assert data["answer"] is None and answer.passage is None
    assert len(data["passages"]) == 3
    assert all(isinstance(p["score"], float) for p in data["passages"])


def test_answer_probability_rises_with_each_feature() -> None:
    assert answer_probability(0.7, 0.5, 1.0) > answer_probability(0.3, 0.5, 1.0)
    assert answer_probability(0.6, 0.7, 0.9) > answer_probability(0.6, 0.3, 0.9)
    assert answer_probability(0.6, 0.5, 0.9) > answer_probability(0.6, 0.5, 0.3)
    assert 0.0 < answer_probability(0.0, 0.0, 0.0) < answer_probability(1.0, 1.0, 1.0) < 1.0
