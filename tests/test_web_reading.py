"""The reader's store queries: search pages agree with the store's own search."""

from __future__ import annotations

import pytest

from newsweave.models import Article, Details, Stats
from newsweave.store import Store, reading


@pytest.fixture
def store(any_store: Store) -> Store:
    """The reader's queries run on SQLite and on PostgreSQL."""
    return any_store


def _article(n: int, text: str) -> Article:
    return Article(
        id=f"{n:016x}", origin=f"t{n}", title=f"Title {n}", source="S", url=None,
        published=None, language="en", body=[text], removed=[], summary=text,
        stats=Stats(len(text.split()), 1, 0), details=Details(),
    )  # fmt: skip


def test_search_pages_are_the_store_ranking_cut_into_pages(store: Store) -> None:
    for n in range(45):
        store.add(_article(n, "harbour " * (1 + n % 7) + f"wall number {n} and other words"))
    whole = store.search("harbour", limit=100)
    assert len(whole) == 45
    paged = [h for p in range(3) for h in reading.search_page(store, "harbour", 20, 20 * p)]
    assert [h.id for h in paged] == [h.id for h in whole]
    assert [h.snippet for h in paged] == [h.snippet for h in whole]
    assert reading.search_page(store, "  ", 20) == []
    assert reading.search_page(store, '"unclosed OR', 20) == []


def test_mark_unread_and_story_visits(store: Store) -> None:
    store.add(_article(1, "text"))
    full = f"{1:016x}"
    store.mark_read(full)
    assert reading.unread_article_ids(store, [full]) == set()
    reading.mark_unread(store, full)
    assert reading.unread_article_ids(store, [full]) == {full}
    assert store.get(full).stats.read_count == 1  # the history of reads stays
    assert reading.last_visit(store, "abc") is None
    reading.record_visit(store, "abc", "2026-01-01T00:00:00")
    reading.record_visit(store, "abc", "2026-01-02T00:00:00")
    assert reading.last_visit(store, "abc") == "2026-01-02T00:00:00"


def test_stories_read_in_one_batch_equal_those_read_one_by_one(store: Store) -> None:
    from newsweave.store.stories import get_stories, get_story

    for n in range(9):
        store.add(_article(n, f"text {n}"))
    with store.transaction() as conn:
        for s, (first, members) in enumerate([("2024-01-02", [0, 1, 2]), ("", [3, 4]),
                                              ("2024-01-05", [5, 6, 7, 8])]):  # fmt: skip
            story_id = f"{0x5000 + s:016x}"
            conn.execute(
                "INSERT INTO stories (id, title, first_seen, last_updated, size, centroid, why)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (story_id, f"Story {s}", first, first, len(members), b"",
                 '{"text": "why", "names": ["A"]}'),
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO story_members (article_id, story_id, score) VALUES (?, ?, 1.0)",
                [(f"{m:016x}", story_id) for m in members],
            )
            conn.execute(
                "INSERT INTO origins (article_id, origin_group, copy_of, kind)"
                " VALUES (?, ?, NULL, 'original')",
                (f"{members[-1]:016x}", f"{members[0]:016x}"),
            )
    ids = [f"{0x5000 + s:016x}" for s in (2, 0, 1)]
    batch = get_stories(store, ids)
    assert batch == [get_story(store, i) for i in ids]
    assert [s.id for s in batch] == ids
    assert batch[2].first_seen  # the undated story: its articles' added times
    assert batch[1].independent_origins == 2
    assert get_stories(store, []) == []
