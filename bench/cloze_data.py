"""Self-supervised cloze questions made from article texts alone (Lewis et al., "Unsupervised
Question Answering by Cloze Translation", 2019), the training data of bench.cloze's reader.

An answer is a typed candidate span of a sentence (qa.answer.short_spans: a name, number or date
as qa.answer.entities finds it, or a noun phrase right after a determiner); its question is that
sentence around it with the span turned into the wh-word of its type ("who", "where", "when",
"how many", "what"…), either in place (identity cloze) or fronted with some words dropped and
the rest locally shuffled (noisy cloze). The context is a window of whole sentences around the
answer sentence, or, for a name said again elsewhere in the article, around that other mention
(the question then paraphrases rather than copies its context); a share of the questions is
paired with a window of a random article of the same set (mostly another one) that lacks the
answer, answer "none" (the model's first token).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.answer.entities import (
    FUNCTION_WORDS,
    NUMBER,
    ORGANISATION,
    PERSON,
    PLACE,
    THING,
    word_set,
)
from qa.answer.short_spans import Candidate, Token, candidates_of, tokens_of
from qa.answer.short_types import DATE
from qa.text.spans import Span, sentence_spans

# Sentences this many words long make questions: shorter ones say too little, longer ones are
# lists and tables.
MIN_WORDS, MAX_WORDS = 6, 45
# The question keeps this many of the sentence's tokens on each side of the answer.
QUESTION_SIDE = 12
# Context windows grow by whole sentences to a length drawn from this range (characters; a
# passage of the index is about 790): within the reader's training length.
CONTEXT_CHARS = (200, 650)
# A noun phrase answer (no name, number or date) is at most this many tokens long.
PHRASE_TOKENS = 4
# The share of answers that are names, numbers or dates where a sentence has both kinds (the
# rest: noun phrases, which are most of SQuAD's answers and few of BBC's).
NAMES = 0.65
_DETERMINERS = word_set("the a an his her its their our this these those")
# Words before a place or a date that a fronted "where"/"when" takes with it: "in where".
_PREPOSITIONS = word_set("in at on to from near since by until during into")


@dataclass(frozen=True)
class Example:
    """One training question: its context and the answer's characters within it (both -1 for
    "no answer"), and the answer's type."""

    question: str
    context: str
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Article:
    """An article's text with its tokens and sentences, read once."""

    text: str
    tokens: list[Token]
    sentences: list[Span]


def articles_of(paths: Sequence[Path]) -> list[list[Article]]:
    """The articles of each JSONL file (`text` only: nothing else is read)."""
    out = []
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            texts = [json.loads(line)["text"] for line in lines]
        out.append([Article(t, tokens_of(t), sentence_spans(t)) for t in texts])
    return out


def wh_word(text: str, kind: str, rng: random.Random) -> str:
    """The interrogative that asks for an answer of this type and text."""
    if kind == PERSON:
        return "who"
    if kind == ORGANISATION:
        return rng.choice(("who", "which organisation", "what company"))
    if kind == PLACE:
        return rng.choice(("where", "which place"))
    if kind == DATE:
        return "what year" if text.isdigit() and len(text) == 4 else "when"
    if kind == NUMBER:
        if "%" in text or "per cent" in text:
            return "what percentage"
        money = text[0] in "£$€" or text.endswith(("bn", "m"))
        return "how much" if money else "how many"
    return "what"


def question_of(article: Article, answer: Candidate, rng: random.Random) -> str:
    """The sentence around `answer` with the answer asked for: in place, or fronted with the
    marks and about a sixth of the other words dropped and the rest shuffled within three
    places."""
    tokens = article.tokens
    sentence = next(s for s in article.sentences if s[0] <= answer.start < s[1])
    inside = [i for i, t in enumerate(tokens) if sentence[0] <= t.start and t.end <= sentence[1]]
    before = [tokens[i].text for i in inside if answer.last - QUESTION_SIDE <= i < answer.first]
    after = [tokens[i].text for i in inside if answer.last <= i < answer.last + QUESTION_SIDE]
    after = [w for w in after if w not in ".!?"]
    wh = wh_word(article.text[answer.start : answer.end], answer.kind, rng)
    if before and before[-1].lower() in _DETERMINERS:
        before.pop()
    if rng.random() < 1 / 3:
        return " ".join([*before, wh, *after]) + "?"
    if before and before[-1].lower() in _PREPOSITIONS and answer.kind in (PLACE, DATE):
        before.pop()
    words = [w for w in before + after if w[0].isalnum() and rng.random() > 1 / 6]
    keys = [i + rng.uniform(0, 3) for i in range(len(words))]
    words = [w for _, w in sorted(zip(keys, words, strict=True))]
    return " ".join([wh, *words]) + "?"


def answers_of(article: Article, sentence: Span) -> list[Candidate]:
    """The sentence's candidate answers: names, numbers and dates exactly as found, and short
    noun phrases right after a determiner that end before a function word or a mark."""
    tokens = article.tokens
    found = []
    for candidate in candidates_of(article.text, tokens, *sentence):
        if candidate.entity and candidate.kind:
            spelled = article.text[candidate.start : candidate.end]
            if candidate.kind == NUMBER and not any(c.isdigit() for c in spelled):
                candidate = candidate._replace(kind=THING)  # "Second Polish Republic"
            found.append(candidate)
            continue
        opened = candidate.first > 0 and tokens[candidate.first - 1].lower in _DETERMINERS
        closed = candidate.last < len(tokens) and not _continues(tokens[candidate.last])
        inner = tokens[candidate.first + 1 : candidate.last]
        plain = all(
            t.lower == "of" or t.lower not in _BOUNDARY_WORDS | FUNCTION_WORDS for t in inner
        )
        short = candidate.last - candidate.first <= PHRASE_TOKENS
        if candidate.kind == "" and opened and closed and plain and short:
            found.append(candidate._replace(kind=THING))
    return found


def _continues(following: Token) -> bool:
    """Whether the token after a noun phrase could still belong to it (a word that is neither a
    function word nor ends as verbs and plurals do)."""
    if not following.is_word:
        return False
    return following.lower not in _BOUNDARY_WORDS and not following.lower.endswith(("ed", "s"))


_BOUNDARY_WORDS = word_set(
    """of to in on at by for with as is are was were be been has have had will would could can
    and or but that which who said says from than into after before over about"""
)


def window(article: Article, at: int, rng: random.Random) -> Span:
    """Whole sentences around sentence `at`, to a length drawn from CONTEXT_CHARS."""
    sentences = article.sentences
    first = last = at
    wanted = rng.randint(*CONTEXT_CHARS)
    while sentences[last][1] - sentences[first][0] < wanted:
        grow_left = first > 0 and (last == len(sentences) - 1 or rng.random() < 0.5)
        if grow_left:
            first -= 1
        elif last < len(sentences) - 1:
            last += 1
        else:
            break
    return sentences[first][0], sentences[last][1]


def examples_of(
    article: Article, others: Sequence[Article], rng: random.Random, elsewhere: float, none: float
) -> Iterator[Example]:
    """One example per sentence of fitting length that has a candidate answer."""
    text = article.text
    for at, sentence in enumerate(article.sentences):
        if not MIN_WORDS <= len(text[slice(*sentence)].split()) <= MAX_WORDS:
            continue
        answers = answers_of(article, sentence)
        if not answers:
            continue
        names = [a for a in answers if a.entity]
        phrases = [a for a in answers if not a.entity]
        answer = rng.choice(names if names and (rng.random() < NAMES or not phrases) else phrases)
        said = text[answer.start : answer.end]
        question = question_of(article, answer, rng)
        if rng.random() < none:
            other = rng.choice(others)
            start, end = window(other, rng.randrange(len(other.sentences)), rng)
            context = other.text[start:end]
            if said.lower() not in context.lower():
                yield Example(question, context, -1, -1, answer.kind)
            continue
        start, end = answer.start, answer.end
        mentions = [
            i
            for i, (s, e) in enumerate(article.sentences)
            if i != at and answer.kind != THING and said in text[s:e]
        ]
        if mentions and rng.random() < elsewhere:
            at = rng.choice(mentions)
            sentence = article.sentences[at]
            start = text.index(said, sentence[0])
            end = start + len(said)
        first, last = window(article, at, rng)
        yield Example(question, text[first:last], start - first, end - first, answer.kind)


def make_examples(
    corpora: Sequence[Sequence[Article]],
    count: int,
    seed: int = 0,
    elsewhere: float = 0.3,
    none: float = 0.15,
) -> list[Example]:
    """`count` examples, as many from each corpus, from its articles in a random order."""
    rng = random.Random(seed)
    out: list[Example] = []
    for articles in corpora:
        wanted = len(out) + count // len(corpora)
        while len(out) < wanted:
            had = len(out)
            for article in rng.sample(list(articles), len(articles)):
                out.extend(examples_of(article, articles, rng, elsewhere, none))
                if len(out) >= wanted:
                    break
            if len(out) == had:
                raise ValueError("these articles make no cloze questions")
        del out[wanted:]
    rng.shuffle(out)
    return out
