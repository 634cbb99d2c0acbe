"""Where bench.cloze's readers read, and how they score: every answerable question of both
public sets searched once, then read by each reader from its gold paragraph, from the Searcher's
top passages, or from windows of those passages around their best sentences."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench.public import SETS, held_out
from bench.short import answerable, article_texts, gold_sentence
from qa.answer.readers import Reader
from qa.answer.records import Citation, Passage
from qa.answer.searcher import Searcher
from qa.answer.tuned import ANSWER_PASSAGES
from qa.evaluate import Question
from qa.short_scores import exact_match, token_f1
from qa.text.spans import paragraph_spans, sentence_spans, split_chunk

# Each reading: where the reader reads (its passages), and whether "not found" withholds the
# short answer as it withholds the answer (`qa eval`'s end-to-end scoring).
READINGS = {
    "gold paragraph": ("gold", False),
    "end to end": ("passages", True),
    "answer given or not": ("passages", False),
    "windows, end to end": ("windows", True),
    "windows, given or not": ("windows", False),
}
WHERE = ("gold", "passages", "windows")


@dataclass(frozen=True)
class Searched:
    """One answerable question as the Searcher found it: its passages, the rank of the answer
    sentence's passage (None: no sentence), whether "not found" lets the answer through; and
    its gold paragraph as a passage (None: no sentence of it holds an answer string)."""

    set: str
    question: Question
    passages: list[Passage]
    rank: int | None
    answered: bool
    gold: Passage | None


def searched(searcher: Searcher, data: Path) -> Iterator[Searched]:
    """Every answerable question of both sets, searched as `Searcher.ask` does (hybrid, top 5)."""
    texts = article_texts(data)
    for name, question in answerable(data):
        found = searcher.find(question.question, k=5, mode="hybrid")
        best = found.best
        answered = best is not None and found.not_found is not None and found.not_found.answers
        gold = gold_passage(data, question, texts[question.article_id])
        yield Searched(name, question, found.passages, best and best.rank, answered, gold)


def gold_passage(data: Path, question: Question, text: str) -> Passage | None:
    """The paragraph of the question's gold sentence (bench.short's), that sentence highlighted."""
    sentences = sentence_spans(text)
    at = gold_sentence(data, question, text, sentences)
    if at < 0:
        return None
    start, end = sentences[at]
    number, (first, last) = next(
        (i, p) for i, p in enumerate(paragraph_spans(text)) if p[0] <= start < p[1]
    )
    citation = Citation(question.article_id, "", "", None, None, number, first, last)
    return Passage(1, 1.0, text[first:last], (start - first, end - first), 0, citation, -1)


def windows(passages: Sequence[Passage], rank: int) -> list[Passage]:
    """Where the heuristic reads, as passages: the answer sentence with its neighbours, then the
    best sentence of each other top passage with its neighbours (offsets kept exact)."""
    out: list[Passage] = []
    for passage in [passages[rank - 1]] + [p for p in passages[:ANSWER_PASSAGES] if p.rank != rank]:
        if passage.highlight is None:
            continue
        sentences = split_chunk(passage.text)
        first, last = passage.highlight
        if passage.highlight in sentences:
            at = sentences.index(passage.highlight)
            first, last = (
                sentences[max(at - 1, 0)][0],
                sentences[min(at + 1, len(sentences) - 1)][1],
            )
        start = passage.citation.start + first
        citation = replace(passage.citation, start=start, end=passage.citation.start + last)
        highlight = (passage.highlight[0] - first, passage.highlight[1] - first)
        text = passage.text[first:last]
        out.append(
            replace(passage, rank=len(out) + 1, text=text, highlight=highlight, citation=citation)
        )
    return out


def read_all(
    reader: Reader, cases: Sequence[Searched], where: str
) -> list[tuple[str | None, float]]:
    """Each question's short answer by this reader, read from its gold paragraph, the Searcher's
    passages or their windows (WHERE), and the milliseconds it took."""
    out = []
    for case in cases:
        passages, rank = case.passages, case.rank
        if where == "gold":
            passages, rank = [case.gold] if case.gold else [], 1 if case.gold else None
        elif where == "windows" and rank:
            passages, rank = windows(passages, rank), 1
        started = time.perf_counter()
        short = reader.read(case.question.question, passages, rank) if rank else None
        out.append((short.text if short else None, (time.perf_counter() - started) * 1000))
    return out


def scored(
    name: str, reading: str, cases: Sequence[Searched], said: Sequence[tuple[str | None, float]]
) -> list[dict]:
    """EM, F1 and the share given, per set and half."""
    gated = READINGS[reading][1]
    rows = []
    for part in SETS:
        for held in (False, True):
            chosen = [
                (text if case.answered or not gated else None, case)
                for case, (text, _) in zip(cases, said, strict=True)
                if case.set == part and held_out(case.question) == held
            ]
            answers = [case.question.answers for _, case in chosen]
            texts = [text for text, _ in chosen]
            rows.append(
                {
                    "reader": name,
                    "reading": reading,
                    "set": f"{part}/{'held' if held else 'tune'}",
                    "em": _mean(map(exact_match, texts, answers)),
                    "f1": _mean(map(token_f1, texts, answers)),
                    "given": _mean(t is not None for t in texts),
                    "questions": len(chosen),
                }
            )
    return rows


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return round(sum(values) / len(values), 3) if values else 0.0
