"""`qa eval`: score a Searcher on a JSONL question file (hit@k, MRR, answer sentence, short
answer exact match and F1, not-found)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa.answer.records import Answer
from qa.answer.searcher import Searcher
from qa.config import EVAL_K
from qa.short_scores import exact_match, token_f1

KS = (1, 3, 5, EVAL_K)


class QuestionsError(ValueError):
    """A question file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Question:
    """One evaluation question: gold article and answer strings, or marked unanswerable."""

    id: str
    question: str
    article_id: str | None
    answers: tuple[str, ...]
    unanswerable: bool


def read_questions(path: Path) -> list[Question]:
    """Questions from a JSONL file; a malformed line raises QuestionsError naming it."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionsError(f"cannot read questions from {path}: {exc}") from None
    questions = [
        _question(line, f"{path}:{number}")
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]
    if not questions:
        raise QuestionsError(f"{path}: no questions")
    return questions


def set_name(path: Path) -> str:
    """How a question file is named in reports: `bbc` for bbc/questions.jsonl, else its stem."""
    path = Path(path)
    return path.parent.name if path.stem == "questions" and path.parent.name else path.stem


def _question(line: str, where: str) -> Question:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise QuestionsError(f"{where}: invalid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise QuestionsError(f"{where}: expected a JSON object")
    text = record.get("question")
    if not isinstance(text, str) or not text.strip():
        raise QuestionsError(f"{where}: field 'question' must be a non-empty string")
    unanswerable = record.get("unanswerable") is True
    article_id = record.get("article_id")
    if article_id is not None and not isinstance(article_id, str):
        raise QuestionsError(f"{where}: field 'article_id' must be a string")
    answers = record.get("answers", [])
    if not isinstance(answers, list) or not all(isinstance(a, str) and a for a in answers):
        raise QuestionsError(f"{where}: field 'answers' must be a list of non-empty strings")
    if not unanswerable and not article_id:
        raise QuestionsError(f"{where}: needs 'article_id' (or \"unanswerable\": true)")
    return Question(
        id=str(record.get("id", where)),
        question=text,
        article_id=article_id,
        answers=tuple(answers),
        unanswerable=unanswerable,
    )


@dataclass
class Outcome:
    """What one question scored: ranks of the first gold-article and answer hits, and more."""

    question: Question
    article_rank: int | None
    answer_rank: int | None
    sentence_hit: bool
    found: bool
    took_ms: float
    short_em: float = 0.0  # SQuAD exact match of the short answer (a null one scores 0)
    short_f1: float = 0.0  # and its token F1


def judge(question: Question, answer: Answer) -> Outcome:
    """Score one Answer against its question (answer strings match case-insensitively)."""
    wanted = [a.lower() for a in question.answers]
    article_rank = answer_rank = None
    for passage in answer.passages:
        if passage.citation.article_id != question.article_id:
            continue
        article_rank = article_rank or passage.rank
        if answer_rank is None and any(w in passage.text.lower() for w in wanted):
            answer_rank = passage.rank
    said = (answer.text or "").lower()
    short = answer.short.text if answer.short else None
    return Outcome(
        question=question,
        article_rank=article_rank,
        answer_rank=answer_rank,
        sentence_hit=bool(said) and any(w in said for w in wanted),
        found=answer.found,
        took_ms=answer.took_ms,
        short_em=exact_match(short, question.answers),
        short_f1=token_f1(short, question.answers),
    )


@dataclass
class Report:
    """The scores of one question set in one mode."""

    questions: str
    mode: str
    outcomes: list[Outcome] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        graded = [o for o in self.outcomes if not o.question.unanswerable]
        with_answers = [o for o in graded if o.question.answers]
        unanswerable = [o for o in self.outcomes if o.question.unanswerable]
        said_none = [o for o in self.outcomes if not o.found]
        data: dict[str, Any] = {
            "questions": self.questions,
            "mode": self.mode,
            "count": len(self.outcomes),
            "answerable": len(graded),
            "unanswerable": len(unanswerable),
        }
        for k in KS:
            data[f"article_hit@{k}"] = _share(graded, lambda o, k=k: _within(o.article_rank, k))
        for k in KS:
            data[f"answer_hit@{k}"] = _share(with_answers, lambda o, k=k: _within(o.answer_rank, k))
        data["mrr@10"] = _mean(1 / o.answer_rank if o.answer_rank else 0.0 for o in with_answers)
        data["article_mrr@10"] = _mean(
            1 / o.article_rank if o.article_rank else 0.0 for o in graded
        )
        data["sentence_hit"] = _share(with_answers, lambda o: o.sentence_hit)
        data["short_em"] = _mean(o.short_em for o in with_answers)
        data["short_f1"] = _mean(o.short_f1 for o in with_answers)
        data["answered"] = _share(graded, lambda o: o.found)
        data["null_on_unanswerable"] = _share(unanswerable, lambda o: not o.found)
        data["no_answer_precision"] = _share(said_none, lambda o: o.question.unanswerable)
        data["no_answer_recall"] = data["null_on_unanswerable"]
        return data | percentiles(o.took_ms for o in self.outcomes)


def _within(rank: int | None, k: int) -> bool:
    return rank is not None and rank <= k


def _share(outcomes: Sequence[Outcome], test) -> float | None:
    """Share of outcomes passing test, or None when there are none to judge."""
    return round(sum(1 for o in outcomes if test(o)) / len(outcomes), 4) if outcomes else None


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(float(np.mean(values)), 4) if values else None


def evaluate(
    searcher: Searcher, questions: Sequence[Question], mode: str, name: str = "", k: int = 10
) -> Report:
    """Ask every question (top k passages, k ≥ EVAL_K for MRR@10) and score the answers."""
    outcomes = [judge(q, searcher.ask(q.question, k=k, mode=mode)) for q in questions]
    return Report(name, mode, outcomes)


# Columns of the terminal table: (heading, key in Report.to_dict()).
COLUMNS = (
    ("set", "questions"),
    ("mode", "mode"),
    ("hit@1", "answer_hit@1"),
    ("hit@3", "answer_hit@3"),
    ("hit@5", "answer_hit@5"),
    ("hit@10", "answer_hit@10"),
    ("art@1", "article_hit@1"),
    ("art@5", "article_hit@5"),
    ("MRR@10", "mrr@10"),
    ("sent", "sentence_hit"),
    ("EM", "short_em"),
    ("F1", "short_f1"),
    ("answered", "answered"),
    ("null|unans", "null_on_unanswerable"),
    ("NA prec", "no_answer_precision"),
    ("p50 ms", "p50_ms"),
    ("p95 ms", "p95_ms"),
    ("p99 ms", "p99_ms"),
)


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """Reports as a plain-text table, one row per (question set, mode)."""
    return text_table(rows, COLUMNS)


# Keys of measured amounts (milliseconds, seconds, MiB, requests/s), shown to 0.1.
MEASURES = ("_ms", "_s", "_mib", "_rps")


def text_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """Rows as a plain-text table of the given (heading, key) columns: text left-aligned,
    figures right-aligned, MEASURES to 0.1 and other fractions to 0.001."""
    cells = [[heading for heading, _ in columns]]
    cells += [[_cell(key, row.get(key)) for _, key in columns] for row in rows]
    figures = [all(_is_figure(row.get(key)) for row in rows) for _, key in columns]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = [
        "  ".join(
            cell.rjust(width) if figure else cell.ljust(width)
            for cell, width, figure in zip(line, widths, figures, strict=True)
        )
        for line in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _is_figure(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if key.endswith(MEASURES) else f"{value:.3f}"
    return str(value)


def percentiles(values_ms: Iterable[float], digits: int = 1) -> dict[str, float]:
    """p50, p95 and p99 of latencies in milliseconds, as `p50_ms`, `p95_ms`, `p99_ms`."""
    values = np.asarray(list(values_ms), dtype=np.float64)
    return {f"p{p}_ms": round(float(np.percentile(values, p)), digits) for p in (50, 95, 99)}
