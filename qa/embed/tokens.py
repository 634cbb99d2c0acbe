"""The model's word-piece tokenizer, run by the `tokenizers` library itself (no torch needed).

It is the very tokenizer the sentence-transformers model uses (its fast tokenizer's backend, or
that backend saved beside a converted model), so that a build whose converted model is cached
embeds without importing torch, transformers or sentence-transformers (seconds per process).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tokenizers import Encoding, Tokenizer

TOKENIZER_FILE = "tokenizer.json"


class Pieces:
    """Word pieces of texts, special tokens included, whole or truncated to `max_pieces`."""

    def __init__(self, tokenizer: Tokenizer, max_pieces: int) -> None:
        self.max_pieces = max_pieces
        self.whole = Tokenizer.from_str(tokenizer.to_str())
        self.whole.no_truncation()
        self.whole.no_padding()
        self.truncated = Tokenizer.from_str(self.whole.to_str())
        self.truncated.enable_truncation(max_pieces)

    @classmethod
    def load(cls, folder: Path, max_pieces: int) -> Pieces:
        return cls(Tokenizer.from_file(str(folder / TOKENIZER_FILE)), max_pieces)

    def save(self, folder: Path) -> None:
        self.whole.save(str(folder / TOKENIZER_FILE))

    def counts(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, untruncated."""
        return [len(e.ids) for e in self.whole.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str]) -> list[Encoding]:
        """Each text's ids and character offsets ((0, 0) for special tokens), truncated.

        One text (a question) is encoded on the calling thread: a batch goes to the library's
        thread pool, whose threads then compete with the model's for the cores.
        """
        if len(texts) == 1:
            return [self.truncated.encode(texts[0])]
        return self.truncated.encode_batch(list(texts))
