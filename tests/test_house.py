"""The house rules of the code itself: small modules, no import cycle, one owner per fact."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from qa import cli
from qa.config import BACKENDS, ENGINES, EVAL_K, MAX_CHUNK_TOKENS, MAX_K, MIN_CHUNK_TOKENS, MODES
from qa.index import layout
from tests.conftest import ROOT

PACKAGES = ("qa", "web", "bench")
MAX_LINES = 350


def modules() -> dict[str, Path]:
    """Every module of our packages by dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ours that `name` imports, at its top or inside functions."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from its own package
                base = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                # `from package import module` imports the module; otherwise the module itself.
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target)
    return found & known


def test_no_module_of_the_library_or_the_app_is_over_the_limit() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for name, path in modules().items()
        if name.split(".")[0] in ("qa", "web")
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_there_is_no_import_cycle_anywhere() -> None:
    found = modules()
    graph = {name: imports_of(name, path, set(found)) for name, path in found.items()}
    cycles = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []
    # The check sees imports inside functions too (the CLI imports the library lazily).
    assert "qa.answer.searcher" in graph["qa.cli"]


def test_the_library_and_the_app_never_import_the_benchmarks() -> None:
    found = modules()
    for name, path in found.items():
        if name.split(".")[0] in ("qa", "web"):
            assert not {i for i in imports_of(name, path, set(found)) if i.startswith("bench")}


def test_each_index_file_is_named_in_the_layout_only() -> None:
    names = [layout.MANIFEST, layout.VECTORS, layout.EXACT_VECTORS, layout.CHUNKS]
    names += [layout.SENTENCE_SPANS, layout.SENTENCE_VECTORS, layout.SENTENCE_WORDS]
    names += [layout.SENTENCE_WORDS_OFFSETS]
    pattern = re.compile("|".join(re.escape(f'"{n}"') for n in names))
    named = {
        str(path.relative_to(ROOT))
        for path in modules().values()
        if pattern.search(path.read_text(encoding="utf-8"))
    }
    assert named == {"qa/index/layout.py"}


def test_the_committed_index_readme_is_the_one_a_build_writes() -> None:
    # A build rewrites it when it differs: the repository's copy must not describe an old layout.
    assert (ROOT / "index" / layout.README).read_text(encoding="utf-8") == layout.README_TEXT


def _option(command: click.Command, name: str) -> click.Option:
    return next(p for p in command.params if isinstance(p, click.Option) and p.name == name)


@pytest.mark.parametrize(
    ("command", "option", "choices"),
    [("ask", "mode", MODES), ("eval", "modes", MODES), ("build", "engine", ENGINES)],
)
def test_the_cli_offers_the_library_s_choices(command: str, option: str, choices: tuple) -> None:
    assert tuple(_option(cli.main.commands[command], option).type.choices) == choices


def test_the_cli_bounds_are_the_library_s() -> None:
    assert tuple(_option(cli.main, "backend").type.choices) == BACKENDS
    ask_k = _option(cli.main.commands["ask"], "k").type
    assert (ask_k.min, ask_k.max) == (1, MAX_K)
    eval_k = _option(cli.main.commands["eval"], "k").type
    assert (eval_k.min, eval_k.max) == (EVAL_K, MAX_K)
    tokens = _option(cli.main.commands["build"], "chunk_tokens").type
    assert (tokens.min, tokens.max) == (MIN_CHUNK_TOKENS, MAX_CHUNK_TOKENS)
