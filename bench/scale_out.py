"""Past one machine: the BBC set built into a real Milvus server against the local index, and
served by two `qa serve` replicas against one Milvus.

    .venv/bin/python -m bench.scale_out [--data ../shared/eval] [--out bench-results/scale_out.json]

Starts the Milvus 2.3.5 standalone server (PyPI `milvus`, the C++ engine; the `test` extra
installs it), builds ../shared/eval/bbc/articles.jsonl into it and into a local directory (both
--full, timed), asks every BBC question in the dense mode (the only one Milvus 2.3 answers) of
both and compares: hit@1, answers equal, vector search and whole-answer p50. Then two `qa
serve --index milvus://…` replicas answer every question: their answers must be identical. Stops
the server by its process id at the end; writes the figures as JSON.
"""

from __future__ import annotations

import http.client
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.load import ask
from bench.milvus_server import milvus_server
from bench.public import RESULTS, arguments, questions_file
from bench.report import machine, percentiles, save_json, table
from bench.serve import HOST, serving
from qa.answer.records import Answer
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import load_embedder
from qa.evaluate import Question, Report, judge, read_questions
from qa.index.build import build_index

MODE = "dense"
K = 10
# The bound: the Milvus index's dense hit@1 within this of the local index's.
HIT_TOLERANCE = 0.02
REPLICAS = 2


def built(settings: Settings, source: Path, embedder) -> dict[str, Any]:
    """A full build of `source` into `settings.index_dir`, timed."""
    started = time.perf_counter()
    summary = build_index(settings, [str(source)], full=True, embedder=embedder)
    return {**summary.to_dict(), "wall_s": round(time.perf_counter() - started, 1)}


def answers(searcher: Searcher, questions: Sequence[Question]) -> list[Answer]:
    searcher.ask("warm up the caches", k=K, mode=MODE)
    return [searcher.ask(q.question, k=K, mode=MODE) for q in questions]


def cited(answer: Answer) -> tuple:
    """What makes two answers the same: the sentence and every passage's citation."""
    return answer.text, [
        (p.citation.article_id, p.citation.start, p.citation.end) for p in answer.passages
    ]


def search_p50(searcher: Searcher, questions: Sequence[Question]) -> float:
    """The p50 of the vector search alone (the question already embedded), in ms."""
    vectors = [searcher.embedder.encode_query(q.question) for q in questions]
    times = []
    for vector in vectors:
        started = time.perf_counter()
        searcher.index.search(vector, 50)
        times.append((time.perf_counter() - started) * 1000)
    return percentiles(times, 2)["p50_ms"]


def scored(name: str, searcher: Searcher, questions: Sequence[Question]) -> tuple[dict, list]:
    replies = answers(searcher, questions)
    report = Report("bbc", MODE, [judge(q, a) for q, a in zip(questions, replies, strict=True)])
    figures = report.to_dict()
    return {
        "index": name,
        "hit@1": figures["answer_hit@1"],
        "hit@5": figures["answer_hit@5"],
        "mrr@10": figures["mrr@10"],
        "answer_p50_ms": figures["p50_ms"],
        "search_p50_ms": search_p50(searcher, questions),
    }, replies


def replicas_agree(uri: str, questions: Sequence[Question]) -> dict[str, Any]:
    """Every question to each of REPLICAS `qa serve` processes on one Milvus index."""
    bodies: list[list[dict]] = []
    with serving(uri) as first, serving(uri) as second:
        for server in (first, second):
            connection = http.client.HTTPConnection(HOST, server.port, timeout=120)
            replies = []
            for question in questions:
                status, body = ask(connection, question.question, K, MODE)
                reply = json.loads(body)
                reply.pop("took_ms", None)
                replies.append({"status": status, **reply})
            bodies.append(replies)
            connection.close()
    same = sum(a == b for a, b in zip(*bodies, strict=True))
    failed = sum(r["status"] != 200 for replies in bodies for r in replies)
    return {"replicas": REPLICAS, "questions": len(questions), "identical": same, "failed": failed}


def main(argv: Sequence[str] | None = None) -> int:
    parser = arguments(__doc__, "scale_out.json", index=False)
    parser.add_argument("--local-index", type=Path, default=RESULTS / "scale-out-index")
    options = parser.parse_args(argv)
    source = options.data / "bbc" / "articles.jsonl"
    if not source.is_file():
        print(f"error: {source} not found (the public data lives beside the repo)", file=sys.stderr)
        return 1
    questions = read_questions(questions_file(options.data, "bbc"))
    local = Settings.from_env(index_dir=options.local_index)
    embedder = load_embedder(local)
    with tempfile.TemporaryDirectory() as data:
        started = time.perf_counter()
        with milvus_server(Path(data)) as server:
            server_start_s = round(time.perf_counter() - started, 1)
            milvus = local.overridden(index_dir=f"{server}/bbc")
            builds = [
                {**built(milvus, source, embedder), "index": "milvus 2.3.5"},
                {**built(local, source, embedder), "index": "local"},
            ]
            rows, replies = zip(
                *(
                    scored(name, Searcher(s, embedder=embedder), questions)
                    for name, s in (("local", local), ("milvus 2.3.5", milvus))
                ),
                strict=True,
            )
            equal = sum(cited(a) == cited(b) for a, b in zip(*replies, strict=True))
            serving_figures = replicas_agree(milvus.index_dir, questions)
    print(table(builds, "index articles chunks embedded_chunks wall_s"))
    print()
    print(table(list(rows), "index hit@1 hit@5 mrr@10 search_p50_ms answer_p50_ms"))
    gap = abs(rows[0]["hit@1"] - rows[1]["hit@1"])
    print(
        f"\nanswers equal (sentence and every citation): {equal} of {len(questions)}; "
        f"hit@1 gap {gap:.4f} (bound {HIT_TOLERANCE})"
    )
    print(
        f"{REPLICAS} replicas on one Milvus: {serving_figures['identical']} of "
        f"{len(questions)} answers identical, {serving_figures['failed']} failed requests; "
        f"Milvus server started in {server_start_s} s"
    )
    save_json(
        options.out,
        {
            "machine": machine(),
            "server_start_s": server_start_s,
            "builds": builds,
            "dense": list(rows),
            "answers_equal": equal,
            "questions": len(questions),
            "hit1_gap": round(gap, 4),
            "replicas": serving_figures,
        },
    )
    print(f"\nwrote {options.out}")
    ok = gap <= HIT_TOLERANCE and serving_figures["identical"] == len(questions)
    return 0 if ok and not serving_figures["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
