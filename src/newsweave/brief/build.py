"""A Brief from one story's articles and their analyses (the caller loads both)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from newsweave.analyze import Analysis, analysis_text, has_model
from newsweave.analyze.entities import _named, _people, _speaker_resolver
from newsweave.brief.disputes import Encode, _disputes
from newsweave.brief.model import (
    Brief,
    Dispute,
    FigureChange,
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
from newsweave.models import Article
from newsweave.text import tokens

SAME_QUOTE = 0.5  # cosine of content words for two quotations to be one, cut or reworded


def build_brief(
    story_id: str,
    title: str | None,
    articles: list[Article],
    analyses: dict[str, Analysis],
    since: str | None = None,
    encode: Encode | None = None,
) -> Brief:
    """The brief of one story from its articles (in the story's order) and each one's analysis.
    `encode` embeds short texts for the disputes (the pipeline passes one backed by the store's
    cache); `since` defaults to the last read of any of the articles."""
    sentences = _sentences(articles, analyses)
    groups = _group(sentences)
    people = _people(articles, analyses)
    speaker_name = _speaker_resolver(people)
    quotes = _quotes(analyses, speaker_name)
    disputes = _disputes(articles, analyses, sentences, speaker_name, encode)
    places, organizations = _named(articles, analyses, people)
    return Brief(
        story=story_id,
        title=title,
        articles=[a.id for a in articles],
        summary=_summary(groups),
        disputes=disputes,
        quotes=quotes,
        timeline=_timeline(analyses, sentences),
        people=people,
        places=places,
        organizations=organizations,
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


def _timeline(analyses: dict[str, Analysis], sentences: list[_Sentence]) -> list[TimelineEntry]:
    entries: dict[tuple[str, str], TimelineEntry] = {}
    for article_id, analysis in analyses.items():
        for mention in analysis.dates:
            if mention.precision not in {"day", "week", "month", "quarter", "year"}:
                continue
            sentence = _sentence_at(sentences, article_id, mention.start)
            if sentence is None:
                continue
            # A timeline is by day: "Wednesday evening" (2024-10-23TEV) is 2024-10-23.
            key = (mention.value.split("T")[0], mention.precision)
            if key in entries:
                entries[key].articles = _unique([*entries[key].articles, article_id])
            else:
                entries[key] = TimelineEntry(key[0], mention.precision, sentence.text, [article_id])
    return sorted(entries.values(), key=lambda e: e.date)


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
        out.append(SourceNote(article.id, article.source, article.title, notes))
    return out


def _not_analysed(article: Article) -> list[str]:
    if has_model(article.language):
        return []
    return [
        f"not analysed: written in {article.language}, for which no language model is installed"
        " (its sentences count; its names, figures, quotes and dates do not)"
    ]


def _since(
    articles: list[Article],
    since: str | None,
    disputes: list[Dispute],
    quotes: list[QuoteEntry],
) -> SinceLastRead:
    if since is None:
        reads = [a.details.last_read for a in articles if a.details.last_read]
        since = max(reads) if reads else None
    if since is None:
        return SinceLastRead(None)
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
        new_articles=new,
        new_figures=[
            f for d in disputes for f in d.figures if f.articles and set(f.articles) <= fresh
        ],
        new_quotes=[q for q in quotes if set(q.articles) <= fresh],
        changed_figures=changed,
    )


def source_text(article: Article) -> str:
    return analysis_text(article.title, article.body)
