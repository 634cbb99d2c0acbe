"""A question as the short answer reads it (qa.answer.short): the type it asks for, its words,
its head noun and verb, and the cues that decide how much of a chosen figure is shown (a hedge,
a range's end, a change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer.short_spans import tokens_of
from qa.answer.short_types import expected_type, head_noun, question_verb
from qa.text.words import FUNCTION_WORDS, stems

# A question that asks for a rough figure: "roughly how many…", "about what share…".
_HEDGED = re.compile(
    r"\b(?:roughly|about|approximately|around|nearly|almost)\s+(?:how|what|which)\b", re.I
)
# A question about when something began or ended: of a range ("1249–1314") it asks one end.
_EDGES = {
    "start": re.compile(r"\b(?:born|birth|begin|began|begun|start|started|founded)\b", re.I),
    "end": re.compile(r"\b(?:die|died|death|end|ended|fall|fell|collapsed?)\b", re.I),
}
# A question about a change, or where a figure started: "by how much…", "from what level…".
_CHANGE = re.compile(r"\b(?:by how|by what|from what|from how)\b", re.I)


@dataclass(frozen=True)
class Asked:
    """A question as the short answer reads it: the type asked, its words' stems, its head."""

    kind: str | None
    stems: frozenset[str]
    head: str  # the stem of the noun after "what/which" ("city"), or ""
    verb: str  # the stem of the word after the interrogative ("who reported…": report), or ""
    hedged: bool = False  # it asks for a rough figure ("roughly how many…?")
    last: str = ""  # the stem of its last content word ("…referred to as?": refer), or ""
    edge: str = ""  # "start" or "end" when it asks when something began or ended, else ""
    change: bool = False  # it asks for a change or where a figure started ("by how much…")

    @classmethod
    def of(cls, question: str) -> Asked:
        words = [t.text for t in tokens_of(question) if t.is_word]
        content = [
            s for w, s in zip(words, stems(words), strict=True) if w.lower() not in FUNCTION_WORDS
        ]
        head, verb = stems([head_noun(question), question_verb(question)])
        hedged = _HEDGED.search(question) is not None
        last = content[-1] if content else ""
        edge = next((name for name, words in _EDGES.items() if words.search(question)), "")
        change = _CHANGE.search(question) is not None
        kind = expected_type(question)
        return cls(kind, frozenset(content), head, verb, hedged, last, edge, change)
