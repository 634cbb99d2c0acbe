"""The word-piece tokenizer run without transformers gives the model tokenizer's ids and offsets."""

from __future__ import annotations

import pytest

from qa.config import Settings
from qa.embed.embedder import Embedder, load_embedder
from tests.conftest import SEED_FILE

TEXTS = [
    SEED_FILE.read_text(encoding="utf-8"),  # longer than the model's limit: truncated
    "",
    " ",
    "naïve café — “quoted” … ﬁne",
    "日本語のテキスト and emoji 🙂",
    "x" * 3000,
]


@pytest.fixture(scope="module")
def fp32() -> Embedder:
    return load_embedder(Settings(backend="torch"))


def test_counts_are_the_model_tokenizer_s(fp32: Embedder) -> None:
    encoded = fp32.model.tokenizer(TEXTS, add_special_tokens=True, truncation=False)
    assert fp32.pieces.counts(TEXTS) == [len(ids) for ids in encoded["input_ids"]]
    assert max(fp32.pieces.counts(TEXTS)) > fp32.max_pieces


def test_ids_and_offsets_are_the_model_tokenizer_s_truncated(fp32: Embedder) -> None:
    expected = fp32.model.tokenizer(
        TEXTS,
        add_special_tokens=True,
        truncation=True,
        max_length=fp32.max_pieces,
        return_offsets_mapping=True,
    )
    encoded = fp32.pieces.encode(TEXTS)
    assert [e.ids for e in encoded] == expected["input_ids"]
    assert [list(e.offsets) for e in encoded] == [
        list(map(tuple, o)) for o in expected["offset_mapping"]
    ]
