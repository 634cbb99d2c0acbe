"""Fit the second-stage and answer-sentence weights (qa/answer/tuned.py) on public data.

    .venv/bin/python -m bench.tune [--index bench-results/quality-index] [--write]

Needs the benchmark index (`python -m bench.quality` builds it). For every answerable question of
the tuning half (even id hash) of both sets, takes the hybrid search's first RESCORE fused passages
and fits two logistic regressions (scikit-learn, each set weighted equally):

- passages: "contains an answer" from the fused score, the best sentence cosine, the best
  sentence's IDF-weighted share of the question's words, and that share for the whole passage;
- the sentence chosen among those of the top ANSWER_PASSAGES passages (a conditional logit: a
  softmax over each question's candidate sentences, fitted to the ones holding an answer) from
  the cosine, the plain and IDF-weighted shares of the question's words, the answer kind
  offered, the sentence's focus on the question's words, and the passage rank;
- the second look (qa.answer.typed): the same conditional logit over the RETYPED best sentences
  under the sentence weights in the code, with "typed" added (the fit of each one's short answer
  to the type asked), for RETYPED_WEIGHTS; on the questions that ask for a name, a number, a
  date or a place (the others keep the first look's choice).

The features are the Searcher's own (qa.answer.read.features_of). Prints the weights scaled to
the fused score's (passages) and the cosine's (sentences), and hit@1 / hit@5 and the sentence
hit of the constants in the code and of the fitted ones, for each set and half, so that a change
is judged on the held half it was not fitted on; `--write` puts the fitted ones into
qa/answer/tuned.py, `--write-retyped` only RETYPED_WEIGHTS (the second look is fitted on the
first look in the code: after `--write`, run again with `--write-retyped`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from bench.constants import rewrite
from bench.public import SETS, arguments, held_out, questions_file
from bench.report import save_json
from qa.answer import tuned
from qa.answer.searcher import Searcher
from qa.answer.tuned import ANSWER_PASSAGES, PASSAGE_WEIGHTS, RESCORE, SENTENCE_WEIGHTS
from qa.answer.typed import typed
from qa.config import Settings
from qa.evaluate import read_questions

PASSAGE_FEATURES = tuple(PASSAGE_WEIGHTS)
SENTENCE_FEATURES = tuple(SENTENCE_WEIGHTS)
RETYPED_FEATURES = tuple(tuned.RETYPED_WEIGHTS)
# L2 penalty of the sentence choice model (per question, on unscaled weights).
CHOICE_L2 = 0.01
# A candidate sentence: its features and whether it holds an answer.
Row = tuple[list[float], bool]


def candidates(searcher: Searcher, data: Path) -> list[dict]:
    """Per answerable question: its set, half, and the first-stage passages with features."""
    out = []
    for name in SETS:
        for question in read_questions(questions_file(data, name)):
            if question.unanswerable:
                continue
            stage = searcher.first_stage(question.question, RESCORE, "hybrid")
            wanted = [a.lower() for a in question.answers]
            rows = []
            for passage, read in zip(stage.passages, stage.features, strict=True):
                rows.append(
                    {
                        **read.second_stage,
                        "text": passage.text,
                        "label": passage.citation.article_id == question.article_id
                        and any(w in passage.text.lower() for w in wanted),
                        "sentences": [
                            {
                                **s.features(),
                                "span": s.span,
                                "label": any(
                                    w in passage.text[slice(*s.span)].lower() for w in wanted
                                ),
                            }
                            for s in read.sentences
                        ],
                    }
                )
            out.append(
                {
                    "set": name,
                    "held": held_out(question),
                    "question": question.question,
                    "passages": rows,
                }
            )
    return out


def _fit(x: np.ndarray, y: np.ndarray, sets: list[str], scale_by: int) -> list[float]:
    """Logistic regression weights, each set weighted equally, scaled so weight[scale_by] = 1."""
    count = {name: sets.count(name) for name in SETS}
    weights = np.array([len(sets) / (len(SETS) * count[s]) for s in sets])
    model = LogisticRegression(max_iter=5000).fit(x, y, sample_weight=weights)
    coefficients = model.coef_[0]
    return [round(float(c / coefficients[scale_by]), 2) for c in coefficients]


def _choice_fit(
    questions: list[dict], rows_of: Callable[[dict], list[Row]], size: int
) -> list[float]:
    """Weights of a conditional logit: for each question, the softmax over its candidate sentences
    (`rows_of`, `size` features each) should put its mass on those holding an answer (each set
    weighted equally). Scaled so that the cosine's weight is 1."""
    count = {name: sum(q["set"] == name for q in questions) for name in SETS}
    groups = []
    for q in questions:
        rows = rows_of(q)
        x, y = np.array([r[0] for r in rows]), np.array([r[1] for r in rows], dtype=float)
        if y.any():
            groups.append((x, y, len(questions) / (len(SETS) * count[q["set"]])))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = CHOICE_L2 * w @ w, 2 * CHOICE_L2 * w
        for x, y, weight in groups:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            chosen = (p * y).sum()
            total -= weight * np.log(chosen) / len(groups)
            gradient -= weight * ((p * y / chosen) @ x - p @ x) / len(groups)
        return total, gradient

    w = minimize(loss, np.zeros(size), jac=True, method="L-BFGS-B").x
    return [round(float(c / w[0]), 2) for c in w]


def ranked(question: dict, weights: list[float]) -> list[dict]:
    keys = [
        sum(w * p[f] for w, f in zip(weights, PASSAGE_FEATURES, strict=True))
        for p in question["passages"]
    ]
    return [question["passages"][i] for i in np.argsort(-np.array(keys), kind="stable")]


def _top_sentences(question: dict, weights: list[float]) -> list[tuple[int, dict, dict]]:
    """(rank from 0, passage, sentence) of every sentence of the top passages under `weights`."""
    top = ranked(question, weights)[:ANSWER_PASSAGES]
    return [(rank, passage, s) for rank, passage in enumerate(top) for s in passage["sentences"]]


def _features(rank: int, sentence: dict) -> list[float]:
    return [*(sentence[f] for f in SENTENCE_FEATURES[:-1]), float(rank)]


def sentence_rows(question: dict, weights: list[float]) -> list[Row]:
    """Features and label of every sentence of the top passages under these passage weights."""
    return [(_features(rank, s), s["label"]) for rank, _, s in _top_sentences(question, weights)]


def retyped_rows(question: dict, passage_w: list[float], sentence_w: list[float]) -> list[Row]:
    """Features (RETYPED_FEATURES) and label of the RETYPED best sentences under these weights,
    each read for the type of its short answer once; none when the question asks for no type
    (the first look's choice stands)."""
    if "typed" not in question:
        question["typed"] = typed(question["question"], []) is not None
    if not question["typed"]:
        return []
    found = _top_sentences(question, passage_w)
    close = sorted(found, key=lambda f: -float(np.dot(_features(f[0], f[2]), sentence_w)))
    rows = []
    for rank, passage, s in close[: tuned.RETYPED]:
        if "typed" not in s:
            (s["typed"],) = typed(question["question"], [(passage["text"], s["span"])]) or [0.0]
        rows.append(([*_features(rank, s), s["typed"]], s["label"]))
    return rows


def _picked(rows: list[Row], weights: list[float]) -> bool:
    """Whether the best-scoring row holds an answer."""
    return max(rows, key=lambda r: float(np.dot(r[0], weights)))[1]


def scores(
    questions: list[dict], passage_w: list[float], sentence_w: list[float], retyped_w: list[float]
) -> dict:
    """hit@1, hit@5, and the sentence hit of the first look alone and with the second, for each
    set and half."""
    out = {}
    for name in SETS:
        for held in (False, True):
            part = [q for q in questions if q["set"] == name and q["held"] == held]
            hits1 = [ranked(q, passage_w)[0]["label"] for q in part]
            hits5 = [any(p["label"] for p in ranked(q, passage_w)[:5]) for q in part]
            first = [_picked(sentence_rows(q, passage_w), sentence_w) for q in part]
            second = [
                _picked(rows, retyped_w) if (rows := retyped_rows(q, passage_w, sentence_w)) else f
                for q, f in zip(part, first, strict=True)
            ]
            out[f"{name}/{'held' if held else 'tune'}"] = {
                "hit@1": round(float(np.mean(hits1)), 3),
                "hit@5": round(float(np.mean(hits5)), 3),
                "first look": round(float(np.mean(first)), 3),
                "sentence": round(float(np.mean(second)), 3),
            }
    return out


def main() -> None:
    parser = arguments(__doc__, "tune.json")
    parser.add_argument("--write", action="store_true", help="put the fitted weights in tuned.py")
    parser.add_argument(
        "--write-retyped",
        action="store_true",
        help="put only the fitted RETYPED_WEIGHTS in place",
    )
    args = parser.parse_args()
    questions = candidates(Searcher(Settings.from_env(index_dir=args.index)), args.data)
    tune = [q for q in questions if not q["held"]]

    current_p = list(PASSAGE_WEIGHTS.values())
    current_s = list(SENTENCE_WEIGHTS.values())
    current_r = list(tuned.RETYPED_WEIGHTS.values())
    x = np.array([[p[f] for f in PASSAGE_FEATURES] for q in tune for p in q["passages"]])
    y = np.array([p["label"] for q in tune for p in q["passages"]])
    fitted_p = _fit(x, y, [q["set"] for q in tune for _ in q["passages"]], 0)
    fitted_s = _choice_fit(tune, partial(sentence_rows, weights=current_p), len(SENTENCE_FEATURES))
    fitted_r = _choice_fit(
        tune,
        partial(retyped_rows, passage_w=current_p, sentence_w=current_s),
        len(RETYPED_FEATURES),
    )
    result = {
        "passage_features": PASSAGE_FEATURES,
        "sentence_features": SENTENCE_FEATURES,
        "retyped_features": RETYPED_FEATURES,
        "current": {
            "passage": current_p,
            "sentence": current_s,
            "retyped": current_r,
            **scores(questions, current_p, current_s, current_r),
        },
        "fitted": {
            "passage": fitted_p,
            "sentence": fitted_s,
            "retyped": fitted_r,
            **scores(questions, fitted_p, fitted_s, fitted_r),
        },
    }
    save_json(args.out, result)
    for which in ("current", "fitted"):
        print(which, json.dumps(result[which]))
    print(f"written {args.out}")
    fitted = {
        "PASSAGE_WEIGHTS": dict(zip(PASSAGE_FEATURES, fitted_p, strict=True)),
        "SENTENCE_WEIGHTS": dict(zip(SENTENCE_FEATURES, fitted_s, strict=True)),
        "RETYPED_WEIGHTS": dict(zip(RETYPED_FEATURES, fitted_r, strict=True)),
    }
    if args.write or args.write_retyped:
        chosen = fitted if args.write else {"RETYPED_WEIGHTS": fitted["RETYPED_WEIGHTS"]}
        rewrite(chosen)
        print(f"rewritten qa/answer/tuned.py: {', '.join(chosen)}")


if __name__ == "__main__":
    main()
