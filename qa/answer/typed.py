"""A closer look at the few best answer sentences: the type of the short answer each would give.

For a question that asks for a name, a number, a date or a place, a sentence whose best
short-answer candidate (qa.answer.short) is of that type is likelier to answer it: word overlap
alone prefers the sentence that repeats the question over the one that says who or how many.
Reading a sentence this closely costs about a millisecond, so only the RETYPED best sentences by
SENTENCE_WEIGHTS are read (qa.answer.read), then scored again with RETYPED_WEIGHTS; a question for
a thing or for no short fact keeps the first look's choice.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.answer.entities import THING
from qa.answer.short import Context, Reading, readings
from qa.answer.short_asked import Asked
from qa.answer.short_tuned import SHORT_WEIGHTS
from qa.text.spans import Span


def typed(question: str, sentences: Sequence[tuple[str, Span]]) -> list[float] | None:
    """For each sentence (a text and its span), how well the type of its best short-answer
    candidate fits the type the question asks for: the short answer's fitted weight of that
    pair ("person>person" 0.85, "person>organisation" −0.65), 0 for a sentence without a
    candidate. None, with nothing read, for a question that asks for a thing or no short fact:
    there is no type to look for."""
    asked = Asked.of(question)
    if asked.kind in (None, THING):
        return None
    return [_fit(readings(asked, [Context(text, [span], 0)])) for text, span in sentences]


def _fit(found: list[Reading]) -> float:
    """The pair weight of the best-scoring candidate of a sentence's reading, or 0."""
    scores = found[0].scores() if found else []
    if not scores:
        return 0.0
    best = max(range(len(scores)), key=scores.__getitem__)
    return SHORT_WEIGHTS.get(found[0].pair(found[0].candidates[best]), 0.0)
