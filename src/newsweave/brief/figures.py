"""The key figures of a story: what its sources state, disputed or not, each value once however
it is written ("a quarter point", "25 basis points" and "0.25 percentage points" are one
figure: the analysis gives them one value and unit), with who gives it and where.

Which figures are key (a brief lists a handful, not every number in every article):
  - the figure names what it measures: a unit or a counted noun ("694 dead", "3.25 %",
    "0.25 percentage points", "magnitude 7.7"); bare numbers, durations, years and vague
    orders ("hundreds") are left out;
  - and it is either in the lead of some source (its headline and first three sentences, where
    news states what happened; a line that does not end as a sentence does, such as a byline
    or a photo credit, is passed over, not counted; a report that opens with a scene and
    gives no figure of what its headline names there has the first sentence that does as
    lead too) or given by at least two sources;
  - most sources first (a source giving it in its lead counts twice), then the earliest in a
    lead: a figure in some source's headline or first sentence before one in the fourth
    sentence of an earlier source (the first sentence says what happened), then the earlier
    source; at most KEY_FIGURES, and beyond them those some source gives in its headline (its
    first sentence when it has none), at most KEY_FIGURES more.
A count the brief already shows as disputed is not repeated here.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from newsweave.analyze import Analysis, Quantity, Span, analysis_text
from newsweave.brief.disputes import _DURATIONS, _said_by
from newsweave.brief.model import Dispute, KeyFigure, _Sentence, _sentence_at, _unique
from newsweave.brief.summary import _closed
from newsweave.models import Article
from newsweave.text import tokens

KEY_FIGURES = 10
# Sentences of an article's text (its headline counts as the first) that make its lead.
LEAD_SENTENCES = 4
# Units whose small values are figures ("a 0.25 point cut", "magnitude 6.0", "2.5 %"); a bare
# count below MIN_COUNT ("two ministers") is a detail, not a key figure.
_MEASURES = {"%", "percentage points", "magnitude", "storeys", "floors", "$", "€", "£"}
MIN_COUNT = 10


def _key(q: Quantity) -> tuple[float, str]:
    # Values are compared rounded: "0.25" of 25 basis points is 0.25000000000000006 in floats.
    return round(q.value, 6), q.unit or ""


def key_figures(
    articles: list[Article],
    analyses: dict[str, Analysis],
    sentences: list[_Sentence],
    speaker_name: object,
    disputes: list[Dispute],
) -> list[KeyFigure]:
    """The story's key figures (see the module's docstring for the criterion)."""
    # Disputes are between counts, and a dispute joins counts of one thing under different
    # nouns ("3,000 troops", "3,000 soldiers"): a count with a disputed value is shown there.
    disputed = {round(f.value, 6) for d in disputes for f in d.figures}
    leads = {a.id: _lead(analyses[a.id]) for a in articles}
    mentions: dict[tuple[float, str], list[tuple[Quantity, str]]] = defaultdict(list)
    for article in articles:
        analysis = analyses[article.id]
        text = analysis_text(article.title, article.body)
        ranges = Counter(q.start for q in analysis.quantities)
        for q in analysis.quantities:
            if not _measures_something(q):
                continue
            if ranges[q.start] > 1 and not _a_list(text, q):
                continue  # a range ("3,000 to 5,000") is one claim of two values
            mentions[_key(q)].append((q, article.id))
    candidates = []
    order = {a.id: i for i, a in enumerate(articles)}
    for key, items in mentions.items():
        if key[0] in disputed and key[1] not in _MEASURES:
            continue
        sources = _unique(a for _, a in items)
        in_lead = [
            (_lead_place(analyses[a].sentences, q.start), order[a], q.start)
            for q, a in items
            if any(start <= q.start < end for start, end in leads[a])
        ]
        if not in_lead and len(sources) < 2:
            continue
        # A source stating the figure in its lead counts twice: the lead is what it reports.
        weight = len(sources) + len({a for _, a, _ in in_lead})
        candidates.append(
            (-weight, min(in_lead, default=(LEAD_SENTENCES, len(articles), 0)), key, items)
        )
    candidates.sort(key=lambda c: (c[0], c[1]))
    # A figure some source gives in its headline is what that source reports: it is listed
    # beyond the first KEY_FIGURES too (a story of two events, each with its own headlines).
    headlined = [c for c in candidates[KEY_FIGURES:] if c[1][0] == 0]
    chosen = candidates[:KEY_FIGURES] + headlined[:KEY_FIGURES]
    return [_figure(items, analyses, sentences, speaker_name) for *_, items in chosen]


# Values joined by "and" or a comma are figures each ("3.40 and 3.65 percent, respectively"),
# unless "between" makes them a range's ends ("between 3,000 and 5,000").
_LIST_JOIN = re.compile(r"\d\S*\s*(?:,|and\b)", re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\s+(?:some\s+|about\s+|around\s+)?$", re.IGNORECASE)


def _a_list(text: str, q: Quantity) -> bool:
    """Whether the values of one span are several figures, not a range's two ends."""
    # "between" may be inside the span spaCy gave ("Between 3,000 and 5,000") or before it.
    inside = re.match(r"between\b", q.text, re.IGNORECASE)
    before = _BETWEEN.search(text[max(0, q.start - 20) : q.start])
    return bool(_LIST_JOIN.search(q.text)) and not (inside or before)


def _lead_place(spans: list[Span], start: int) -> int:
    """Which sentence of its article's lead a figure is in: 0 the headline, 1 the first."""
    place = sum(1 for i, s in enumerate(spans) if s.end <= start and (i == 0 or _closed(s.text)))
    return min(place, LEAD_SENTENCES - 1)


def _lead(analysis: Analysis) -> list[tuple[int, int]]:
    """Where an article reports what happened: its lead and, when the lead does not give a
    figure of what the headline names ("Death toll rises" over a report that opens with a
    scene), the first later sentence that does ("… put the death toll at 12 with more than 60
    injured")."""
    spans = analysis.sentences
    end = _lead_end(spans)
    if not spans:
        return []
    named = {_stem(w) for w in tokens(spans[0].text)}
    figures = [q for q in analysis.quantities if _measures_something(q) and q.unit]
    if any(_names(named, q) for q in figures if q.start < end):
        return [(0, end)]
    later = next((q for q in figures if q.start >= end and _names(named, q)), None)
    if later is None:
        return [(0, end)]
    sentence = next((s for s in spans if s.start <= later.start < s.end), None)
    return [(0, end)] + ([(sentence.start, sentence.end)] if sentence else [])


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _names(named: set[str], q: Quantity) -> bool:
    """Whether a headline's words name what the figure counts ("Death toll rises": deaths)."""
    words = {_stem(w) for w in tokens(f"{q.unit} {q.thing or ''}")}
    return bool(words & named)


def _lead_end(spans: list[Span]) -> int:
    """Where an article's lead ends: after its first sentence (the headline) and the next
    LEAD_SENTENCES - 1 that end as sentences do. A byline ("By Ada Brannock"), an outlet's
    name or a leftover of markup between them does not take a sentence's place; at most
    LEAD_SENTENCES such lines are passed over, so a page of lines is not all lead."""
    end = counted = skipped = 0
    for index, span in enumerate(spans):
        closed = index == 0 or _closed(span.text)
        if not closed and skipped >= LEAD_SENTENCES:
            break
        skipped += not closed
        counted += closed
        end = span.end
        if counted >= LEAD_SENTENCES:
            break
    return end


def _measures_something(q: Quantity) -> bool:
    if not q.unit or q.unit in _DURATIONS or q.qualifier == "several":
        return False
    if "degrees" in (q.thing or "").split():
        return False  # a position ("22.01 degrees north latitude"), not a figure of the news
    if q.unit in _MEASURES:
        return q.value > 0
    return q.value >= MIN_COUNT


def _figure(
    items: list[tuple[Quantity, str]],
    analyses: dict[str, Analysis],
    sentences: list[_Sentence],
    speaker_name: object,
) -> KeyFigure:
    first = items[0][0]
    qualifiers = Counter(q.qualifier for q, _ in items)
    things = Counter(q.thing or q.unit for q, _ in items)
    figure = KeyFigure(
        value=first.value,
        # The wording most mentions use ("694", not one outlet's "nearly 694").
        qualifier=max(qualifiers.items(), key=lambda kv: (kv[1], kv[0] is None))[0],
        unit=first.unit,
        said_by=[],
        articles=[],
        evidence=[],
        # What it is of, when the sources say more than its unit ("North Korean soldiers").
        subject=next((t for t, _ in things.most_common() if t and t != first.unit), ""),
        wordings=_unique(" ".join(q.text.split()) for q, _ in items),
    )
    for q, article_id in items:
        figure.said_by = _unique(
            [*figure.said_by, *_said_by(analyses[article_id], q, speaker_name)]
        )
        figure.articles = _unique([*figure.articles, article_id])
        sentence = _sentence_at(sentences, article_id, q.start)
        if sentence and sentence.text not in figure.evidence:
            figure.evidence.append(sentence.text)
    return figure
