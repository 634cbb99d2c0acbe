"""`qa build | ask | serve | eval`: parse arguments, call the library, print. Nothing else."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from qa.config import Settings

EXIT_ERROR = 1
EXIT_SKIPPED = 3  # the index was built, but some files or records were skipped


def fail_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn any error into one readable line on stderr and exit status 1, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # the boundary: every library error ends here as one line
            if os.environ.get("QA_DEBUG"):
                raise
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            click.echo(f"error: {message}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper


def settings_from(ctx: click.Context, **overrides: Any) -> Settings:
    try:
        return Settings.from_env(**ctx.obj, **overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Index directory (default: index/, or QA_INDEX_DIR).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--model", help="Embedding model: a Hugging Face id or a local directory.")
@click.option(
    "--backend",
    type=click.Choice(["auto", "torch", "openvino", "openvino-int8"]),
    help="Embedding backend (default: auto, or QA_BACKEND); torch is plain fp32.",
)
@click.pass_context
def main(ctx: click.Context, model: str | None, backend: str | None) -> None:
    """Ask questions of your own news articles and get cited passages."""
    ctx.obj = {"model": model, "backend": backend}


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--full", is_flag=True, help="Re-embed every article, not only changed ones.")
@click.option("--chunk-tokens", type=click.IntRange(16, 512), help="Chunk size in tokens.")
@click.option("--chunk-overlap", type=click.IntRange(0, 256), help="Tokens shared by chunks.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
@fail_cleanly
def build(
    ctx: click.Context,
    sources: tuple[Path, ...],
    index_dir: Path | None,
    full: bool,
    chunk_tokens: int | None,
    chunk_overlap: int | None,
    as_json: bool,
) -> None:
    """Build or update the index from SOURCES (folders or files).

    With no SOURCES, rebuilds from the sources recorded in the index (seeds/ for a new one).
    Unchanged articles are not re-embedded; articles gone from the sources are removed.
    Exit status 3 means the index was built but some files or records were skipped.
    """
    from qa.build import build_index

    settings = settings_from(
        ctx, index_dir=index_dir, chunk_tokens=chunk_tokens, chunk_overlap=chunk_overlap
    )
    summary = build_index(
        settings, [str(s) for s in sources], full=full, progress=sys.stderr.isatty()
    )
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=1))
    else:
        for problem in summary.problems:
            click.echo(f"skipped {problem}", err=True)
        click.echo(
            f"index {summary.index}: {summary.articles} articles, {summary.chunks} chunks "
            f"({summary.added} added, {summary.changed} changed, {summary.removed} removed, "
            f"{summary.unchanged} unchanged, {len(summary.problems)} skipped, "
            f"{summary.duplicates} duplicates folded; {summary.embedded_chunks} chunks embedded) "
            f"in {summary.seconds:.1f} s"
        )
    if summary.problems:
        sys.exit(EXIT_SKIPPED)


@main.command()
@click.argument("question")
@index_option
@click.option("-k", "k", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option(
    "--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer JSON.")
@click.pass_context
@fail_cleanly
def ask(
    ctx: click.Context, question: str, index_dir: Path | None, k: int, mode: str, as_json: bool
) -> None:
    """Answer QUESTION from the index: the answer sentence and the cited passages."""
    from qa.search import Searcher

    if not question.strip():
        raise click.UsageError("the question is empty")
    answer = Searcher(settings_from(ctx, index_dir=index_dir)).ask(question, k=k, mode=mode)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
        return
    click.echo(render_answer(answer.to_dict(), color=sys.stdout.isatty()))


@main.command("eval")
@click.argument("questions", nargs=-1, required=True, type=click.Path(path_type=Path))
@index_option
@click.option(
    "--mode",
    "modes",
    type=click.Choice(["hybrid", "dense", "bm25"]),
    multiple=True,
    help="Retrieval mode; repeat for several (default: hybrid).",
)
@click.option("-k", "k", type=click.IntRange(10, 50), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.pass_context
@fail_cleanly
def evaluate(
    ctx: click.Context,
    questions: tuple[Path, ...],
    index_dir: Path | None,
    modes: tuple[str, ...],
    k: int,
    as_json: bool,
) -> None:
    """Score the index on QUESTIONS (JSONL files): hit@k, MRR@10, answer sentence, not-found.

    Each line: {"question", "article_id", "answers": [...]} or {"question", "unanswerable": true}.
    """
    from qa.evaluate import evaluate as run
    from qa.evaluate import format_table, read_questions, set_name
    from qa.search import Searcher

    sets = {path: read_questions(path) for path in questions}  # every file checked up front
    searcher = Searcher(settings_from(ctx, index_dir=index_dir))
    rows = [
        run(searcher, asked, mode, name=set_name(path), k=k).to_dict()
        for path, asked in sets.items()
        for mode in modes or ("hybrid",)
    ]
    click.echo(json.dumps(rows, indent=1) if as_json else format_table(rows))


@main.command()
@index_option
@click.option("--host", help="Address to listen on (default: 127.0.0.1, or QA_HOST).")
@click.option(
    "--port", type=click.IntRange(0, 65535), help="Port (default: 5000, or QA_PORT; 0: any free)."
)
@click.pass_context
@fail_cleanly
def serve(ctx: click.Context, index_dir: Path | None, host: str | None, port: int | None) -> None:
    """Serve the chat page and the JSON API (waitress) until interrupted.

    Starts without an index too (the API answers 503) and picks up each new `qa build`
    without a restart.
    """
    import logging

    import waitress

    from web import create_app

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("web").setLevel(logging.INFO)  # index reloads are worth a line
    settings = settings_from(ctx, index_dir=index_dir, host=host, port=port)
    app = create_app(settings)
    server = waitress.create_server(app, host=settings.host, port=settings.port)
    bound = getattr(server, "effective_port", settings.port)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    try:
        status = app.extensions["qa.index"].current().manifest["counts"]
        click.echo(f"index {settings.index_dir}: {status['articles']} articles")
    except RuntimeError as exc:
        click.echo(f"warning: {exc} (the page will say so until then)", err=True)
    click.echo(f"serving http://{shown}:{bound}/ (Ctrl+C stops)")
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("stopped")


@main.command()
@click.option(
    "--eval-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("../shared/eval"),
    show_default=True,
    help="The public evaluation data (bbc/, squad2/).",
)
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench-results/work"),
    show_default=True,
    help="Where the benchmark indexes are built.",
)
@click.option(
    "--backends",
    default="openvino,openvino-int8,torch",
    show_default=True,
    help="Embedding backends to compare, fastest candidate first.",
)
@click.option("--parts", default="build,quality,embed,answers,http,scale", show_default=True)
@click.option("--sizes", default="100000,1000000", show_default=True, help="Synthesized sizes.")
@click.option("--http-seconds", type=float, default=15.0, show_default=True)
@click.option("--embed-sample", type=int, default=1000, show_default=True)
@click.option(
    "--squad-step", type=int, default=1, show_default=True, help="Every Nth SQuAD question."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("bench-results/speed.json"),
    show_default=True,
)
@fail_cleanly
def bench(
    eval_dir: Path,
    work: Path,
    backends: str,
    parts: str,
    sizes: str,
    http_seconds: float,
    embed_sample: int,
    squad_step: int,
    out: Path,
) -> None:
    """Measure build throughput, embedding speed-up, answer latency and search at scale.

    Prints tables and writes the figures as JSON to --out (long: run it in the background).
    """
    from qa.bench import format_tables, run_bench

    def save(results: dict[str, Any]) -> None:
        """Merge into --out: parts measured by an earlier run are kept unless re-measured."""
        earlier = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({**earlier, **results}, indent=1), encoding="utf-8")

    results = run_bench(
        eval_dir.absolute(),
        work.absolute(),
        [b for b in backends.split(",") if b],
        [p for p in parts.split(",") if p],
        [int(s) for s in sizes.split(",") if s],
        http_seconds,
        embed_sample,
        squad_step,
        log=lambda line: click.echo(f"[bench] {line}", err=True),
        checkpoint=save,
    )
    save(results)
    click.echo(format_tables(results))
    click.echo(f"\nwritten {out}")


def render_answer(data: dict[str, Any], color: bool = False) -> str:
    """The answer JSON as terminal text: the answer sentence, then numbered cited passages."""
    lines: list[str] = []
    if data["answer"]:
        lines.append(f"Answer [{data['answer']['passage']}]: {data['answer']['text']}")
    else:
        unknown = ", ".join(f"“{word}”" for word in data["unknown_words"])
        lines.append(
            "The articles do not answer this question."
            + (f" No article mentions {unknown}." if unknown else "")
            + " The closest passages:"
        )
    for passage in data["passages"]:
        cite = passage["citation"]
        text = passage["text"]
        if passage["highlight"]:
            a, b = passage["highlight"]
            mark = ("\x1b[1m", "\x1b[0m") if color else ("»", "«")
            text = text[:a] + mark[0] + text[a:b] + mark[1] + text[b:]
        copies = f", {passage['copies']} copies folded" if passage["copies"] else ""
        lines += [
            "",
            f"[{passage['rank']}] {cite['title']}  (score {passage['score']:.2f}{copies})",
            f"    {cite['source']}, paragraph {cite['paragraph']}, "
            f"characters {cite['start']}-{cite['end']}"
            + (f", {cite['published']}" if cite["published"] else ""),
            textwrap.indent(textwrap.fill(" ".join(text.split()), width=96), "    "),
        ]
    lines.append(f"\n({data['took_ms']:.0f} ms)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
