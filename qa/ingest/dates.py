"""Dates as ISO 8601 strings, whatever form a feed, PDF or DOCX gave them in, so filters compare."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

# PDF dates: D:YYYYMMDDHHmmSS with everything after the year optional, then Z or +HH'mm'.
_PDF_DATE = re.compile(
    r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
    r"(?:(Z)(?:00'?00'?)?|([+-])(\d{2})'?(?:(\d{2})'?)?)?"
)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DateLike = str | date | time.struct_time


def iso_date(value: DateLike | None) -> str | None:
    """`value` in ISO 8601: a day alone stays a day, a time with a known zone is given in UTC.

    Strings may be ISO 8601, RFC 822 (as in RSS) or PDF dates; a struct_time is taken as UTC (as
    feedparser gives them). None when there is no date or it cannot be read.
    """
    if isinstance(value, str):
        value = _parse(value.strip())
    elif isinstance(value, time.struct_time):
        value = datetime(*value[:6], tzinfo=UTC)
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo is not None else value
        return moment.isoformat(timespec="seconds")
    return value.isoformat() if isinstance(value, date) else None


def _parse(text: str) -> date | None:
    try:
        if match := _PDF_DATE.fullmatch(text):
            return _pdf_date(match)
        if _ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


def _pdf_date(match: re.Match[str]) -> date:
    year, month, day, hour, minute, second, utc, sign, zone_hours, zone_minutes = match.groups()
    if hour is None:
        return date(int(year), int(month or 1), int(day or 1))
    zone = UTC if utc else None
    if sign:
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes or 0))
        zone = timezone(offset if sign == "+" else -offset)
    return datetime(
        int(year), int(month), int(day), int(hour), int(minute or 0), int(second or 0), tzinfo=zone
    )
