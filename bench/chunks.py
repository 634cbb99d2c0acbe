"""Chunk size and overlap by measurement: one benchmark index per setting, the whole pipeline.

    .venv/bin/python bench/chunks.py          # writes bench-results/chunks.json and prints a table

For each (tokens, overlap) setting, builds an index over both public corpora (BBC + SQuAD 2.0,
each the other's distractors) into bench-results/chunks/<tokens>-<overlap>/ and scores both
question sets in hybrid mode with `qa eval`'s definitions. The constants of the second stage
and the not-found model stay as they are: they are tuned for the default setting.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.quality import RESULTS, SETS, arguments  # noqa: E402
from qa.build import build_index  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.embedding import load_embedder  # noqa: E402
from qa.evaluate import evaluate, format_table, read_questions  # noqa: E402
from qa.search import Searcher  # noqa: E402

SETTINGS = ((128, 0), (160, 0), (192, 0), (192, 48), (224, 0), (256, 0), (256, 64))


def main() -> None:
    parser = arguments(__doc__, "chunks.json", index=False)
    parser.add_argument("--work", type=Path, default=RESULTS / "chunks")
    args = parser.parse_args()
    sources = [str(args.data / name / "articles.jsonl") for name in SETS]
    questions = {name: read_questions(args.data / name / "questions.jsonl") for name in SETS}
    embedder = load_embedder(Settings())
    rows = []
    for tokens, overlap in SETTINGS:
        settings = Settings.from_env(
            index_dir=args.work / f"{tokens}-{overlap}", chunk_tokens=tokens, chunk_overlap=overlap
        )
        built = build_index(settings, sources, embedder=embedder)
        searcher = Searcher(settings, embedder=embedder)
        for name, items in questions.items():
            report = evaluate(searcher, items, "hybrid", name=f"{name} {tokens}/{overlap}")
            rows.append(
                {**report.to_dict(), "chunks": built.chunks, "tokens": tokens, "overlap": overlap}
            )
        print(format_table(rows[-2:]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1))
    print(format_table(rows))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
