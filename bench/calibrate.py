"""Fit the "not found" model (qa/answer/tuned.py NOT_FOUND_MODEL) on the tuning half of the
public sets, asked of archives of three sizes (bench/archives.py: one article, the gold articles,
the full corpus), and of the follow-ups of bench/conversations.jsonl with their conversation, so
that one model holds from a reader's first article to a newsroom's archive.

    .venv/bin/python -m bench.calibrate [--index bench-results/quality-index] [--write] [--fresh]

The full corpus is the benchmark index (`python -m bench.quality` builds it); the smaller
archives are built under bench-results/archives on the first run; the follow-ups are asked of
bench-results/conversation-index (`python -m bench.conversations` builds it). For every question
of every size, takes the hybrid search's NotFoundFeatures of its best sentence
(qa/answer/not_found.py) and fits a logistic regression of "the archive answers this question"
on the tuning half (even id hash; scikit-learn; see `fit` for the weighting). Prints the
coefficients (`--write` puts them into qa/answer/tuned.py), the highest threshold that still
answers ANSWERED of the answerable questions of the tuning half of each public set at every
size, and for a range of thresholds the share of unanswerable questions left without an answer
and of answerable ones still answered, per size, set and half.

Searching is the slow part (about 20 minutes on 2 shared cores), so the features are kept in
bench-results/calibration-features.json with a fingerprint of the code that computes them
(qa/, bench/conversations.jsonl, the feature names): a rerun with the same code refits in
seconds; `--fresh` searches again anyway (after tuned.py's other constants change). The
follow-ups' earlier turns are answered by the model in tuned.py at the time of searching.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.archives import SIZES, archives
from bench.constants import TUNED_FILE, rewrite
from bench.conversations import CONVERSATIONS, MODE, K, history_of, read_conversations
from bench.public import RESULTS, ROOT, SETS, arguments, held_out
from bench.report import save_json
from qa.answer.conversation import resolve
from qa.answer.not_found import FEATURES, probability
from qa.answer.searcher import Searcher, SearchResult
from qa.config import Settings
from qa.embed.embedder import load_embedder
from qa.evaluate import Question

THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
# The share of answerable questions (tuning half) of each set the chosen threshold must still
# answer, at every archive size.
ANSWERED = 0.95
FOLLOW_UPS = "followups"  # the follow-ups' set, asked of one size: the conversation index
CONVERSATION = "conversation (BBC + seeds)"
CACHE = RESULTS / "calibration-features.json"
# The follow-ups' groups weigh this much of a public set's at one size: the highest mean share
# of null answers to the tuning half's unanswerable questions (BBC at three sizes and the
# follow-ups) of 1, 0.75, 0.5, 0.35, 0.25 and 0.1. At full weight their 89 questions, written
# for this project, flatten the model: one unrelated article then answered an Olympic question.
FOLLOW_UP_WEIGHT = 0.25


def features(asked: dict[str, list]) -> list[dict]:
    """Per size and question: set, half, label (answerable) and the features of the model."""
    rows = []
    for size, questions in asked.items():
        for name, question, searcher in questions:
            found = searcher.find(question.question, 10, "hybrid")
            rows.append(_row(size, name, question, found))
    return rows


def follow_up_features(searcher: Searcher) -> list[dict]:
    """The follow-ups of bench/conversations.jsonl, each resolved against its conversation (the
    earlier turns answered by the Searcher) and searched as Searcher.ask searches it."""
    rows = []
    for conversation in read_conversations(CONVERSATIONS):
        history = history_of(searcher, conversation)
        resolution = resolve(conversation.followup, history, searcher.index)
        found = searcher.find(resolution.searched, K, MODE, None, resolution.articles)
        rows.append(_row(CONVERSATION, FOLLOW_UPS, conversation.question, found))
    return rows


def _row(size: str, name: str, question: Question, found: SearchResult) -> dict:
    """One question's label, half and not-found features (all 0 when no sentence was found)."""
    evidence, best = found.not_found, found.best
    said = found.passages[best.rank - 1].text[slice(*best.span)].lower() if best else ""
    return {
        "size": size,
        "set": name,
        "id": question.id,
        "held": held_out(question),
        "answerable": not question.unanswerable,
        # The best sentence holds an answer string (whether or not it is given).
        "right": any(a.lower() in said for a in question.answers),
        **(asdict(evidence) if evidence else dict.fromkeys(FEATURES, 0.0)),
    }


def fingerprint() -> str:
    """A hash of what the features depend on: the code of qa/ (tuned.py without the constants
    this script writes), the conversations and the feature names."""
    digest = hashlib.sha1(" ".join(FEATURES).encode())
    for path in sorted((ROOT / "qa").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.resolve() == TUNED_FILE.resolve():
            text = text.split("NOT_FOUND_MODEL = ")[0]
        digest.update(path.as_posix().encode() + text.encode())
    digest.update(CONVERSATIONS.read_bytes())
    return digest.hexdigest()


def cached_rows(args: argparse.Namespace) -> list[dict]:
    """The features of every question: from the cache when its fingerprint is the code's,
    else searched (and cached)."""
    key = fingerprint()
    if not args.fresh and CACHE.is_file():
        cached = json.loads(CACHE.read_text(encoding="utf-8"))
        if cached["fingerprint"] == key:
            return cached["rows"]
    settings = Settings.from_env(index_dir=args.index)
    embedder = load_embedder(settings)
    rows = features(archives(args.data, RESULTS / "archives", settings, embedder))
    local = settings.overridden(index_dir=str(args.conversation_index))
    rows += follow_up_features(Searcher(local, embedder=embedder))
    save_json(CACHE, {"fingerprint": key, "rows": rows})
    return rows


def fit(rows: list[dict]) -> dict[str, float]:
    """Logistic regression on the tuning half, each (size, set, answerable) group weighted
    equally, but the follow-ups' at FOLLOW_UP_WEIGHT. SQuAD's unanswerable questions are left
    out: written to be answered by the very article they are asked of, they hold nothing these
    features could see, and fitting them only teaches the model to doubt every answer."""
    tune = [r for r in rows if not r["held"] and (r["answerable"] or r["set"] != "squad2")]
    x = np.array([[r[f] for f in FEATURES] for r in tune])
    y = np.array([r["answerable"] for r in tune])
    group = [(r["size"], r["set"], r["answerable"]) for r in tune]
    count = {g: group.count(g) for g in set(group)}
    share = {g: FOLLOW_UP_WEIGHT if g[1] == FOLLOW_UPS else 1.0 for g in count}
    weights = np.array([share[g] * len(tune) / (len(count) * count[g]) for g in group])
    model = LogisticRegression().fit(x, y, sample_weight=weights)
    fitted = dict(zip(FEATURES, model.coef_[0], strict=True))
    bias = {"bias": round(float(model.intercept_[0]), 2)}
    return bias | {f: round(float(w), 2) for f, w in fitted.items()}


def threshold(rows: list[dict], model: dict[str, float]) -> float:
    """The highest threshold (to 0.005) that answers ANSWERED of the tuning half's answerable
    questions of each public set at every size (the follow-ups are reported, not bound)."""
    highest = []
    for size in SIZES:
        for name in SETS:
            part = [
                r
                for r in rows
                if r["size"] == size and r["set"] == name and not r["held"] and r["answerable"]
            ]
            probabilities = np.sort([probability(model, r) for r in part])
            highest.append(probabilities[int(np.floor((1 - ANSWERED) * len(part)))])
    return round(float(np.floor(min(highest) * 200) / 200), 3)


def table(rows: list[dict], model: dict[str, float], thresholds: tuple[float, ...]) -> list[dict]:
    """For each threshold, size, set and half: null share on unanswerable, answered share on
    answerable, and the share of answerable ones given an answer sentence that holds the answer."""
    out = []
    groups = [(size, name) for size in SIZES for name in SETS] + [(CONVERSATION, FOLLOW_UPS)]
    for cut in sorted(set(thresholds)):
        for size, name in groups:
            for held in (False, True):
                part = [
                    r for r in rows if r["size"] == size and r["set"] == name and r["held"] == held
                ]
                said = [probability(model, r) >= cut for r in part]
                answerable = [s for s, r in zip(said, part, strict=True) if r["answerable"]]
                impossible = [s for s, r in zip(said, part, strict=True) if not r["answerable"]]
                hits = [
                    s and r["right"] for s, r in zip(said, part, strict=True) if r["answerable"]
                ]
                out.append(
                    {
                        "threshold": cut,
                        "size": size,
                        "set": name,
                        "half": "held" if held else "tune",
                        "answered_answerable": round(float(np.mean(answerable)), 3),
                        "null_unanswerable": round(1 - float(np.mean(impossible)), 3),
                        "unanswerable": len(impossible),
                        "sentence_hit": round(float(np.mean(hits)), 3),
                    }
                )
    return out


def main() -> None:
    parser = arguments(__doc__, "calibration.json")
    parser.add_argument("--conversation-index", type=Path, default=RESULTS / "conversation-index")
    parser.add_argument("--write", action="store_true", help="put the fitted model in tuned.py")
    parser.add_argument("--fresh", action="store_true", help="search again, not from the cache")
    args = parser.parse_args()
    rows = cached_rows(args)
    model = fit(rows)
    chosen = threshold(rows, model)
    result = {
        "NOT_FOUND_MODEL": model,
        "NOT_FOUND_THRESHOLD": chosen,
        "thresholds": table(rows, model, (*THRESHOLDS, chosen)),
    }
    save_json(args.out, result)
    print("NOT_FOUND_MODEL =", json.dumps(model))
    print("NOT_FOUND_THRESHOLD =", chosen)
    for row in result["thresholds"]:
        print(json.dumps(row))
    print(f"written {args.out} (features: {CACHE})")
    if args.write:
        rewrite({"NOT_FOUND_MODEL": model, "NOT_FOUND_THRESHOLD": chosen})
        print("rewritten qa/answer/tuned.py: NOT_FOUND_MODEL, NOT_FOUND_THRESHOLD")


if __name__ == "__main__":
    main()
