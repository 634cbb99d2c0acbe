"""Filters on the articles a search may cite: parsed once, checked strictly, exact in the index.

A filter maps a field (`source`, `published`, `article_id`, or any metadata field the articles
carry, such as the BBC set's `section`) to a value: a string, number or boolean (equal), a list
(any of), or {"from": ..., "to": ...} (inclusive; ISO 8601 dates for `published`).

Dates are compared as written, on the stored value's leading characters: a date stands for the
whole day ("2005-06-30" matches "2005-06-30T18:00:00+00:00"); an offset in a bound is ignored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

# Fields of the article record itself; any other name is looked up in its metadata.
ARTICLE_FIELDS = ("source", "published", "article_id")
# The article field holding an ISO 8601 date (or date and time), compared on its prefix.
DATE_FIELD = "published"
RANGE_KEYS = ("from", "to")
# Bounds on one request: fields filtered on, and values one field may list.
MAX_FIELDS = 20
MAX_VALUES = 100
DATE_EXAMPLE = "an ISO 8601 date such as 2005-06-30 (or 2005-06-30T18:00:00)"
Scalar = str | int | float | bool


class FilterError(ValueError):
    """A malformed filter; `field` names the filter at fault, the message says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"filter {field!r}: {message}")
        self.field = field


@dataclass(frozen=True)
class Condition:
    """One field's condition: equal to any of `values`, or within [low, high] (either open)."""

    field: str
    values: tuple[Scalar, ...] = ()
    low: Scalar | None = None
    high: Scalar | None = None


Filters = tuple[Condition, ...]


def parse_filters(raw: Any) -> Filters:
    """The conditions of a request's `filters` object; FilterError naming the field if malformed."""
    if not isinstance(raw, dict):
        raise FilterError("filters", f"expected an object of fields and values, got {_kind(raw)}")
    if len(raw) > MAX_FIELDS:
        raise FilterError(
            "filters", f"at most {MAX_FIELDS} fields may be filtered on, got {len(raw)}"
        )
    return tuple(_condition(_field_name(name), value) for name, value in raw.items())


def _field_name(name: Any) -> str:
    """The field name, checked: a non-empty string."""
    if not isinstance(name, str) or not name.strip():
        raise FilterError(str(name), "a field name must be a non-empty string")
    return name


def _condition(field: str, value: Any) -> Condition:
    """One field's condition from its value: a range object, a list (any of) or one value."""
    if isinstance(value, dict):
        return _range(field, value)
    values = value if isinstance(value, list) else [value]
    if not values:
        raise FilterError(field, "an empty list matches nothing: give at least one value")
    if len(values) > MAX_VALUES:
        raise FilterError(field, f"at most {MAX_VALUES} values may be listed, got {len(values)}")
    return Condition(field, values=tuple(_scalar(field, v) for v in values))


def _range(field: str, bounds: dict[Any, Any]) -> Condition:
    """An inclusive range from {"from": ..., "to": ...}: either bound may be absent (or null),
    not both."""
    unknown = [key for key in bounds if key not in RANGE_KEYS]
    if unknown:
        raise FilterError(
            field, f'unknown operator {unknown[0]!r}: a range takes only "from" and "to"'
        )
    low, high = (_bound(field, key, bounds.get(key)) for key in RANGE_KEYS)
    if low is None and high is None:
        raise FilterError(field, 'a range needs "from", "to" or both')
    # A range that holds nothing (from after to, a number to a string) is well formed: it
    # matches no article, as the OpenAPI document (which cannot compare bounds) allows.
    return Condition(field, low=low, high=high)


def _bound(field: str, key: str, value: Any) -> Scalar | None:
    """A range bound, checked (None when open): a number or a string (the field's own kind for
    an article field)."""
    if value is None:
        return None
    if isinstance(value, bool) and field not in ARTICLE_FIELDS:
        raise FilterError(field, f'"{key}" must be a number or a string, got true/false')
    return _scalar(field, value)


def _scalar(field: str, value: Any) -> Scalar:
    """One value, checked for the field: a date for `published`, a string for the other article
    fields, a string, finite number or boolean for metadata."""
    if field == DATE_FIELD:
        return _date(field, value)
    if isinstance(value, str):
        return value
    if field in ARTICLE_FIELDS:
        raise FilterError(field, f"expected a string, got {_kind(value)}")
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise FilterError(field, f"expected a finite number, got {value}")
        return value
    raise FilterError(field, f"expected a string, a number or true/false, got {_kind(value)}")


def _date(field: str, value: Any) -> str:
    """An ISO 8601 date or date and time, normalised to compare with stored values as text:
    YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS[.ffffff] without its offset."""
    if not isinstance(value, str):
        raise FilterError(field, f"expected {DATE_EXAMPLE}, got {_kind(value)}")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None).isoformat()
    except ValueError:
        raise FilterError(field, f"{value!r} is not {DATE_EXAMPLE}") from None


def _kind(value: Any) -> str:
    """The JSON kind of a value, for messages: "a list", "null", "true/false", …"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
