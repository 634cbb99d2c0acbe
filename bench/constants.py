"""Rewriting the fitted constants of qa/answer/tuned.py in place (`--write` of bench.tune and
bench.calibrate): each assignment named is replaced by the new literal, the rest kept."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from qa.answer import tuned

TUNED_FILE = Path(tuned.__file__)


def literal(name: str, value: Any) -> str:
    """`NAME = value` as the file writes it: a dictionary one key a line."""
    if isinstance(value, dict):
        items = "".join(f"    {json.dumps(key)}: {item!r},\n" for key, item in value.items())
        return f"{name} = {{\n{items}}}"
    return f"{name} = {value!r}"


def rewrite(values: dict[str, Any], path: Path = TUNED_FILE) -> None:
    """Replace the assignments of `values`' names in `path` (each must already be there)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    spans = {
        node.targets[0].id: (node.lineno - 1, node.end_lineno)
        for node in ast.parse("".join(lines)).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    missing = set(values) - set(spans)
    if missing:
        raise KeyError(f"{path} assigns no {', '.join(sorted(missing))}")
    for name in sorted(values, key=lambda n: -spans[n][0]):  # bottom up: earlier lines stay put
        start, end = spans[name]
        lines[start:end] = [literal(name, values[name]) + "\n"]
    path.write_text("".join(lines), encoding="utf-8")
