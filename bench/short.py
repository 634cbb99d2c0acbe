"""Fit and measure the short answer (qa/answer/short_tuned.py) on public data.

    .venv/bin/python -m bench.short [--index bench-results/quality-index] [--write]

For every answerable question of both sets: the gold sentence (the first sentence of the gold
article, of its paragraph for SQuAD, that holds an answer string) and its candidates' features
(qa.answer.short, the Searcher's own). Fits the weights as a conditional logit on the tuning half
(even id hash; a softmax over each question's candidates, fitted to those equal to an answer
string, each set weighted equally), then the confidence threshold, and prints SQuAD exact match
and F1 of the constants in the code and of the fitted ones, for each set and half: given the
gold sentence (the upper bound of the sentence's reading), and end to end (the Searcher's own
answer sentence over the benchmark index; its short answer null when the answer is). `--write`
puts the fitted ones into qa/answer/short_tuned.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from bench.constants import rewrite
from bench.public import SETS, arguments, held_out, questions_file
from bench.report import save_json
from qa.answer import short_tuned
from qa.answer.searcher import Searcher
from qa.answer.short import Asked, Reading, feature_names
from qa.config import Settings
from qa.evaluate import Question, read_questions
from qa.short_scores import exact_match, normalized, token_f1
from qa.text.spans import Span, paragraph_spans, sentence_spans, split_chunk

FEATURES = feature_names()
# L2 penalty of the conditional logit (on the whole objective, a mean over questions).
L2 = 0.003
# Thresholds tried for the confidence: the highest whose exact match on the tuning half is
# within this of the best (a null costs an exact match; a wrong answer shown costs trust).
THRESHOLDS = np.round(np.arange(0.0, 0.51, 0.01), 2)
TOLERANCE = 0.005


@dataclass
class Case:
    """One question read against one sentence: its candidates' features, texts and labels."""

    set: str
    held: bool
    answers: tuple[str, ...]
    x: np.ndarray  # candidates × FEATURES
    texts: list[str]  # each candidate's text (none when the question asks for no short fact)
    shown: list[str]  # as the answer shows it (a number with its modifier)

    def labels(self) -> np.ndarray:
        """Which candidates are right, as chosen or as shown."""
        wanted = {normalized(a) for a in self.answers}
        pairs = zip(self.texts, self.shown, strict=True)
        return np.array([normalized(t) in wanted or normalized(s) in wanted for t, s in pairs])

    def said(self, w: np.ndarray, threshold: float) -> str | None:
        """The answer shown under these weights and threshold (None: below it, or none)."""
        if not self.texts:
            return None
        z = self.x @ w
        share = 1 / np.exp(z - z.max()).sum()
        return self.shown[int(np.argmax(z))] if share >= threshold else None


def case_of(name: str, question: Question, text: str, sentences: list[Span], at: int) -> Case:
    """The candidates of `question` in `text` around its sentence `at`, as a Case."""
    asked = Asked.of(question.question)
    reading = Reading(asked, text, sentences, at) if asked.kind is not None and at >= 0 else None
    found = reading.candidates if reading else []
    x = np.zeros((len(found), len(FEATURES)))
    column = {f: i for i, f in enumerate(FEATURES)}
    for row, candidate in enumerate(found):
        for feature, value in reading.features(candidate).items():
            if feature in column:
                x[row, column[feature]] = value
    texts = [text[c.start : c.end] for c in found]
    shown = [text[reading.modified(c) : c.end] for c in found]
    return Case(name, held_out(question), question.answers, x, texts, shown)


def answerable(data: Path) -> Iterator[tuple[str, Question]]:
    for name in SETS:
        for question in read_questions(questions_file(data, name)):
            if not question.unanswerable:
                yield name, question


def gold_cases(data: Path) -> list[Case]:
    """Every answerable question read against its gold sentence."""
    articles = {}
    for name in SETS:
        for line in (data / name / "articles.jsonl").open(encoding="utf-8"):
            record = json.loads(line)
            articles[record["id"]] = record
    cases = []
    for name, question in answerable(data):
        text = articles[question.article_id]["text"]
        sentences = sentence_spans(text)
        paragraph = (0, len(text))
        if (number := _paragraph(data, question)) is not None:
            paragraph = paragraph_spans(text)[number]
        wanted = [a.lower() for a in question.answers]
        at = next(
            (
                i
                for i, (start, end) in enumerate(sentences)
                if paragraph[0] <= start < paragraph[1]
                and any(w in text[start:end].lower() for w in wanted)
            ),
            -1,
        )
        cases.append(case_of(name, question, text, sentences, at))
    return cases


_PARAGRAPHS: dict[str, int] = {}


def _paragraph(data: Path, question: Question) -> int | None:
    """The SQuAD question's paragraph (its `paragraph` field), else None."""
    if not _PARAGRAPHS:
        for name in SETS:
            for line in questions_file(data, name).open(encoding="utf-8"):
                record = json.loads(line)
                if "paragraph" in record:
                    _PARAGRAPHS[record["id"]] = record["paragraph"]
    return _PARAGRAPHS.get(question.id)


def searched_cases(searcher: Searcher, data: Path) -> list[Case]:
    """Every answerable question read against the Searcher's answer sentence (none: no case
    candidates, so a null short answer)."""
    cases = []
    for name, question in answerable(data):
        answer = searcher.ask(question.question, k=5)
        if answer.passage is None:
            cases.append(case_of(name, question, "", [], -1))
            continue
        passage = answer.passages[answer.passage - 1]
        sentences = split_chunk(passage.text)
        at = sentences.index(tuple(passage.highlight)) if passage.highlight in sentences else -1
        cases.append(case_of(name, question, passage.text, sentences, at))
    return cases


def fit(cases: list[Case]) -> np.ndarray:
    """The conditional logit's weights on the cases that have a right candidate."""
    groups = [(c.x, c.labels()) for c in cases if c.labels().any()]
    count = {name: sum(c.set == name for c in cases if c.labels().any()) for name in SETS}
    weights = [len(groups) / (len(SETS) * count[c.set]) for c in cases if c.labels().any()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = L2 * w @ w, 2 * L2 * w
        for (x, y), weight in zip(groups, weights, strict=True):
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            chosen = (p * y).sum()
            total -= weight * np.log(chosen) / len(groups)
            gradient -= weight * ((p * y / chosen) @ x - p @ x) / len(groups)
        return total, gradient

    return minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x


def scores(cases: list[Case], w: np.ndarray, threshold: float) -> dict:
    """Exact match and F1 (null below the threshold scores 0), and how many were given."""
    out = {}
    for name in SETS:
        for held in (False, True):
            part = [c for c in cases if c.set == name and c.held == held]
            said = [c.said(w, threshold) for c in part]
            out[f"{name}/{'held' if held else 'tune'}"] = {
                "em": _mean(exact_match(s, c.answers) for s, c in zip(said, part, strict=True)),
                "f1": _mean(token_f1(s, c.answers) for s, c in zip(said, part, strict=True)),
                "given": _mean(s is not None for s in said),
                "questions": len(part),
            }
    return out


def _mean(values: Iterable[float]) -> float:
    return round(float(np.mean(list(values))), 3)


def best_threshold(cases: list[Case], w: np.ndarray) -> float:
    """The highest threshold whose tuning-half exact match (the sets' mean) is within TOLERANCE
    of the best."""
    tune = [c for c in cases if not c.held]

    def em(threshold: float) -> float:
        per_set = [
            np.mean([exact_match(c.said(w, threshold), c.answers) for c in tune if c.set == name])
            for name in SETS
        ]
        return float(np.mean(per_set))

    results = {float(t): em(float(t)) for t in THRESHOLDS}
    best = max(results.values())
    return max(t for t, value in results.items() if value >= best - TOLERANCE)


def main() -> None:
    parser = arguments(__doc__, "short.json")
    parser.add_argument("--write", action="store_true", help="put the fitted weights in place")
    args = parser.parse_args()
    gold = gold_cases(args.data)
    current = np.array([short_tuned.SHORT_WEIGHTS.get(f, 0.0) for f in FEATURES])
    fitted = np.round(fit([c for c in gold if not c.held]), 2)
    threshold = best_threshold(gold, fitted)
    searched = searched_cases(Searcher(Settings.from_env(index_dir=args.index)), args.data)
    result = {
        "features": FEATURES,
        "current": {
            "threshold": short_tuned.SHORT_THRESHOLD,
            "gold_sentence": scores(gold, current, short_tuned.SHORT_THRESHOLD),
            "end_to_end": scores(searched, current, short_tuned.SHORT_THRESHOLD),
        },
        "fitted": {
            "weights": dict(zip(FEATURES, fitted.tolist(), strict=True)),
            "threshold": threshold,
            "gold_sentence": scores(gold, fitted, threshold),
            "end_to_end": scores(searched, fitted, threshold),
        },
    }
    save_json(args.out, result)
    for which in ("current", "fitted"):
        for setting in ("gold_sentence", "end_to_end"):
            print(which, setting, json.dumps(result[which][setting]))
    print(f"written {args.out}")
    if args.write:
        weights = {f: w for f, w in zip(FEATURES, fitted.tolist(), strict=True) if w}
        path = Path(short_tuned.__file__)
        rewrite({"SHORT_WEIGHTS": weights, "SHORT_THRESHOLD": threshold}, path)
        print(f"rewritten {path}: SHORT_WEIGHTS, SHORT_THRESHOLD")


if __name__ == "__main__":
    main()
