"""Speed: build throughput, embedding speed against plain fp32, answer latency, scale.

    .venv/bin/python -m bench.speed --parts build,quality,embed,answers,http      # ~12 min
    .venv/bin/python -m bench.speed --parts scale,http --backends openvino          # 100k, 1M
    .venv/bin/python -m bench.speed --parts build --articles 800 --backends openvino,torch

Every ratio is measured in one run on one machine (CPU timings are noisy on shared hosts).
The 100k and 1M chunk indexes are synthesized from a real one (bench.synthesize). Prints tables
and writes the figures as JSON (merged into --out: parts measured earlier are kept).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.build_speed import bench_builds, bench_embedding, first_articles
from bench.conversations import history_of
from bench.load import interleaved, run_load, warm_up, with_followups
from bench.public import DATA, RESULTS, corpus, questions_file
from bench.report import machine, memory_mib, percentiles, save_json, table
from bench.scale import bench_ann_choices, bench_search
from bench.serve import serving
from bench.synthesize import synthesize_index
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import load_embedder
from qa.evaluate import evaluate, read_questions
from qa.index.manifest import read_manifest
from qa.index.reader import LocalIndex

PARTS = ("build", "quality", "embed", "answers", "http", "scale")


def chunker_env(index_dir: Path) -> dict[str, str]:
    """QA_* variables that open this index whatever today's chunker defaults are."""
    chunker = read_manifest(index_dir)["chunker"]
    return {f"QA_{key.upper()}": str(value) for key, value in chunker.items()}


def settings_for(index_dir: Path, backend: str) -> Settings:
    """Settings that open this index whatever today's chunker defaults are (they may change)."""
    chunker = read_manifest(index_dir)["chunker"]
    return Settings.from_env(index_dir=index_dir, backend=backend, **chunker)


# --- answers through the library ----------------------------------------------------------------


def bench_answers(settings: Settings, questions: Sequence[str]) -> dict[str, Any]:
    """Searcher.ask on every question and the follow-ups mixed in (bench.load.interleaved,
    with their histories), once warmed: latency percentiles and answers/s."""
    searcher = Searcher(settings)
    searcher.ask(questions[0])
    asks = [
        (item, []) if isinstance(item, str) else (item.followup, history_of(searcher, item))
        for item in interleaved(questions)
    ]
    times = []
    started = time.perf_counter()
    for question, history in asks:
        mark = time.perf_counter()
        searcher.ask(question, history=history)
        times.append((time.perf_counter() - mark) * 1000)
    elapsed = time.perf_counter() - started
    return {
        "questions": len(asks),
        **percentiles(times, 2),
        "answers_per_s": round(len(asks) / elapsed, 1),
    }


# --- answers through HTTP: the real `qa serve` ----------------------------------------------------


def bench_http(
    index_dir: Path, backend: str, questions: Sequence[str], clients: Sequence[int], seconds: float
) -> dict[str, Any]:
    """POST /api/ask from 1, 4, 16… concurrent clients, each level bounded to `seconds`; the
    questions with follow-ups mixed in (bench.load.with_followups)."""
    started = time.perf_counter()
    with serving(index_dir, env={**chunker_env(index_dir), "QA_BACKEND": backend}) as server:
        warm_up(server.port)
        startup = time.perf_counter() - started
        requests = with_followups(server.port, questions)
        levels = [
            run_load(server.port, server.pid, count, seconds, requests).to_dict()
            for count in clients
        ]
        return {
            "backend": backend,
            "startup_s": round(startup, 1),
            "server_rss_mib": memory_mib(server.pid),
            "server_peak_rss_mib": memory_mib(server.pid, "VmHWM"),
            "levels": levels,
        }


# --- the whole run -------------------------------------------------------------------------


def run_bench(
    eval_dir: Path,
    work: Path,
    backends: Sequence[str],
    parts: Sequence[str],
    sizes: Sequence[int],
    http_seconds: float,
    embed_sample: int,
    squad_step: int,
    articles: int,
    log: Callable[[str], None],
    checkpoint: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """Every measurement of `parts`, in one run; `checkpoint` gets the results after each part."""
    sources = [str(path) for path in corpus(eval_dir)]
    asked = {name: read_questions(questions_file(eval_dir, name)) for name in ("bbc", "squad2")}
    asked["squad2"] = asked["squad2"][::squad_step]
    # Latency questions: every BBC one and the first SQuAD ones, 300 in all.
    questions = [q.question for q in [*asked["bbc"], *asked["squad2"]]][:300]
    fast = backends[0]
    index_of = {name: work / f"index-{name}" for name in backends}
    results: dict[str, Any] = {"machine": machine(), "backends": list(backends)}

    if "build" in parts:
        log(f"build with {', '.join(backends)}, each beside plain fp32 encode")
        built = first_articles(sources, articles, work) if articles else sources
        results["build"] = bench_builds(built, backends, work, embed_sample)

    checkpoint(results)
    if "quality" in parts:
        results["quality"] = []
        for index_backend in backends:
            # Each index with its own backend; the fp32 one also with the fast backend's queries
            # (indexes are meant to be searchable by any backend of the same weights).
            extra = [fast] if index_backend == "torch" else []
            for query_backend in dict.fromkeys([index_backend, *extra]):
                log(f"quality: index {index_backend}, queries {query_backend}")
                settings = settings_for(index_of[index_backend], query_backend)
                searcher = Searcher(settings)
                for name, items in asked.items():
                    report = evaluate(searcher, items, "hybrid", name=name).to_dict()
                    results["quality"].append(
                        {"index": index_backend, "queries": query_backend, **report}
                    )

    checkpoint(results)
    if "embed" in parts:
        log("embedding: backends against plain SentenceTransformer.encode fp32")
        texts = list(LocalIndex(index_of[fast]).store.chunk_texts())
        sample = texts[:: max(1, len(texts) // embed_sample)][:embed_sample]
        results["embed"] = bench_embedding(sample, backends, Settings())

    checkpoint(results)
    if "answers" in parts:
        results["answers"] = []
        for name in backends:
            log(f"answers through the library ({name})")
            settings = settings_for(index_of[name], name)
            results["answers"].append({"backend": name, **bench_answers(settings, questions)})

    checkpoint(results)
    if "http" in parts:
        log("answers through HTTP")
        results["http"] = [
            {
                "index": "eval",
                **bench_http(index_of[fast], fast, questions, (1, 4, 16), http_seconds),
            }
        ]

    checkpoint(results)
    if "scale" in parts:
        results["scale"] = []
        settings = Settings(backend=fast)
        queries = load_embedder(settings).encode(questions)
        for size in sizes:
            target = work / f"index-{size}"
            log(f"scale: synthesizing {size} chunks")
            made = synthesize_index(index_of[fast], target, size, settings)
            matrix = made.pop("matrix")
            row = {"target": size, **made}
            log(f"scale: search at {made['chunks']} chunks")
            row.update(bench_search(matrix, queries, target))
            if size <= 200_000:
                row["ann_choices"] = bench_ann_choices(matrix, queries)
            del matrix
            row["answers"] = bench_answers(settings_for(target, fast), questions)
            if "http" in parts:
                log(f"scale: HTTP at {made['chunks']} chunks")
                row["http"] = bench_http(target, fast, questions, (1, 4), http_seconds)
            results["scale"].append(row)
            checkpoint(results)
    return results


def format_tables(results: dict[str, Any]) -> str:
    """The results as plain-text tables, one per part."""
    out = [f"machine: {results['machine']}"]
    if "build" in results:
        out.append(
            table(
                results["build"],
                "backend used articles chunks wall_s article_pieces_per_s "
                "plain_fp32_pieces_per_s x_plain_fp32 peak_rss_mib bytes_per_chunk",
            )
        )
        out.append(
            table(
                results["build"],
                "backend start_s load_s read_s chunk_s embed_tokenize_s embed_model_s "
                "embed_pool_s write_s",
            )
        )
    if "embed" in results:
        out.append(
            table(
                results["embed"],
                "variant pieces_per_s x_fp32 cosine_mean cosine_min query_ms",
            )
        )
    if "quality" in results:
        out.append(
            table(
                results["quality"],
                "index queries questions answer_hit@1 answer_hit@5 article_hit@1 mrr@10 p50_ms",
            )
        )
    if "answers" in results:
        out.append(
            table(results["answers"], "backend questions p50_ms p95_ms p99_ms answers_per_s")
        )
    http = [
        {"index": h["index"], "startup_s": h["startup_s"], "rss_mib": h["server_rss_mib"], **level}
        for h in results.get("http", [])
        for level in h["levels"]
    ]
    for row in results.get("scale", []):
        out.append(
            f"scale {row['chunks']} chunks: {row['vector_index']}, recall@10 {row['recall@10']}, "
            f"search {row['search_ms']}, exact {row['exact_search_ms']}, "
            f"{row['bytes_per_chunk']} bytes/chunk on disk, library answers {row['answers']}"
        )
        if "ann_choices" in row:
            out.append(
                table(row["ann_choices"], "index build_s recall@10 search_ms bytes_per_vector")
            )
        if "http" in row:
            http += [
                {
                    "index": row["chunks"],
                    "startup_s": row["http"]["startup_s"],
                    "rss_mib": row["http"]["server_rss_mib"],
                    **level,
                }
                for level in row["http"]["levels"]
            ]
    if http:
        out.append(
            table(
                http,
                "index startup_s rss_mib clients requests errors p50_ms p95_ms p99_ms "
                "throughput_rps",
            )
        )
    return "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DATA, help="the public data")
    parser.add_argument("--work", type=Path, default=RESULTS / "work", help="benchmark indexes")
    parser.add_argument(
        "--backends",
        default="openvino,openvino-int8,torch",
        help="embedding backends to compare, fastest candidate first",
    )
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--sizes", default="100000,1000000", help="synthesized sizes")
    parser.add_argument("--http-seconds", type=float, default=15.0)
    parser.add_argument("--embed-sample", type=int, default=1000)
    parser.add_argument("--squad-step", type=int, default=1, help="every Nth SQuAD question")
    parser.add_argument(
        "--articles", type=int, default=0, help="build only the first N BBC articles (0: all)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "speed.json")
    args = parser.parse_args()

    def checkpoint(results: dict[str, Any]) -> None:
        """Merge into --out: parts measured by an earlier run are kept unless re-measured."""
        earlier = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
        save_json(args.out, {**earlier, **results})

    results = run_bench(
        args.eval_dir.absolute(),
        args.work.absolute(),
        [b for b in args.backends.split(",") if b],
        [p for p in args.parts.split(",") if p],
        [int(s) for s in args.sizes.split(",") if s],
        args.http_seconds,
        args.embed_sample,
        args.squad_step,
        args.articles,
        log=lambda line: print(f"[bench] {line}", file=sys.stderr, flush=True),
        checkpoint=checkpoint,
    )
    checkpoint(results)
    print(format_tables(results))
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
