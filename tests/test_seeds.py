"""The seed checks of ../shared/eval/seeds-gold.json: cleaning, titles, sources, metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newsweave.models import Article
from newsweave.pipeline import add_sources
from newsweave.store import Store


@pytest.fixture
def seed_articles(seeds_dir: Path, store: Store) -> dict[str, Article]:
    by_file: dict[str, Article] = {}
    for path in sorted(seeds_dir.iterdir()):
        results = list(add_sources(store, [str(path)]))
        assert [r.status for r in results] == ["added"], results
        assert results[0].id is not None
        by_file[path.name] = store.get(results[0].id)
    return by_file


def _gold_articles(gold: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return sorted(gold["articles"].items())


def test_seed_titles_sources_languages(
    seed_articles: dict[str, Article], seeds_gold: dict[str, Any]
) -> None:
    for name, expected in _gold_articles(seeds_gold):
        article = seed_articles[name]
        assert article.title == expected["title"], name
        assert article.source == expected["source"], name
        assert article.language == expected["language"], name


def test_seed_must_remove_strings_do_not_survive(
    seed_articles: dict[str, Article], seeds_gold: dict[str, Any]
) -> None:
    for name, expected in _gold_articles(seeds_gold):
        body = "\n".join(seed_articles[name].body)
        for text in expected["must_remove"]:
            assert text not in body, (name, text)


def test_seed_must_keep_sentences_once(
    seed_articles: dict[str, Article], seeds_gold: dict[str, Any]
) -> None:
    for name, expected in _gold_articles(seeds_gold):
        body = "\n".join(seed_articles[name].body)
        for sentence in expected["must_keep"]:
            assert body.count(sentence) == 1, (name, sentence)


def test_seed_body_words_and_title_occurrences(
    seed_articles: dict[str, Article], seeds_gold: dict[str, Any]
) -> None:
    for name, expected in _gold_articles(seeds_gold):
        article = seed_articles[name]
        if "body_words" in expected:
            assert article.stats.words == expected["body_words"], name
        if "title_occurrences_in_body" in expected:
            assert (
                "\n".join(article.body).count(expected["title"])
                == expected["title_occurrences_in_body"]
            )


def test_seed_export_metadata(
    seed_articles: dict[str, Article], seeds_gold: dict[str, Any]
) -> None:
    for name, expected in _gold_articles(seeds_gold):
        meta = expected.get("metadata")
        if not meta:
            continue
        article = seed_articles[name]
        d = article.details
        assert d.external_id == meta["external_id"]
        assert article.url == meta["url"]
        assert article.published == meta["published"]
        assert d.created == meta["created"]
        assert d.updated == meta["updated"]
        assert d.last_read == meta["last_read"]
        assert article.stats.read_count == meta["read_count"]
        assert d.category == meta["category"]
        assert article.related_titles == meta["related_titles"]
        body = "\n".join(article.body)
        for title in meta["related_titles"]:
            assert title not in body


def test_seed_removals_are_recorded_with_reasons(
    seed_articles: dict[str, Article], seeds_gold: dict[str, Any]
) -> None:
    for name, expected in _gold_articles(seeds_gold):
        removed = "\n".join(r.text for r in seed_articles[name].removed)
        for text in expected["must_remove"]:
            assert text in removed, (name, text)
        assert all(r.reason for r in seed_articles[name].removed)


def test_readding_seeds_changes_nothing(
    seeds_dir: Path, store: Store, seed_articles: dict[str, Article]
) -> None:
    before = store.conn.execute("SELECT count(*), total(length(body)) FROM articles").fetchone()
    removals = store.conn.execute("SELECT count(*) FROM removals").fetchone()[0]
    results = list(add_sources(store, [str(seeds_dir)]))
    assert {r.status for r in results} == {"unchanged"}
    assert (
        store.conn.execute("SELECT count(*), total(length(body)) FROM articles").fetchone()
        == before
    )
    assert store.conn.execute("SELECT count(*) FROM removals").fetchone()[0] == removals


def test_seed_summaries_are_short_and_without_duplicates(seed_articles: dict[str, Article]) -> None:
    from newsweave.text import split_sentences

    for name, article in seed_articles.items():
        sentences = split_sentences(article.summary)
        assert 2 <= len(sentences) <= 3, (name, article.summary)
        assert len(set(sentences)) == len(sentences)
        body = " ".join(article.body)
        assert all(s in body for s in sentences), name
