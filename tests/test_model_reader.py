"""QA_READER: an extractive-QA model read instead of the heuristic, with a tiny model made here.

The model is a real (randomly initialised) BertForQuestionAnswering with a tiny config and a
word-piece vocabulary of the seed article's words, saved with save_pretrained: nothing is
downloaded. Its output layer is zeroed, so that every span ties with "no answer" and the reader's
rule (a span that scores at least the no-answer score) gives the first word of the first passage:
deterministic on any machine, which is what a test of the plumbing needs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.answer import model_reader
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import Embedder
from tests.conftest import SEED_FILE, SEED_QUESTION
from tests.tiny_models import tiny_bert

SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")


def _zero_the_head(model) -> None:
    """Every span then ties with "no answer": a deterministic reading, whatever the seed."""
    model.qa_outputs.weight.zero_()
    model.qa_outputs.bias.zero_()


@pytest.fixture(scope="module")
def tiny_reader(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny extractive-QA model and its tokenizer, saved in a local directory."""
    return tiny_bert(
        tmp_path_factory.mktemp("tiny-reader"), "BertForQuestionAnswering", _zero_the_head
    )


def test_the_reader_model_gives_the_short_answer_with_exact_offsets(
    seed_index: Settings, embedder: Embedder, tiny_reader: Path
) -> None:
    settings = seed_index.overridden(reader=str(tiny_reader))
    searcher = Searcher(settings, embedder=embedder)
    answer = searcher.ask(SEED_QUESTION, k=3)
    data = answer.to_dict()["answer"]
    assert data["reader"] == str(tiny_reader)
    short = data["short"]
    assert short is not None and short["passage"] == 1
    assert SEED_TEXT[short["start"] : short["end"]] == short["text"]
    passage = answer.passages[0]
    assert short["start"] == passage.citation.start  # the first word of the first passage
    assert short["text"] == passage.text.split()[0]

    searcher.ask("How many attacks did militants stage?")
    assert model_reader._load.cache_info().currsize == 1  # loaded once for the process
    assert searcher.ask("Why did the attacks increase?").short is None  # no short fact asked


def test_qa_reader_is_read_from_the_environment_and_off_by_default() -> None:
    assert Settings.from_env({}).reader == ""
    assert Settings.from_env({"QA_READER": "deepset/roberta-base-squad2"}).reader == (
        "deepset/roberta-base-squad2"
    )
