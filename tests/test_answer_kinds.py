"""Answer typing: which questions ask for a number or a name, and which sentences offer one."""

from __future__ import annotations

import pytest

from qa.answer.kinds import AnswerKind
from qa.answer.searcher import Searcher


@pytest.mark.parametrize(
    "question",
    [
        "How many people were killed?",
        "How much did Barclays' credit card business make in 2004?",
        "When did the convoy cross the border?",
        "What percentage of producers are from ethnic minorities?",
        "By what margin did Hayley Yelling win?",
    ],
)
def test_number_questions(question: str) -> None:
    asked = AnswerKind.of(question)
    assert asked.number and not asked.name


@pytest.mark.parametrize(
    "question",
    ["Who reported the Turkish convoy?", "Which Deportivo player scored an own goal?"],
)
def test_name_questions(question: str) -> None:
    asked = AnswerKind.of(question)
    assert asked.name and not asked.number


def test_other_questions_ask_for_no_kind_and_nothing_is_offered() -> None:
    asked = AnswerKind.of("Why did the talks fail?")
    assert not (asked.number or asked.name)
    assert asked.offered("Talks failed in 2004 when Jack Straw left.") == 0.0


def test_a_number_counts_only_when_the_question_lacks_it() -> None:
    asked = AnswerKind.of("How many MPs signed the 2005 petition?")
    assert asked.offered("Ninety one MPs have signed a petition.") == 1.0
    assert asked.offered("The 2005 petition was signed by MPs.") == 0.0
    assert asked.offered("Profits rose to £801m.") == 1.0


def test_a_date_question_is_offered_a_month_or_a_day_as_well() -> None:
    asked = AnswerKind.of("When did the Syrian offensive start?")
    assert asked.date and asked.offered("In August, Syrian troops commenced an offensive.") == 1.0
    assert asked.offered("Syrian troops commenced an offensive.") == 0.0
    count = AnswerKind.of("How many troops took part?")
    assert not count.date and count.offered("In August, troops took part.") == 0.0


def test_new_names_count_up_to_three_and_known_ones_or_stop_words_do_not() -> None:
    asked = AnswerKind.of("Which Deportivo player put the ball into his own net against Liverpool?")
    assert asked.offered("Jorge Andrade's early own goal gave Liverpool a 1-0 win.") == 2 / 3
    assert asked.offered("The Deportivo defence let Liverpool in.") == 0.0
    assert asked.offered("Ann Bo Cy Di Ed met there.") == 1.0


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("who is the tournament director in Sydney?", "director"),
        ("who is the lawyer of the woman suing Snoop Dogg?", "lawyer"),
        ("Who was Candela's agent?", "agent"),
        ("who is its chief executive?", "executive"),
        ("Who was elected Pope after the death of John Paul II?", ""),
        ("which US area fell behind in the Fed's Beige Book?", "area"),  # "US" is no pronoun
        ("Who reported the Turkish convoy?", ""),
        ("How many people were killed?", ""),  # a number question: no name to stand beside
    ],
)
def test_the_noun_a_name_question_asks_by(question: str, head: str) -> None:
    assert AnswerKind.of(question).head == head


def test_a_sentence_names_what_is_asked_when_a_new_name_stands_beside_its_noun() -> None:
    lawyer = AnswerKind.of("who is the lawyer of the woman suing Snoop Dogg?")
    assert lawyer.named("Her lawyer, Perry Wander, said the case was strong.") == 1.0
    assert lawyer.named("US rapper Snoop Dogg has been sued by a make-up artist.") == 0.0
    assert lawyer.named("The lawyer said Snoop Dogg was sued.") == 0.0  # a name already asked
    area = AnswerKind.of("which US area fell behind?")
    assert area.named("Only the Cleveland area fell behind.") == 1.0
    assert area.named("Most areas of the US grew.") == 0.0  # a capitalised function word
    assert AnswerKind.of("Who reported the convoy?").named("Reporter Ann Bo wrote it.") == 0.0


def test_the_seed_question_s_answer_offers_a_name(seed_searcher: Searcher) -> None:
    found = seed_searcher.find("Who reported the Turkish military convoy?", 5, "hybrid")
    assert found.best is not None and found.best.offered > 0
