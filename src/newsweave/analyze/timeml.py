"""TimeML values read back: the days a value covers (`span`) and how a reader is told it
(`readable`). The values themselves are made by timex.py and stay as they are in JSON;
people see "weekend of 19–20 Oct 2024", not "2024-W42-WE"."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_SEASONS = {"SP": "spring", "SU": "summer", "FA": "autumn", "WI": "winter"}
# Where a season starts and ends (northern meteorological seasons; winter runs into the next year).
_SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}
_PARTS_OF_DAY = {"MO": "morning", "AF": "afternoon", "EV": "evening", "NI": "night"}
_ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth"}

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(.+))?")
_WEEK = re.compile(r"(\d{4})-W(\d{2})(-WE)?")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_SEASON = re.compile(r"(\d{4})-(SP|SU|FA|WI)")
_YEAR = re.compile(r"\d{4}")
_DECADE = re.compile(r"\d{3}")
_CENTURY = re.compile(r"\d{2}")


def _month_end(year: int, month: int) -> date:
    """The last day of a month; months past 12 run into the next year."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def span(value: str) -> tuple[date, date] | None:
    """The first and last day a value covers, or None for a value that names no days
    (PRESENT_REF, an unreadable value)."""
    try:
        if m := _DAY.fullmatch(value):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return day, day
        if m := _WEEK.fullmatch(value):
            monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            if m[3]:
                return monday + timedelta(days=5), monday + timedelta(days=6)
            return monday, monday + timedelta(days=6)
        if m := _MONTH.fullmatch(value):
            year, month = int(m[1]), int(m[2])
            return date(year, month, 1), _month_end(year, month)
        if m := _QUARTER.fullmatch(value):
            year, first = int(m[1]), 3 * int(m[2]) - 2
            return date(year, first, 1), _month_end(year, first + 2)
        if m := _SEASON.fullmatch(value):
            year = int(m[1])
            first, last = _SEASON_MONTHS[m[2]]
            return date(year, first, 1), _month_end(year, last)
        if _YEAR.fullmatch(value):
            return date(int(value), 1, 1), date(int(value), 12, 31)
        if _DECADE.fullmatch(value):
            return date(int(value) * 10, 1, 1), date(int(value) * 10 + 9, 12, 31)
        if _CENTURY.fullmatch(value):
            return date(max(1, int(value) * 100), 1, 1), date(int(value) * 100 + 99, 12, 31)
    except ValueError:  # a month 13, a week 54: not a date
        return None
    return None


def _day(d: date, year: bool = True) -> str:
    return f"{d.day} {_MONTH_NAMES[d.month - 1]}" + (f" {d.year}" if year else "")


def _days(first: date, last: date) -> str:
    """19–20 Oct 2024, 28 Oct – 3 Nov 2024, 30 Dec 2024 – 5 Jan 2025."""
    if first.year != last.year:
        return f"{_day(first)} – {_day(last)}"
    if first.month != last.month:
        return f"{_day(first, year=False)} – {_day(last)}"
    return f"{first.day}–{_day(last)}"


def readable(value: str) -> str:
    """A TimeML value as a reader says it: 23 Oct 2024, week of 14–20 Oct 2024, weekend of
    19–20 Oct 2024, Oct 2024, third quarter of 2024, winter 2024–25, the 1990s, the 21st
    century; "now", "the past" and "the future" for the references. A value this does not
    know is shown as it is."""
    refs = {"PRESENT_REF": "now", "PAST_REF": "the past", "FUTURE_REF": "the future"}
    if value in refs:
        return refs[value]
    days = span(value)
    if days is None:
        return value
    first, last = days
    if m := _DAY.fullmatch(value):
        time = m[4]
        if not time:
            return _day(first)
        return f"{_day(first)}, {_PARTS_OF_DAY.get(time, time)}"
    if m := _WEEK.fullmatch(value):
        return ("weekend of " if m[3] else "week of ") + _days(first, last)
    if _MONTH.fullmatch(value):
        return f"{_MONTH_NAMES[first.month - 1]} {first.year}"
    if m := _QUARTER.fullmatch(value):
        return f"{_ORDINAL[int(m[2])]} quarter of {first.year}"
    if m := _SEASON.fullmatch(value):
        name = _SEASONS[m[2]]
        return (
            f"{name} {first.year}–{str(last.year)[2:]}" if m[2] == "WI" else f"{name} {first.year}"
        )
    if _YEAR.fullmatch(value):
        return value
    if _DECADE.fullmatch(value):
        return f"the {value}0s"
    number = int(value) + 1
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"the {number}{suffix} century"
