"""What a quantity or date question demands of its answer, and whether a text can meet it: a
"how much did they pay" wants a sum of money, another "how much" money or a share, a "when" a
date, a "how old" an age, a "how many pages" a number of pages.

Evidence for "not found" (qa.answer.not_found): a passage about the very thing a question asks
of ("how much did Bolton pay for Candela?" against the story of his move) that holds no such
span is most often about it without answering it. Only these forms are read: a name, a place or
an explanation has no form that words alone would give away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer.entities import word_set
from qa.answer.short_spans import Token, tokens_of
from qa.text.words import FUNCTION_WORDS, stems

COUNT, AMOUNT, AGE, DURATION, DATE = "count", "amount", "age", "duration", "date"
MONEY = "money"
# "how many" and the words after it, up to a function word: the counted noun is the first
# plural among them ("how many crack houses had…", "how many MPs put their…"), else the last
# ("how many people were…"), within _UNIT_WORDS of "how many".
_HOW_MANY = re.compile(r"\bhow many\s+([\w\s'’-]*)", re.IGNORECASE)
_UNIT_WORDS = 4
# A "how many times" counts the event itself, whatever the text calls it ("at least two
# invasions", "three visits"): no unit to look for.
_FREQUENCY = frozenset(["times"])
_FORMS = (
    (AGE, re.compile(r"\bhow old\b", re.IGNORECASE)),
    (DURATION, re.compile(r"\bhow long\b", re.IGNORECASE)),
    # "how much did Google pay…", "what price…": a sum of money, where a share will not do.
    (
        MONEY,
        re.compile(
            r"\bhow much\b.*\b(?:pay|paid|pays|paying|cost|costs|spend|spends|spent|charge|"
            r"charged|charges|earn|earned|earns|raise|raised|worth|fetch|fetched|sell|sold|buy|"
            r"bought|money|profit|profits|revenue|salary)\b|\bwhat (?:price|fee|sum|cost)\b",
            re.IGNORECASE,
        ),
    ),
    (AMOUNT, re.compile(r"\bhow much\b|\bwhat amount\b", re.IGNORECASE)),
    (
        DATE,
        re.compile(r"^\s*when\b|\b(?:what|which) (?:date|year|day|month)\b", re.IGNORECASE),
    ),
)
_AGED = re.compile(r"\d+-year-old|\baged? \d+|\b\d+ years? old\b", re.IGNORECASE)
_SPAN_OF_TIME = re.compile(
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|\w+teen|\w+ty)"
    r"[- ](?:second|minute|hour|day|week|month|year|season|decade)s?\b",
    re.IGNORECASE,
)
_CURRENCY = word_set("pounds dollars euros yen rupees pence cent cents francs yuan ringgit")
_SHARES = frozenset(["percent", "%"])
# A number counts a unit when the unit follows it within this many tokens ("three Middle
# Eastern groups").
_UNIT_WITHIN = 4


@dataclass(frozen=True)
class Demand:
    """The form a question's answer must take ("" when it has none words would show), the stem
    of the noun a "how many" counts ("" for "how many times"), and the question's own tokens
    (its answer is new to it)."""

    form: str
    unit: str
    known: frozenset[str]

    @classmethod
    def of(cls, question: str) -> Demand:
        known = frozenset(t.lower for t in tokens_of(question))
        counted = _HOW_MANY.search(question)
        after = counted.group(1).split()[: _UNIT_WORDS + 1] if counted else []
        end = next((i for i, w in enumerate(after) if w in FUNCTION_WORDS), len(after))
        if 0 < end <= _UNIT_WORDS:
            words = after[:end]
            unit = next((w for w in words if w.lower().endswith("s") and len(w) > 2), words[-1])
            return cls(COUNT, "" if unit.lower() in _FREQUENCY else stems([unit])[0], known)
        form = next((form for form, pattern in _FORMS if pattern.search(question)), "")
        return cls(form, "", known)

    def unmet(self, text: str) -> bool:
        """Whether the text holds nothing of the demanded form that the question does not."""
        if not self.form:
            return False
        if self.form == AGE:
            return _AGED.search(text) is None
        if self.form == DURATION:
            return _SPAN_OF_TIME.search(text) is None
        tokens = tokens_of(text)
        new = [i for i, t in enumerate(tokens) if t.is_word and t.lower not in self.known]
        if self.form == DATE:
            return not any(tokens[i].is_date for i in new)
        if self.form in (AMOUNT, MONEY):
            return not any(_amount(tokens, i, share=self.form == AMOUNT) for i in new)
        return not any(tokens[i].is_number for i in new)

    def uncounted(self, text: str) -> bool:
        """Whether a "how many" question's unit never follows a number of the text ("how many
        pages" against a story that counts hours, never pages)."""
        if self.form != COUNT or not self.unit:
            return False
        tokens = tokens_of(text)
        after = [
            [t.lower for t in tokens[i + 1 : i + 1 + _UNIT_WITHIN]]
            for i, token in enumerate(tokens)
            if token.is_number and token.lower not in self.known
        ]
        return self.unit not in stems([word for words in after for word in words])


def _amount(tokens: list[Token], i: int, share: bool) -> bool:
    """Whether the i-th token is a sum of money ("£5m", "16.4bn rupees") or, when `share`, a
    share ("7.1%", "20 percent")."""
    token = tokens[i]
    shares = _SHARES if share else frozenset()
    if token.text[0] in "£$€" or (share and token.text.endswith("%")):
        return True
    after = {t.lower for t in tokens[i + 1 : i + 3]}
    return token.is_number and bool(after & (_CURRENCY | shares))
