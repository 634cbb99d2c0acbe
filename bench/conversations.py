"""Follow-up benchmark: hit@1 of follow-up questions asked with their conversation and alone.

    .venv/bin/python -m bench.conversations              # build the index if missing, score
    .venv/bin/python -m bench.conversations --build      # refresh the index first
    .venv/bin/python -m bench.conversations --index DIR --out FILE

The conversations (bench/conversations.jsonl, written for this project by reading the articles)
are over the BBC articles (../shared/eval/bbc) and the seed article; one line each: its earlier
`turns`, the `followup`, the gold `article_id` and `answers` (strings the top passage must hold)
and its `kind`: a pronoun that points to the previous answer or to the previous question, an
ellipsis ("and in 2005?", "what about Libya?"), or a follow-up no article answers. An earlier
turn without an "answer" is answered here by the Searcher (with the turns before it as its
history), so the follow-up's history holds what the bot really said; "answer": null is a turn
the bot could not answer.

The index (the BBC articles plus seeds/) is built when missing, about 8 minutes on 2 shared
cores, and reused after. Every follow-up is asked with its history and alone (k=5, hybrid):
hit@1 is the top passage coming from the gold article and holding an answer string (the `qa
eval` rule); for an unanswerable follow-up, the answer being null. Prints a table per kind, for
all, for each half (tune: even SHA-1 of the id, the half bench.calibrate fits "not found" on;
held: the other), and for the answerable follow-ups whose last earlier answer the bot found in
the gold article (earlier-on-gold: the resolution tested apart from the earlier turn's search),
with the share of answerable follow-ups given an answer (`answered`: hit@1 reads the passages
only); writes each follow-up's searched question and outcome, and the time resolve() takes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.public import RESULTS, ROOT, arguments, held_out
from bench.quality import build
from bench.report import percentiles, save_json, table
from qa.answer.conversation import Turn, resolve
from qa.answer.records import Answer
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.evaluate import Question, judge
from qa.index.layout import MANIFEST

CONVERSATIONS = ROOT / "bench" / "conversations.jsonl"
KINDS = ("pronoun-answer", "pronoun-question", "ellipsis", "unanswerable")
K = 5
MODE = "hybrid"
# resolve() is timed over this many repetitions of every follow-up.
TIMING_ROUNDS = 20


@dataclass(frozen=True)
class Conversation:
    """Earlier turns (an answer of None: not found; absent: to be asked), and the follow-up."""

    id: str
    turns: tuple[dict[str, Any], ...]
    followup: str
    article_id: str | None
    answers: tuple[str, ...]
    kind: str

    @property
    def question(self) -> Question:
        """The follow-up as `qa eval` judges a question."""
        unanswerable = self.kind == "unanswerable"
        return Question(self.id, self.followup, self.article_id, self.answers, unanswerable)


def read_conversations(path: Path = CONVERSATIONS) -> list[Conversation]:
    """The conversations of a JSONL file; ValueError naming the line when one is malformed."""
    conversations = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        record = json.loads(line)
        kind = record.get("kind")
        turns = record.get("turns")
        if kind not in KINDS or not turns or not all("question" in t for t in turns):
            raise ValueError(f"{path}:{number}: needs turns with questions and a kind of {KINDS}")
        if (kind == "unanswerable") != (record.get("article_id") is None):
            raise ValueError(f"{path}:{number}: an article_id unless unanswerable")
        conversations.append(
            Conversation(
                record["id"],
                tuple(turns),
                record["followup"],
                record.get("article_id"),
                tuple(record.get("answers", ())),
                kind,
            )
        )
    return conversations


def history_of(searcher: Searcher, conversation: Conversation) -> list[Turn]:
    """The earlier turns, each unanswered one asked with the turns before it."""
    history: list[Turn] = []
    for turn in conversation.turns:
        if "answer" in turn:
            answer = turn["answer"]
        else:
            answer = searcher.ask(turn["question"], K, MODE, history=history).text
        history.append(Turn(turn["question"], answer))
    return history


def hit(conversation: Conversation, answer: Answer) -> bool:
    """The top passage is the gold article's and holds an answer; unanswerable: no answer."""
    if conversation.kind == "unanswerable":
        return not answer.found
    return judge(conversation.question, answer).answer_rank == 1


def score(searcher: Searcher, conversations: list[Conversation]) -> list[dict[str, Any]]:
    """One record per follow-up: what was searched, and hit@1 with the history and alone."""
    records = []
    for conversation in conversations:
        history = history_of(searcher, conversation)
        followed = searcher.ask(conversation.followup, K, MODE, history=history)
        alone = searcher.ask(conversation.followup, K, MODE)
        resolution = resolve(conversation.followup, history, searcher.index)
        earlier = next((t.answer for t in reversed(history) if t.answer), None)
        gold = searcher.index.article(conversation.article_id) if conversation.article_id else None
        records.append(
            {
                "id": conversation.id,
                "kind": conversation.kind,
                "history": [[t.question, t.answer] for t in history],
                "followup": conversation.followup,
                "searched": followed.searched,
                "preferred": list(resolution.articles),
                "answer": followed.text,
                "held": held_out(conversation.question),
                "with_history": hit(conversation, followed),
                "alone": hit(conversation, alone),
                # The bot's last earlier answer is a sentence of the gold article: the follow-up
                # tests the resolution, not whether the earlier turn found the right article.
                "earlier_on_gold": bool(earlier and gold and earlier in gold.text),
            }
        )
    return records


def resolve_ms(searcher: Searcher, records: list[dict[str, Any]]) -> list[float]:
    """The mean time resolve() takes for each follow-up with its history, in milliseconds: in
    a pass of its own, once the model's threads are idle."""
    times = []
    for record in records:
        history = [Turn(question, answer) for question, answer in record["history"]]
        started = time.perf_counter()
        for _ in range(TIMING_ROUNDS):
            resolve(record["followup"], history, searcher.index)
        times.append((time.perf_counter() - started) * 1000 / TIMING_ROUNDS)
    return times


def rows_of(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """hit@1 with the history and alone, per kind, for all follow-ups, for each half (the
    not-found model is fitted on the tuning half: bench/calibrate.py), and for the answerable
    ones whose last earlier answer the bot found in the gold article; and the share of the
    answerable ones given an answer (hit@1 asks the passages only)."""
    groups = {kind: [r for r in records if r["kind"] == kind] for kind in KINDS}
    groups["all"] = records
    groups["all/tune"] = [r for r in records if not r["held"]]
    groups["all/held"] = [r for r in records if r["held"]]
    groups["earlier-on-gold"] = [r for r in records if r["earlier_on_gold"]]
    rows = []
    for kind, chosen in groups.items():
        answerable = [r for r in chosen if r["kind"] != "unanswerable"]
        rows.append(
            {
                "kind": kind,
                "follow_ups": len(chosen),
                "with_history": round(sum(r["with_history"] for r in chosen) / len(chosen), 3),
                "alone": round(sum(r["alone"] for r in chosen) / len(chosen), 3),
                "answered": round(
                    sum(r["answer"] is not None for r in answerable) / len(answerable), 3
                )
                if answerable
                else None,
            }
        )
    return rows


def main() -> None:
    parser = arguments(__doc__, "conversations.json", index=False)
    parser.add_argument("--index", type=Path, default=RESULTS / "conversation-index")
    parser.add_argument("--conversations", type=Path, default=CONVERSATIONS)
    parser.add_argument("--build", action="store_true", help="refresh the index first")
    args = parser.parse_args()
    settings = Settings.from_env(index_dir=args.index)
    built = None
    if args.build or not (args.index / MANIFEST).is_file():
        built = build(settings, [args.data / "bbc" / "articles.jsonl", ROOT / "seeds"])
    searcher = Searcher(settings)
    searcher.ask("warm up the model and the caches", K)
    records = score(searcher, read_conversations(args.conversations))
    rows = rows_of(records)
    timing = percentiles(resolve_ms(searcher, records), digits=3)
    save_json(args.out, {"index": built, "rows": rows, "resolve": timing, "follow_ups": records})
    print(table(rows, "kind follow_ups with_history alone answered"))
    print("resolve():", ", ".join(f"{key} {value}" for key, value in timing.items()))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
