"""Tiny transformer models made and saved by the tests themselves (no download): enough to prove
the plumbing of the optional models (QA_RERANKER, QA_READER), not to answer well."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import SEED_FILE, SEED_QUESTION

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def tiny_bert(
    folder: Path, head: str, adjust: Callable[[Any], None] | None = None, **config: int
) -> Path:
    """A one-layer BERT with the head `head` (a transformers class name) and a word-level vocab
    of the seed article and question, saved with its tokenizer in `folder` (after `adjust`, if
    given, has changed the model's weights)."""
    import torch
    import transformers

    text = SEED_FILE.read_text(encoding="utf-8") + " " + SEED_QUESTION
    words = sorted(set(re.findall(r"\w+|[^\w\s]", text.lower())))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(SPECIAL + words) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(str(folder / "vocab.txt"), do_lower_case=True)
    shape = transformers.BertConfig(
        vocab_size=len(SPECIAL) + len(words),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        **config,
    )
    torch.manual_seed(0)
    model = getattr(transformers, head)(shape)
    if adjust is not None:
        with torch.no_grad():
            adjust(model)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
