"""BM25 postings: scores equal bm25s's, and merging or tiling them equals building them anew."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest
import Stemmer
from bm25s.tokenization import Tokenizer

from qa.index.lexical import LexicalIndex, LexicalPart, single
from qa.index.postings import Postings, merge_postings
from qa.text.words import LANGUAGE
from tests.conftest import SEED_FILE
from tests.test_segments import STORIES

QUESTIONS = [
    "Who reported the Turkish convoy?",
    "Kremlin spokesman Peskov said what about the attacks",
    "the army the army army convoy",  # a word asked twice counts twice
    "schools budget Bradford harbour",
    "no such wordxyz",
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    paragraphs = [p for p in SEED_FILE.read_text(encoding="utf-8").split("\n") if p.strip()]
    return paragraphs + list(STORIES.values())


def test_scores_are_bm25s_lucene_scores(texts: list[str]) -> None:
    tokenizer = Tokenizer(stopwords=LANGUAGE, stemmer=Stemmer.Stemmer(LANGUAGE))
    retriever = bm25s.BM25()
    retriever.index(tokenizer.tokenize(texts, show_progress=False, return_as="tuple"))
    ours = single(Postings.build(texts))
    for question in QUESTIONS:
        ids = tokenizer.tokenize([question], update_vocab=False, show_progress=False)
        expected = np.asarray(retriever.get_scores(list(ids[0])), dtype=np.float32)
        found = ours.scores(question)
        if found is None:  # no word of the question is indexed
            assert not expected.any(), question
            continue
        assert np.allclose(found.scores, expected, atol=1e-5), question


def test_deleted_rows_score_as_if_never_indexed(texts: list[str]) -> None:
    half = len(texts) // 2
    first, second = Postings.build(texts[:half]), Postings.build(texts[half:])
    gone_first = np.arange(half) % 3 == 0
    gone_second = np.arange(len(texts) - half) % 4 == 1
    segmented = LexicalIndex(
        [LexicalPart(first, 0, gone_first), LexicalPart(second, half, gone_second)], len(texts)
    )
    kept = [t for t, gone in zip(texts, [*gone_first, *gone_second], strict=True) if not gone]
    fresh = single(Postings.build(kept))
    merged = single(merge_postings([(first, ~gone_first), (second, ~gone_second)]))
    live = ~np.concatenate([gone_first, gone_second])
    for question in QUESTIONS[:-1]:
        expected = fresh.scores(question).scores
        assert np.allclose(segmented.scores(question).scores[live], expected, atol=1e-6)
        assert not segmented.scores(question).scores[~live].any()
        assert np.allclose(merged.scores(question).scores, expected, atol=1e-6)
    for stem in ("convoy", "harbour", "school", "armi"):
        assert segmented.frequency(stem) == fresh.frequency(stem) == merged.frequency(stem)


def test_tiled_postings_are_the_postings_of_repeated_texts(texts: list[str]) -> None:
    tiled, built = Postings.build(texts).tiled(3), Postings.build(texts * 3)
    for question in QUESTIONS[:-1]:
        assert np.allclose(
            single(tiled).scores(question).scores, single(built).scores(question).scores
        )
    assert tiled.frequencies() == built.frequencies()


def test_the_stop_words_are_bm25s_s() -> None:
    from bm25s.stopwords import STOPWORDS_EN as theirs

    from qa.text.words import STOPWORDS_EN

    assert list(STOPWORDS_EN) == list(theirs)
