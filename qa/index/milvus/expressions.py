"""Filters as Milvus boolean expressions, exact inside the search (never post-filtered).

The same meaning as the chunk store's SQL (qa.index.chunks): a date stands for its whole day,
an article without a date matches no date condition, and a metadata value matches only values of
its own JSON type (true is not 1, nor is "1"). Milvus engines differ on JSON types (2.3 compares
them strictly, milvus-lite 3 as Python does), so each chunk carries its article's metadata split
by type into METADATA_COLUMNS, and a condition reads the column of its value's type.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from qa.index.filters import DATE_FIELD, Condition, Filters, Scalar

# Article fields as chunk fields; any other filter field is a metadata entry.
FIELD_COLUMNS = {"source": "source", "published": "published", "article_id": "article_id"}
METADATA_COLUMNS = {"text": "meta_text", "number": "meta_number", "boolean": "meta_bool"}
NO_DATE = ""  # how a chunk of an article without a date stores `published`


def literal(value: Scalar) -> str:
    """A Milvus literal: a double-quoted string (JSON escapes), true/false, or a number."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def rows_expression(rows: Iterable[int]) -> str:
    """True of the chunk rows listed."""
    return f"row in [{', '.join(str(int(r)) for r in rows)}]"


def both(*expressions: str) -> str:
    """The conjunction of the non-empty expressions ('' when there is none: every row)."""
    return " and ".join(f"({e})" for e in expressions if e)


def filters_expression(filters: Filters) -> str:
    """True of the chunks of the articles that satisfy every condition ('' for no condition)."""
    return both(*(_condition(c) for c in filters))


def typed_metadata(metadata: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """An article's scalar metadata by METADATA_COLUMNS column (lists, objects, null left out)."""
    typed: dict[str, dict[str, Any]] = {column: {} for column in METADATA_COLUMNS.values()}
    for key, value in metadata.items():
        kind = _kind(value)
        if kind is not None:
            typed[METADATA_COLUMNS[kind]][key] = value
    return typed


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "text"
    return "number" if isinstance(value, int | float) else None


def _condition(condition: Condition) -> str:
    """Any of its values equal, or every bound met."""
    if condition.values:
        return " or ".join(f"({_test(condition.field, '==', v)})" for v in condition.values)
    bounds = ((">=", condition.low), ("<=", condition.high))
    return both(*(_test(condition.field, op, bound) for op, bound in bounds if bound is not None))


def _test(field: str, op: str, value: Scalar) -> str:
    """One comparison of a field with a value (`op` is ==, >= or <=)."""
    if field == DATE_FIELD:
        return _date_test(op, str(value))
    if field in FIELD_COLUMNS:
        return f"{FIELD_COLUMNS[field]} {op} {literal(value)}"
    column = METADATA_COLUMNS[_kind(value) or "text"]
    return f"{column}[{literal(field)}] {op} {literal(value)}"


def _date_test(op: str, value: str) -> str:
    """A date compared on the stored value's prefix of its length: equal is a prefix match, at
    least is plain order, at most is order or the prefix (a day covers its times)."""
    column = FIELD_COLUMNS[DATE_FIELD]
    prefix = f"{column} like {literal(value + '%')}"  # dates hold neither % nor _
    if op == "==":
        return prefix
    if op == ">=":
        return f"{column} >= {literal(value)}"
    return f'{column} != "{NO_DATE}" and ({column} <= {literal(value)} or {prefix})'
