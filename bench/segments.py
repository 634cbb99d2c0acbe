"""Updates against archive size: what a `qa build` costs when nothing or a few articles changed.

    .venv/bin/python -m bench.segments                       # BBC, 3× BBC, 1 M chunks (~25 min)
    .venv/bin/python -m bench.segments --sizes 1,3           # without the 1 M-chunk archive

Each archive is an index with its sources on disk: the BBC set built for real (its full build is
timed too, the baseline for "adding 20 articles costs at most 10% of a full build"), and larger
ones synthesized from it with their sources written beside (bench.synthesize), about 3× and
1 M chunks. On each, every `qa build` runs as its own process, timed from start to exit with
its peak resident memory: one that changes nothing, one that adds N new articles (real BBC
text with a line of its own: embedded for real), one that removes them again. The extra time
per chunk from the BBC set to the 3× archive, projected to 1 M chunks, is the growth the issue
bounds. Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from bench.load import run_load, warm_up
from bench.public import DATA, RESULTS
from bench.report import machine, memory_mib, run_measured, save_json, table
from bench.serve import serving
from bench.synthesize import synthesize_index
from qa.config import Settings

MILLION = 1_000_000
KINDS = ("no_change", "add", "remove")


def timed_build(index: Path, *arguments: str) -> dict[str, Any]:
    """`qa build --json --index INDEX ARGUMENTS` as a process: wall time, peak memory, summary."""
    command = [sys.executable, "-m", "qa", "build", "--json", "--index", str(index), *arguments]
    run = run_measured(command)
    if run.code not in (0, 3):
        raise RuntimeError(f"`{' '.join(command)}` failed: {run.stderr.decode()[-500:]}")
    summary = json.loads(run.stdout)
    return {
        "wall_s": round(run.wall_s, 2),
        "peak_rss_mib": run.peak_rss_mib,
        "embedded_chunks": summary["embedded_chunks"],
        "embed_s": round(summary["timings"].get("embed", 0.0), 2),
        "added": summary["added"],
        "removed": summary["removed"],
        "chunks": summary["chunks"],
    }


def bbc_sources(data: Path, folder: Path, held: int) -> tuple[Path, list[dict[str, Any]]]:
    """The BBC articles as one JSONL source, less the last `held`, which are returned: the
    articles an update adds (given a line of their own, so that they are new text)."""
    records = [json.loads(line) for line in (data / "bbc" / "articles.jsonl").open()]
    folder.mkdir(parents=True, exist_ok=True)
    kept, added = records[:-held], records[-held:]
    with (folder / "bbc.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in kept)
    return folder, added


def update_round(index: Path, sources: Path, added: list[dict[str, Any]]) -> dict[str, Any]:
    """No change, then `added` as a new file, then that file removed: each a timed build."""
    nothing = timed_build(index)
    batch = sources / "added.jsonl"
    with batch.open("w", encoding="utf-8") as handle:
        for number, record in enumerate(added):
            fresh = {
                **record,
                "id": f"added/{number}",
                "text": record["text"] + f"\n\nUpdate {number}.",
            }
            handle.write(json.dumps(fresh, ensure_ascii=False) + "\n")
    adding = timed_build(index)
    batch.unlink()
    removing = timed_build(index)
    return {"no_change": nothing, "add": adding, "remove": removing}


def serve_figures(index: Path, data: Path, seconds: float) -> dict[str, Any]:
    """`qa serve` on the index: one client asking the BBC questions for `seconds`, its latency
    and the server's resident memory (and its peak, VmHWM) at the end."""
    questions = [json.loads(line)["question"] for line in (data / "bbc" / "questions.jsonl").open()]
    with serving(index) as server:
        warm_up(server.port)
        result = run_load(server.port, server.pid, 1, seconds, questions)
        peak = memory_mib(server.pid, "VmHWM")
    return {**result.to_dict(), "peak_rss_mib": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--work", type=Path, default=RESULTS / "segments")
    parser.add_argument("--sizes", default="1,3,million", help="archives: 1 (BBC), 3, million")
    parser.add_argument("--add", type=int, default=20, help="articles an update adds")
    parser.add_argument("--add-million", type=int, default=100, help="…at 1 M chunks")
    parser.add_argument("--repeats", type=int, default=3, help="rounds; the fastest is kept")
    parser.add_argument("--serve-seconds", type=float, default=30.0, help="0: no serving")
    parser.add_argument("--out", type=Path, default=RESULTS / "segments.json")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the archives and full build of the last run"
    )
    args = parser.parse_args()
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    held = max(args.add, args.add_million)
    sources, added = bbc_sources(args.data, args.work / "bbc-sources", held)
    base = args.work / "bbc-index"
    if args.keep:
        full = json.loads(args.out.read_text())["full_build"]
    else:
        full = timed_build(base, str(sources), "--full")
    print(f"full build of the BBC set: {full}", flush=True)
    settings = Settings.from_env(index_dir=base)
    archives = {"1": (base, sources)}
    for size in args.sizes.split(","):
        if size != "1":
            index, folder = args.work / f"index-{size}", args.work / f"sources-{size}"
            chunks = MILLION if size == "million" else int(size) * full["chunks"]
            if not (args.keep and index.is_dir()):
                synthesize_index(base, index, chunks, settings, sources=folder)
            archives[size] = (index, folder)
    rounds: dict[str, list[dict[str, Any]]] = {size: [] for size in archives}
    for _ in range(args.repeats):  # sizes interleaved, so that a busy spell hits them all
        for size, (index, folder) in archives.items():
            count = args.add_million if size == "million" else args.add
            rounds[size].append(update_round(index, folder, added[:count]))
            print(size, json.dumps(rounds[size][-1]), flush=True)
    rows = []
    for size, measured in rounds.items():
        best = {kind: min((m[kind] for m in measured), key=lambda r: r["wall_s"]) for kind in KINDS}
        count = args.add_million if size == "million" else args.add
        row = {"archive": size, "chunks": best["no_change"]["chunks"], "added": count, **best}
        if size == "million" and args.serve_seconds:
            row["serve"] = serve_figures(archives[size][0], args.data, args.serve_seconds)
        rows.append(row)
    report = {"machine": machine(), "full_build": full, "rounds": rows, **projections(full, rows)}
    print(table(flat(rows), "archive chunks added no_change_s add_s add_embed_s remove_s peak_mib"))
    print(json.dumps({k: v for k, v in report.items() if k != "rounds"}, indent=1))
    save_json(args.out, report)


def flat(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "archive": r["archive"],
            "chunks": r["chunks"],
            "added": r["added"],
            "no_change_s": r["no_change"]["wall_s"],
            "add_s": r["add"]["wall_s"],
            "add_embed_s": r["add"]["embed_s"],
            "remove_s": r["remove"]["wall_s"],
            "peak_mib": max(r[k]["peak_rss_mib"] for k in KINDS),
        }
        for r in rows
    ]


def _outside_model(build: dict[str, Any]) -> float:
    """A build's time without the embedding of its new chunks (which the archive does not add
    to)."""
    return build["wall_s"] - build["embed_s"]


def projections(full: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The growth per chunk from the BBC set to the 3× archive, projected to 1 M chunks, and
    adding articles to the BBC set against its full build."""
    by_size = {r["archive"]: r for r in rows}
    found: dict[str, Any] = {}
    if "1" in by_size:
        found["add_over_full_build"] = round(by_size["1"]["add"]["wall_s"] / full["wall_s"], 3)
    if "1" in by_size and "3" in by_size:
        small, large = by_size["1"], by_size["3"]
        extra = large["chunks"] - small["chunks"]
        for kind in ("no_change", "add"):
            growth = (_outside_model(large[kind]) - _outside_model(small[kind])) / extra
            found[f"projected_{kind}_extra_s_at_1M"] = round(growth * MILLION, 1)
    return found


if __name__ == "__main__":
    main()
