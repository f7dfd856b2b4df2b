"""Queries of the web reader: story pages, unread counts, story visits and coverage."""

from __future__ import annotations

from dataclasses import dataclass

from newsweave.models import ArticleSummary, SearchHit
from newsweave.store.db import Store
from newsweave.timestamps import now_iso

_UNREAD_STORY = (
    "EXISTS (SELECT 1 FROM story_members m JOIN articles a ON a.id = m.article_id"
    " WHERE m.story_id = s.id AND a.last_read IS NULL)"
)


def story_ids_page(
    store: Store, limit: int, offset: int = 0, unread_only: bool = False
) -> list[str]:
    """Story ids, newest activity first, one page of them."""
    where = f" WHERE {_UNREAD_STORY}" if unread_only else ""
    rows = store.conn.execute(
        f"SELECT s.id FROM stories s{where} ORDER BY s.last_updated DESC, s.size DESC, s.id"
        " LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    return [str(r[0]) for r in rows]


def count_stories(store: Store, unread_only: bool = False) -> int:
    where = f" WHERE {_UNREAD_STORY}" if unread_only else ""
    return int(store.conn.execute(f"SELECT count(*) FROM stories s{where}").fetchone()[0])


def unread_counts(store: Store, story_ids: list[str]) -> dict[str, int]:
    """Members never read (or marked unread again), per story."""
    if not story_ids:
        return {}
    marks = ",".join("?" * len(story_ids))
    rows = store.conn.execute(
        "SELECT m.story_id, count(*) FROM story_members m JOIN articles a ON a.id = m.article_id"
        f" WHERE m.story_id IN ({marks}) AND a.last_read IS NULL GROUP BY m.story_id",
        story_ids,
    ).fetchall()
    counts = dict.fromkeys(story_ids, 0)
    counts.update({str(r[0]): int(r[1]) for r in rows})
    return counts


def story_languages(store: Store, story_ids: list[str]) -> dict[str, list[str]]:
    if not story_ids:
        return {}
    marks = ",".join("?" * len(story_ids))
    rows = store.conn.execute(
        "SELECT DISTINCT m.story_id, a.language FROM story_members m"
        f" JOIN articles a ON a.id = m.article_id WHERE m.story_id IN ({marks})"
        " AND a.language IS NOT NULL ORDER BY a.language",
        story_ids,
    ).fetchall()
    out: dict[str, list[str]] = {i: [] for i in story_ids}
    for story_id, language in rows:
        out[str(story_id)].append(str(language))
    return out


def mark_unread(store: Store, article_id: str) -> None:
    """Unread again: the article counts as unread; its read history stays."""
    with store.transaction() as conn:
        conn.execute("UPDATE articles SET last_read = NULL WHERE id = ?", (article_id,))


def last_visit(store: Store, story_id: str) -> str | None:
    row = store.conn.execute(
        "SELECT at FROM story_visits WHERE story_id = ?", (story_id,)
    ).fetchone()
    return str(row[0]) if row else None


def record_visit(store: Store, story_id: str, at: str | None = None) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO story_visits (story_id, at) VALUES (?, ?)"
            " ON CONFLICT(story_id) DO UPDATE SET at = excluded.at",
            (story_id, at or now_iso()),
        )


@dataclass(frozen=True)
class Coverage:
    """Articles of one source on one day (None: the article carries no date)."""

    day: str | None
    source: str
    articles: int


def coverage(store: Store, story_id: str) -> list[Coverage]:
    rows = store.conn.execute(
        # The day an article was published; when it was added here says nothing about the news.
        "SELECT substr(a.published, 1, 10) AS day,"
        " coalesce(a.source, '(unknown)') AS source, count(*)"
        " FROM story_members m JOIN articles a ON a.id = m.article_id WHERE m.story_id = ?"
        " GROUP BY day, source ORDER BY day, source",
        (story_id,),
    ).fetchall()
    return [Coverage(r[0], str(r[1]), int(r[2])) for r in rows]


def articles_page(store: Store, limit: int, offset: int = 0) -> list[ArticleSummary]:
    rows = store.conn.execute(
        "SELECT id, origin, title, source, published, words FROM articles"
        " ORDER BY coalesce(published, added) DESC, rowid DESC LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [ArticleSummary(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


def unread_article_ids(store: Store, article_ids: list[str]) -> set[str]:
    if not article_ids:
        return set()
    marks = ",".join("?" * len(article_ids))
    rows = store.conn.execute(
        f"SELECT id FROM articles WHERE id IN ({marks}) AND last_read IS NULL", article_ids
    ).fetchall()
    return {str(r[0]) for r in rows}


def search_page(store: Store, query: str, limit: int, offset: int = 0) -> list[SearchHit]:
    """One page of full-text hits, best first (the store's ranking and snippets)."""
    return store.search(query, limit, offset)
