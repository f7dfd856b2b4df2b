"""Date resolution: one temporal expression and a reference date → an ISO or TimeML value and
its precision (`resolve_date`). Finding the expressions in a text is `dates.py`."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from newsweave.analyze.model import Precision
from newsweave.analyze.numbers import parse_number

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}

_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})

_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()

_MONTH_RE = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"

_PERIOD_OF_MONTH = re.compile(
    rf"^(?:(?:by|until|through|in|at|since|from|before|after)\s+)?(?:the\s+)?"
    rf"(?:(?:early|mid|late|beginning|start|middle|end)(?:\s+of)?[\s-]+(?:to[\s-]+(?:early|mid|late)[\s-]+)?)"
    rf"({_MONTH_RE})(?:\s+(\d{{4}}))?$",
    re.IGNORECASE,
)

_MONTH_ONLY = re.compile(
    rf"^(?:(?:in|by|since|during|until|through|from|of|last|this|next)\s+)?({_MONTH_RE})(?:,?\s+(\d{{4}}))?$",
    re.IGNORECASE,
)

_YEAR_ONLY = re.compile(
    r"^(?:(?:in|by|since|during|until|of|the)\s+)*(?:year\s+)?((?:19|20)\d\d)$", re.IGNORECASE
)

_HAS_DAY = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\b(?!\d)|\b(?:"
    + "|".join(_WEEKDAYS)
    + r")\b|\b(?:today|yesterday|tomorrow|tonight)\b",
    re.IGNORECASE,
)

MONTHS_AHEAD = 2


def _month_value(month_text: str, year_text: str | None, ref: date, ahead: bool = False) -> str:
    month = _MONTHS[month_text.lower().rstrip(".")[:3]]
    if year_text:
        return f"{int(year_text):04d}-{month:02d}"
    if ahead:  # "by the end of December", "until March": a deadline lies ahead
        year = ref.year if month >= ref.month else ref.year + 1
    else:
        # News speaks mostly of the past, but a month just ahead is this year's ("November"
        # written in October); further ahead it is last year's (measured on TBAQ).
        year = ref.year if month <= ref.month + MONTHS_AHEAD else ref.year - 1
    return f"{year:04d}-{month:02d}"


_SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
# Phrases whose value follows from the reference date alone, one set per value. TimeML's
# PRESENT_REF / PAST_REF / FUTURE_REF forms were collected while measuring on TempEval-3 TBAQ
# (benchmarks/dates.py); the day and year phrases are the common ways news names them.
_PRESENT = {
    "now", "currently", "current", "at present", "presently", "today's", "nowadays",
    "right now", "at the moment", "this time",
}  # fmt: skip
_PAST = {
    "recently", "the past", "previously", "formerly", "earlier", "in the past", "recent days",
    "recent weeks", "recent months", "lately", "once", "the time",
}  # fmt: skip
_FUTURE = {
    "the future", "soon", "in the future", "future", "later", "eventually", "the coming days",
    "coming weeks",
}  # fmt: skip
_TODAY = {
    "today", "tonight", "this morning", "this afternoon", "this evening", "earlier today",
    "later today",
}  # fmt: skip
_YESTERDAY = {"yesterday", "last night"}
_TOMORROW = {"tomorrow"}
_THIS_YEAR = {
    "the current fiscal year", "this fiscal year", "the fiscal year", "the current year",
    "this year", "the year", "this year's", "the full year",
}  # fmt: skip
_LAST_YEAR = {
    "last year", "a year ago", "last year's", "a year earlier", "the previous year",
    "the past year", "the year before", "the prior year",
}  # fmt: skip
_NEXT_YEAR = {"next year"}
# A decade named by word is the latest one not more than ten years after the reference year.
_DECADE_WORDS = {"the nineties": 9, "the eighties": 8, "the seventies": 7, "the sixties": 6}
_ORDINALS = {
    w: i
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth twenty-first".split(),
        1,
    )
}

Resolved = tuple[str, Precision]


def _decade_word(low: str, ref: date) -> Resolved:
    digit = _DECADE_WORDS[low]
    hundreds = ref.year // 100 - (1 if digit * 10 > ref.year % 100 + 10 else 0)
    return f"{hundreds}{digit}", "decade"


def _fixed_phrases() -> dict[str, Callable[[date], Resolved]]:
    table: dict[str, Callable[[date], Resolved]] = {}
    values: list[tuple[set[str], Callable[[date], Resolved]]] = [
        (_PRESENT, lambda ref: ("PRESENT_REF", "ref")),
        (_PAST, lambda ref: ("PAST_REF", "ref")),
        (_FUTURE, lambda ref: ("FUTURE_REF", "ref")),
        (_TODAY, lambda ref: (ref.isoformat(), "day")),
        (_YESTERDAY, lambda ref: ((ref - timedelta(days=1)).isoformat(), "day")),
        (_TOMORROW, lambda ref: ((ref + timedelta(days=1)).isoformat(), "day")),
        (_THIS_YEAR, lambda ref: (str(ref.year), "year")),
        (_LAST_YEAR, lambda ref: (str(ref.year - 1), "year")),
        (_NEXT_YEAR, lambda ref: (str(ref.year + 1), "year")),
    ]
    for phrases, value in values:
        table.update(dict.fromkeys(phrases, value))
    for phrase in _DECADE_WORDS:
        table[phrase] = functools.partial(_decade_word, phrase)
    return table


# phrase → its value given the reference date
_FIXED = _fixed_phrases()


def resolve_date(
    text: str, ref: date, ahead: bool = False, anchor: str | None = None
) -> tuple[str, Precision] | None:
    """An expression's value and precision relative to the reference date, or None.

    Values are ISO 8601 (`2024-10-17`, `2024-W42`, `2024-10`, `2024`, the decade `197`, the
    century `19`) or TimeML's where ISO has none (`2024-Q3`, `2024-SU`, `PRESENT_REF`).
    `ahead` says the sentence looks forward (a deadline, a future tense): a bare weekday or
    month then means the next one, not the last. `anchor` is the quarter the text last spoke
    of: "the quarter" and "a year earlier" in results reporting are read against it.

    A quarter comes first (it may be read against `anchor`), then a fixed phrase (`_FIXED`),
    then each pattern of `_RULES` in turn, and last dateparser.
    """
    expr = " ".join(text.replace("–", "-").replace("’", "'").split()).strip(" ,.")
    # "next week's", "earlier this month", "later this year": the period itself.
    expr = re.sub(r"'s$", "", expr)
    expr = re.sub(r"^(?:earlier|later|early|late)\s+(?=(?:this|last|next)\s)", "", expr, flags=re.I)
    low = expr.lower()
    quarter = _quarter(low, ref, ahead, anchor)
    if quarter:
        return quarter, "quarter"
    if re.fullmatch(r"\d{1,3}", low):
        return None  # an age or a count, not a date
    if low in _FIXED:
        return _FIXED[low](ref)
    for rule in _RULES:
        found = rule(low, expr, ref, ahead)
        if found:
            return found
    if _DURATION_WORDS.fullmatch(low):
        return None  # a duration ("10-year", "20 year"), not a date
    return _parsed(expr, low, ref, ahead)


def _some_time_ago(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    if re.fullmatch(r"(?:several|many|a few|some) (?:years|months|weeks|days) ago", low):
        return "PAST_REF", "ref"
    return None


def _weekday(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    weekday = re.fullmatch(
        r"(?:on\s+|by\s+|since\s+|last\s+|this\s+|next\s+|earlier\s+|late\s+|early\s+)?("
        + "|".join(_WEEKDAYS)
        + r")(?:\s+(?:morning|afternoon|evening|night))?",
        low,
    )
    if not weekday:
        return None
    shift = (ref.weekday() - _WEEKDAYS.index(weekday.group(1))) % 7
    if low.startswith("next"):
        return (ref + timedelta(days=(7 - shift) % 7 or 7)).isoformat(), "day"
    if ahead and not low.startswith(("last", "since", "earlier")):
        return (ref + timedelta(days=(7 - shift) % 7)).isoformat(), "day"
    if low.startswith("last") and shift == 0:
        shift = 7
    return (ref - timedelta(days=shift)).isoformat(), "day"


def _week(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    week = re.fullmatch(r"(this|last|next|the past|the previous|the coming)\s+week", low)
    if not week:
        return None
    offset = {"this": 0, "next": 1, "the coming": 1}.get(week.group(1), -1)
    year, number, _ = (ref + timedelta(weeks=offset)).isocalendar()
    return f"{year:04d}-W{number:02d}", "week"


def _ago(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    """ "three years ago", "a month earlier", "two weeks from now"."""
    ago = re.fullmatch(
        r"(?:about |nearly |almost |some |more than )?(\w+(?:[\s-]\w+)?) (year|month|week|day)s? (ago|earlier|later|from now)",
        low,
    )
    if ago and ago.group(1) in {"a", "an"}:
        ago = re.fullmatch(
            r"(.*?) (year|month|week|day)s? (ago|earlier|later|from now)",
            "one" + low[len(ago.group(1)) :] if low.startswith(ago.group(1)) else low,
        )
    if not ago or parse_number(ago.group(1)) is None:
        return None
    n = int(parse_number(ago.group(1)) or 0)
    sign = -1 if ago.group(3) in {"ago", "earlier"} else 1
    unit = ago.group(2)
    if unit == "year":
        return str(ref.year + sign * n), "year"
    if unit == "month":
        month_index = ref.year * 12 + ref.month - 1 + sign * n
        return f"{month_index // 12:04d}-{month_index % 12 + 1:02d}", "month"
    if unit == "week":
        year, number, _ = (ref + timedelta(weeks=sign * n)).isocalendar()
        return f"{year:04d}-W{number:02d}", "week"
    return (ref + timedelta(days=sign * n)).isoformat(), "day"


def _season(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    season = re.fullmatch(
        r"(?:(this|last|next|early|late|the)\s+)?(spring|summer|autumn|fall|winter)(?:\s+(?:of\s+)?((?:19|20)\d\d))?",
        low,
    )
    if not season:
        return None
    year = (
        int(season.group(3))
        if season.group(3)
        else ref.year + {"last": -1, "next": 1}.get(season.group(1) or "", 0)
    )
    return f"{year:04d}-{_SEASONS[season.group(2)]}", "season"


def _decade(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    decade = re.fullmatch(r"(?:the\s+)?(?:early\s+|mid-?\s*|late\s+)?((?:19|20)\d)0'?s", low)
    return (decade.group(1), "decade") if decade else None


def _century(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    century = re.fullmatch(r"(?:the\s+)?(\w+(?:-\w+)?|\d{1,2}(?:st|nd|rd|th))\s+century", low)
    if not century:
        return None
    word = century.group(1)
    digits = re.sub(r"\D", "", word)
    nth = _ORDINALS.get(word) or (int(digits) if digits else 0)
    return (f"{nth - 1:02d}", "century") if nth else None


def _relative_month(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    """ "March last year", "next May"."""
    relative_month = re.fullmatch(
        rf"({_MONTH_RE})\s+(this|last|next)\s+year|(last|this|next)\s+({_MONTH_RE})", low
    )
    if not relative_month:
        return None
    month_text = relative_month.group(1) or relative_month.group(4)
    which = relative_month.group(2) or relative_month.group(3)
    year = ref.year + {"last": -1, "next": 1}.get(which, 0)
    if (
        which == "last"
        and relative_month.group(3)
        and _MONTHS[month_text.rstrip(".")[:3]] < ref.month
    ):
        year = ref.year  # "last February" in October is this year's
    return f"{year:04d}-{_MONTHS[month_text.rstrip('.')[:3]]:02d}", "month"


def _mid_year(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    mid_year = re.fullmatch(r"(?:early|mid|late)-?\s*((?:19|20)\d\d)", low)
    return (mid_year.group(1), "year") if mid_year else None


def _month(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    """ "by the end of December", "in March 2023"."""
    match = _PERIOD_OF_MONTH.match(expr) or _MONTH_ONLY.match(expr)
    if not match:
        return None
    forward = ahead or bool(re.match(r"(?:by|until|till|next)\b", low))
    return _month_value(match.group(1), match.group(2), ref, forward), "month"


def _year(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    match = _YEAR_ONLY.match(expr)
    return (match.group(1), "year") if match else None


def _month_of(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    month_of = re.fullmatch(r"(this|last|next|the past|the previous|the coming) month", low)
    if not month_of:
        return None
    offset = {"this": 0, "next": 1, "the coming": 1}.get(month_of.group(1), -1)
    index = ref.year * 12 + ref.month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}", "month"


def _fiscal(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    fiscal = re.fullmatch(r"(?:fiscal|fiscal year|fy)\s*((?:19|20)\d\d)", low)
    return (fiscal.group(1), "year") if fiscal else None


def _spelled_year(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    """ "nineteen eighty-four", "two thousand and ten"."""
    spelled = re.fullmatch(
        r"(?:the year )?(nineteen|two thousand)(?:[\s-]+(?:and\s+)?([\w-]+))?", low
    )
    if spelled and (spelled.group(2) or spelled.group(1) == "two thousand"):
        rest = parse_number(spelled.group(2)) if spelled.group(2) else 0
        if rest is not None and rest < 100:
            return str((1900 if spelled.group(1) == "nineteen" else 2000) + int(rest)), "year"
    return None


def _weekend(low: str, expr: str, ref: date, ahead: bool) -> Resolved | None:
    weekend = re.fullmatch(r"(?:over |during |on )?(this|last|the|next|the past) weekend", low)
    if not weekend:
        return None
    # The weekend just gone, unless the text looks ahead (or says "next").
    forward = weekend.group(1) == "next" or (ahead and weekend.group(1) in {"this", "the"})
    day = (
        ref + timedelta(days=(5 - ref.weekday()) % 7)
        if forward
        else ref
        - timedelta(days=(ref.weekday() - 5) % 7 if ref.weekday() >= 5 else ref.weekday() + 2)
    )
    year, number, _ = day.isocalendar()
    return f"{year:04d}-W{number:02d}-WE", "week"


# The patterns `resolve_date` tries in turn after the fixed phrases; the first that reads the
# expression gives its value.
_RULES: tuple[Callable[[str, str, date, bool], Resolved | None], ...] = (
    _some_time_ago, _weekday, _week, _ago, _season, _decade, _century, _relative_month,
    _mid_year, _month, _year, _month_of, _fiscal, _spelled_year, _weekend,
)  # fmt: skip
_DURATION_WORDS = re.compile(
    r"(?:about |some |nearly |almost |over |more than )?[\w.]+(?:\s*-\s*|\s+)"
    r"(?:years?|months?|weeks?|days?|hours?|minutes?)(?:[\s-]+(?:old|long))?"
)


def _parsed(expr: str, low: str, ref: date, ahead: bool) -> Resolved | None:
    """What dateparser reads, kept only to the day (a day is named) or the month."""
    parsed = _dateparser(expr, ref, ahead)
    if parsed is None:
        return None
    if _HAS_DAY.search(expr):
        day = parsed.date()
        if re.search(_MONTH_RE, low) and not re.search(r"\b(?:19|20)\d\d\b", low):
            day = _nearest_year(day, ref, ahead)
        return day.isoformat(), "day"
    if re.search(_MONTH_RE, low):
        return f"{parsed.year:04d}-{parsed.month:02d}", "month"
    return None


def _nearest_year(day: date, ref: date, ahead: bool) -> date:
    """A month and day with no year: looking forward, the first on or after the reference
    date; else the latest not more than MONTHS_AHEAD months after it ("Nov. 9" written on 2
    November is this year's, "March 30" written in October is this year's March)."""
    candidates = []
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            candidates.append(day.replace(year=year))
        except ValueError:  # 29 February
            continue
    if ahead:
        later = [c for c in candidates if c >= ref]
        if later:
            return min(later)
    if not candidates:
        return day  # 29 February with no leap year near: keep what the parser said
    limit = ref + timedelta(days=31 * MONTHS_AHEAD)
    return max((c for c in candidates if c <= limit), default=candidates[0])


_QUARTER_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}

_NTH_QUARTER = re.compile(
    r"(?:the\s+)?(?:(this|last|next)\s+year's\s+|((?:19|20)\d\d)(?:'s)?\s+)?(?:fiscal\s+)?"
    r"(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+(?:fiscal\s+)?quarter"
    r"(?:\s+(?:of\s+)?(?:(this|last|next)\s+year|(?:fiscal\s+)?((?:19|20)\d\d)))?"
)

# Ways of saying "the same period a year before" in results reporting.
_YEAR_BEFORE = re.compile(
    r"(?:the\s+)?(?:a\s+)?(?:year[\s-]earlier|year[\s-]ago|same)(?:\s+(?:quarter|period))?"
    r"(?:\s+(?:a\s+)?(?:last\s+year|year\s+(?:earlier|ago)))?"
)


def _quarter(low: str, ref: date, ahead: bool, anchor: str | None) -> str | None:
    current = (ref.month - 1) // 3 + 1
    nth = _NTH_QUARTER.fullmatch(low)
    if nth:
        number = _QUARTER_WORDS[nth.group(3)]
        which = nth.group(1) or nth.group(4)
        explicit = nth.group(2) or nth.group(5)
        if explicit:
            year = int(explicit)
        elif which:
            year = ref.year + {"last": -1, "next": 1}.get(which, 0)
        else:
            # Results speak of the quarter just ended: a later quarter is last year's.
            year = ref.year if number <= current or ahead else ref.year - 1
        return f"{year:04d}-Q{number}"
    shift = {
        "this quarter": 0, "the current quarter": 0, "the latest quarter": None,
        "the quarter": None, "the most recent quarter": None, "the recent quarter": None,
        "the latest period": None, "last quarter": -1, "the previous quarter": -1,
        "the prior quarter": -1, "the preceding quarter": -1, "next quarter": 1,
        "the next quarter": 1, "the coming quarter": 1,
    }  # fmt: skip
    if low in shift:
        offset = shift[low]
        if offset is None:  # the quarter under discussion, else the one just ended
            if anchor:
                return anchor
            offset = -1
        index = ref.year * 4 + current - 1 + offset
        return f"{index // 4:04d}-Q{index % 4 + 1}"
    if anchor and (
        _YEAR_BEFORE.fullmatch(low)
        or low in {"a year earlier", "a year ago", "year earlier", "last year's", "the year-ago"}
    ):
        anchor_year, anchor_number = anchor.split("-Q")
        return f"{int(anchor_year) - 1:04d}-Q{anchor_number}"
    return None


def _dateparser(expr: str, ref: date, ahead: bool = False) -> datetime | None:
    import dateparser

    settings: Any = {
        "RELATIVE_BASE": datetime(ref.year, ref.month, ref.day, 12),
        "PREFER_DATES_FROM": "future" if ahead else "past",
        "REQUIRE_PARTS": [],
    }
    text = re.sub(r"^(?:on|in|at|by|since|from|until)\s+", "", expr, flags=re.IGNORECASE)
    result = dateparser.parse(text, languages=["en"], settings=settings)
    return result if isinstance(result, datetime) else None


# "17 October", "Oct. 17th, 2024"
_DAY_OF_MONTH = (
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_RE}(?:,?\s+\d{{4}})?"
    rf"|{_MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,\s+\d{{4}})?"
)
