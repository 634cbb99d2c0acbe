"""A streaming `qa build --full`: its peak resident memory against archive size, and serving an
index of many segments against one.

    .venv/bin/python -m bench.stream                                      # BBC text, 5k chunks
    .venv/bin/python -m bench.stream --short --sizes 4000,16000,32000 --whole 16000
    .venv/bin/python -m bench.stream --skip-builds --serve-seconds 30     # 1 M chunks, ~15 min

(The builds took 17 and 28 minutes on the 2 cores, shared, at 9 and 50 chunks/s.)

Builds: the BBC articles (../shared/eval) copied into archives of about SIZES chunks, each copy
of an article ending in a line of its own (bench.synthesize.write_sources), so every chunk is
embedded for real; --short: one-sentence articles, a short chunk each (six times cheaper to
embed). Each `qa build --full` runs as its own process (bench.report.run_measured:
wall time, peak VmHWM) with the segment bound set to --bound chunks, so that every archive
streams several segments; the --whole sizes are built again with a bound above the archive: one
segment held whole, as a build did before streaming. What a chunk held costs (the two builds of one
archive) and the streamed builds' growth project builds at 1 M chunks.

Serving: `qa serve` on the 1 M-chunk synthesized index (bench.segments, one segment; read
only) and on its `qa compact` into segments of SEGMENT_CHUNKS (written under --work), one client
asking the BBC questions for --serve-seconds each: latency and resident memory.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from pathlib import Path
from typing import Any

from bench.public import DATA, RESULTS, ROOT
from bench.report import machine, run_measured, save_json, table
from bench.segments import serve_figures
from bench.synthesize import write_sources
from qa.index import stream
from qa.index.layout import MANIFEST
from qa.ingest.readers import read_sources
from qa.text.spans import sentence_spans

MILLION = 1_000_000
# The 1 M-chunk index bench.segments synthesized in the main checkout (read, never written).
MILLION_INDEX = ROOT.parent.parent / "main" / "bench-results" / "segments" / "index-million"


def qa_with_bound(bound: int, *arguments: str) -> list[str]:
    """`python -m qa ARGUMENTS` with qa.index.stream.SEGMENT_CHUNKS set to `bound`."""
    bounded = f"from qa.index import stream; stream.SEGMENT_CHUNKS = {bound}"
    code = f"{bounded}; from qa.cli import main; main()"
    return [sys.executable, "-c", code, *arguments]


def archive(data: Path, folder: Path, chunks: int) -> Path:
    """About `chunks` chunks of BBC articles as JSONL sources in `folder` (made once)."""
    if folder.is_dir():
        return folder
    originals = read_sources([data / "bbc" / "articles.jsonl"]).articles
    per_article = 2.8  # chunks of a BBC article, on average (5,699 for 2,027)
    copies = max(1, math.ceil(chunks / (per_article * len(originals))))
    count = round(chunks / (per_article * copies))
    write_sources(folder, originals[:count], copies)
    return folder


def short_archive(data: Path, folder: Path, chunks: int) -> Path:
    """`chunks` one-sentence articles, the BBC sentences in order (then again, numbered), as
    JSONL in `folder` (made once): one short chunk each, six times cheaper to embed than a news
    chunk, for sizes the full text would take hours to embed on two busy cores."""
    if folder.is_dir():
        return folder
    texts = [a.text for a in read_sources([data / "bbc" / "articles.jsonl"]).articles]
    sentences = [t[a:b] for t in texts for a, b in sentence_spans(t) if b - a > 60]
    folder.mkdir(parents=True)
    with (folder / "sentences.jsonl").open("w", encoding="utf-8") as handle:
        for n in range(chunks):
            again = f" ({n // len(sentences)})" if n >= len(sentences) else ""
            record = {"id": f"s{n}", "text": sentences[n % len(sentences)] + again}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


def timed_full_build(index: Path, sources: Path, bound: int) -> dict[str, Any]:
    """`qa build --full` of `sources` into a fresh `index`, segments bounded by `bound` chunks."""
    shutil.rmtree(index, ignore_errors=True)
    command = qa_with_bound(bound, "build", "--json", "--full", "--index", str(index), str(sources))
    run = run_measured(command)
    if run.code != 0:
        raise RuntimeError(f"`{' '.join(command)}` failed: {run.stderr.decode()[-800:]}")
    summary = json.loads(run.stdout)
    manifest = json.loads((index / MANIFEST).read_text())
    return {
        "chunks": summary["chunks"],
        "bound": bound,
        "segments": len(manifest["segments"]),
        "wall_s": round(run.wall_s, 1),
        "embed_s": round(summary["timings"].get("embed", 0.0), 1),
        "peak_mib": run.peak_rss_mib,
    }


def builds(args: argparse.Namespace) -> dict[str, Any]:
    """The streamed builds at every size, the one-segment ones at the --whole sizes."""
    rows = []
    make, name = (short_archive, "short") if args.short else (archive, "news")
    for size in [int(s) for s in args.sizes.split(",")]:
        sources = make(args.data, args.work / f"sources-{name}-{size}", size)
        built = timed_full_build(args.work / "index", sources, args.bound)
        rows.append({"kind": "streamed", "articles": name, **built})
        print(json.dumps(rows[-1]), flush=True)
        if str(size) in args.whole.split(","):
            whole = timed_full_build(args.work / "index", sources, 10**9)
            rows.append({"kind": "one segment", "articles": name, **whole})
            print(json.dumps(rows[-1]), flush=True)
    return {"rows": rows, **projection(rows)}


def projection(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Builds at 1 M chunks, projected: what a chunk held costs (the one-segment build against
    the streamed one of the same archive, which holds at most about `bound`), and the streamed
    builds' growth between the two largest archives (past the embedding runtime's warm-up)."""
    streamed = sorted((r for r in rows if r["kind"] == "streamed"), key=lambda r: r["chunks"])
    by_size = {r["chunks"]: r for r in streamed}
    both = [(r, by_size[r["chunks"]]) for r in rows if r["kind"] == "one segment"]
    if not both or len(streamed) < 2:
        return {}
    whole, same = max(both, key=lambda pair: pair[0]["chunks"])
    held = (whole["peak_mib"] - same["peak_mib"]) / (whole["chunks"] - same["bound"])
    first, last = streamed[-2:]
    grown = max(0.0, (last["peak_mib"] - first["peak_mib"]) / (last["chunks"] - first["chunks"]))
    at_million = last["peak_mib"] + grown * (MILLION - last["chunks"])
    return {
        "held_kib_per_chunk": round(1024 * held, 2),
        "streamed_growth_kib_per_chunk": round(1024 * grown, 3),
        "projected_one_segment_1m_mib": round(whole["peak_mib"] + held * MILLION),
        "projected_streamed_1m_mib": round(
            at_million + held * (stream.SEGMENT_CHUNKS - last["bound"])
        ),
        "segment_chunks": stream.SEGMENT_CHUNKS,
    }


def serving(args: argparse.Namespace) -> list[dict[str, Any]]:
    """`qa serve` on the 1 M-chunk index as one segment and compacted into bounded ones."""
    many = args.work / "index-million-segments"
    if not (many / MANIFEST).is_file():
        shutil.rmtree(many, ignore_errors=True)
        shutil.copytree(args.million, many)
    compacted: dict[str, Any] = {}
    if len(json.loads((many / MANIFEST).read_text())["segments"]) == 1:
        run = run_measured([sys.executable, "-m", "qa", "compact", "--index", str(many)])
        if run.code != 0:
            raise RuntimeError(f"qa compact failed: {run.stderr.decode()[-800:]}")
        compacted = {"compact_wall_s": round(run.wall_s, 1), "compact_peak_mib": run.peak_rss_mib}
        print(json.dumps(compacted), flush=True)
    rows = []
    for name, index in (("one segment", args.million), ("segments", many)):
        segments = len(json.loads((index / MANIFEST).read_text())["segments"])
        figures = serve_figures(index, args.data, args.serve_seconds)
        rows.append(
            {"index": name, "segments": segments, **figures, **(compacted if index == many else {})}
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--work", type=Path, default=RESULTS / "stream")
    parser.add_argument("--sizes", default="5000", help="archives, in chunks")
    parser.add_argument("--whole", default="5000", help="sizes also built as one segment")
    parser.add_argument("--short", action="store_true", help="one-sentence articles")
    parser.add_argument("--bound", type=int, default=2_500, help="segment bound of the builds")
    parser.add_argument("--million", type=Path, default=MILLION_INDEX, help="read only")
    parser.add_argument("--serve-seconds", type=float, default=0.0, help="0: no serving")
    parser.add_argument("--skip-builds", action="store_true", help="serving only")
    parser.add_argument("--out", type=Path, default=RESULTS / "stream.json")
    args = parser.parse_args()
    report: dict[str, Any] = {"machine": machine()}
    if not args.skip_builds:
        report["builds"] = builds(args)
        print(
            table(
                report["builds"]["rows"],
                "kind articles chunks bound segments wall_s embed_s peak_mib",
            )
        )
        print(json.dumps({k: v for k, v in report["builds"].items() if k != "rows"}, indent=1))
    if args.serve_seconds:
        report["serve"] = serving(args)
        print(
            table(report["serve"], "index segments requests p50_ms p95_ms rss_end_mib peak_rss_mib")
        )
    save_json(args.out, report)


if __name__ == "__main__":
    main()
