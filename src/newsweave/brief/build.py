"""A Brief from one story's articles and their analyses (the caller loads both)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from newsweave.analyze import Analysis, analysis_text, has_model
from newsweave.analyze.entities import _named, _people, _speaker_resolver
from newsweave.analyze.timeml import readable, span
from newsweave.brief.disputes import Encode, _disputes
from newsweave.brief.figures import key_figures
from newsweave.brief.model import (
    Brief,
    Dispute,
    EventEntry,
    FigureChange,
    KeyFigure,
    QuoteEntry,
    SinceLastRead,
    SourceNote,
    TimelineEntry,
    _cosine,
    _Sentence,
    _sentence_at,
    _unique,
    _words,
)
from newsweave.brief.render import _figure_text
from newsweave.brief.summary import _group, _sentences, _stands_alone, _summary
from newsweave.models import Article, StoryEvent
from newsweave.text import tokens

SAME_QUOTE = 0.5  # cosine of content words for two quotations to be one, cut or reworded


def build_brief(
    story_id: str,
    title: str | None,
    articles: list[Article],
    analyses: dict[str, Analysis],
    since: str | None = None,
    encode: Encode | None = None,
    events: Sequence[StoryEvent] = (),
) -> Brief:
    """The brief of one story from its articles (in the story's order) and each one's analysis.
    `encode` embeds short texts for the disputes (the pipeline passes one backed by the store's
    cache); `since` defaults to the last read of any of the articles; `events` are the story's
    (store/stories.py `story_events`), each listed with the key figures its articles state."""
    sentences = _sentences(articles, analyses)
    groups = _group(sentences)
    people = _people(articles, analyses)
    speaker_name = _speaker_resolver(people)
    quotes = _quotes(analyses, speaker_name)
    disputes = _disputes(articles, analyses, sentences, speaker_name, encode)
    figures = key_figures(articles, analyses, sentences, speaker_name, disputes)
    places, organizations = _named(articles, analyses, people)
    return Brief(
        story=story_id,
        title=title,
        articles=[a.id for a in articles],
        summary=_summary(groups),
        figures=figures,
        disputes=disputes,
        quotes=quotes,
        timeline=_timeline(analyses, sentences),
        people=people,
        places=places,
        organizations=organizations,
        events=_events(events, figures),
        sources=_sources(articles, groups, disputes, quotes),
        since_last_read=_since(articles, since, disputes, quotes),
    )


def _quotes(analyses: dict[str, Analysis], speaker_name: Any) -> list[QuoteEntry]:
    entries: list[tuple[QuoteEntry, Counter[str]]] = []
    for article_id, analysis in analyses.items():
        for quote in analysis.quotes:
            if quote.text[:1] not in {'"', "“"}:
                continue  # reported speech is a claim, not a quotation
            content = " ".join(quote.content.split())  # a quotation may run over paragraphs
            words = _words(content)
            if len(tokens(content)) < 3 or not words:
                continue
            speaker = speaker_name(quote.speaker)
            match = next((e for e, w in entries if _cosine(words, w) >= SAME_QUOTE), None)
            if match:
                match.articles = _unique([*match.articles, article_id])
                if content not in match.variants:
                    match.variants.append(content)
                if match.speaker is None:
                    match.speaker = speaker
            else:
                entries.append(
                    (QuoteEntry(speaker, quote.content, [article_id], [quote.content]), words)
                )
    return [e for e, _ in entries]


TIMELINE_PRECISIONS = {"day", "week", "month", "quarter", "season", "year"}


def _timeline(analyses: dict[str, Analysis], sentences: list[_Sentence]) -> list[TimelineEntry]:
    """One entry per date, each sentence shown once: under the most precise date it gives
    ("on Wednesday … since early October" is Wednesday's; of "1950-1953", the first). A date
    whose every sentence is shown under a finer one still cites the articles that give it, on
    the entry it keeps when another sentence is its own, and is left out otherwise."""
    dated: dict[tuple[str, int], list[tuple[tuple[str, str], int]]] = defaultdict(list)
    for article_id, analysis in analyses.items():
        for mention in analysis.dates:
            if mention.precision not in TIMELINE_PRECISIONS:
                continue
            sentence = _sentence_at(sentences, article_id, mention.start)
            days = span(mention.value.split("T")[0])
            if sentence is None or days is None:
                continue
            # A timeline is by day: "Wednesday evening" (2024-10-23TEV) is 2024-10-23.
            key: tuple[str, str] = (mention.value.split("T")[0], mention.precision)
            dated[(article_id, sentence.start)].append((key, (days[1] - days[0]).days))
    text = {(s.article, s.start): s.text for s in sentences}
    own: dict[tuple[str, str], list[str]] = defaultdict(list)  # key → sentences shown under it
    cited: dict[tuple[str, str], list[str]] = defaultdict(list)  # key → articles giving it
    for (article_id, start), keys in dated.items():
        home = min(keys, key=lambda k: k[1])[0]  # the narrowest; ties to the first
        if text[(article_id, start)] not in own[home]:
            own[home].append(text[(article_id, start)])
        for key, _ in keys:
            cited[key] = _unique([*cited[key], article_id])
    entries = [
        TimelineEntry(key[0], key[1], own[key][0], cited[key], readable(key[0]))
        for key in cited
        if own[key]
    ]
    return sorted(entries, key=_chronological)


def _chronological(entry: TimelineEntry) -> tuple[date, int]:
    """By first day; of two that start together, the longer first (Nov 2024, then 1 Nov)."""
    first, last = span(entry.date) or (date.min, date.min)
    return first, -last.toordinal()


def _sources(
    articles: list[Article],
    groups: list[list[_Sentence]],
    disputes: list[Dispute],
    quotes: list[QuoteEntry],
) -> list[SourceNote]:
    out = []
    for article in articles:
        adds = [
            g[0].text
            for g in groups
            if {s.article for s in g} == {article.id}
            and len(g[0].words) >= 6
            and g[0].whole
            and _stands_alone(g[0].text)
        ]
        figures = [
            _figure_text(f) for d in disputes for f in d.figures if f.articles == [article.id]
        ]
        only_quotes = [q.text for q in quotes if q.articles == [article.id]]
        notes = [
            *_not_analysed(article),
            *(f"figure: {f}" for f in figures),
            *(f"quote: {q}" for q in only_quotes[:2]),
            *adds[:3],
        ]
        title = article.title or article.title_from_text
        out.append(SourceNote(article.id, article.source, title, notes))
    return out


def _not_analysed(article: Article) -> list[str]:
    if has_model(article.language):
        return []
    return [
        f"not analysed: written in {article.language}, for which no language model is installed"
        " (its sentences count, and its figures of percent, points, money, magnitudes and"
        " counts of people; its names, quotes and dates do not)"
    ]


def _since(
    articles: list[Article],
    since: str | None,
    disputes: list[Dispute],
    quotes: list[QuoteEntry],
) -> SinceLastRead:
    per_article = since is None
    if since is None:
        reads = [a.details.last_read for a in articles if a.details.last_read]
        since = max(reads) if reads else None
    if since is None:
        return SinceLastRead(None)
    if per_article:
        new = _unread(articles)
    else:
        new = [a.id for a in articles if (a.details.added or "") > since]
    fresh = set(new)
    changed = []
    for dispute in disputes:
        before = [f for f in dispute.figures if set(f.articles) - fresh]
        if before and len(before) < len(dispute.figures):
            changed.append(
                FigureChange(
                    subject=dispute.subject,
                    before=[_figure_text(f) for f in before],
                    now=[_figure_text(f) for f in dispute.figures],
                    articles=_unique(
                        a for f in dispute.figures if f not in before for a in f.articles
                    ),
                )
            )
    return SinceLastRead(
        since=since,
        per_article=per_article,
        new_articles=new,
        new_figures=[
            f for d in disputes for f in d.figures if f.articles and set(f.articles) <= fresh
        ],
        new_quotes=[q for q in quotes if set(q.articles) <= fresh],
        changed_figures=changed,
    )


def _unread(articles: list[Article]) -> list[str]:
    """The members this reader has not read (here or, by an export's record, elsewhere): new to
    them however long ago they were added, while reading one member leaves the others new."""
    return [a.id for a in articles if not a.details.last_read]


def source_text(article: Article) -> str:
    return analysis_text(article.title, article.body)


def _events(events: Sequence[StoryEvent], figures: list[KeyFigure]) -> list[EventEntry]:
    """The events with their key figures: each figure goes to the event holding most of the
    articles stating it (the larger event on a tie, events being largest first)."""
    out = [EventEntry(e.title, list(e.articles), e.first_seen, e.last_updated) for e in events]
    if not out:
        return out
    members = [set(e.articles) for e in events]
    for n, figure in enumerate(figures):
        held = [len(members[i].intersection(figure.articles)) for i in range(len(out))]
        best = max(range(len(out)), key=lambda i: (held[i], -i))
        if held[best]:
            out[best].figures.append(n)
    return out
