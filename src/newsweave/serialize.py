"""The JSON shapes of the CLI and (later) the web API, in one place. See docs/json.md."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from newsweave.models import AddResult, Article, ArticleSummary, SearchHit, SimilarArticle


def article_json(article: Article, similar: list[SimilarArticle]) -> dict[str, Any]:
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
        "similar": [asdict(s) for s in similar],
    }


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
