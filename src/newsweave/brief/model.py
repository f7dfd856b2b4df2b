"""What a brief holds, and the sentence helpers its parts share."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from newsweave.analyze.entities import Named as Named  # re-exported: a brief names people with it
from newsweave.analyze.model import _unique as _unique  # shared by every part of the brief
from newsweave.text import STOPWORDS, tokens


@dataclass
class Cited:
    text: str
    articles: list[str]


@dataclass
class Figure:
    value: float
    qualifier: str | None
    unit: str | None
    said_by: list[str]
    articles: list[str]
    evidence: list[str]


@dataclass
class KeyFigure(Figure):
    """A figure of the story as its sources state it, disputed or not (brief/figures.py)."""

    subject: str = ""  # what it measures, as the sources say it ("deposit rate", "dead")
    wordings: list[str] = field(default_factory=list)  # "a quarter-point", "25 basis points"


@dataclass
class Stance:
    stance: str
    said_by: list[str]
    articles: list[str]
    evidence: list[str]


@dataclass
class Dispute:
    subject: str
    figures: list[Figure] = field(default_factory=list)
    denials: list[Stance] = field(default_factory=list)
    positions: list[Stance] = field(default_factory=list)


@dataclass
class QuoteEntry:
    speaker: str | None
    text: str
    articles: list[str]
    variants: list[str]


@dataclass
class TimelineEntry:
    date: str  # the TimeML value (2024-W42-WE)
    precision: str
    text: str
    articles: list[str]
    label: str = ""  # how a reader is told the date ("weekend of 19–20 Oct 2024")


@dataclass
class SourceNote:
    article: str
    source: str | None
    title: str | None
    adds: list[str]


@dataclass
class FigureChange:
    """A disputed subject whose figures new articles changed: what was known, what is now."""

    subject: str
    before: list[str]
    now: list[str]
    articles: list[str]  # the new articles behind the change


@dataclass
class SinceLastRead:
    since: str | None
    # True when `since` is the reader's last read: new articles are then the unread members.
    per_article: bool = False
    new_articles: list[str] = field(default_factory=list)
    new_figures: list[Figure] = field(default_factory=list)
    new_quotes: list[QuoteEntry] = field(default_factory=list)
    changed_figures: list[FigureChange] = field(default_factory=list)


@dataclass
class EventEntry:
    """One event of the story (weave/events.py): its articles, and the key figures they state."""

    title: str | None
    articles: list[str]
    first_seen: str | None
    last_updated: str | None
    figures: list[int] = field(default_factory=list)  # positions in `Brief.figures`


@dataclass
class Brief:
    story: str
    title: str | None
    articles: list[str]
    summary: list[Cited]
    figures: list[KeyFigure]
    disputes: list[Dispute]
    quotes: list[QuoteEntry]
    timeline: list[TimelineEntry]
    people: list[Named]
    places: list[Named]
    organizations: list[Named]
    sources: list[SourceNote]
    since_last_read: SinceLastRead
    # Largest first; empty when the caller gave none (a brief of articles, not of a stored story).
    events: list[EventEntry] = field(default_factory=list)


@dataclass
class _Sentence:
    article: str
    index: int
    text: str
    start: int
    end: int
    words: Counter[str]
    # False for a heading ("Harbour repairs begin", no closing stop) or a sentence that begins
    # inside a quotation: neither can open a summary or stand for what a source adds.
    whole: bool = True


def _words(text: str) -> Counter[str]:
    return Counter(w for w in tokens(text) if w not in STOPWORDS and len(w) > 1)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    shared = a.keys() & b.keys()
    if not shared:
        return 0.0
    dot = sum(a[w] * b[w] for w in shared)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _sentence_at(sentences: list[_Sentence], article: str, offset: int) -> _Sentence | None:
    for s in sentences:
        if s.article == article and s.start <= offset < s.end:
            return s
    return None
