"""SQL over the articles of a chunk store (`articles AS a`): filter conditions and facets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from qa.index.filters import ARTICLE_FIELDS, DATE_FIELD, Condition, Scalar

# The filterable article fields as columns of `articles AS a`; any other field is a metadata
# entry, `m` of json_each(a.metadata), matched by its key as a bound parameter (no JSON path).
ARTICLE_COLUMNS = {"source": "a.source", "published": "a.published", "article_id": "a.id"}
# Facets list at most this many values of a field; a field with a longer text is not a facet.
MAX_FACET_VALUES = 50
MAX_FACET_CHARS = 200
# (field, is boolean, value, articles) for the sources and the metadata fields' scalar values
# (metadata named like an article field excluded), by field, most common first, then by value.
FACET_VALUES = f"""
SELECT 'source', 0, source, count(*) FROM articles GROUP BY source
UNION ALL
SELECT m.key, m.type IN ('true', 'false'), m.atom, count(*)
FROM articles AS a, json_each(a.metadata) AS m
WHERE m.type NOT IN ('null', 'array', 'object')
    AND m.key NOT IN ({", ".join("?" * len(ARTICLE_FIELDS))})
GROUP BY 1, 2, 3
ORDER BY 1, 4 DESC, 3, 2
"""


def article_clause(condition: Condition) -> tuple[str, list[Any]]:
    """SQL true of the articles (`a`) that satisfy one condition, and its parameters: any of
    its values equal, or every bound met."""
    tests = [_test(condition.field, "=", value) for value in condition.values] or [
        _test(condition.field, op, bound)
        for op, bound in ((">=", condition.low), ("<=", condition.high))
        if bound is not None
    ]
    joiner = " OR " if condition.values else " AND "
    sql = "(" + joiner.join(test for test, _ in tests) + ")"
    params = [param for _, test_params in tests for param in test_params]
    if condition.field in ARTICLE_COLUMNS:
        return sql, params
    entry = "EXISTS (SELECT 1 FROM json_each(a.metadata) AS m WHERE m.key = ? AND "
    return f"{entry}{sql})", [condition.field, *params]


def _test(field: str, op: str, value: Scalar) -> tuple[str, list[Any]]:
    """SQL comparing a field with a value (`op` is =, >= or <=), and its parameters: a date on
    the stored value's prefix of its length (a day covers its times), a metadata value only
    with values of its own JSON type (true is not 1, nor is "1")."""
    if field == DATE_FIELD:
        return f"substr({ARTICLE_COLUMNS[field]}, 1, ?) {op} ?", [len(str(value)), value]
    if field in ARTICLE_COLUMNS:
        return f"{ARTICLE_COLUMNS[field]} {op} ?", [value]
    return f"(m.type IN ({_json_types(value)}) AND m.atom {op} ?)", [value]


def _json_types(value: Scalar) -> str:
    """The json_each types, as an SQL list, of the metadata values comparable with `value`."""
    if isinstance(value, bool):
        return "'true'" if value else "'false'"
    return "'text'" if isinstance(value, str) else "'integer', 'real'"


def facet_fields(rows: Iterator[tuple[str, int, Scalar, int]]) -> dict[str, dict[str, Any]]:
    """The facets of FACET_VALUES' rows: per field its distinct count and its first values."""
    fields: dict[str, dict[str, Any]] = {}
    long: set[str] = set()
    for field, boolean, value, count in rows:
        facet = fields.setdefault(field, {"distinct": 0, "values": []})
        facet["distinct"] += 1
        if isinstance(value, str) and len(value) > MAX_FACET_CHARS:
            long.add(field)
        if len(facet["values"]) < MAX_FACET_VALUES:
            facet["values"].append({"value": bool(value) if boolean else value, "count": count})
    return {field: facet for field, facet in fields.items() if field not in long}


def facet_counts(
    rows: Iterable[tuple[str, int, Scalar, int]],
) -> Iterator[tuple[str, int, Scalar, int]]:
    """FACET_VALUES' rows from several connections, summed by (field, is boolean, value), in
    its order: by field, most common first, then by value (SQLite's: numbers before text)."""
    counts: dict[tuple[str, int, Scalar], int] = {}
    for field, boolean, value, count in rows:
        counts[field, boolean, value] = counts.get((field, boolean, value), 0) + count
    ordered = sorted(
        counts.items(), key=lambda r: (r[0][0], -r[1], isinstance(r[0][2], str), r[0][2], r[0][1])
    )
    return ((field, boolean, value, count) for (field, boolean, value), count in ordered)
