"""Date mentions in a parsed text: spaCy's DATE/TIME spans, widened and completed by patterns,
each resolved by `timex.resolve_date` against the reference date."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from newsweave.analyze.model import DateMention
from newsweave.analyze.timex import _DAY_OF_MONTH, _MONTH_RE, resolve_date

# How far before a date a future cue still governs it: "is scheduled to close Monday", but
# not "will meet ... , which began Monday" (measured on TBAQ; the whole sentence is too wide).
AHEAD_REACH = 30


def _looks_ahead(text: str, span: Any, start: int) -> bool:
    window = text[max(span.sent.start_char, start - AHEAD_REACH) : span.end_char + 10]
    return bool(_FUTURE_CUES.search(window))


# A sentence looking forward: its bare "December" or "Tuesday" lies ahead, not behind.
_FUTURE_CUES = re.compile(
    r"\b(?:will|shall|'ll|is to|are to|is due|are due|scheduled|expected to|plans? to|planned|"
    r"upcoming|is set to|are set to|intends? to|next)\b",
    re.IGNORECASE,
)

_CALENDAR = re.compile(rf"\b(?:{_DAY_OF_MONTH})(?![\w])", re.IGNORECASE)

_REF_WORDS = re.compile(
    r"\b(?:now|currently|at present|presently|nowadays|recently|lately|"
    r"in the past|the past|in the future|the future)\b",
    re.IGNORECASE,
)


def _dates(doc: Any, ref: date) -> list[DateMention]:
    text = doc.text
    out: list[DateMention] = []
    anchor: tuple[str, int] | None = None  # the last quarter spoken of, and where
    for start, end in sorted(_date_spans(doc)):
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
            out += _inner_dates(found, start, ref, ahead, near)
            continue
        value, precision = resolved
        if precision == "quarter" and resolve_date(expr, ref, ahead) == resolved:
            anchor = (value, start)  # named outright, not read against an earlier quarter
        if part and precision == "day":
            value += "T" + part
        out.append(DateMention(found, start, end, value, precision))
    return out


def _date_spans(doc: Any) -> list[tuple[int, int]]:
    """Where the date expressions are: spaCy's DATE and TIME entities, widened to the words
    that decide their value, and the dates spaCy misses."""
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
    return spans


def _inner_dates(
    found: str, start: int, ref: date, ahead: bool, near: str | None
) -> list[DateMention]:
    """The dates inside an expression that has no value as a whole."""
    out = []
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
