"""Fit and measure the short answer (qa/answer/short_tuned.py) on public data.

    .venv/bin/python -m bench.short [--index bench-results/quality-index] [--write]

For every answerable question of both sets, its candidates' features (qa.answer.short, the
Searcher's own) in two readings: given the gold sentence (the first sentence of the gold article,
of its paragraph for SQuAD, that holds an answer string: the upper bound of the reading), and
where the Searcher reads (its answer sentence with its neighbours, and the best sentences of the
other top passages, over the benchmark index). Fits the weights as a conditional logit on the
tuning half of both readings (even id hash; a softmax over each question's candidates, fitted to
those equal to an answer string, each set weighted equally), then the confidence threshold, and
prints SQuAD exact match and F1 of the constants in the code and of the fitted ones for each set
and half: given the gold sentence, given the Searcher's sentence, and end to end (null too where
"not found" withholds the answer). `--write` puts the fitted ones into qa/answer/short_tuned.py.
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
from bench.report import save_json, table
from qa.answer import short_tuned
from qa.answer.readers import contexts_of
from qa.answer.searcher import Searcher
from qa.answer.short import Context, feature_names, readings
from qa.config import Settings
from qa.evaluate import Question, read_questions
from qa.short_scores import exact_match, normalized, token_f1
from qa.text.spans import Span, paragraph_spans, sentence_spans

FEATURES = feature_names()
# L2 penalty of the conditional logit (on the whole objective, a mean over questions).
L2 = 0.003
# Thresholds tried for the confidence: the highest whose exact match on the tuning half (the
# Searcher's sentences) is within TOLERANCE of the best (a null costs an exact match; a wrong
# answer shown costs trust).
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
    answered: bool  # whether the Searcher gives an answer at all (else no short one either)

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


def case_of(name: str, question: Question, contexts: list[Context], answered: bool = True) -> Case:
    """The candidates of `question` in its contexts (the Searcher's own readings), as a Case."""
    column = {f: i for i, f in enumerate(FEATURES)}
    rows, texts, shown = [], [], []
    for reading in readings(question.question, contexts):
        text = contexts[reading.context].text
        for candidate in reading.candidates:
            row = np.zeros(len(FEATURES))
            for feature, value in reading.features(candidate).items():
                row[column[feature]] = value
            rows.append(row)
            texts.append(text[candidate.start : candidate.end])
            shown.append(text[slice(*reading.span(candidate))])
    x = np.array(rows).reshape(len(rows), len(FEATURES))
    return Case(name, held_out(question), question.answers, x, texts, shown, answered)


def answerable(data: Path) -> Iterator[tuple[str, Question]]:
    for name in SETS:
        for question in read_questions(questions_file(data, name)):
            if not question.unanswerable:
                yield name, question


def gold_cases(data: Path) -> list[Case]:
    """Every answerable question read against its gold sentence."""
    texts = article_texts(data)
    cases = []
    for name, question in answerable(data):
        text = texts[question.article_id]
        sentences = sentence_spans(text)
        cases.append(
            case_of(
                name,
                question,
                [Context(text, sentences, gold_sentence(data, question, text, sentences))],
            )
        )
    return cases


def article_texts(data: Path) -> dict[str, str]:
    """The text of every article of both sets, by id."""
    texts = {}
    for name in SETS:
        for line in (data / name / "articles.jsonl").open(encoding="utf-8"):
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    return texts


def gold_sentence(data: Path, question: Question, text: str, sentences: list[Span]) -> int:
    """The first of the gold article's `sentences` (of its paragraph for SQuAD) that holds an
    answer string, or -1."""
    paragraph = (0, len(text))
    if (number := _paragraph(data, question)) is not None:
        paragraph = paragraph_spans(text)[number]
    wanted = [a.lower() for a in question.answers]
    return next(
        (
            i
            for i, (start, end) in enumerate(sentences)
            if paragraph[0] <= start < paragraph[1]
            and any(w in text[start:end].lower() for w in wanted)
        ),
        -1,
    )


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


def searched_contexts(searcher: Searcher, data: Path) -> list[tuple[str, Question, list, bool]]:
    """Every answerable question with where the Searcher reads its short answer: its answer
    sentence (whether or not "not found" then withholds the answer) and the other top passages'
    best sentences; and whether the answer is given."""
    out = []
    for name, question in answerable(data):
        found = searcher.find(question.question, k=5, mode="hybrid")
        if found.best is None:
            out.append((name, question, [], False))
            continue
        contexts, _ = contexts_of(found.passages, found.best.rank)
        out.append(
            (name, question, contexts, found.not_found is not None and found.not_found.answers)
        )
    return out


def fit(cases: list[Case]) -> np.ndarray:
    """The conditional logit's weights, on the cases that have a right candidate (each set
    weighted equally): all candidates in one matrix, the softmax taken per question."""
    kept = [c for c in cases if c.labels().any()]
    x = np.vstack([c.x for c in kept])
    y = np.concatenate([c.labels() for c in kept]).astype(float)
    sizes = np.array([len(c.texts) for c in kept])
    group = np.repeat(np.arange(len(kept)), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    count = {name: sum(c.set == name for c in kept) for name in SETS}
    weight = np.array([1 / (len(SETS) * count[c.set]) for c in kept])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        z -= np.maximum.reduceat(z, starts)[group]
        e = np.exp(z)
        p = e / np.add.reduceat(e, starts)[group]
        chosen = np.add.reduceat(p * y, starts)
        # d(-log chosen)/dz = p - p·y/chosen, within each question
        dz = (p - p * y / chosen[group]) * weight[group]
        return L2 * w @ w - weight @ np.log(chosen), 2 * L2 * w + dz @ x

    return minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x


def scores(cases: list[Case], w: np.ndarray, threshold: float, gated: bool = False) -> dict:
    """Exact match and F1 (null below the threshold scores 0, and where the Searcher gives no
    answer when `gated`), and how many were given."""
    out = {}
    for name in SETS:
        for held in (False, True):
            part = [c for c in cases if c.set == name and c.held == held]
            said = [c.said(w, threshold) if c.answered or not gated else None for c in part]
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


def figures(gold: list[Case], searched: list[Case], w: np.ndarray, threshold: float) -> list[dict]:
    """One row per setting (gold sentence; the Searcher's sentence; end to end) and set/half."""
    rows = []
    for setting, cases, gated in (
        ("gold sentence", gold, False),
        ("searched sentence", searched, False),
        ("end to end", searched, True),
    ):
        for part, values in scores(cases, w, threshold, gated).items():
            rows.append({"setting": setting, "set": part, **values})
    return rows


def main() -> None:
    parser = arguments(__doc__, "short.json")
    parser.add_argument("--write", action="store_true", help="put the fitted weights in place")
    args = parser.parse_args()
    gold = gold_cases(args.data)
    searcher = Searcher(Settings.from_env(index_dir=args.index))
    searched = [case_of(*read) for read in searched_contexts(searcher, args.data)]
    current = np.array([short_tuned.SHORT_WEIGHTS.get(f, 0.0) for f in FEATURES])
    fitted = np.round(fit([c for c in gold + searched if not c.held]), 2)
    threshold = best_threshold(searched, fitted)
    result = {
        "features": FEATURES,
        "current": {
            "threshold": short_tuned.SHORT_THRESHOLD,
            "rows": figures(gold, searched, current, short_tuned.SHORT_THRESHOLD),
        },
        "fitted": {
            "weights": dict(zip(FEATURES, fitted.tolist(), strict=True)),
            "threshold": threshold,
            "rows": figures(gold, searched, fitted, threshold),
        },
    }
    save_json(args.out, result)
    for which in ("current", "fitted"):
        print(f"{which} (threshold {result[which]['threshold']}):")
        print(table(result[which]["rows"], "setting set em f1 given questions"))
    print(f"written {args.out}")
    if args.write:
        weights = {f: w for f, w in zip(FEATURES, fitted.tolist(), strict=True) if w}
        path = Path(short_tuned.__file__)
        rewrite({"SHORT_WEIGHTS": weights, "SHORT_THRESHOLD": threshold}, path)
        print(f"rewritten {path}: SHORT_WEIGHTS, SHORT_THRESHOLD")


if __name__ == "__main__":
    main()
