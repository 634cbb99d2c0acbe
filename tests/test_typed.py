"""The answer sentence's second look (qa.answer.typed): the type of the short answer each of the
few best sentences holds, against the type the question asks for."""

from __future__ import annotations

from qa.answer.read import PassageFeatures, SentenceFeatures, answer_sentence
from qa.answer.records import Citation, Passage
from qa.answer.searcher import Searcher
from qa.answer.short_tuned import SHORT_WEIGHTS
from qa.answer.tuned import RETYPED, RETYPED_WEIGHTS
from qa.answer.typed import typed
from tests.conftest import SEED_QUESTION

TEXT = (
    "The board of the company met on Monday to discuss who leads it. "
    "It is now led by Sarah Jones, the former finance director."
)
FIRST, SECOND = (0, TEXT.index(" It is")), (TEXT.index("It is"), len(TEXT))


def test_a_sentence_naming_someone_fits_a_who_question_better() -> None:
    fits = typed("Who leads the company?", [(TEXT, FIRST), (TEXT, SECOND)])
    assert fits is not None
    plain, named = fits
    assert named == SHORT_WEIGHTS["person>person"]  # "Sarah Jones", the short answer's own weight
    assert plain < named


def test_a_question_for_a_thing_or_no_fact_reads_nothing() -> None:
    sentences = [(TEXT, FIRST), (TEXT, SECOND)]
    assert typed("What did the board discuss?", sentences) is None
    assert typed("Why did the board meet?", sentences) is None


def _passage(rank: int) -> Passage:
    citation = Citation("a", "A", "test", None, None, 1, 0, len(TEXT))
    return Passage(rank, 1.0, TEXT, None, 1, citation, rank - 1)


def _sentence(span: tuple[int, int]) -> SentenceFeatures:
    return SentenceFeatures(1, span, 0.5, 0.5, 0.5, 0.0, 0.5, 0.0)


def test_of_sentences_alike_in_words_the_second_look_picks_the_one_naming_someone() -> None:
    assert RETYPED_WEIGHTS["typed"] > 0 and RETYPED >= 2
    read = [PassageFeatures(1.0, False, {}, lambda: [_sentence(FIRST), _sentence(SECOND)])]
    winner = answer_sentence("Who leads the company?", [_passage(1)], read)
    assert winner is not None and winner.span == SECOND and winner.rank == 1
    # a question for a thing has no type to read: the first look's order stands
    winner = answer_sentence("What did the board discuss?", [_passage(1)], read)
    assert winner is not None and winner.span == FIRST


def test_the_answer_sentence_is_one_of_the_first_looks_best(seed_searcher: Searcher) -> None:
    stage = seed_searcher.first_stage(SEED_QUESTION, 5, "hybrid")
    winner = answer_sentence(SEED_QUESTION, stage.passages, stage.features)
    assert winner is not None
    first_look = sorted(
        (s.score_at(rank), rank, s.span)
        for rank, passage in enumerate(stage.features[:3], start=1)
        for s in passage.sentences
    )[::-1][:RETYPED]
    assert (winner.rank, winner.span) in [(rank, span) for _, rank, span in first_look]
