"""The type of short answer a question asks for: a person, an organisation, a place, a date, a
number, another noun phrase, or none at all (why, and how-explanations).

Classic answer typing (TREC QA): the interrogative, and for "what/which" its head noun ("which
city", "what company", "in what year"). The short answer's candidates are scored by how well
their own type (qa.answer.short_spans) matches this one.
"""

from __future__ import annotations

import itertools
import re

from qa.answer.entities import FUNCTION_WORDS, NUMBER, ORGANISATION, PERSON, PLACE, THING, word_set
from qa.text.forms import verbal

DATE = "date"
# Every type a question may ask for, and a candidate may be, in the order of the scorer's features.
TYPES = (PERSON, ORGANISATION, PLACE, DATE, NUMBER, THING)

# Head nouns after "what/which" (also "in what …", "what kind of …"), by the type they ask for.
_HEADS = {
    PERSON: word_set(
        """person man woman men women people player players singer actor actress star boss
        manager coach minister president leader chief chairman official spokesman spokeswoman
        director executive author writer artist musician son daughter father mother wife
        husband king queen prince emperor pope scientist politician member captain striker
        goalkeeper defender winger midfielder rider driver champion judge lawyer mp mps
        footballer cricketer rapper presenter designer founder governor senator mayor general
        commander philosopher composer architect poet duke bishop saint engineer inventor
        economist analyst critic individual villain hero legend victim suspect expert
        photographer journalist reporter correspondent editor columnist comedian
        dancer athlete sprinter runner boxer golfer jockey trainer batsman bowler
        keeper referee umpire physio skipper fly-half scrum-half full-back forward hooker
        flanker veteran prisoner soldier officer detective inspector commissioner secretary
        chancellor premier ambassador diplomat envoy negotiator campaigner activist candidate
        nominee winner finalist opponent challenger successor predecessor heir widow brother
        sister uncle nephew grandson cousin friend partner fan supporter celebrity novelist
        playwright screenwriter filmmaker guitarist drummer vocalist pianist dj conductor chef
        doctor surgeon nurse physician psychologist professor lecturer teacher researcher
        academic historian investor billionaire tycoon entrepreneur banker trader broker
        consultant adviser advisor aide assistant deputy owner hacker pupil student astronaut
        pilot explorer priest cardinal archbishop monk cleric monarch ruler sultan khan tsar
        lord baron knight admiral colonel warrior statesman reformer theologian mathematician
        physicist chemist biologist astronomer neuroscientist sculptor painter illustrator"""
    ),
    ORGANISATION: word_set(
        """company firm group team club party organisation organization agency band
        bank network channel newspaper paper magazine broadcaster airline carrier retailer
        maker manufacturer supplier union body institution university college school
        council ministry department government regulator watchdog studio label brand
        side charity court committee association business operator giant rival chain"""
    ),
    PLACE: word_set(
        """place city country town nation region state county area province capital island
        continent location venue stadium ground village site river mountain street district
        port airport park building"""
    ),
    DATE: word_set(
        """year years date day days month months time century centuries decade decades era
        period season week weekend hour age"""
    ),
    NUMBER: word_set(
        """number amount percentage percent proportion share price fee sum figure figures
        distance margin score rate total size cost value salary population height length
        width weight temperature speed count fine bill profit profits loss losses revenue
        sales turnover budget debt deficit bid offer deal fund funds capacity majority
        attendance crowd odds points goals votes seats"""
    ),
}
_INTERROGATIVE = re.compile(
    r"\b(who|whom|whose|where|when|why|how|what|which)\b((?:\s+\w+(?:-\w+)*){0,7})", re.IGNORECASE
)
# Function words a question's noun phrase runs past to its head noun: "which other European
# Protestant leader…", "which former Llanelli and Wales fly-half…".
_INSIDE_HEAD = word_set("other and")
# "what kind of …", "which type of …": the head noun follows.
_KIND_OF = word_set("kind kinds type types sort sorts form forms name names")
# "what is the value of …", "what was the UK price of …", "what was the name of …": the noun
# phrase after these asks, when it holds a head of a known type or opens with a _KIND_OF word.
_COPULAS = word_set("is was are were")
_ARTICLES = word_set("the a an")
# How + these asks for a quantity ("how many", "how long ago"); how + anything else, a manner.
_HOW_MUCH = word_set(
    """many much long far old big large high tall fast often deep wide heavy small tiny early
    late soon expensive costly"""
)
# A "what" question about an event or a saying asks for an explanation, not a short fact.
_EXPLAIN = re.compile(
    r"\bwhat (?:did|does|do|has|have|had|will|would)\b.*\b(?:say|said|says|tell|told|think|"
    r"do|does|did|happen|happened|argue|claim|claimed|mean|means|warn|warned)\b\s*\??$|"
    # "what did Peskov say about the convoy?": a saying, about anything.
    r"\bwhat (?:did|does|do|has|have|had|will|would)\b.*\b(?:say|tell|think|argue|claim|warn|"
    r"promise|pledge)\s+(?:about|of|on|to|over)\b|"
    r"\bwhat (?:happened|happens)\b|\b(?:explain|describe)\b",
    re.IGNORECASE,
)


def _read(question: str) -> tuple[str, str, str]:
    """The question's interrogative (lower-cased, "" for none); the noun it asks about: the last
    noun of a known type before a function word ("which Spanish city did…" → city), else the
    first word after the interrogative ("what law…" → law); and the content word right after
    the interrogative (or its noun phrase), its verb when it has one ("who reported…" →
    reported; "" for "who is…")."""
    match = _INTERROGATIVE.search(question)
    if match is None:
        return "", "", ""
    word, spelled = match.group(1).lower(), match.group(2).split()
    # "US" is the country, not the pronoun: an acronym is never a function word.
    following = [w if w.isupper() and len(w) > 1 else w.lower() for w in spelled]
    if word not in ("what", "which"):
        verb = following[0] if following and following[0] not in FUNCTION_WORDS else ""
        return word, "", verb
    if len(following) > 2 and following[0] in _COPULAS and following[1] in _ARTICLES:
        named = list(itertools.takewhile(lambda w: w not in FUNCTION_WORDS, following[2:]))
        if named and (named[0] in _KIND_OF or any(_kind_of_head(w) for w in named)):
            following = following[2:]
    if following[:1] and following[0] in _KIND_OF and following[1:2] == ["of"]:
        following = following[2:]
        following = following[1:] if following[:1] and following[0] in _ARTICLES else following
    phrase = _noun_phrase(following)
    known = [w for w in phrase if _kind_of_head(w)]
    head = known[-1] if known else (phrase or [""])[0]
    after = following[following.index(head) + 1 :] if head in following else []
    return word, head, after[0] if after and after[0] not in FUNCTION_WORDS else ""


def _noun_phrase(words: list[str]) -> list[str]:
    """The words of the noun phrase that opens `words`, up to a function word (past "other" and
    "and"), or up to the question's verb once a head of a known type is in ("what government
    agency supervised Buddhist monks?": not "monks"; "managing director" goes on)."""
    phrase: list[str] = []
    for word in words:
        if word in FUNCTION_WORDS and word not in _INSIDE_HEAD:
            break
        if any(map(_kind_of_head, phrase)) and verbal(word) and not word.endswith("ing"):
            break
        if word not in _INSIDE_HEAD:
            phrase.append(word)
    return phrase


def _kind_of_head(noun: str) -> str | None:
    """The type a head noun asks for ("city": a place), or None for a noun of no known type."""
    for kind, heads in _HEADS.items():
        if noun in heads or noun.rstrip("s") in heads or _singular(noun) in heads:
            return kind
    return None


def _singular(noun: str) -> str:
    """The singular of a plural in -ies ("cities": city), else the noun itself."""
    return noun[:-3] + "y" if noun.endswith("ies") else noun


def head_noun(question: str) -> str:
    """The noun a "what/which" question asks about, or ""."""
    return _read(question)[1]


def question_verb(question: str) -> str:
    """The content word right after the interrogative (or its noun), or "": "who reported…"."""
    return _read(question)[2]


def expected_type(question: str) -> str | None:
    """The type of short answer the question asks for, or None when it asks for no short fact
    (why, how + a verb, "what did they say")."""
    word, head, _ = _read(question)
    if word == "why" or not question.strip():
        return None
    if word == "how":
        following = question.lower().split("how", 1)[1].split()
        return NUMBER if following and following[0].strip("?,") in _HOW_MUCH else None
    fixed = {"when": DATE, "where": PLACE, "who": PERSON, "whom": PERSON, "whose": PERSON}
    if word in fixed:
        return fixed[word]
    if kind := _kind_of_head(head):
        return kind
    if _EXPLAIN.search(question):
        return None
    return THING
