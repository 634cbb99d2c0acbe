"""What a conversation remembers: the entities its turns hold, for a follow-up to refer to.

A referent is of the most fitting type first (a person for "he", before a name of unknown
type), then of the newest turn. Within a turn, a question that asked for a name ("who did
Allardyce sign?", "which federation…": qa.answer.kinds) puts the names its answer brought first,
as the follow-up's "he" is most often the answer; when it asked for someone, a name its answer
brought without a type of its own is taken for a person or an organisation ("Rowling has
revealed…"). Any other question keeps its own names first: the follow-up stays on its topic.

A name mentioned several times takes the type most of its mentions have, a surname alone stands
for the full name it was given ("Peskov": "Dmitry Peskov"), and a lone word that only ever
opens a sentence before a common word is no name ("Luxury goods group LVMH…").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from qa.answer.entities import AGENT, NUMBER, ORGANISATION, PERSON, THING, Entity, entities_of
from qa.answer.kinds import AnswerKind

# A question that asks for a person or an organisation.
_WHO = re.compile(r"\bwho(?:m|se)?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A name a turn holds: as the conversation spells it in full, its type, its turn."""

    text: str
    kind: str
    turn: int  # 0 for the oldest turn remembered


def turn_entities(question: str, answer: str | None) -> list[Entity]:
    """A turn's entities, the likeliest referent of a follow-up first (see the module); the
    answer's names that share a word with the question's are the question's ("American
    Davenport" for "Lindsay Davenport"), and a question's name the answer spells in full is
    the full one ("Peskov": "Dmitry Peskov", a person, where the lone word had no type)."""
    answered = entities_of(answer or "")
    asked = [_fuller(e, answered) for e in entities_of(question)]
    spelled = {word for e in asked for word in e.text.split()}
    brought = [e for e in answered if spelled.isdisjoint(e.text.split())]
    if not AnswerKind.of(question).name:
        return asked + brought
    if _WHO.search(question) and not any(e.kind in (PERSON, ORGANISATION) for e in brought):
        brought = [replace(e, kind=AGENT) if e.kind == THING else e for e in brought]
    return brought + asked


def _fuller(entity: Entity, answered: Sequence[Entity]) -> Entity:
    """The answer's person whose surname `entity` is ("Dmitry Peskov" for "Peskov"), else
    `entity`."""
    return next(
        (e for e in answered if e.kind == PERSON and e.text.split()[1:][-1:] == [entity.text]),
        entity,
    )


class Memory:
    """The mentions of the turns remembered, newest turn first."""

    def __init__(self, turns: Sequence[list[Entity]]) -> None:
        """`turns`: each turn's entities as turn_entities orders them, oldest turn first."""
        votes: dict[str, Counter[str]] = {}
        for entity in (e for turn in turns for e in turn):
            votes.setdefault(entity.text, Counter())[entity.kind] += 1
        self.full_names = {
            e.text.split()[-1]: e.text
            for turn in turns
            for e in turn
            if e.kind == PERSON and len(e.text.split()) > 1
        }
        confirmed = {e.text for turn in turns for e in turn if not e.initial} | set(self.full_names)
        self.mentions: list[Mention] = []
        for number in range(len(turns) - 1, -1, -1):
            for entity in (e for e in turns[number] if e.text in confirmed):
                full = self.full_names.get(entity.text)
                kind = PERSON if full else votes[entity.text].most_common(1)[0][0]
                self.mentions.append(Mention(full or entity.text, kind, number))

    def full_name(self, name: str) -> str:
        """The full name a surname was given in the conversation, else the name itself."""
        return self.full_names.get(name, name)

    def referent(
        self, tiers: Sequence[Collection[str]], taken: Collection[str] = ()
    ) -> Mention | None:
        """The first mention (newest turn first) of the first tier of types that has one,
        leaving out the names `taken`."""
        for kinds in tiers:
            mention = next(
                (m for m in self.mentions if m.kind in kinds and m.text not in taken), None
            )
            if mention is not None:
                return mention
        return None

    def knows(self, name: str) -> bool:
        """Whether a name (or its full form) was mentioned."""
        return any(m.text in (name, self.full_name(name)) for m in self.mentions)

    def names(self, count: int) -> list[str]:
        """Up to `count` names (no numbers) of the newest turn that has any: the topic a
        follow-up that names nothing is about."""
        named = [m for m in self.mentions if m.kind != NUMBER]
        newest = [m.text for m in named if m.turn == named[0].turn] if named else []
        return list(dict.fromkeys(newest))[:count]
