"""SQuAD's scores of a short answer against the answer strings: exact match and token F1, both
after the official normalisation (lower case, no punctuation, no articles a/an/the, single
spaces), each the best over the answer strings."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = frozenset(string.punctuation)


def normalized(text: str) -> str:
    """The official SQuAD normalisation of an answer."""
    text = "".join(c for c in text.lower() if c not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(said: str | None, answers: Sequence[str]) -> float:
    """1 when the normalised answer given equals a normalised answer string (None scores 0)."""
    return float(said is not None and any(normalized(said) == normalized(a) for a in answers))


def token_f1(said: str | None, answers: Sequence[str]) -> float:
    """The best F1 of the answer's normalised words against an answer string's (None: 0)."""
    if said is None:
        return 0.0
    return max((_f1(normalized(said).split(), normalized(a).split()) for a in answers), default=0.0)


def _f1(said: list[str], gold: list[str]) -> float:
    common = sum((Counter(said) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(said), common / len(gold)
    return 2 * precision * recall / (precision + recall)
