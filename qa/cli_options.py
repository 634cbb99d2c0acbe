"""The options and parameter types `qa` commands share: the index location, and what `qa ask`
and `qa chat` ask with (k, mode, filters from the command line, checked as the API checks them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

import click

from qa.config import MAX_K, MODES, index_location
from qa.index.filters import FilterError, Filters, parse_filters


class IndexLocation(click.ParamType):
    """An index directory, or a Milvus index URI kept as written (checked here)."""

    name = "DIR|URI"
    directory = click.Path(file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            location = index_location(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        return location if isinstance(location, str) else self.directory.convert(value, param, ctx)


index_option = click.option(
    "--index",
    "index_dir",
    type=IndexLocation(),
    help="Index directory (default: index/, or QA_INDEX / QA_INDEX_DIR), or a Milvus index: "
    "milvus://HOST:PORT/NAME or milvus-lite://PATH.db/NAME.",
)


@dataclass(frozen=True)
class Asking:
    """How `qa ask` and `qa chat` ask: the index, k, the mode and the filters."""

    index_dir: Path | str | None
    k: int
    mode: str
    filters: Filters


def answer_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `qa ask` and `qa chat` share, handed to the command as one `asking`."""

    @wraps(command)
    def gathered(*args: Any, **kwargs: Any) -> Any:
        picked = {name: kwargs.pop(name) for name in ("where", "since", "until", "sources")}
        asking = Asking(
            kwargs.pop("index_dir"), kwargs.pop("k"), kwargs.pop("mode"), filters_from(**picked)
        )
        return command(*args, asking=asking, **kwargs)

    options = [
        index_option,
        click.option("-k", "k", type=click.IntRange(1, MAX_K), default=5, show_default=True),
        click.option("--mode", type=click.Choice(MODES), default=MODES[0], show_default=True),
        click.option(
            "--where",
            multiple=True,
            metavar="FIELD=VALUE",
            help="Only articles whose FIELD (section, source, any metadata) is VALUE; "
            "repeat a field to accept any of its values.",
        ),
        click.option("--since", metavar="DATE", help="Only articles published on or after DATE."),
        click.option("--until", metavar="DATE", help="Only articles published on or before DATE."),
        click.option(
            "--source", "sources", multiple=True, help="Only articles from SOURCE (repeatable)."
        ),
    ]
    for option in reversed(options):
        gathered = option(gathered)
    return gathered


def filters_from(
    where: tuple[str, ...], since: str | None, until: str | None, sources: tuple[str, ...]
) -> Filters:
    """The filters the options describe, checked as the API checks them."""
    wanted: dict[str, list[str]] = {}
    for condition in where:
        field, equals, value = condition.partition("=")
        if not equals or not field.strip():
            raise click.BadParameter(f"{condition!r} is not FIELD=VALUE", param_hint="--where")
        wanted.setdefault(field.strip(), []).append(value)
    if sources:
        wanted.setdefault("source", []).extend(sources)
    raw: dict[str, Any] = {f: v[0] if len(v) == 1 else v for f, v in wanted.items()}
    if since or until:
        raw["published"] = {bound: d for bound, d in (("from", since), ("to", until)) if d}
    try:
        return parse_filters(raw)
    except FilterError as exc:
        raise click.UsageError(str(exc)) from None
