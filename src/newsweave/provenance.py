"""Metadata an article's own text or its story gives when the input declared none, and where
each value came from (stored per field, shown beside the value).

- title      the first sentence, shortened at a clause, when the input has no headline
- published  the dateline in the text (clean.py); else, once the article is in a story, a
             dateline's day and month with the year of the story's dated articles, a weekday
             of the lead ("announced Wednesday") resolved against them, or their date
- source     see metadata.py: the URL, a wire dateline, a byline, the text, a copyright line

Values from the story are refreshed whenever the story changes: they are never taken as
evidence for another article (only dates the input or the text gave are references).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from newsweave.bylines import is_byline
from newsweave.text import split_sentences
from newsweave.timestamps import normalize_date

# How a field was found (stored), and how a reader is told (shown).
DESCRIBE = {
    "first_sentence": "title from the first sentence",
    "dateline": "date from the dateline",
    "story": "date from the story",
    "story_weekday": "date from the story and a weekday in the text",
    "story_year": "date from the dateline, year from the story",
    "url": "outlet from the URL",
    "source_dateline": "outlet from the dateline",
    "byline": "outlet from the byline",
    "text": "outlet from the text",
    "copyright": "outlet from the copyright line",
}
FROM_STORY = ("story", "story_weekday", "story_year")

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
TITLE_WORDS = 14


def title_from_first_sentence(paragraphs: list[str]) -> str | None:
    """A title for an article that has none: its first sentence, cut at a clause or at
    `TITLE_WORDS` words."""
    # A credit line above the lead ("THE ASSOCIATED PRESS", "By Jane Doe") is no title.
    paragraphs = [p for p in paragraphs[:3] if not is_byline(p)] + list(paragraphs[3:])
    if not paragraphs:
        return None
    sentence = _SENTENCE_END.split(paragraphs[0].strip(), maxsplit=1)[0].strip()
    words = sentence.split()
    if len(words) < 3:
        return None
    if len(words) <= TITLE_WORDS + 4:
        return sentence.rstrip(".")
    head = " ".join(words[: TITLE_WORDS + 4])
    clause = head.rfind(", ")
    if clause >= 0 and len(head[:clause].split()) >= 6:
        return head[:clause] + "…"
    return " ".join(words[:TITLE_WORDS]).rstrip(",;:") + "…"


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(r"\b(?:on |last )?(" + "|".join(_WEEKDAYS) + r")\b", re.IGNORECASE)
# "KYIV, Oct 23 (Reuters) -", "PARIS, 12 March -": a day and month without a year.
_DATELINE_DAY = re.compile(
    r"^[A-Z][A-Za-z .'-]{1,40},\s+((?:[A-Z][a-z]{2,8}\.?\s+\d{1,2})|(?:\d{1,2}\s+[A-Z][a-z]{2,8}))"
    r"\b(?!,?\s*\d{4})"
)
_LEAD = 2  # paragraphs a dateline may sit in
_FUTURE = re.compile(
    r"\b(?:will|would|next|plans? to|expected to|due to|scheduled)\b", re.IGNORECASE
)


def _nearest_weekday(name: str, reference: date) -> date:
    """The day named, nearest to `reference` (ties to the earlier one)."""
    delta = (_WEEKDAYS.index(name.lower()) - reference.weekday()) % 7
    return reference + timedelta(days=delta) if delta < 4 else reference - timedelta(7 - delta)


def _with_year(day_month: str, reference: date) -> date | None:
    candidates = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        value = normalize_date(f"{day_month} {year}")
        if value:
            candidates.append(date.fromisoformat(value[:10]))
    return min(candidates, key=lambda d: abs((d - reference).days)) if candidates else None


def date_from_story(body: list[str], reference: date) -> tuple[str, str]:
    """An undated member's date and how it was found, given the story's reference date."""
    for para in body[:_LEAD]:
        match = _DATELINE_DAY.match(para)
        if match:
            found = _with_year(match.group(1), reference)
            if found:
                return found.isoformat(), "story_year"
    days = [
        _nearest_weekday(m.group(1), reference)
        for sentence in split_sentences(" ".join(body))
        if not _FUTURE.search(sentence)
        for m in _WEEKDAY.finditer(sentence)
    ]
    if days:
        # An article is written after the latest day it reports (a "what we know" piece
        # recaps Tuesday and ends on Thursday); days still to come say nothing of that.
        return max(days).isoformat(), "story_weekday"
    return reference.isoformat(), "story"


@dataclass(frozen=True)
class MemberDate:
    """A story member's published date as stored and how it was found (None: the input's own)."""

    article_id: str
    published: str | None
    how: str | None
    body: list[str]


def dates_from_story(members: Sequence[MemberDate]) -> list[tuple[str, str, str]]:
    """(article id, date, how) for each undated member of a story, or one dated earlier from the
    story, whose date from the story's other members is new or has changed."""
    dated = sorted(m.published[:10] for m in members if m.published and m.how not in FROM_STORY)
    if not dated:
        return []
    reference = date.fromisoformat(dated[0])
    updates = []
    for member in members:
        if member.published and member.how not in FROM_STORY:
            continue
        value, how = date_from_story(member.body, reference)
        if (value, how) != (member.published, member.how):
            updates.append((member.article_id, value, how))
    return updates
