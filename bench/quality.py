"""Answer-quality benchmark on the public data: one index over BBC + SQuAD 2.0, three modes.

    .venv/bin/python -m bench.quality               # build/refresh the index, score, write JSON
    .venv/bin/python -m bench.quality --index DIR --out FILE    # elsewhere (built if needed)

Builds (incrementally) one index over ../shared/eval/{bbc,squad2}/articles.jsonl, so each
corpus is the other's distractors, then runs `qa eval` scoring on both question sets in the
dense, bm25 and hybrid modes. Rows are given for all questions and for the held-out half
(ids whose hash is odd; constants were tuned on the other half only). Also checks
near-duplicate folding: every pair of passages at or above the copy cosine, and how many of
those pairs are not word-for-word the same text.
"""

from __future__ import annotations

import difflib
import json
import sys
import time
from pathlib import Path

import faiss

from bench.public import SETS, arguments, corpus, held_out, questions_file
from bench.report import save_json
from qa.answer.searcher import Searcher
from qa.answer.tuned import COPY_COSINE
from qa.config import MODES, Settings
from qa.embed.embedder import load_embedder
from qa.evaluate import evaluate, format_table, read_questions
from qa.index.build import build_index
from qa.index.reader import LocalIndex


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
        questions = read_questions(questions_file(data, name))
        for mode in modes:
            report = evaluate(searcher, questions, mode, name=name)
            rows.append({**report.to_dict(), "split": "all"})
            held = [o for o in report.outcomes if held_out(o.question)]
            rows.append({**type(report)(f"{name}/held", mode, held).to_dict(), "split": "held"})
    return rows


def copy_pairs(settings: Settings) -> dict:
    """Pairs of passages the search folds as copies, and how many are not identical text."""
    index = LocalIndex(Path(settings.index_dir))
    live = index.rows_matching(())
    vectors = index.vectors_of(live)
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    limits, _, found = flat.range_search(vectors, COPY_COSINE)
    pairs = [
        (live[at], live[int(other)])
        for at in range(len(vectors))
        for other in found[limits[at] : limits[at + 1]]
        if other > at
    ]
    rows = sorted({r for pair in pairs for r in pair})
    texts = {row: c.text for row, c in zip(rows, index.chunks(rows), strict=True)}
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
    if not questions_file(args.data, SETS[0]).is_file():
        sys.exit(f"error: public evaluation data not found at {args.data}")
    settings = Settings.from_env(index_dir=args.index)
    sources = args.articles or corpus(args.data)
    built = build(settings, sources)
    rows = score(settings, args.data, tuple(args.mode or ("dense", "bm25", "hybrid")))
    result = {"index": built, "copies": copy_pairs(settings), "rows": rows}
    save_json(args.out, result)
    print(format_table(rows))
    print("near-duplicate folding:", json.dumps(result["copies"]))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
