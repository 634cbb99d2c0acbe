"""A follow-up read against its conversation: whether it depends on the earlier turns, and the
standalone question it stands for.

A question depends on the conversation when it opens with "and" or "what about", refers by a
pronoun (he, it, they, there, that decision…), is a bare name ("Libya?") or a bare interrogative
("why?"). Pronouns take the newest fitting name (qa.answer.memory); a bare name takes the place
of the name of its type in the last question (its frame), or is added to it; a bare
interrogative replaces the frame's. A follow-up that still names nothing gets the last turn's
first name added in brackets, so that its words meet the passages it is about, unless only its
opening tied it to the conversation: "and when did the offensive start?" asks a whole question
of its own, about the same articles (they are preferred) but not about the last answer's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer.entities import (
    AGENT,
    FUNCTION_WORDS,
    NUMBER,
    ORGANISATION,
    PERSON,
    PLACE,
    THING,
    TOKEN,
    Entity,
    entities_of,
    word_set,
)
from qa.answer.memory import Memory
from qa.text.words import INTERROGATIVES

# Names of the last turn added to a follow-up that names nothing of its own (1 did best of 0–3
# on bench/conversations.jsonl).
CONTEXT_NAMES = 1

# "and …", "but …", "what about …", "and how about …": a follow-up's opening.
_LEAD = re.compile(
    r"^\s*(?:(?:and|but|also|so|ok|okay)\b[\s,]*)?(?:(?:what|how)\s+about\b\s*)?", re.IGNORECASE
)
# What each pronoun can stand for: tiers of types, the likeliest first ("he": a person, else a
# name of unknown type that may be one; "it": an organisation or a thing, else a country).
_PERSONAL = ((PERSON, AGENT), (THING,))
_NEUTER = ((ORGANISATION, THING, AGENT), (PLACE,))
_PLURAL = (*_NEUTER, (PERSON,))
_PRONOUNS = {
    "he": _PERSONAL,
    "him": _PERSONAL,
    "his": _PERSONAL,
    "she": _PERSONAL,
    "her": _PERSONAL,
    "hers": _PERSONAL,
    "it": _NEUTER,
    "its": _NEUTER,
    "they": _PLURAL,
    "them": _PLURAL,
    "their": _PLURAL,
    "theirs": _PLURAL,
    "there": ((PLACE,),),
}
# Verbs whose object is a place: "how many times has Turkey invaded it?" is about a country.
_PLACE_VERBS = word_set(
    """invade invaded invades invading occupy occupied occupies visit visited visits visiting
    enter entered enters entering annex annexed bomb bombed bombing"""
)
# The pronouns of one referent: "he" and "his" in one question are one person.
_SAME = {"him": "he", "his": "he", "her": "she", "hers": "she", "its": "it", "them": "they"}
_SAME |= {"their": "they", "theirs": "they"}
_POSSESSIVES = frozenset(["his", "hers", "its", "their", "theirs"])
_DEMONSTRATIVES = frozenset(["that", "this", "those", "these"])
# "this year", "that week": a time, not a reference.
_TIMES = word_set(
    """year week month season summer winter spring autumn time morning afternoon evening
    weekend decade century day"""
)
# Words that open a clause: a conjunction, a relative, a verb of saying ("promised he would").
_CLAUSES = word_set(
    """after before when while because since if as until unless although though whereas that
    which who whom whose and but or said says say told tell promised promise warned claimed
    announced reported revealed insisted argued suggested admitted believes believed thinks
    thought knew know hoped expects expected"""
)
# "is it true that…", "how long did it take": an "it" that stands for nothing.
_DUMMY_AFTER = word_set("true possible likely clear known worth necessary take takes took seems")
_BE = frozenset(["is", "are", "was", "were", "be", "been", "being"])
_AUXILIARIES = _BE | word_set("do does did has have had can could will would should may might must")
# The words of a bare interrogative: "why?", "how much?", "who else?".
_BARE = INTERROGATIVES | word_set("else much many long often far old exactly then so not")
_PREPOSITIONS = word_set("in at on from to for of by with about into near since until during")
_LAST_WORD = re.compile(r"\b(\w+)\s+$")
# Types a bare name may stand in for, its own first: the typing of a lone name is weak.
_EXCHANGEABLE = {
    THING: (THING, ORGANISATION, PERSON),
    ORGANISATION: (ORGANISATION, THING),
    PERSON: (PERSON, THING, ORGANISATION),
}


@dataclass(frozen=True)
class FollowUp:
    """A question read for what ties it to the conversation: its opening ("and", "what
    about"), the words that refer back, whether it is a bare name or a bare interrogative."""

    rest: str  # the question without its opening and question mark
    words: list[re.Match[str]]
    lower: list[str]  # the words in lower case
    # Positions in `words` of the pronouns and demonstratives that refer to earlier turns.
    referring: list[int]
    named: list[Entity]
    bare: bool
    fragment: bool
    dependent: bool

    @classmethod
    def of(cls, question: str) -> FollowUp:
        lead = _LEAD.match(question)
        opening = lead.end() if lead else 0
        led = bool(question[:opening].strip())
        rest = question[opening:].strip().rstrip("?").strip()
        words = list(TOKEN.finditer(rest))
        spelled = [w.group() for w in words]
        lower = [w.lower() for w in spelled]
        named = entities_of(rest)
        referring = [
            i
            for i in range(len(words))
            if _refers(spelled, i) and not _bound(lower, i, words, named)
        ]
        bare = all(w in _BARE for w in lower)
        fragment = bool(words) and lower[0] not in INTERROGATIVES | _AUXILIARIES
        fragment = fragment and (led or _only_names(lower, words, named))
        dependent = led or bool(referring) or bare or fragment
        return cls(rest, words, lower, referring, named, bare, fragment, dependent)


def standalone(followup: FollowUp, frame: str, memory: Memory) -> str:
    """The dependent question resolved against the conversation: `frame` is its last question
    (resolved, without its question mark), `memory` the names its turns hold."""
    rest = followup.rest
    text = _substituted(followup, memory)
    if followup.bare:
        text = f"{rest} {_after_interrogative(frame)}" if rest else frame
    elif followup.fragment:
        text = _merged(frame, text)
    incomplete = bool(followup.referring) or followup.bare or followup.fragment
    context = memory.names(CONTEXT_NAMES) if incomplete else []
    if context and not entities_of(text):
        text = f"{text} ({', '.join(context)})"
    return f"{text}?"


def new_names(followup: FollowUp, memory: Memory) -> tuple[str, ...]:
    """The names a follow-up brings that the conversation never mentioned."""
    return tuple(e.text for e in followup.named if not memory.knows(e.text))


def _refers(spelled: list[str], i: int) -> bool:
    """Whether the i-th word is a pronoun or a demonstrative that refers to earlier turns."""
    word = spelled[i].lower()
    before = spelled[i - 1].lower() if i else ""
    after = spelled[i + 1] if i + 1 < len(spelled) else ""
    if word == "there":
        return before not in _BE and after.lower() not in _BE  # "is there", "there are"
    if word == "it":
        return after.lower() not in _DUMMY_AFTER
    if word in _DEMONSTRATIVES:
        return after.lower() not in _TIMES and (word != "that" or _demonstrative(before, after))
    return word in _PRONOUNS


def _demonstrative(before: str, after: str) -> bool:
    """Whether a "that" points back ("who said that?", "criticised that decision"), rather than
    open a clause ("said that the army…", "the plant that makes…")."""
    if not after:
        return True
    verb = not before or before.endswith("ed") or before in FUNCTION_WORDS
    return verb and before not in _CLAUSES and after.islower() and after not in FUNCTION_WORDS


def _bound(lower: list[str], i: int, words: list[re.Match[str]], named: list[Entity]) -> bool:
    """Whether a pronoun refers to a name earlier in the question itself. A possessive or
    "there" may refer to any ("Candela … his future"); another pronoun to a name before its
    clause ("U2 … before they settled") or to one of two in it, as the nearest is its clause's
    subject ("Turkey invaded it" is not Turkey, "Clyde … Celtic beat them" is Clyde)."""
    if lower[i] not in _PRONOUNS:
        return False
    earlier = [e for e in named if e.end <= words[i].start() and e.kind != NUMBER]
    if not earlier or _possessive(lower, i) or lower[i] == "there":
        return bool(earlier)
    boundaries = [j for j in range(i) if lower[j] in _CLAUSES or "," in _gap(words, j)]
    opening = words[boundaries[-1]].start() if boundaries else 0
    return earlier[0].end <= opening or len([e for e in earlier if e.start >= opening]) > 1


def _gap(words: list[re.Match[str]], j: int) -> str:
    """What stands between the j-th word and the next one, in the question."""
    following = words[j + 1].start() if j + 1 < len(words) else words[j].end()
    return words[j].string[words[j].end() : following]


def _possessive(lower: list[str], i: int) -> bool:
    """Whether the pronoun is a possessive ("his", and "her" before a word of its noun)."""
    after = lower[i + 1] if i + 1 < len(lower) else ""
    return lower[i] in _POSSESSIVES or (lower[i] == "her" and after not in ("", *FUNCTION_WORDS))


def _substituted(followup: FollowUp, memory: Memory) -> str:
    """The question with its pronouns replaced by their referents (never a name the question
    spells itself) and surnames by full names."""
    rest, lower = followup.rest, followup.lower
    pieces, kept, chosen = [], 0, {}
    for i, word in enumerate(followup.words):
        if i in followup.referring and lower[i] in _PRONOUNS:
            same = _SAME.get(lower[i], lower[i])
            taken = [m.text for key, m in chosen.items() if key != same]
            taken += [e.text for e in followup.named]
            tiers = _PRONOUNS[lower[i]]
            if i and lower[i - 1] in _PLACE_VERBS and lower[i] in ("it", "them"):
                tiers = ((PLACE,), *tiers)
            referent = chosen.get(same) or memory.referent(tiers, taken)
            if referent is None:
                continue
            chosen[same] = referent
            replacement = _replacement(lower, i, referent.text)
        elif word.group()[0].isupper() and memory.full_name(word.group()) != word.group():
            replacement = memory.full_name(word.group())
        else:
            continue
        pieces += [rest[kept : word.start()], replacement]
        kept = word.end()
    return "".join([*pieces, rest[kept:]])


def _replacement(lower: list[str], i: int, name: str) -> str:
    """A referent's name as the pronoun stood: "Peskov's" for "his", "in Idlib" for "there"."""
    if _possessive(lower, i):
        return f"{name}'s"
    before = lower[i - 1] if i else ""
    return f"in {name}" if lower[i] == "there" and before not in _PREPOSITIONS else name


def _only_names(lower: list[str], words: list[re.Match[str]], named: list[Entity]) -> bool:
    """Whether every word that is no function word belongs to a name: "in Germany", "Libya"."""
    spans = [(e.start, e.end) for e in named]
    return bool(named) and all(
        lower[i] in FUNCTION_WORDS or any(s <= w.start() < e for s, e in spans)
        for i, w in enumerate(words)
    )


def _merged(frame: str, fragment: str) -> str:
    """The frame with the fragment's names (and their prepositions: "and from there?") in
    place of the frame's names of the same type, or the fragment added to the frame when a
    type has no counterpart."""
    names = entities_of(fragment)
    tokens = list(TOKEN.finditer(fragment))
    if not _only_names([t.group().lower() for t in tokens], tokens, names):
        return f"{frame} {fragment}"
    slots = entities_of(frame)
    edits = []
    for name in names:
        kinds = _EXCHANGEABLE.get(name.kind, (name.kind,))
        slot = next((s for k in kinds for s in reversed(slots) if s.kind == k), None)
        if slot is None:
            return f"{frame} {fragment}"
        slots.remove(slot)
        own, theirs = _preposition(fragment, name.start), _preposition(frame, slot.start)
        start = theirs.start() if own and theirs else slot.start
        edits.append((start, slot.end, f"{own.group(1)} {name.text}" if own else name.text))
    for start, end, text in sorted(edits, reverse=True):
        frame = frame[:start] + text + frame[end:]
    return frame


def _preposition(text: str, start: int) -> re.Match[str] | None:
    """The preposition right before `start` in the text, if one is."""
    before = _LAST_WORD.search(text, 0, start)
    return before if before and before.group(1).lower() in _PREPOSITIONS else None


def _after_interrogative(frame: str) -> str:
    """The frame without its interrogative ("which club did he join" → "did he join")."""
    words = list(TOKEN.finditer(frame))
    lower = [w.group().lower() for w in words]
    auxiliary = next((i for i, w in enumerate(lower[:4]) if w in _AUXILIARIES), None)
    start = auxiliary if auxiliary else int(bool(lower) and lower[0] in INTERROGATIVES)
    return frame[words[start].start() :] if start < len(words) else ""
