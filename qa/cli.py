"""`qa build | compact | ask | eval | serve`: parse arguments, call the library, print."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from qa.cli_options import Asking, answer_options, index_option
from qa.config import (
    BACKENDS,
    ENGINES,
    EVAL_K,
    MAX_CHUNK_TOKENS,
    MAX_K,
    MIN_CHUNK_TOKENS,
    MODES,
    Settings,
)
from qa.errors import first_line

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
            click.echo(f"error: {first_line(exc)}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper


def settings_from(ctx: click.Context, **overrides: Any) -> Settings:
    try:
        return Settings.from_env(**ctx.obj, **overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--model", help="Embedding model: a Hugging Face id or a local directory.")
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    help="Embedding backend (default: auto, or QA_BACKEND); torch is plain fp32.",
)
@click.pass_context
def main(ctx: click.Context, model: str | None, backend: str | None) -> None:
    """Ask questions of your own news articles and get cited passages."""
    ctx.obj = {"model": model, "backend": backend}


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--full", is_flag=True, help="Re-embed every article, not only changed ones.")
@click.option(
    "--chunk-tokens",
    type=click.IntRange(MIN_CHUNK_TOKENS, MAX_CHUNK_TOKENS),
    help="Chunk size in tokens.",
)
@click.option(
    "--chunk-overlap",
    type=click.IntRange(0, MAX_CHUNK_TOKENS - 1),
    help="Tokens shared by chunks (fewer than the chunk size).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    help="Chunk and embed here (local) or as a Ray Data pipeline (ray; RAY_ADDRESS: a cluster).",
)
@click.option("--ray-actors", type=click.IntRange(0), help="Ray actors (default: one per CPU).")
@click.option("--ray-gpus", type=click.FloatRange(0), help="GPUs per Ray actor (default: 0).")
@click.pass_context
@fail_cleanly
def build(
    ctx: click.Context,
    sources: tuple[Path, ...],
    index_dir: Path | str | None,
    full: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """Build or update the index from SOURCES (folders or files).

    With no SOURCES, rebuilds from the sources recorded in the index (seeds/ for a new one).
    Unchanged articles are not re-embedded; articles gone from the sources are removed.
    Exit status 3 means the index was built but some files or records were skipped.
    """
    from qa.index.build import build_index

    settings = settings_from(ctx, index_dir=index_dir, **options)
    summary = build_index(
        settings, [str(s) for s in sources], full=full, progress=sys.stderr.isatty()
    )
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=1))
    else:
        for problem in summary.problems:
            click.echo(f"skipped {problem}", err=True)
        click.echo(summary.describe())
    if summary.problems:
        sys.exit(EXIT_SKIPPED)


@main.command()
@index_option
@click.pass_context
@fail_cleanly
def compact(ctx: click.Context, index_dir: Path | str | None) -> None:
    """Merge the index's segments (into one; at 1 M chunks, into ~10 of the bound), reclaiming
    deleted chunks (builds merge some too)."""
    from qa.index.location import compact as compact_index

    settings = settings_from(ctx, index_dir=index_dir)
    before, after = compact_index(settings.index_dir, settings.ann_min_chunks)
    reclaimed = sum(s.get("deleted_chunks", 0) for s in before["segments"])
    click.echo(
        f"index {settings.index_dir}: {len(before['segments'])} segments merged into "
        f"{len(after['segments'])} "
        f"({after['counts']['chunks']} chunks, {reclaimed} deleted chunks reclaimed)"
    )


@main.command()
@click.argument("question")
@answer_options
@click.option("--json", "as_json", is_flag=True, help="Print the answer JSON.")
@click.pass_context
@fail_cleanly
def ask(ctx: click.Context, question: str, asking: Asking, as_json: bool) -> None:
    """Answer QUESTION from the index: the answer sentence and the cited passages."""
    from qa.answer.searcher import Searcher
    from qa.terminal import render_answer

    if not question.strip():
        raise click.UsageError("the question is empty")
    searcher = Searcher(settings_from(ctx, index_dir=asking.index_dir))
    answer = searcher.ask(question, k=asking.k, mode=asking.mode, filters=asking.filters)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
        return
    click.echo(render_answer(answer.to_dict(), color=sys.stdout.isatty()))


@main.command()
@answer_options
@click.pass_context
@fail_cleanly
def chat(ctx: click.Context, asking: Asking) -> None:
    """A conversation with the index: follow-up questions are read against the earlier ones.

    /clear starts a new conversation, /k N changes how many passages are listed, Ctrl-D quits.
    """
    from qa.answer.searcher import Searcher
    from qa.terminal import chat as converse

    searcher = Searcher(settings_from(ctx, index_dir=asking.index_dir))
    converse(searcher, asking.k, asking.mode, asking.filters, click.echo, sys.stdout.isatty())


@main.command("eval")
@click.argument("questions", nargs=-1, required=True, type=click.Path(path_type=Path))
@index_option
@click.option(
    "--mode",
    "modes",
    type=click.Choice(MODES),
    multiple=True,
    help=f"Retrieval mode; repeat for several (default: {MODES[0]}).",
)
@click.option(
    "-k",
    "k",
    type=click.IntRange(EVAL_K, MAX_K),
    default=EVAL_K,
    show_default=True,
    help=f"Passages per question (at least the {EVAL_K} that MRR@{EVAL_K} reads).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.pass_context
@fail_cleanly
def evaluate(
    ctx: click.Context,
    questions: tuple[Path, ...],
    modes: tuple[str, ...],
    index_dir: Path | str | None,
    k: int,
    as_json: bool,
) -> None:
    """Score the index on QUESTIONS (JSONL files): hit@k, MRR@10, answer sentence, short answer
    (SQuAD exact match and F1), not-found.

    Each line: {"question", "article_id", "answers": [...]} or {"question", "unanswerable": true}.
    """
    from qa.answer.searcher import Searcher
    from qa.evaluate import evaluate as run
    from qa.evaluate import format_table, read_questions, set_name

    sets = {path: read_questions(path) for path in questions}  # every file checked up front
    searcher = Searcher(settings_from(ctx, index_dir=index_dir))
    rows = [
        run(searcher, asked, mode, name=set_name(path), k=k).to_dict()
        for path, asked in sets.items()
        for mode in modes or MODES[:1]
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
def serve(
    ctx: click.Context, index_dir: Path | str | None, host: str | None, port: int | None
) -> None:
    """Serve the chat page and the JSON API (waitress) until interrupted.

    Starts without an index too (the API answers 503) and picks up each new `qa build`
    without a restart.
    """
    import logging

    import waitress

    from web import create_app
    from web.auth import is_loopback
    from web.holder import index_holder

    settings = settings_from(ctx, index_dir=index_dir, host=host, port=port)
    if not settings.api_token and not is_loopback(settings.host):
        message = f"error: host {settings.host} is beyond loopback: set QA_API_TOKEN to a secret"
        click.echo(message, err=True)
        sys.exit(EXIT_ERROR)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("web").setLevel(logging.INFO)  # index reloads are worth a line
    app = create_app(settings)
    server = waitress.create_server(app, host=settings.host, port=settings.port)
    bound = getattr(server, "effective_port", settings.port)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    try:
        index = index_holder(app).current().index
        click.echo(f"index {index.where}: {index.article_count} articles")
    except RuntimeError as exc:
        click.echo(f"warning: {exc} (the page will say so until then)", err=True)
    click.echo(f"serving http://{shown}:{bound}/ (Ctrl+C stops)")
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("stopped")


if __name__ == "__main__":
    main()
