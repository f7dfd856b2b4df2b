"""Timestamps: the date strings that inputs carry (a feed's, a page's, an export's) as ISO 8601,
keeping their precision, and the time now.

Dates written in an article's text ("last Tuesday") are resolved by the analysis (analyze/),
not here.
"""

from __future__ import annotations

import re
import time
import warnings
from datetime import datetime

_NUMERIC = re.compile(
    r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")


def normalize_date(value: str | None) -> str | None:
    """ "Oct. 24, 2024" → "2024-10-24"; "2024/10/24 19:00" → "2024-10-24T19:00".

    Returns None for text that is not a date rather than guessing: a wrong date is worse than
    none in a timeline.
    """
    if not value or not value.strip():
        return None
    match = _NUMERIC.match(value)
    if match:
        year, month, day, hour, minute, second, _tz = match.groups()
        try:
            parsed = datetime(int(year), int(month), int(day))
        except ValueError:
            return None
        if hour is None:
            return parsed.strftime("%Y-%m-%d")
        out = f"{parsed:%Y-%m-%d}T{int(hour):02d}:{minute}"
        return out + (f":{second}" if second else "")
    # Here, not at the top: dateutil's parser costs every command ~30 ms of start-up (the store
    # imports this module for `now_iso`), and numeric dates never need it.
    from dateutil import parser as dateutil_parser

    try:
        with warnings.catch_warnings():
            # "ET", "hrs" and friends: the day is what matters, not the zone.
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            parsed = dateutil_parser.parse(value.replace(".", " "), fuzzy=False)
    except (ValueError, OverflowError):
        return None
    if _HAS_TIME.search(value):
        return parsed.strftime("%Y-%m-%dT%H:%M")
    return parsed.strftime("%Y-%m-%d")


def from_struct_time(value: time.struct_time | None) -> str | None:
    if value is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S", value)


def now_iso() -> str:
    return datetime.now().astimezone().replace(microsecond=0).isoformat()
