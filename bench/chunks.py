"""Chunk size and overlap by measurement: one benchmark index per setting, the whole pipeline.

    .venv/bin/python -m bench.chunks          # writes bench-results/chunks.json and prints a table

For each (tokens, overlap) setting, builds an index over both public corpora (BBC + SQuAD 2.0,
each the other's distractors) into bench-results/chunks/<tokens>-<overlap>/ and scores both
question sets in hybrid mode with `qa eval`'s definitions. The constants of the second stage
and the not-found model stay as they are: they are tuned for the default setting.
"""

from __future__ import annotations

from pathlib import Path

from bench.public import RESULTS, SETS, arguments, corpus, questions_file
from bench.report import save_json
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import load_embedder
from qa.evaluate import evaluate, format_table, read_questions
from qa.index.build import build_index

SETTINGS = ((128, 0), (160, 0), (192, 0), (192, 48), (224, 0), (256, 0), (256, 64))


def main() -> None:
    parser = arguments(__doc__, "chunks.json", index=False)
    parser.add_argument("--work", type=Path, default=RESULTS / "chunks")
    args = parser.parse_args()
    sources = [str(path) for path in corpus(args.data)]
    questions = {name: read_questions(questions_file(args.data, name)) for name in SETS}
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
    save_json(args.out, rows)
    print(format_table(rows))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
