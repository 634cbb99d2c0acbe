"""Fit the "not found" model (qa/answer/tuned.py NOT_FOUND_MODEL) on the tuning half of the
public sets.

    .venv/bin/python -m bench.calibrate [--index bench-results/quality-index] [--write]

Needs the benchmark index (`python -m bench.quality` builds it). For every question of the
tuning half (even id hash) of both sets, takes the hybrid search's NotFoundFeatures of its best
sentence (qa/answer/not_found.py: the sentence's and its passage's cosines, the IDF coverage of
that passage, a question word no passage contains, a question number the passage lacks) and
fits a logistic regression of "the archive answers this question" (scikit-learn), each set
weighted equally. Prints the coefficients (`--write` puts them into qa/answer/tuned.py), the
highest threshold that still answers 95% of the answerable BBC questions of the tuning half,
and for a range of thresholds the share of unanswerable questions left without an answer and of
answerable ones still answered, per set and half.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.constants import rewrite
from bench.public import SETS, arguments, held_out, questions_file
from bench.report import save_json
from qa.answer.not_found import NotFoundFeatures
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.evaluate import read_questions

THRESHOLDS = (0.3, 0.35, 0.375, 0.4, 0.45, 0.5, 0.6)
FEATURES = tuple(field.name for field in fields(NotFoundFeatures))
# The share of answerable BBC questions (tuning half) the chosen threshold must still answer.
ANSWERED = 0.95


def features(searcher: Searcher, data: Path) -> list[dict]:
    """Per question: set, half, label (answerable) and the features of the model."""
    rows = []
    for name in SETS:
        for question in read_questions(questions_file(data, name)):
            evidence = searcher.find(question.question, 10, "hybrid").not_found
            rows.append(
                {
                    "set": name,
                    "held": held_out(question),
                    "answerable": not question.unanswerable,
                    **(asdict(evidence) if evidence else dict.fromkeys(FEATURES, 0.0)),
                }
            )
    return rows


def fit(rows: list[dict]) -> dict[str, float]:
    tune = [r for r in rows if not r["held"]]
    x = np.array([[r[f] for f in FEATURES] for r in tune])
    y = np.array([r["answerable"] for r in tune])
    per_set = {name: sum(1 for r in tune if r["set"] == name) for name in SETS}
    weights = np.array([len(tune) / (len(SETS) * per_set[r["set"]]) for r in tune])
    model = LogisticRegression(class_weight="balanced").fit(x, y, sample_weight=weights)
    fitted = dict(zip(FEATURES, model.coef_[0], strict=True))
    bias = {"bias": round(float(model.intercept_[0]), 2)}
    return bias | {f: round(float(w), 2) for f, w in fitted.items()}


def threshold(rows: list[dict], model: dict[str, float]) -> float:
    """The highest threshold (to 0.005) that answers ANSWERED of the tuning half's BBC questions."""
    part = [r for r in rows if r["set"] == "bbc" and not r["held"] and r["answerable"]]
    probabilities = np.sort([_probability(model, r) for r in part])
    highest = probabilities[int(np.floor((1 - ANSWERED) * len(part)))]
    return round(float(np.floor(highest * 200) / 200), 3)


def table(rows: list[dict], model: dict[str, float], thresholds: tuple[float, ...]) -> list[dict]:
    """For each threshold: null share on unanswerable and answered share on answerable."""
    out = []
    for cut in sorted(set(thresholds)):
        for name in SETS:
            for held in (False, True):
                part = [r for r in rows if r["set"] == name and r["held"] == held]
                said = [_probability(model, r) >= cut for r in part]
                answerable = [s for s, r in zip(said, part, strict=True) if r["answerable"]]
                impossible = [s for s, r in zip(said, part, strict=True) if not r["answerable"]]
                out.append(
                    {
                        "threshold": cut,
                        "set": name,
                        "half": "held" if held else "tune",
                        "answered_answerable": round(float(np.mean(answerable)), 3),
                        "null_unanswerable": round(1 - float(np.mean(impossible)), 3),
                    }
                )
    return out


def _probability(model: dict[str, float], row: dict) -> float:
    z = model["bias"] + sum(model[f] * row[f] for f in FEATURES)
    return 1 / (1 + np.exp(-z))


def main() -> None:
    parser = arguments(__doc__, "calibration.json")
    parser.add_argument("--write", action="store_true", help="put the fitted model in tuned.py")
    args = parser.parse_args()
    rows = features(Searcher(Settings.from_env(index_dir=args.index)), args.data)
    model = fit(rows)
    chosen = threshold(rows, model)
    result = {
        "NOT_FOUND_MODEL": model,
        "NOT_FOUND_THRESHOLD": chosen,
        "thresholds": table(rows, model, (*THRESHOLDS, chosen)),
        "features": rows,
    }
    save_json(args.out, result)
    print("NOT_FOUND_MODEL =", json.dumps(model))
    print("NOT_FOUND_THRESHOLD =", chosen)
    for row in result["thresholds"]:
        print(json.dumps(row))
    print(f"written {args.out}")
    if args.write:
        rewrite({"NOT_FOUND_MODEL": model, "NOT_FOUND_THRESHOLD": chosen})
        print("rewritten qa/answer/tuned.py: NOT_FOUND_MODEL, NOT_FOUND_THRESHOLD")


if __name__ == "__main__":
    main()
