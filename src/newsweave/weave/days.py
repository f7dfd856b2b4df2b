"""Days an article mentions ("on September 10, 2010", "28. März", "2025-03-28"), as ISO dates.

A report published months after an event names the event's day ("the shooting on October 21,
2011"); two rate decisions weeks apart each name their own meeting. Weaving measures time from
an article's published day and from the days it mentions (similarity.py, `time_factor`), and keys
each mentioned day like a figure, so reports in different languages that name the same day share
it. Only full days count: a month alone ("in September") says too little.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

# Month names and their usual abbreviations in the languages news arrives in most; a name maps
# to its month whatever the article's language, so a German text's "März" needs no language id.
_MONTH_NAMES = {
    1: "january jan januar janvier gennaio enero janeiro januari januar január ocak",
    2: "february feb februar février fevrier febbraio febrero fevereiro februari február şubat",
    3: "march mar märz maerz mars marzo março maart március mart",
    4: "april apr avril aprile abril április nisan",
    5: "may mai maggio mayo maio mei május mayıs",
    6: "june jun juni juin giugno junio junho június haziran",
    7: "july jul juli juillet luglio julio julho július temmuz",
    8: "august aug août aout agosto augustus augusztus ağustos",
    9: "september sep sept septembre settembre septiembre setembro szeptember eylül",
    10: "october oct oktober octobre ottobre octubre outubro október ekim",
    11: "november nov novembre noviembre novembro kasım",
    12: "december dec dezember décembre decembre dicembre diciembre dezembro december aralık",
}
MONTHS = {name: month for month, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_YEAR = r"(?:19|20)\d\d"
# "September 10, 2010", "Sept. 10", "Feb 1st"; "10 September 2010", "28. März", "28 de março de
# 2025"; "2025. március 28."; "2025-03-28".
#
# The first pattern takes any word before a day and `_resolve` keeps the month names: the same
# days as the months' alternation in its place (a month is a whole word there, followed by a dot
# or a space), but Python's regex tries the ~120 alternatives at every word of the text, which
# made this pattern 90% of `mentioned_days` and a millisecond an article.
_PATTERNS = [
    re.compile(
        rf"\b(?P<month>[^\W\d_]+)\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>{_YEAR})\b)?",
        re.I,
    ),
    re.compile(
        rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th|\.|º)?\s+(?:de\s+)?(?P<month>{_MONTH})\b\.?"
        rf"(?:,?\s+(?:de\s+)?(?P<year>{_YEAR})\b)?",
        re.I,
    ),
    re.compile(rf"\b(?P<year>{_YEAR})\.\s+(?P<month>{_MONTH})\s+(?P<day>[0-3]?\d)\b", re.I),
    re.compile(rf"\b(?P<year>{_YEAR})-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
]
# A day this far after the published day is taken from the year before ("Dec. 30" in January).
AHEAD = timedelta(days=60)


def mentioned_days(texts: Iterable[str], published: str | None) -> set[str]:
    """The ISO days the texts name. Without a year, the year of `published` (or the one before,
    when that would put the day well after publication); without either, none."""
    ref = date.fromisoformat(published) if published else None
    found: set[str] = set()
    for text in texts:
        for pattern in _PATTERNS:
            for match in pattern.finditer(text):
                day = _resolve(match, ref)
                if day is not None:
                    found.add(day.isoformat())
    return found


def _resolve(match: re.Match[str], ref: date | None) -> date | None:
    raw_month = match.group("month")
    month = int(raw_month) if raw_month.isdigit() else MONTHS.get(raw_month.lower())
    day = int(match.group("day"))
    year_text = match.group("year")
    if month is None or not 1 <= day <= 31:
        return None
    if year_text:
        year = int(year_text)
    elif ref is not None:
        year = ref.year
    else:
        return None
    try:
        found = date(year, month, day)
        if not year_text and ref is not None and found > ref + AHEAD:
            found = date(year - 1, month, day)
    except ValueError:
        return None
    return found


def past_days(mentioned: Iterable[str], published: str | None) -> list[str]:
    """The mentioned days on or before publication (all, when the day of publication is
    unknown): the days an article reports on, not the ones it announces."""
    return sorted(d for d in mentioned if not published or d <= published)
