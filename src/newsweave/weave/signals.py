"""What weaving knows about one article: its vector, content words, names and numbers, day and
sentence sets (step 1 of weaving, see weave/stories.py)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsweave.models import Article
from newsweave.text import STOPWORDS, english_figure, split_sentences, tokens
from newsweave.weave import dedupe
from newsweave.weave.days import mentioned_days, past_days
from newsweave.weave.embed import Vectors

MAX_TERMS = 150
SALIENT_COUNT = 3  # mentions that make a name salient outside the lead
LEAD_SENTENCES = 2
# Days an article names are kept among its figures (weave/days.py), under this prefix.
DAY_KEY = "#d"
# The article's language, kept among its keys (so stored signals carry it); never compared as a
# name or figure (similarity.py leaves it out).
LANGUAGE_KEY = "#l:"


@dataclass
class Signals:
    """What weaving knows about one article."""

    article_id: str
    rowid: int
    vector: Vectors
    terms: dict[str, int]
    names: dict[str, int]
    display: dict[str, str]
    day: str | None
    sentences: list[list[str]]
    when: str
    lead: frozenset[str] = frozenset()

    def days(self) -> list[str]:
        """Its published day and the earlier days it names: the days it reports on. None for an
        undated article: a day it names may be history ("since September 11, 2001")."""
        if not self.day:
            return []
        named = past_days(
            (k[len(DAY_KEY) :] for k in self.names if k.startswith(DAY_KEY)), self.day
        )
        return sorted({*named, self.day})

    @property
    def language(self) -> str | None:
        return language_of_keys(self.names)

    def salient(self) -> set[str]:
        """Names the article is about: in its lead, or repeated through it."""
        return {
            k
            for k, c in self.names.items()
            if not k.startswith("#") and (k in self.lead or c >= SALIENT_COUNT)
        }


def language_of_keys(keys: Iterable[str]) -> str | None:
    """The language kept among an article's name keys (`LANGUAGE_KEY`), if any."""
    return next((k[len(LANGUAGE_KEY) :] for k in keys if k.startswith(LANGUAGE_KEY)), None)


_NAME = re.compile(
    r"\b(?:[A-Z][\w'’.-]*[a-z0-9][\w'’-]*|[A-Z]{2,})"
    r"(?:\s+(?:(?:of|de|du|da|al|el|van|von|bin|la|le|del|der)\s+)?(?:[A-Z][\w'’.-]*[a-z0-9][\w'’-]*|[A-Z]{2,}))*"
)
_NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b")
_NOT_NAMES = STOPWORDS | frozenset(
    "january february march april may june july august september october november december"
    " monday tuesday wednesday thursday friday saturday sunday mr mrs ms dr"
    " he she it they we i you but and this that his her its their after when while as if".split()
)


def names_in(
    title: str | None, paragraphs: Sequence[str], language: str | None = None
) -> tuple[Counter[str], dict[str, str]]:
    """Capitalised names (and their last word, so "Lohan" meets "Lindsay Lohan") and numbers.

    A number is keyed by its value as English writes it, so "3,25 Prozent" in a German text
    meets "3.25%" and "2.800 Verletzte" meets "2,800 injured".

    A single capitalised word opening a sentence ("Police", "Officials") is a name only if the
    text also capitalises it elsewhere; headlines, capitalised throughout, give no names of their
    own but confirm those of the body.
    """
    found: list[tuple[list[str], bool]] = []
    inner: set[str] = set()
    for text in paragraphs:
        for sentence in split_sentences(text):
            for match in _NAME.finditer(sentence):
                words = match.group(0).split()
                opening = match.start() == 0 or not sentence[: match.start()].strip(" \"'“‘(-—")
                while words and words[0].lower() in _NOT_NAMES:
                    words, opening = words[1:], False
                while words and words[-1].lower() in _NOT_NAMES:
                    words = words[:-1]
                if not words:
                    continue
                found.append((words, opening))
                if not opening or len(words) > 1:
                    inner.add(" ".join(words).lower())
                    inner.add(words[-1].lower())
    counts: Counter[str] = Counter()
    display: dict[str, str] = {}
    for words, opening in found:
        name = " ".join(words).strip(".'’-")
        key = name.lower()
        if len(name) < 2 or (opening and len(words) == 1 and key not in inner):
            continue
        counts[key] += 1
        display.setdefault(key, name)
        if len(words) > 1:
            last = words[-1].strip(".'’-")
            counts[last.lower()] += 1
            display.setdefault(last.lower(), last)
    for text in ([title] if title else []) + list(paragraphs):
        for match in _NUMBER.finditer(text):
            number = _figure_key(match.group(0), language)
            if len(number) >= 2:
                counts["#" + number] += 1
    return counts, display


def _figure_key(figure: str, language: str | None) -> str:
    """ "3,000" → "3000", "2.50" → "2.5"; "3.000" → "3000" in a decimal-comma language."""
    plain = english_figure(figure, language).replace(",", "")
    try:
        value = float(plain)
    except ValueError:
        return plain
    return f"{value:.6f}".rstrip("0").rstrip(".")


def terms_in(title: str | None, paragraphs: Sequence[str]) -> Counter[str]:
    words = tokens(" ".join(([title] if title else []) + list(paragraphs)))
    counts = Counter(w for w in words if w not in STOPWORDS and len(w) > 2 and not w.isdigit())
    return Counter(dict(counts.most_common(MAX_TERMS)))


def _day(article: Article) -> str | None:
    value = article.published or ""
    return value[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]) else None


def signals_of(article: Article, rowid: int, vector: Vectors) -> Signals:
    """An article's signals, its lead's names being those of its first sentences."""
    names, display = names_in(article.title, article.body, article.language)
    day = _day(article)
    for mentioned in mentioned_days(article.body, day):
        names[DAY_KEY + mentioned] += 1
    if article.language:
        names[LANGUAGE_KEY + article.language] = 1
    lead_text = " ".join(split_sentences(" ".join(article.body[:3]))[:LEAD_SENTENCES])
    lead = frozenset(names_in(None, [lead_text], article.language)[0]) & frozenset(names)
    return Signals(
        article_id=article.id,
        rowid=rowid,
        vector=vector,
        terms=dict(terms_in(article.title, article.body)),
        names=dict(names),
        display=display,
        day=day,
        sentences=dedupe.sentence_sets(article.body),
        when=article.published or "",
        lead=lead,
    )
