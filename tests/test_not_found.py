"""What a quantity or date question demands of its answer (qa.answer.asked): the evidence that a
passage about the thing asked does not answer it, for "not found"."""

from __future__ import annotations

import pytest

from qa.answer.asked import AGE, AMOUNT, COUNT, DATE, DURATION, MONEY, Demand

CANDELA = (
    "The 31-year-old former France international gave his last press conference as a Roma "
    "player on Monday, anouncing his move to Bolton."
)


@pytest.mark.parametrize(
    ("question", "form", "unit"),
    [
        ("how many pages does it have?", COUNT, "page"),
        ("How many foreign groups has Malaysia licensed?", COUNT, "group"),
        ("how much did Bolton pay for Vincent Candela?", MONEY, ""),
        ("What price did eBay agree to pay for Skype?", MONEY, ""),
        ("By how much had Labour pledged to cut emissions?", AMOUNT, ""),
        ("when was he born?", DATE, ""),
        ("In which year did the company launch?", DATE, ""),
        ("how old is he?", AGE, ""),
        ("how long is his contract?", DURATION, ""),
        ("who runs LVMH?", "", ""),
        ("why did armed groups relocate to Libya?", "", ""),
    ],
)
def test_the_form_a_question_demands(question: str, form: str, unit: str) -> None:
    demand = Demand.of(question)
    assert (demand.form, demand.unit) == (form, unit)


@pytest.mark.parametrize(
    ("question", "text", "unmet"),
    [
        ("how much did Bolton pay for Vincent Candela?", CANDELA, True),
        ("how much did it pay?", "It agreed to pay $13m in criminal penalties.", False),
        ("how much did the economy grow?", "The economy expanded 7.1% in 2004.", False),
        # What was paid is money: the share News Corp holds is no price.
        ("How much did News Corp pay for MySpace?", "News Corp holds 82% of it.", True),
        ("how much does it expect to raise?", "It hopes to raise 16.4bn rupees.", False),
        ("how old is Vincent Candela?", CANDELA, False),
        ("when was Alan Milburn born?", "Gordon Brown may oust Alan Milburn.", True),
        ("when can he resume playing?", "Mutu can resume playing next May.", False),
        ("how long is his contract?", "He signed on a five-month deal.", False),
        ("how many goals has he scored?", "He has no plans to become a manager.", True),
        ("how many goals in 2004?", "He scored in 2004.", True),  # the question's own number
        ("who runs LVMH?", "LVMH sold the label.", False),  # no form words would show
    ],
)
def test_a_text_meets_the_demand_with_a_span_new_to_the_question(
    question: str, text: str, unmet: bool
) -> None:
    assert Demand.of(question).unmet(text) is unmet


def test_a_count_must_count_the_unit_asked_for() -> None:
    pages = Demand.of("how many pages does Half-Blood Prince have?")
    assert pages.uncounted("It topped the chart less than 24 hours after its release.")
    assert not pages.uncounted("The book runs to 607 pages.")
    groups = Demand.of("how many foreign groups has it licensed?")
    assert not groups.uncounted("It has granted licences to three Middle Eastern groups.")
    assert not Demand.of("how much did it cost?").uncounted("No number here.")


def test_how_many_times_counts_the_event_whatever_the_text_calls_it() -> None:
    times = Demand.of("how many times has Turkey invaded Syria?")
    invasions = "The Turkish military has staged at least two unauthorized invasions."
    assert not times.unmet(invasions) and not times.uncounted(invasions)
    assert times.unmet("The Turkish military has staged unauthorized invasions.")
