"""Follow-ups resolved against their conversation: the history's contract, the entities its
turns hold, pronouns and ellipsis on the seed article, and the benchmark's conversations."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.conversations import KINDS, read_conversations
from qa.answer.conversation import (
    MAX_TURNS,
    HistoryError,
    Resolution,
    Turn,
    parse_history,
    resolve,
)
from qa.answer.entities import NUMBER, ORGANISATION, PERSON, PLACE, entities_of
from qa.answer.searcher import Searcher
from qa.config import MAX_QUESTION_CHARS
from tests.conftest import SEED_FILE, SEED_QUESTION, SHARED_EVAL, needs_shared_eval

SEED_ID = SEED_FILE.stem
PESKOV = (
    "Additionally on Thursday, Kremlin spokesman Dmitry Peskov said militant attacks against "
    "Russian military positions and on Syrian government troops were continuing from a "
    "Turkish-controlled zone in the region."
)
TURN = {"question": "who reported the convoy?", "answer": None}


@pytest.mark.parametrize(
    "raw",
    [
        [],
        [TURN],
        [{"question": "who reported the convoy?", "answer": "SANA reported it."}],
        [TURN] * MAX_TURNS,
    ],
)
def test_history_accepts_up_to_twenty_turns(raw: list[dict[str, Any]]) -> None:
    turns = parse_history(raw)
    assert turns == [Turn(t["question"], t["answer"]) for t in raw]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("who?", "history must be a list of turns"),
        ({"question": "who?"}, "history must be a list of turns"),
        ([TURN] * (MAX_TURNS + 1), "history has 21 turns; the limit is 20"),
        (["who?"], "history[0] must be an object"),
        ([{"question": "who?"}], "history[0].answer is missing"),
        ([{"answer": None}], "history[0].question is missing"),
        ([TURN | {"source": "web"}], "history[0] has an unknown field 'source'"),
        ([TURN | {"question": "  "}], "history[0].question must be a non-empty string"),
        ([TURN | {"question": 7}], "history[0].question must be a non-empty string"),
        ([TURN] * 3 + [TURN | {"answer": ["a"]}], "history[3].answer must be a string or null"),
        (
            [TURN | {"question": "w" * (MAX_QUESTION_CHARS + 1)}],
            "history[0].question has 2,001 characters; the limit is 2,000",
        ),
    ],
)
def test_history_refuses_what_is_malformed_naming_the_turn(raw: Any, message: str) -> None:
    with pytest.raises(HistoryError) as error:
        parse_history(raw)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        (PESKOV, "Dmitry Peskov", PERSON),
        (PESKOV, "Kremlin", ORGANISATION),
        ("Troops were relocated to northeastern Syria.", "northeastern Syria", PLACE),
        ("The talks were held in Ankara.", "Ankara", PLACE),
        ("It was passed by the Bank of England.", "Bank of England", ORGANISATION),
        ("He faces Conchita Martinez of Spain.", "Conchita Martinez", PERSON),
        ("Mr Lacroix founded the label.", "Lacroix", PERSON),
        ("Monsanto paid $1.5m in 2002.", "$1.5m", NUMBER),
        ("The fine was paid on Thursday.", "Thursday", NUMBER),
        # An initial is part of a name, and no acronym; a sentence may still end on one.
        ("Its first head was William E. Simon, a trader.", "William E. Simon", PERSON),
        ("George W. Bush met the U.S. Senate.", "U.S. Senate", ORGANISATION),
    ],
)
def test_entities_are_typed_by_their_cues(text: str, name: str, kind: str) -> None:
    assert (name, kind) in [(e.text, e.kind) for e in entities_of(text)]


def test_a_sentence_that_ends_on_a_capital_keeps_its_full_stop_out_of_the_name() -> None:
    assert [e.text for e in entities_of("It was Plan B. The rest failed.")] == ["Plan B"]


def test_common_words_opening_a_sentence_are_no_names() -> None:
    names = [e.text for e in entities_of("Separately, the Russian ministry said so.")]
    assert names == []
    assert [e.text for e in entities_of("Luxury goods group LVMH sold it.") if not e.initial] == [
        "LVMH"
    ]


def test_peskov_follow_up_finds_paragraph_seven(seed_searcher: Searcher) -> None:
    first = seed_searcher.ask(SEED_QUESTION)
    history = [Turn(SEED_QUESTION, first.text)]
    answer = seed_searcher.ask("and what did Peskov say?", history=history)
    assert "Peskov" in answer.searched and not answer.searched.startswith("and")
    assert answer.passages[0].citation.paragraph == 7
    assert answer.to_dict()["searched"] == answer.searched


def test_a_pronoun_takes_the_person_the_previous_answer_named(seed_searcher: Searcher) -> None:
    question = "who said militant attacks were continuing from the Turkish-controlled zone?"
    history = [Turn(question, seed_searcher.ask(question).text)]
    assert history[0].answer is not None and "Dmitry Peskov" in history[0].answer
    follow_up = "what did he say about the Turkish zone of responsibility?"
    answer = seed_searcher.ask(follow_up, history=history)
    assert answer.searched == "what did Dmitry Peskov say about the Turkish zone of responsibility?"
    assert answer.passages[0].citation.paragraph == 7
    resolution = resolve(follow_up, history, seed_searcher.index)
    assert resolution.articles == (SEED_ID,)


def test_ellipsis_takes_the_frame_of_the_last_question(seed_searcher: Searcher) -> None:
    question = "why did armed groups relocate to northeastern Syria?"
    history = [Turn(question, seed_searcher.ask(question).text)]
    answer = seed_searcher.ask("what about Libya?", history=history)
    assert answer.searched == "why did armed groups relocate to Libya?"
    assert "later to Libya" in answer.passages[0].text


def test_a_chain_of_follow_ups_keeps_its_referent(seed_searcher: Searcher) -> None:
    history = [Turn("who spoke for the Kremlin?", PESKOV), Turn("what did he say?", None)]
    resolution = resolve("and when did he say it?", history, seed_searcher.index)
    assert "Dmitry Peskov" in resolution.searched
    assert resolution.articles == (SEED_ID,)


def test_a_surname_asked_takes_the_full_name_and_type_its_answer_gives(
    seed_searcher: Searcher,
) -> None:
    history = [Turn(SEED_QUESTION, seed_searcher.ask(SEED_QUESTION).text)]
    history.append(Turn("and what did Peskov say?", PESKOV))
    he = resolve("what did he say about the zone?", history, seed_searcher.index)
    assert he.searched == "what did Dmitry Peskov say about the zone?"
    # A country is invaded: "it" is the place the conversation named, not the Kremlin.
    it = resolve("how many times has Turkey invaded it?", history, seed_searcher.index)
    assert it.searched == "how many times has Turkey invaded Syria?"


@pytest.mark.parametrize(
    ("follow_up", "searched"),
    [
        ("and when did the offensive start?", "when did the offensive start?"),
        ("and how many attacks were there?", "how many attacks were there?"),
        ("and what did he say?", "what did Dmitry Peskov say?"),
        ("and when did that start?", "when did that start (Dmitry Peskov)?"),
    ],
)
def test_an_and_question_of_its_own_takes_no_name_of_the_last_answer(
    seed_searcher: Searcher, follow_up: str, searched: str
) -> None:
    history = [Turn("Who is the Kremlin spokesman?", PESKOV)]
    resolution = resolve(follow_up, history, seed_searcher.index)
    assert resolution == Resolution(searched, (SEED_ID,))


@pytest.mark.parametrize(
    ("follow_up", "searched"),
    [
        ("what did the Syrian army do there?", "what did the Syrian army do in Idlib?"),
        ("and from there?", "how many attacks were staged from Idlib?"),
        ("why?", "why were attacks staged from Idlib?"),
        ("who criticised that decision?", "who criticised that decision (Idlib)?"),
    ],
)
def test_places_ellipsis_and_bare_questions_without_an_answer(
    seed_searcher: Searcher, follow_up: str, searched: str
) -> None:
    history = [Turn("how many attacks were staged in Idlib?", None)]
    if follow_up == "why?":
        history = [Turn("when were attacks staged from Idlib?", None)]
    assert resolve(follow_up, history, seed_searcher.index) == Resolution(searched)


@pytest.mark.parametrize(
    "question",
    [
        "what did the Russian foreign ministry say about Idlib?",
        "Who is the chairman of Arsenal?",
        "how many attacks were staged from the de-escalation zone in January?",
    ],
)
def test_a_self_contained_question_is_searched_as_it_stands(
    seed_searcher: Searcher, question: str
) -> None:
    history = [Turn(SEED_QUESTION, seed_searcher.ask(SEED_QUESTION).text)]
    assert resolve(question, history, seed_searcher.index) == Resolution(question)
    answer = seed_searcher.ask(question, history=history)
    assert answer.searched == question
    assert answer.passages == seed_searcher.ask(question).passages


def test_the_benchmark_has_forty_follow_ups_of_every_kind() -> None:
    conversations = read_conversations()
    assert len(conversations) >= 40
    assert {c.kind for c in conversations} == set(KINDS)
    assert len({c.id for c in conversations}) == len(conversations)


@needs_shared_eval()
def test_the_benchmark_answers_occur_in_their_articles() -> None:
    lines = (SHARED_EVAL / "bbc" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    texts = {record["id"]: record["text"] for record in map(json.loads, lines)}
    texts[SEED_ID] = SEED_FILE.read_text(encoding="utf-8")
    for conversation in read_conversations():
        if conversation.article_id is not None:
            text = texts[conversation.article_id].lower()
            assert all(a.lower() in text for a in conversation.answers), conversation.id


@needs_shared_eval()
def test_the_public_questions_stand_alone_after_a_conversation(seed_searcher: Searcher) -> None:
    lines = (SHARED_EVAL / "bbc" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines]
    history = [Turn("who spoke for the Kremlin?", PESKOV)]
    changed = [q for q in questions if resolve(q, history, seed_searcher.index) != Resolution(q)]
    assert len(changed) <= len(questions) // 100, changed
