"""The JSON shapes of the CLI and (later) the web API, in one place. See docs/json.md."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from newsweave.models import (
    AddResult,
    Article,
    ArticleSummary,
    Origin,
    SearchHit,
    SimilarArticle,
    Story,
)


def article_json(
    article: Article, similar: list[SimilarArticle], origin: Origin | None = None
) -> dict[str, Any]:
    origin = origin or Origin(None, None, None, None)
    return {
        "id": article.id,
        "origin": article.origin,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published": article.published,
        "language": article.language,
        "body": article.body,
        "removed": [{"text": r.text, "reason": r.reason} for r in article.removed],
        "summary": article.summary,
        "stats": asdict(article.stats),
        "details": asdict(article.details),
        "related_titles": article.related_titles,
        "provenance": article.provenance,
        "title_from_text": article.title_from_text,
        "similar": [asdict(s) for s in similar],
        "story": origin.story,
        "origin_group": origin.origin_group,
        "copy_of": origin.copy_of,
        "origin_kind": origin.kind,
    }


def story_json(story: Story) -> dict[str, Any]:
    # The JSON keys are Story's fields, in their order (docs/json.md).
    return asdict(story)


def summary_json(row: ArticleSummary) -> dict[str, Any]:
    return asdict(row)


def add_result_json(result: AddResult) -> dict[str, Any]:
    return {
        "origin": result.origin,
        "id": result.id,
        "status": result.status,
        "error": result.error,
    }


def search_hit_json(hit: SearchHit) -> dict[str, Any]:
    return asdict(hit)
