"""The answer sentence, its highlight, the "not found" path and the JSON contract."""

from __future__ import annotations

from dataclasses import replace

from qa.answer.not_found import NotFoundFeatures
from qa.answer.read import answer_first
from qa.answer.searcher import Searcher
from tests.conftest import SEED_QUESTION


def test_seed_question_highlights_the_sana_sentence(seed_searcher: Searcher) -> None:
    answer = seed_searcher.ask(SEED_QUESTION, k=3)
    assert answer.text is not None and "SANA reported" in answer.text
    passage = answer.passages[answer.passage - 1]
    assert passage.highlight is not None
    assert answer.text == passage.text[passage.highlight[0] : passage.highlight[1]]
    data = answer.to_dict()
    assert data["answer"] == {
        "text": answer.text,
        "passage": answer.passage,
        "short": {"text": "SANA", "start": 2420, "end": 2424, "passage": answer.passage},
        "reader": "heuristic",
    }


def test_answer_first_moves_the_quoted_passage_up_and_keeps_the_others_in_order(
    seed_searcher: Searcher,
) -> None:
    found = seed_searcher.find(SEED_QUESTION, 4, "hybrid")
    assert found.best is not None and len(found.passages) == 4
    passages, winner = answer_first(found.passages, replace(found.best, rank=3))
    assert winner.rank == 1 and winner.span == found.best.span
    assert [p.row for p in passages] == [found.passages[i].row for i in (2, 0, 1, 3)]
    assert [p.rank for p in passages] == [1, 2, 3, 4]


def test_one_passage_asked_for_is_the_answers(seed_searcher: Searcher) -> None:
    # The answer is not in the first-ranked passage: asking for one passage must not lose it
    # to the first ranked, whose best sentence is about the Turkish zone.
    question = "how many times has Turkey invaded Syria?"
    five, one = seed_searcher.ask(question, k=5), seed_searcher.ask(question, k=1)
    assert five.text is not None and "at least two" in five.text
    assert (one.text, one.passage, len(one.passages)) == (five.text, 1, 1)
    assert one.passages[0].row == five.passages[0].row
    assert one.short is not None and one.short.text == "at least two"


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


def test_words_no_article_contains_are_named(seed_searcher: Searcher) -> None:
    answer = seed_searcher.ask("Who reported YouTube and MySpace in Syria?")
    assert answer.unknown_words == ("YouTube", "MySpace")
    assert answer.to_dict()["unknown_words"] == ["YouTube", "MySpace"]
    assert seed_searcher.ask(SEED_QUESTION).unknown_words == ()


def _probability(**changes: float) -> float:
    base = {
        "sentence": 0.6,
        "passage": 0.5,
        "coverage": 0.9,
        "absence": 0.0,
        "missing_number": 0.0,
        "untyped": 0.0,
        "uncounted": 0.0,
        "scale": 0.5,
    }
    return NotFoundFeatures(**(base | changes)).probability()


def test_answer_probability_rises_with_the_evidence_for_an_answer() -> None:
    assert _probability(sentence=0.7) > _probability(sentence=0.3)
    assert _probability(passage=0.7) > _probability(passage=0.3)
    assert _probability(coverage=0.9) > _probability(coverage=0.3)
    assert _probability(absence=0.0) > _probability(absence=1.0)
    assert _probability(missing_number=0.0) > _probability(missing_number=1.0)
    assert _probability(untyped=0.0) > _probability(untyped=1.0)
    assert _probability(uncounted=0.0) > _probability(uncounted=1.0)
    assert _probability(scale=0.2) > _probability(scale=1.0)  # a larger archive, a higher bar
    assert _probability(sentence=0, passage=0, coverage=0.1, absence=1, missing_number=1) > 0.0
    # A passage without one word of the question never answers it, whatever its cosine.
    assert _probability(sentence=0.9, passage=0.9, coverage=0.0) == 0.0
    assert _probability(sentence=1, passage=1, coverage=1, scale=0) < 1.0
