"""Filters on the public data: every answerable BBC question asked alone and within its own
article's section, on the benchmark index (BBC + SQuAD).

    .venv/bin/python -m bench.filtered [--index bench-results/quality-index]

Prints hit@1 / hit@5 both ways, the questions that a filter made worse (there should be none),
and whether every filtered reply keeps to the section and fills k; writes
bench-results/filtered.json. Needs the benchmark index (`python -m bench.quality` builds it).
"""

from __future__ import annotations

from bench.public import arguments, questions_file
from bench.report import save_json, table
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.evaluate import judge, read_questions
from qa.index.filters import parse_filters

K = 5


def main() -> None:
    args = arguments(__doc__, "filtered.json").parse_args()
    searcher = Searcher(Settings.from_env(index_dir=args.index))
    questions = [q for q in read_questions(questions_file(args.data, "bbc")) if q.answers]
    rows, worse, strays, short = [], [], 0, 0
    for question in questions:
        section = searcher.index.article(question.article_id).metadata["section"]
        filters = parse_filters({"section": section})
        alone = judge(question, searcher.ask(question.question, k=K))
        answer = searcher.ask(question.question, k=K, filters=filters)
        within = judge(question, answer)
        cited = searcher.index.articles_meta([p.citation.article_id for p in answer.passages])
        strays += sum(a.metadata.get("section") != section for a in cited.values())
        short += len(answer.passages) < K
        if alone.answer_rank == 1 and within.answer_rank != 1:
            worse.append(question.question)
        rows.append({"alone": alone.answer_rank, "within": within.answer_rank})
    summary = [
        {
            "asked": name,
            "questions": len(rows),
            "hit@1": round(sum(r[name] == 1 for r in rows) / len(rows), 3),
            "hit@5": round(sum(r[name] is not None for r in rows) / len(rows), 3),
        }
        for name in ("alone", "within")
    ]
    result = {"summary": summary, "worse": worse, "stray_passages": strays, "short_replies": short}
    save_json(args.out, result)
    print(table(summary, "asked questions hit@1 hit@5"))
    print(
        f"made worse by the filter: {len(worse)}; passages outside the section: {strays}; "
        f"replies with fewer than {K} passages: {short}"
    )
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
