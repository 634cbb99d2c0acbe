"""Tiny transformer models made and saved by the tests themselves (no download): enough to prove
the plumbing of the optional models (QA_RERANKER, QA_READER), not to answer well."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import SEED_FILE

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def tiny_bert(folder: Path, head: str, **config: int) -> Path:
    """A one-layer BERT with the head `head` (a transformers class name) and a word-level vocab
    of the seed article, saved with its tokenizer in `folder`."""
    import transformers

    words = sorted(set(re.findall(r"\w+|[^\w\s]", SEED_FILE.read_text(encoding="utf-8").lower())))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(SPECIAL + words) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(str(folder / "vocab.txt"))
    shape = transformers.BertConfig(
        vocab_size=len(SPECIAL) + len(words),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=512,
        **config,
    )
    getattr(transformers, head)(shape).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
