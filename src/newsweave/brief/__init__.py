"""Brief: one story told from all its sources, every statement pointing at the articles behind it.

Built from each member's analysis (`newsweave.analyze`; the pipeline caches it in the store):

- summary     (summary.py) sentences grouped across articles by shared content words; the
              groups most articles carry, earliest first in the article, redundancy removed;
              each sentence cites every article in its group
- figures     (figures.py) the story's key figures, disputed or not, each value once however
              it is written ("a quarter point" = "25 basis points"), with who gives it
- disputes    (disputes.py) figures counting the same thing (counted nouns close in meaning)
              that disagree, each with who said it (the attribution around it) and where;
              denials and confirmation stances beside them
- quotes      each quotation once, its speaker, the articles carrying it and its wordings
- timeline    dated expressions (day, week, month, quarter, season or year), each sentence
              once under its most precise date, the date shown as a reader says it
- people      names merged by surname, with roles from appositions; places and organisations
              with acronyms and common aliases merged (`analyze/entities.py`)
- sources     per article, what no other article in the story carries
- since       what is new since a date (or the last read of any article in the story)

build.py puts these together into one `Brief` (model.py); render.py writes it as markdown,
HTML or JSON.
"""

from newsweave.brief.build import build_brief, source_text
from newsweave.brief.disputes import Encode
from newsweave.brief.model import (
    Brief,
    Cited,
    Dispute,
    Figure,
    FigureChange,
    KeyFigure,
    Named,
    QuoteEntry,
    SinceLastRead,
    SourceNote,
    Stance,
    TimelineEntry,
)
from newsweave.brief.render import brief_html, brief_json, brief_markdown

__all__ = [
    "Brief",
    "Cited",
    "Dispute",
    "Encode",
    "Figure",
    "FigureChange",
    "KeyFigure",
    "Named",
    "QuoteEntry",
    "SinceLastRead",
    "SourceNote",
    "Stance",
    "TimelineEntry",
    "brief_html",
    "brief_json",
    "brief_markdown",
    "build_brief",
    "source_text",
]
