"""The public evaluation data (../shared/eval) as the benchmarks use it: its sets, the split
into tuning and held-out halves, and the options the scripts share."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from qa.evaluate import Question

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "eval"
RESULTS = ROOT / "bench-results"
SETS = ("bbc", "squad2")


def arguments(doc: str, out: str, index: bool = True) -> argparse.ArgumentParser:
    """The options the benchmark scripts share: the public data, the index and the JSON out."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    if index:
        parser.add_argument("--index", type=Path, default=RESULTS / "quality-index")
    parser.add_argument("--out", type=Path, default=RESULTS / out)
    return parser


def held_out(question: Question) -> bool:
    """The half of the questions kept out of tuning: stable, by a hash of the id."""
    return int(hashlib.sha1(question.id.encode()).hexdigest(), 16) % 2 == 1


def corpus(data: Path) -> list[Path]:
    """The articles of every set: each corpus is the others' distractors."""
    return [data / name / "articles.jsonl" for name in SETS]


def questions_file(data: Path, name: str) -> Path:
    return data / name / "questions.jsonl"
