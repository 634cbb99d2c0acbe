"""Answer-quality benchmark on the public data: one index over BBC + SQuAD 2.0, three modes.

    .venv/bin/python bench/quality.py                 # build/refresh the index, score, write JSON
    .venv/bin/python bench/quality.py --index DIR --out FILE      # elsewhere (built if needed)

Builds (incrementally) one index over ../shared/eval/{bbc,squad2}/articles.jsonl, so each
corpus is the other's distractors, then runs `qa eval` scoring on both question sets in the
dense, bm25 and hybrid modes. Rows are given for all questions and for the held-out half
(ids whose hash is odd; constants were tuned on the other half only). Also checks
near-duplicate folding: every pair of passages at or above the copy cosine, and how many of
those pairs are not word-for-word the same text.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.build import build_index  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.embedding import load_embedder  # noqa: E402
from qa.evaluate import Question, evaluate, format_table, read_questions  # noqa: E402
from qa.search import COPY_COSINE, MODES, Searcher  # noqa: E402
from qa.store import IndexReader  # noqa: E402

SETS = ("bbc", "squad2")
RESULTS = ROOT / "bench-results"


def arguments(doc: str, out: str, index: bool = True) -> argparse.ArgumentParser:
    """The options the benchmark scripts share: the public data, the index and the JSON out."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval")
    if index:
        parser.add_argument("--index", type=Path, default=RESULTS / "quality-index")
    parser.add_argument("--out", type=Path, default=RESULTS / out)
    return parser


def held_out(question: Question) -> bool:
    """The half of the questions kept out of tuning: stable, by a hash of the id."""
    return int(hashlib.sha1(question.id.encode()).hexdigest(), 16) % 2 == 1


def build(settings: Settings, sources: list[Path]) -> dict:
    started = time.perf_counter()
    summary = build_index(settings, [str(s) for s in sources], embedder=load_embedder(settings))
    return {**summary.to_dict(), "wall_s": round(time.perf_counter() - started, 1)}


def score(settings: Settings, data: Path, modes: tuple[str, ...]) -> list[dict]:
    """One row per (question set, split, mode)."""
    searcher = Searcher(settings)
    searcher.ask("warm up the model and the caches", k=10)
    rows = []
    for name in SETS:
        questions = read_questions(data / name / "questions.jsonl")
        for mode in modes:
            report = evaluate(searcher, questions, mode, name=name)
            rows.append({**report.to_dict(), "split": "all"})
            held = [o for o in report.outcomes if held_out(o.question)]
            rows.append({**type(report)(f"{name}/held", mode, held).to_dict(), "split": "held"})
    return rows


def copy_pairs(settings: Settings) -> dict:
    """Pairs of passages the search folds as copies, and how many are not identical text."""
    reader = IndexReader(Path(settings.index_dir))
    vectors = reader.vectors.reconstruct_n(0, reader.chunk_count)
    limits, _, found = reader.vectors.range_search(vectors, COPY_COSINE)
    pairs = [
        (row, int(other))
        for row in range(len(vectors))
        for other in found[limits[row] : limits[row + 1]]
        if other > row
    ]
    texts = {c.row: c.text for c in reader.chunks(sorted({r for pair in pairs for r in pair}))}
    different = [(a, b) for a, b in pairs if texts[a] != texts[b]]
    ratios = [difflib.SequenceMatcher(None, texts[a], texts[b]).ratio() for a, b in different]
    return {
        "copy_cosine": COPY_COSINE,
        "pairs": len(pairs),
        "identical_text": len(pairs) - len(different),
        "different_text": len(different),
        "min_text_similarity_of_different": round(min(ratios), 3) if ratios else None,
        "passages_with_a_copy": len({r for pair in pairs for r in pair}),
    }


def main() -> None:
    parser = arguments(__doc__, "quality.json")
    parser.add_argument("--mode", action="append", choices=MODES, help="default: all three")
    parser.add_argument(
        "--articles", type=Path, action="append", help="corpus files (default: both corpora)"
    )
    args = parser.parse_args()
    if not (args.data / "bbc" / "questions.jsonl").is_file():
        sys.exit(f"error: public evaluation data not found at {args.data}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env(index_dir=args.index)
    sources = args.articles or [args.data / name / "articles.jsonl" for name in SETS]
    built = build(settings, sources)
    rows = score(settings, args.data, tuple(args.mode or ("dense", "bm25", "hybrid")))
    result = {"index": built, "copies": copy_pairs(settings), "rows": rows}
    args.out.write_text(json.dumps(result, indent=1))
    print(format_table(rows))
    print("near-duplicate folding:", json.dumps(result["copies"]))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
