"""POST /api/ask as a chatbot's API: history and filters accepted or refused (400 JSON naming
what is wrong), the standalone question searched, GET /api/facets; `qa ask --where`, `qa chat`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from qa.answer.conversation import MAX_TURNS
from qa.cli import main
from qa.config import Settings
from tests.conftest import SEED_QUESTION
from tests.test_api import conforms, error_of

TURN = {"question": SEED_QUESTION, "answer": "SANA reported it."}


def ask(client: FlaskClient, **body) -> dict:
    response = client.post("/api/ask", json={"question": SEED_QUESTION, **body})
    assert response.status_code == 200, response.data[:300]
    return conforms(response, "/api/ask", "post")


def test_every_reply_says_what_was_searched(client: FlaskClient) -> None:
    body = ask(client)
    assert body["searched"] == SEED_QUESTION  # nothing to resolve: the question itself


def test_a_history_is_accepted_up_to_its_limit(client: FlaskClient) -> None:
    body = ask(client, history=[TURN, {"question": "and then?", "answer": None}])
    assert body["question"] == SEED_QUESTION and body["searched"]
    assert ask(client, history=[TURN] * MAX_TURNS)["passages"]


@pytest.mark.parametrize(
    "history",
    [
        "not a list",
        {"question": "q", "answer": None},
        [TURN] * (MAX_TURNS + 1),
        ["a string turn"],
        [{"question": "q"}],
        [{"answer": "a"}],
        [{"question": "", "answer": None}],
        [{"question": 3, "answer": None}],
        [{"question": "q", "answer": 3}],
        [{"question": "q", "answer": None, "extra": 1}],
    ],
)
def test_a_malformed_history_is_a_400_naming_it(client: FlaskClient, history) -> None:
    response = client.post("/api/ask", json={"question": SEED_QUESTION, "history": history})
    assert error_of(response, "/api/ask", 400) == "invalid_history"
    assert "history" in response.json["error"]["message"]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ("sport", "filters"),
        ({"published": {"from": "not a date"}}, "published"),
        ({"published": {"after": "2005-01-01"}}, "published"),
        ({"section": {"nested": {"deeper": 1}}}, "section"),
        ({"section": []}, "section"),
        ({"section": None}, "section"),
        ({"section": [["a"]]}, "section"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_the_field(
    client: FlaskClient, filters, field: str
) -> None:
    response = client.post("/api/ask", json={"question": SEED_QUESTION, "filters": filters})
    assert error_of(response, "/api/ask", 400) == "invalid_filter"
    assert field in response.json["error"]["message"]


def test_filters_keep_to_the_matching_articles(client: FlaskClient) -> None:
    seed = ask(client)["passages"][0]["citation"]
    same = ask(client, filters={"source": seed["source"]})
    assert same["passages"] and {p["citation"]["source"] for p in same["passages"]} == {
        seed["source"]
    }
    none = ask(client, filters={"source": "no/such/file.txt"})
    assert none["passages"] == [] and none["answer"] is None


def test_the_facets_describe_the_archive(client: FlaskClient) -> None:
    response = client.get("/api/facets")
    assert response.status_code == 200
    facets = conforms(response, "/api/facets")
    assert facets["articles"] == 1
    assert "published" in facets


def test_qa_ask_takes_filters_and_refuses_bad_ones(seed_index: Settings) -> None:
    index = str(seed_index.index_dir)
    runner = CliRunner()
    kept = runner.invoke(
        main, ["ask", SEED_QUESTION, "--index", index, "--json", "--since", "1900-01-01"]
    )
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.stdout)["passages"] == []  # the seed article has no date
    bad = runner.invoke(main, ["ask", SEED_QUESTION, "--index", index, "--where", "nothing"])
    assert bad.exit_code == 2 and "FIELD=VALUE" in bad.stderr
    date = runner.invoke(main, ["ask", SEED_QUESTION, "--index", index, "--since", "yesterday"])
    assert date.exit_code == 2 and "published" in date.stderr


def test_qa_chat_holds_a_conversation_in_the_terminal(seed_index: Settings) -> None:
    typed = "\n".join([SEED_QUESTION, "/k 2", "and what did Peskov say?", "/clear", "/nope", ""])
    result = CliRunner().invoke(main, ["chat", "--index", str(seed_index.index_dir)], input=typed)
    assert result.exit_code == 0, result.output
    assert result.output.count("Answer [") + result.output.count("do not answer") == 2
    assert "SANA" in result.output and "Peskov" in result.output
    assert "Short answer [1]: SANA\n" in result.output  # as `qa ask` shows it: first
    assert "(answers now list 2 passages)" in result.output
    assert "(a new conversation)" in result.output and "commands:" in result.output
