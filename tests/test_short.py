"""The short answer: what a question asks for, read from the answer sentence with exact offsets."""

from __future__ import annotations

import json

import pytest

from qa.answer.entities import NUMBER, ORGANISATION, PERSON, PLACE, THING
from qa.answer.readers import HeuristicReader
from qa.answer.records import Citation, Passage
from qa.answer.searcher import Searcher
from qa.answer.short import Context, choose, readings
from qa.answer.short_asked import Asked
from qa.answer.short_spans import figure_edges, modifier_before, tokens_of
from qa.answer.short_types import DATE, expected_type
from qa.short_scores import exact_match, normalized, token_f1
from qa.text.spans import paragraph_spans, sentence_spans, split_chunk
from qa.text.words import stems
from tests.conftest import SEED_FILE, SHARED_EVAL, needs_shared_eval

SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")
# The questions about the seed article, and the short answer each asks for.
SEED_SHORT = [
    ("who reported the Turkish convoy?", "SANA"),
    ("How many attacks did militants stage?", "more than 1,000"),
    ("When did the Syrian offensive start?", "August last year"),
    ("Who is the Kremlin spokesman?", "Dmitry Peskov"),
    # A candidate that opens inside a modifier ("least two") keeps all of it.
    ("How many times has the Turkish military invaded northern Syria?", "at least two"),
]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who is the Kremlin spokesman?", PERSON),
        ("Which company bought the studio?", ORGANISATION),
        ("In which Spanish city did he win?", PLACE),
        ("Where did the convoy go?", PLACE),
        ("When did the Syrian offensive start?", DATE),
        ("In what year was it founded?", DATE),
        ("How many attacks did militants stage?", NUMBER),
        ("What percentage of voters stayed at home?", NUMBER),
        ("What kind of car did Toyota build?", THING),
        ("What law justified British imperialism?", THING),
        ("Why did the attacks increase?", None),
        ("How did the army respond?", None),
        ("What did Peskov say?", None),
        ("What did Peskov say about the convoy?", None),
        ("What did Tony Blair promise about Michael Howard's faith?", None),
        # "what is the value/name of …": the noun after the copula asks.
        ("What is the value of the bursary that goes with the award?", NUMBER),
        ("What was the population of Paris in 1900?", NUMBER),
        ("What was the UK price of the gadget at launch?", NUMBER),
        # The head noun past "other" and "and", and a person named by what they do.
        ("What other European Protestant leader studied in Paris?", PERSON),
        ("Which former Llanelli and Wales fly-half insisted Wales could cope?", PERSON),
        ("Which classic Bond villain acts as the player's boss?", PERSON),
        ("What other Northern European cities had congregations?", PLACE),
        # Once the head is in, the question's verb ends the noun phrase; "managing" does not.
        ("What government agency supervised Buddhist monks?", ORGANISATION),
        ("Which Birmingham City managing director called the offer a waste?", PERSON),
    ],
)
def test_the_type_a_question_asks_for(question: str, kind: str | None) -> None:
    assert expected_type(question) == kind


def read_short(searcher: Searcher, question: str):
    """The heuristic's short answer on the Searcher's answer sentence (whether or not "not
    found" would withhold the answer: that is another model's decision)."""
    found = searcher.find(question, k=5, mode="hybrid")
    return HeuristicReader().read(question, found.passages, found.best.rank)


@pytest.mark.parametrize(("question", "short"), SEED_SHORT)
def test_the_seed_questions_get_their_short_answers_with_exact_offsets(
    seed_searcher: Searcher, question: str, short: str
) -> None:
    found = read_short(seed_searcher, question)
    assert found is not None and found.text == short
    assert SEED_TEXT[found.start : found.end] == short


@pytest.mark.parametrize(
    "question",
    [
        "Why did the attacks increase?",
        "How did Syria respond to the offensives?",
        "What did the Kremlin spokesman say about the offensive?",
    ],
)
def test_why_and_how_questions_get_no_short_answer(seed_searcher: Searcher, question: str) -> None:
    assert read_short(seed_searcher, question) is None
    assert seed_searcher.ask(question).short is None


@pytest.mark.parametrize(
    "question", ["من أبلغ عن القافلة التركية؟", "who reported the 🚚 convoy? 🇸🇾", "🙂", "SANA?"]
)
def test_any_script_or_emoji_gets_a_short_answer_or_null(
    seed_searcher: Searcher, question: str
) -> None:
    answer = seed_searcher.ask(question)
    if answer.short is not None:
        assert SEED_TEXT[answer.short.start : answer.short.end] == answer.short.text


def test_the_answer_json_carries_the_short_answer_and_its_reader(seed_searcher: Searcher) -> None:
    data = json.loads(json.dumps(seed_searcher.ask(SEED_SHORT[0][0]).to_dict()))
    answer = data["answer"]
    assert answer["reader"] == "heuristic"
    assert answer["short"] == {"text": "SANA", "start": 2420, "end": 2424, "passage": 1}
    cited = data["passages"][answer["short"]["passage"] - 1]["citation"]
    assert cited["start"] <= answer["short"]["start"] < answer["short"]["end"] <= cited["end"]


@pytest.mark.parametrize(
    ("run", "edges"),
    [
        ("closed 150", (1, 0)),
        ("10,000 troops", (0, 1)),
        ("more than 4.1 million", (0, 0)),
        ("91 days", (0, 0)),
        ("17m per second", (0, 0)),
        ("further eight seats", (1, 1)),
        ("Dmitry Peskov", (0, 0)),
    ],
)
def test_a_figure_counts_the_words_around_it(run: str, edges: tuple[int, int]) -> None:
    tokens = tokens_of(run)
    assert figure_edges(tokens, 0, len(tokens)) == edges


@pytest.mark.parametrize(
    ("text", "hedged", "shown"),
    [
        ("visited by about 28,000 people", False, "about 28,000"),
        ("visited by about 28,000 people", True, "28,000"),
        ("visited by more than 28,000 people", True, "more than 28,000"),
        ("visited by nearly 28,000 people", True, "28,000"),
        ("visited by at least 28,000 people", False, "at least 28,000"),
    ],
)
def test_a_hedged_question_is_not_told_the_approximation_again(
    text: str, hedged: bool, shown: str
) -> None:
    """A number keeps its modifier, but "roughly how many…?" already says "about": only a
    bound ("more than", "at least") is repeated then."""
    tokens = tokens_of(text)
    number = next(i for i, t in enumerate(tokens) if t.text == "28,000")
    start = tokens[modifier_before(tokens, number, hedged)].start
    assert text[start : tokens[number].end] == shown


def test_a_question_is_read_for_its_last_word_and_its_hedge() -> None:
    """The answer often follows the question's last content word ("referred to as soft power")."""
    asked = Asked.of("What is Cultural Imperialism often referred to as?")
    assert asked.last == stems(["referred"])[0] and not asked.hedged
    assert Asked.of("Roughly how many players a month use Yahoo Games?").hedged


@pytest.mark.parametrize(
    ("question", "text", "short"),
    [
        (
            "What is Cultural Imperialism often referred to as?",
            "Cultural imperialism is often referred to as soft power.",
            "soft power",
        ),
        (
            "How many soldiers were in each Tumen?",
            "Each Tumen had 10,000 troops under one commander.",
            "10,000",
        ),
        # Of a range of years, the end asked for; the whole range when neither is.
        ("When was Zhu Shijie born?", "Zhu Shijie (1249–1314) was a mathematician.", "1249"),
        ("When did Zhu Shijie die?", "Zhu Shijie (1249–1314) was a mathematician.", "1314"),
        ("When did Zhu Shijie live?", "Zhu Shijie (1249–1314) was a mathematician.", "1249–1314"),
        ("When did the empire fall?", "The empire lasted from 1299 to 1923 in all.", "1923"),
        # Of a change, its result; the change itself when asked "by how much".
        ("How much profit did the card arm make?", "Profits rose 5% to £801m, it said.", "£801m"),
        ("By how much did the card arm's profits rise?", "Its profits rose 5% to £801m.", "5%"),
        ("Up to what share can firms own?", "The cap went from 49% to 74%, he said.", "74%"),
        # A phrase quoted whole.
        (
            "What derisive phrase did Tony Blair use for where the Tories would put the centres?",
            'He asked which country would house the centres - what he called a "fantasy island".',
            "fantasy island",
        ),
        # "What year": the year of a date, alone.
        ("What year did the storm hit the fleet?", "A storm hit it on 1 May 1191 at sea.", "1191"),
        (
            "How much did the plan cost?",
            "Its plan cost more than £4m, the council said.",
            "more than £4m",
        ),
    ],
)
def test_the_short_answer_of_one_sentence(question: str, text: str, short: str) -> None:
    chosen = choose(question, [Context(text, sentence_spans(text), 0)])
    assert chosen is not None and text[chosen.start : chosen.end] == short


def test_squad_scores_normalise_case_punctuation_and_articles() -> None:
    assert normalized("The  Kremlin's spokesman!") == "kremlins spokesman"
    assert exact_match("the Normans", ["Normans"]) == 1.0
    assert exact_match(None, ["Normans"]) == 0.0
    assert token_f1("Denmark and Iceland", ["Denmark, Iceland and Norway"]) == pytest.approx(6 / 7)
    assert token_f1("Rollo", ["France"]) == 0.0


def _public_questions() -> list[dict]:
    return [
        json.loads(line)
        for name in ("bbc", "squad2")
        for line in (SHARED_EVAL / name / "questions.jsonl").open(encoding="utf-8")
    ]


def _holds(text: str, answers: list[str]) -> bool:
    return any(a.lower() in text.lower() for a in answers)


def _passage_of(question: dict, text: str) -> Passage:
    """The paragraph of `text` a question is about as a passage (its own paragraph for SQuAD,
    the first holding an answer for BBC, else the first), the sentence holding an answer (else
    the first) highlighted."""
    paragraphs = paragraph_spans(text)
    answers = question.get("answers", [])
    number = question.get("paragraph")
    if number is None:
        number = next((i for i, (a, b) in enumerate(paragraphs) if _holds(text[a:b], answers)), 0)
    start, end = paragraphs[number]
    sentences = split_chunk(text[start:end])
    at = next((s for s in sentences if _holds(text[start + s[0] : start + s[1]], answers)), None)
    citation = Citation("id", "title", "source", None, None, number + 1, start, end)
    return Passage(1, 1.0, text[start:end], at or sentences[0], 0, citation, 0)


@needs_shared_eval()
def test_short_answer_offsets_are_exact_on_every_public_question() -> None:
    """Every public question read by the real reader against a passage of its article (an
    unanswerable BBC one against the first article's): each short answer given is the
    article's text at its offsets, trimmed, and nothing raises."""
    articles = {}
    for name in ("bbc", "squad2"):
        for line in (SHARED_EVAL / name / "articles.jsonl").open(encoding="utf-8"):
            record = json.loads(line)
            articles[record["id"]] = record["text"]
    first = next(iter(articles))
    reader, given = HeuristicReader(), 0
    questions = _public_questions()
    for question in questions:
        text = articles[question.get("article_id") or first]
        short = reader.read(question["question"], [_passage_of(question, text)], 1)
        if short is not None:
            given += 1
            assert text[short.start : short.end] == short.text, question["id"]
            assert short.text and short.text.strip() == short.text, question["id"]
    assert given > len(questions) / 2


def test_a_whole_noun_phrase_is_told_from_a_piece_of_one() -> None:
    """ "soft power" is a noun phrase; "soft" alone (its noun follows) and "power is" are not."""
    text = "Cultural imperialism is often referred to as soft power is what they said."
    (reading,) = readings("What is it referred to as?", [Context(text, sentence_spans(text), 0)])
    phrase = {
        text[c.start : c.end]: reading.features(c).get("noun_phrase", 0.0)
        for c in reading.candidates
    }
    assert phrase["soft power"] == 1.0
    assert phrase.get("soft", 0.0) == 0.0


def test_a_person_named_by_the_surname_is_given_in_full() -> None:
    """ "Mr Babinet said…" answers who; the short answer is the name as another passage of the
    same article gives it ("Gilles Babinet"), at that passage's offsets; a passage of another
    article never lends its names."""
    text = (
        "Gilles Babinet, chief executive of Musiwave, praised mobile music.\n\n"
        "Musiwave builds download systems and Mr Babinet said the market was growing."
    )
    (first, second) = paragraph_spans(text)

    def passage(rank: int, span: tuple[int, int], article: str = "musiwave") -> Passage:
        citation = Citation(article, "title", "source", None, None, rank, *span)
        return Passage(rank, 1.0, text[slice(*span)], (0, span[1] - span[0]), 0, citation, 0)

    question = "Who said the market for downloads was growing?"
    reader = HeuristicReader()
    short = reader.read(question, [passage(1, second), passage(2, first)], 1)
    assert (short.text, short.passage) == ("Gilles Babinet", 2)
    assert text[short.start : short.end] == "Gilles Babinet"
    alone = reader.read(question, [passage(1, second), passage(2, first, "another")], 1)
    assert (alone.text, alone.passage) == ("Babinet", 1)
