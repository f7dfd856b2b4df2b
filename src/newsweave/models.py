"""The shared vocabulary: plain dataclasses passed between the pipeline stages.

Dates are ISO 8601 strings ("2024-10-24" or "2024-10-24T19:00"): they are stored, printed and
compared as text, and keeping the precision the input gave (a day, or a minute) matters more
here than a datetime object's arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SourceKind = Literal["text", "html", "feed", "jsonl", "export"]


@dataclass(frozen=True)
class Removal:
    """A piece of text the cleaner (or the export parser) took out of a body, and why."""

    text: str
    reason: str


@dataclass
class Details:
    """Bookkeeping about an article, kept out of its body."""

    external_id: str | None = None
    category: str | None = None
    created: str | None = None
    updated: str | None = None
    added: str | None = None
    last_read: str | None = None


@dataclass(frozen=True)
class Stats:
    words: int
    reading_minutes: int
    read_count: int


@dataclass
class RawArticle:
    """What ingest found: the text as given, with any metadata it could read around it.

    `title` is None when the input carries no title of its own; the cleaner may then promote a
    headline-like first line (plain text has no other place to put one).
    """

    origin: str
    kind: SourceKind
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None
    details: Details = field(default_factory=Details)
    related_titles: list[str] = field(default_factory=list)
    read_count: int = 0
    removed: list[Removal] = field(default_factory=list)


@dataclass
class CleanArticle:
    """A raw article with its body split into paragraphs and its chrome taken out."""

    raw: RawArticle
    title: str | None
    paragraphs: list[str]
    removed: list[Removal]
    published: str | None = None  # from a dateline in the text, when the input carried none


@dataclass
class Article:
    """A cleaned, summarised article, as stored and shown to a reader."""

    id: str
    origin: str
    title: str | None
    source: str | None
    url: str | None
    published: str | None
    language: str | None
    body: list[str]
    removed: list[Removal]
    summary: str
    stats: Stats
    details: Details
    related_titles: list[str] = field(default_factory=list)
    # Field → how a value the input did not declare was found (see provenance.DESCRIBE).
    provenance: dict[str, str] = field(default_factory=dict)
    # Shown where the input gave no title: the first sentence (`title` itself stays None).
    title_from_text: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.body)


@dataclass(frozen=True)
class AddResult:
    """The outcome of adding one input: `status` is added, unchanged or error."""

    origin: str
    status: Literal["added", "unchanged", "error"]
    id: str | None = None
    title: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ArticleSummary:
    """One row of the article list."""

    id: str
    origin: str
    title: str | None
    source: str | None
    published: str | None
    words: int


@dataclass(frozen=True)
class SimilarArticle:
    id: str
    title: str | None
    score: float


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str | None
    source: str | None
    snippet: str
    score: float


@dataclass
class Story:
    """A woven story as read back: its articles in time order and why they belong together."""

    id: str
    title: str | None
    articles: list[str]
    sources: list[str]
    independent_origins: int
    first_seen: str
    last_updated: str
    why: str
    shared_names: list[str] = field(default_factory=list)
    shared_terms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StoryEvent:
    """One event of a story: the articles reporting one happening (weave/events.py), in the
    story's order, named after its most central article."""

    title: str | None
    articles: list[str]
    first_seen: str | None
    last_updated: str | None


@dataclass(frozen=True)
class Origin:
    """Where an article stands: its story, its origin group and what it copies, if anything."""

    story: str | None
    origin_group: str | None
    copy_of: str | None
    kind: str | None
