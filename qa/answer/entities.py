"""Entities of a text: capitalised word runs, numbers and dates, each typed by cheap cues.

A follow-up's pronouns take their referents from these (qa.answer.conversation). The typing is
deterministic and explainable: an organisation word, an acronym or a place inside a longer name
makes an organisation; a well-known place, or a preposition of place before the run, a place; a
title word before a run, or a run of two names without "the" before it, a person; a digit, a
month or a weekday, a number. Anything else is a thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.text.words import INTERROGATIVES, STOPWORDS

PERSON, PLACE, ORGANISATION, NUMBER, THING = "person", "place", "organisation", "number", "thing"
# A name of no type of its own that answers a "who" question: a person or an organisation.
AGENT = "agent"
# How many words' readings (is it a number, a name…) each cache keeps: the vocabulary of a
# day's questions and passages, a few MiB.
WORDS_REMEMBERED = 1 << 16


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one string, split at spaces and new lines."""
    return frozenset(words.split())


# A word as spelled (letters, digits, inner apostrophes, hyphens, dots and ampersands), or an
# amount with its currency, per cent or magnitude.
# A person's initial ("E." of "William E. Simon"): no acronym.
_INITIAL = re.compile(r"[A-Z]\.")
# Initials inside a name ("William E. Simon", "U.S. Senate"): a capital letter and a full stop
# before a capitalised word that opens no sentence ("World War I. Then…" ends one).
INITIALS = (
    r"(?:[A-Z]\.)+(?=\s+[A-Z])(?!\s+(?:The|A|An|It|He|She|They|We|I|In|On|At|But|And|Then|"
    r"This|That|These|Those|There|His|Her|Its|Their|After|When|While|As|If)\b)"
)
TOKEN = re.compile(INITIALS + r"|[£$€]?\d(?:[\d,.]*\d)?(?:%|bn|m|k)?|\w(?:[\w&.'’-]*\w)?['’]?")
# Words that never start a name, beyond BM25's short stop list: pronouns, auxiliaries,
# determiners and the adverbs a sentence or a question opens with.
FUNCTION_WORDS = (
    STOPWORDS
    | INTERROGATIVES
    | word_set(
        """i me my we us our you your he him his she her hers its them theirs those do does did
        done has have had having am been being were can could would should shall may might must
        also so yet still just only even about after before since until while during over under
        from up down off out per via onto upon towards beyond near
        again against between among all any both each every few more most other some own same
        than too very here now once please tell say said else much many thanks ok yes back
        despite although though however meanwhile instead including according without within
        through following amid because"""
    )
)
# What opens a sentence: a full stop (a colon…) and spaces, or a quote.
_SENTENCE_BREAK = re.compile(r"[.!?:;]\s+|[“\"(‘]\s*")
_CAPITAL_OR_HYPHEN = re.compile(r"[A-Z]|.*-")
_PREFIXED = re.compile(r"[a-z]+-[A-Z]")  # "al-Sham"
_MODEL_NUMBER = re.compile(r"\d{1,3}")  # the number of a name: "Commodore 64"
# A sentence's first word that is capitalised for its place, not as a name: "Separately".
_INITIAL_ADVERB = re.compile(r"ly$")
_POSSESSIVE = re.compile(r"['’]s?$")
# A lone capitalised word that describes rather than names: "Turkish", "Idlib-based", "Dutch".
_ADJECTIVE = re.compile(r"(ian|ish|ese|ean)$|-[a-z]+$")
_DEMONYMS = word_set("american african mexican german cuban dutch french swiss greek thai czech")
# Lower-case words that may sit inside a name: "Bank of England", "Hayat Tahrir al-Sham".
_CONNECTORS = frozenset(["of", "de", "del", "da", "di", "van", "von", "al", "bin", "le", "la"])
# Lower-case words before a place that belong to it: "northeastern Syria".
_COMPASS = re.compile(r"^(north|south|east|west|central)")
_TITLES = word_set(
    """mr mrs ms miss dr sir lord lady dame prince princess king queen pope president chancellor
    premier minister secretary senator governor mayor spokesman spokeswoman spokesperson chief
    boss chairman chairwoman director executive manager coach captain striker defender
    midfielder goalkeeper player singer actor actress star rapper presenter author writer
    designer founder leader official analyst economist judge general colonel prosecutor
    attorney rev champion"""
)
# Prepositions of place: before any name, or (as people go to and come from people too) before
# a single word.
_WITHIN = frozenset(["in", "at", "near", "across", "throughout", "outside", "inside"])
_TOWARDS = frozenset(["from", "to", "into"])
_ORGANISATION_WORDS = word_set(
    """ministry party agency inc ltd plc corp corporation company co group bank council
    commission union association federation club united rovers fc court office department
    committee army forces command airlines airways motor motors exchange league cinema records
    institute university college network service services police government parliament
    assembly board authority foundation trust fund society industries holdings systems
    technologies studios pictures press times news radio channel organisation organization
    kremlin republic festival hotel awards real athletic sporting inter dynamo dinamo
    rangers wanderers albion hotspur ventures international computers electronics energy oil
    media entertainment communications telecom pharmaceuticals"""
)
_PLACES = word_set(
    """uk us usa britain england scotland wales ireland europe london washington america
    africa asia china japan india france germany italy spain portugal russia iraq iran syria
    turkey libya israel egypt australia canada brazil mexico argentina pakistan afghanistan
    korea indonesia greece poland sweden norway denmark finland netherlands holland belgium
    switzerland austria ukraine moscow paris berlin rome madrid beijing tokyo delhi brussels
    geneva sydney dublin edinburgh cardiff belfast glasgow idlib aleppo damascus ankara
    jakarta singapore baghdad kabul tehran jerusalem gaza california texas florida chennai"""
) | frozenset(
    ["hong kong", "new york", "los angeles", "new zealand", "middle east", "latin america"]
)
MONTHS_AND_DAYS = word_set(
    """january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday"""
)


@dataclass(frozen=True)
class Entity:
    """A name or a number as the text spells it, its type, and where it stands in the text."""

    text: str
    kind: str
    start: int
    end: int
    # A lone word of no known type that opens a sentence before a common word ("Luxury goods
    # group LVMH…"): a name only if the conversation also capitalises it elsewhere.
    initial: bool = False


def entities_of(text: str) -> list[Entity]:
    """The entities of a text in their order: possessive endings and leading titles left out."""
    scan = _Scan(text)
    found: list[Entity] = []
    position = 0
    while position < len(scan.tokens):
        end = scan.run_end(position)
        if end == position:
            position += 1
        else:
            found.append(scan.entity(position, end))
            position = end
    return found


def _is_place(text: str) -> bool:
    """Whether a name is one of the well-known places."""
    return text.lower() in _PLACES or all(w in _PLACES for w in text.lower().split())


def _word(match: re.Match[str]) -> str:
    """A token without its possessive ending."""
    word = match.group()
    return _POSSESSIVE.sub("", word) if word[-1] in "'’s" else word


@lru_cache(maxsize=WORDS_REMEMBERED)
def _is_number(word: str) -> bool:
    """A digit or an amount, a month or a weekday (also "mid-January"); remembered per word."""
    if word[0].isdigit() or word[0] in "£$€":
        return True
    return _CAPITAL_OR_HYPHEN.match(word) is not None and (
        _POSSESSIVE.sub("", word.lower()).rsplit("-", 1)[-1] in MONTHS_AND_DAYS
    )


@lru_cache(maxsize=WORDS_REMEMBERED)
def _is_name(word: str, initial: bool) -> bool:
    """A capitalised word (or "al-Sham") that is no function word, nor a sentence's first
    word capitalised only for its place ("Separately"); remembered per word."""
    if not (word[0].isupper() or _PREFIXED.match(word)):
        return False
    if len(word) > 1 and word.isupper():
        return True  # an acronym, even one spelled like a word ("US")
    if word == "I" or re.split("['’]", word.lower())[0] in FUNCTION_WORDS:
        return False
    return not (initial and _INITIAL_ADVERB.search(word) and not _is_place(word))


class _Scan:
    """A text's tokens, which of them open a sentence and which may be part of a name."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(TOKEN.finditer(text))
        starts = {0} | {m.end() for m in _SENTENCE_BREAK.finditer(text)}
        self.initial = [t.start() in starts for t in self.tokens]
        pairs = zip(self.tokens, self.initial, strict=True)
        self.names = [_is_name(_word(token), initial) for token, initial in pairs]

    def gap(self, i: int) -> str:
        """What stands between token i - 1 and token i."""
        return self.text[self.tokens[i - 1].end() : self.tokens[i].start()]

    def adjacent(self, i: int) -> bool:
        """Tokens i - 1 and i have only spaces between them (no comma, quote or full stop)."""
        return not self.gap(i).strip()

    def run_end(self, start: int) -> int:
        """The token after the entity that starts at `start` (`start` itself when none does)."""
        tokens = self.tokens
        if _is_number(tokens[start].group()):
            end = start + 1
            while end < len(tokens) and _is_number(tokens[end].group()) and self.adjacent(end):
                end += 1
            return end
        if not self.names[start]:
            return start
        end = start + 1
        while end < len(tokens) and not _POSSESSIVE.search(tokens[end - 1].group()):
            if self.names[end] and self.adjacent(end):
                end += 1
            elif tokens[end].group() in _CONNECTORS and (joined := self.joined(start, end)):
                end = joined
            else:
                break
        lone = tokens[start].group()
        if end == start + 1 and (_ADJECTIVE.search(lone) or lone.lower() in _DEMONYMS):
            return start
        numbered = end < len(tokens) and _MODEL_NUMBER.fullmatch(tokens[end].group())
        return end + 1 if numbered and self.adjacent(end) else end  # "Commodore 64"

    def joined(self, start: int, connector: int) -> int:
        """The token after the name a connector ("of", "of the") joins to the run from `start`,
        else 0: "Bank of England" is one name, "Conchita Martinez of Spain" a person and a
        place."""
        tokens, after = self.tokens, connector + 1
        words = [t.group() for t in tokens[connector : connector + 2]]
        if words == ["of", "the"]:
            after += 1
        if after >= len(tokens) or not self.names[after]:
            return 0
        named = {t.group().lower() for t in tokens[start:connector]}
        organisation = not named.isdisjoint(_ORGANISATION_WORDS)
        return after + 1 if organisation or not _is_place(tokens[after].group()) else 0

    def entity(self, start: int, end: int) -> Entity:
        """The run of tokens [start, end) as an entity, typed, without its leading titles."""
        tokens, text = self.tokens, self.text
        last = tokens[end - 1]
        stop = last.start() + len(_word(last))
        if _is_number(tokens[start].group()):
            return Entity(text[tokens[start].start() : stop], NUMBER, tokens[start].start(), stop)
        titled = start > 0 and tokens[start - 1].group().lower() in _TITLES and self.adjacent(start)
        while end - start > 1 and tokens[start].group().lower() in _TITLES:
            start, titled = start + 1, True
        before = tokens[start - 1].group().lower() if start > 0 else ""
        kind = _kind([_word(t) for t in tokens[start:end]], before, titled)
        first = start - 1 if kind == PLACE and _COMPASS.match(before) else start
        begin = tokens[first].start()
        return Entity(text[begin:stop], kind, begin, stop, kind == THING and self.opens(start, end))

    def opens(self, start: int, end: int) -> bool:
        """Whether a lone word opens a sentence before a common word ("Luxury goods", not
        "Rowling has" or "Monsanto admitted"): it may be capitalised for its place only."""
        if end != start + 1 or not self.initial[start] or end == len(self.tokens):
            return False
        after = self.tokens[end].group()
        common = after.islower() and after not in FUNCTION_WORDS and not after.endswith("ed")
        return common and self.adjacent(end)


def _kind(words: list[str], before: str, titled: bool) -> str:
    """The type of a name from its words, the word before it and whether a title precedes it."""
    lower = [w.lower() for w in words if w.lower() not in _CONNECTORS]
    if _is_place(" ".join(lower)):
        return PLACE
    if any(w in _ORGANISATION_WORDS or w in _PLACES for w in lower):
        return ORGANISATION
    if any(len(w) > 1 and w.isupper() and not _INITIAL.fullmatch(w) for w in words):
        return ORGANISATION
    if titled:
        return PERSON
    if before in _WITHIN or (before in _TOWARDS and len(lower) == 1):
        return PLACE
    if before == "the":  # "the Hollywood Reporter": people's names take no article
        return ORGANISATION if len(lower) > 1 else THING
    return PERSON if len(lower) > 1 and not lower[-1].isdigit() else THING  # not "Band Aid 20"
