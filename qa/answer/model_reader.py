"""An extractive-QA model as the short answer's reader (QA_READER: a Hugging Face id or a local
directory, such as deepset/roberta-base-squad2): the best span of the top passages by its start
and end logits, None when the model's "no answer" (its first token) scores higher.

transformers and torch are imported, and the model loaded, on the first question only, once per
process: the default (heuristic) path never pays for them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from qa.answer.records import Passage, ShortAnswer
from qa.answer.short_types import expected_type
from qa.answer.tuned import ANSWER_PASSAGES

# The longest answer read, in the model's tokens (SQuAD's own evaluation scripts use 30).
MAX_ANSWER_TOKENS = 30
# A passage longer than the model's window is read in windows of this many tokens, overlapping.
WINDOW_TOKENS, WINDOW_STRIDE = 384, 128


@functools.cache
def _load(model: str) -> tuple[Any, Any]:
    """The model's tokenizer (a fast one: it maps tokens to characters) and the model."""
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model)
    return tokenizer, AutoModelForQuestionAnswering.from_pretrained(model).eval()


class ModelReader:
    """The short answer read by an extractive-QA model from the top ANSWER_PASSAGES passages."""

    def __init__(self, model: str) -> None:
        self.name = model

    def read(self, question: str, passages: Sequence[Passage], rank: int) -> ShortAnswer | None:
        """The best-scoring span of the top passages, or None (no short fact asked, or the
        model's no-answer score wins)."""
        top = list(passages[:ANSWER_PASSAGES])
        if not top or expected_type(question) is None:
            return None
        import torch

        tokenizer, model = _load(self.name)
        encoded = tokenizer(
            [question] * len(top),
            [p.text for p in top],
            truncation="only_second",
            max_length=min(WINDOW_TOKENS, tokenizer.model_max_length),
            stride=WINDOW_STRIDE,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            padding=True,
            return_tensors="pt",
        )
        windows = encoded.pop("overflow_to_sample_mapping").tolist()
        offsets = encoded.pop("offset_mapping").tolist()
        with torch.inference_mode():
            logits = model(**encoded)
        best: tuple[float, int, int, int] | None = None  # score, passage, start, end (chars)
        for window, passage in enumerate(windows):
            context = [i for i, s in enumerate(encoded.sequence_ids(window)) if s == 1]
            if not context:
                continue
            starts = logits.start_logits[window, context]
            ends = logits.end_logits[window, context]
            pairs = starts[:, None] + ends[None, :]
            allowed = torch.ones_like(pairs, dtype=torch.bool).triu().tril(MAX_ANSWER_TOKENS - 1)
            score, flat = pairs.masked_fill(~allowed, float("-inf")).flatten().max(0)
            first, last = divmod(int(flat), len(context))
            no_answer = float(logits.start_logits[window, 0] + logits.end_logits[window, 0])
            if float(score) >= no_answer and (best is None or float(score) > best[0]):
                span = offsets[window][context[first]][0], offsets[window][context[last]][1]
                best = (float(score), passage, *span)
        if best is None or best[2] >= best[3]:
            return None
        _, passage, start, end = best
        return ShortAnswer.within(top[passage], start, end)
