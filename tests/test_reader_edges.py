"""What a reader sees: new-to-you per article, read counts kept apart from an export's, and
metadata a text and its story give when the input declared none (with where it came from)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsweave import demo
from newsweave.brief import brief_markdown, build_brief
from newsweave.pipeline import add_sources
from newsweave.store import Store
from newsweave.weave import Weaver, origin_of

Cli = Callable[..., Any]


def _demo_story(store: Store) -> tuple[str, list[str]]:
    results = list(add_sources(store, [str(p) for p in demo.corpus_files()]))
    Weaver(store).weave()
    ids = [r.id for r in results if r.id]
    story = origin_of(store, ids[0]).story
    assert story
    members = build_brief(store, story).articles
    assert len(members) >= 4
    return story, members


def test_reading_one_member_leaves_the_unread_ones_new(store: Store) -> None:
    story, members = _demo_story(store)
    unread = [a for a in members if not store.get(a).details.last_read]
    assert len(unread) >= 3
    store.mark_read(unread[0])
    since = build_brief(store, story).since_last_read
    assert since.per_article
    assert since.new_articles == unread[1:]
    text = brief_markdown(build_brief(store, story))
    assert "not read yet: none" not in text and "new articles: none" not in text
    assert f"[{unread[1][:8]}]" in text.split("## Since")[1]


def test_an_explicit_since_date_still_compares_dates(store: Store) -> None:
    story, members = _demo_story(store)
    store.mark_read(members[0])
    since = build_brief(store, story, since="9999-01-01").since_last_read
    assert not since.per_article and since.new_articles == []


def test_first_read_after_importing_an_export_is_the_first(cli: Cli, tmp_path: Path) -> None:
    export = next(p for p in demo.corpus_files() if "Read Count" in p.read_text())
    added = cli("add", str(export), "--format", "json").json_lines()
    article_id = added[0]["id"]
    imported = cli("show", article_id, "--format", "json").json()["stats"]["read_count"]
    assert imported >= 1
    first = cli("read", article_id)
    assert first.exit_code == 0
    assert f"{article_id[:8]} read 1 time " in first.stdout
    assert f"and {imported} before" in first.stdout
    second = cli("read", article_id)
    assert "read 2 times" in second.stdout
    shown = cli("show", article_id)
    assert f"read 2 times (and {imported} before" in " ".join(shown.stdout.split())
