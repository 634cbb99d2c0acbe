"""What the terminal shows: an answer as text (`qa ask`, `qa chat`) and the chat loop."""

from __future__ import annotations

import atexit
import contextlib
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.answer.conversation import MAX_TURNS, Turn
from qa.answer.searcher import Searcher
from qa.config import DEFAULT_MODEL_CACHE, MAX_K
from qa.index.filters import Filters

HELP = "commands: /clear (a new conversation), /k N (passages per answer), /quit or Ctrl-D"
HISTORY_FILE = DEFAULT_MODEL_CACHE / "chat_history"


BOLD, PLAIN = "\x1b[1m", "\x1b[0m"
UNDERLINE, NO_UNDERLINE = "\x1b[4m", "\x1b[24m"


def render_answer(data: dict[str, Any], color: bool = False) -> str:
    """The answer JSON as terminal text: the short answer (bold on a terminal), the answer
    sentence, then numbered cited passages."""
    lines: list[str] = []
    if data.get("searched", data["question"]) != data["question"]:
        lines.append(f"(searched: {data['searched']})")
    if data["answer"]:
        if short := data["answer"].get("short"):
            text = f"{BOLD}{short['text']}{PLAIN}" if color else short["text"]
            lines.append(f"Short answer [{short['passage']}]: {text}")
        lines.append(f"Answer [{data['answer']['passage']}]: {_sentence(data, color)}")
    else:
        unknown = ", ".join(f"“{word}”" for word in data["unknown_words"])
        lines.append(
            (data.get("notice") or "The articles do not answer this question.")
            + (f" No article mentions {unknown}." if unknown else "")
            + " The closest passages:"
        )
    for passage in data["passages"]:
        cite = passage["citation"]
        text = passage["text"]
        marks = _short_marks(data, passage, 0) if color else []
        if passage["highlight"]:
            a, b = passage["highlight"]
            mark = (BOLD, PLAIN) if color else ("»", "«")
            marks += [(a, mark[0]), (b, mark[1])]
        text = _marked(text, marks)
        copies = f", {passage['copies']} copies folded" if passage["copies"] else ""
        lines += [
            "",
            f"[{passage['rank']}] {cite['title']}  (score {passage['score']:.2f}{copies})",
            f"    {cite['source']}, paragraph {cite['paragraph']}, "
            f"characters {cite['start']}-{cite['end']}"
            + (f", page {cite['page']}" if cite.get("page") else "")
            + (f", {cite['published']}" if cite["published"] else ""),
            textwrap.indent(textwrap.fill(" ".join(text.split()), width=96), "    "),
        ]
    lines.append(f"\n({data['took_ms']:.0f} ms)")
    return "\n".join(lines)


def _short_marks(data: dict[str, Any], passage: dict[str, Any], at: int) -> list[tuple[int, str]]:
    """Where to underline the short answer in a text of `passage` that starts at `at` in it:
    none when the short answer is read from another passage."""
    short = data["answer"] and data["answer"].get("short")
    if not short or short["passage"] != passage["rank"]:
        return []
    start = short["start"] - passage["citation"]["start"] - at
    return [(start, UNDERLINE), (start + len(short["text"]), NO_UNDERLINE)]


def _sentence(data: dict[str, Any], color: bool) -> str:
    """The answer sentence, its short answer underlined on a terminal."""
    text, rank = data["answer"]["text"], data["answer"]["passage"]
    cited = next((p for p in data["passages"] if p["rank"] == rank), None)
    if not color or cited is None or not cited["highlight"]:
        return text
    marks = _short_marks(data, cited, cited["highlight"][0])
    return _marked(text, [(i, m) for i, m in marks if 0 <= i <= len(text)])


def _marked(text: str, marks: list[tuple[int, str]]) -> str:
    """The text with each mark put in before its offset (at one offset, in the order given)."""
    for offset, mark in sorted(marks, key=lambda m: m[0], reverse=True):
        text = text[:offset] + mark + text[offset:]
    return text


def chat(
    searcher: Searcher,
    k: int,
    mode: str,
    filters: Filters,
    show: Callable[[str], None],
    color: bool = False,
    read: Callable[[str], str] = input,
) -> None:
    """A conversation in the terminal: each question is asked with the earlier turns, so a
    follow-up ("and what did he say?") is resolved against them; Ctrl-D (or /quit) ends it."""
    _keep_line_history()
    history: list[Turn] = []
    show(f"Ask your articles ({searcher.index.article_count} indexed). {HELP}")
    while True:
        try:
            line = read("\n> ").strip()
        except EOFError:
            show("")
            return
        except KeyboardInterrupt:
            show("")
            continue
        if line in ("/quit", "/exit"):
            return
        if line == "/clear":
            history.clear()
            show("(a new conversation)")
        elif line.startswith("/k"):
            k = _new_k(line, k, show)
        elif line.startswith("/"):
            show(HELP)
        elif line:
            answer = searcher.ask(line, k=k, mode=mode, filters=filters, history=history)
            show(render_answer(answer.to_dict(), color=color))
            history = [*history, Turn(line, answer.text)][-MAX_TURNS:]


def _new_k(line: str, k: int, show: Callable[[str], None]) -> int:
    """The k a `/k N` line asks for, or the old one (with a word why) when N is not valid."""
    value = line[2:].strip()
    if value.isdigit() and 1 <= int(value) <= MAX_K:
        show(f"(answers now list {value} passage{'' if value == '1' else 's'})")
        return int(value)
    show(f"(/k takes a number from 1 to {MAX_K}; it stays {k})")
    return k


def _keep_line_history() -> None:
    """Arrow keys recall earlier questions, across sessions too, where readline exists."""
    try:
        import readline
    except ImportError:
        return
    with contextlib.suppress(OSError):  # a first chat, or an unwritable cache: no history
        Path(HISTORY_FILE).parent.mkdir(parents=True, exist_ok=True)
        readline.read_history_file(HISTORY_FILE)
    atexit.register(_save_line_history, readline)


def _save_line_history(readline: Any) -> None:
    with contextlib.suppress(OSError):
        readline.write_history_file(HISTORY_FILE)
