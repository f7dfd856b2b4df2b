"""Subscriptions in the store (migration 7): one plain function per query.

Each function takes the `Store` first; every write is one transaction. An article and the feed
entry that brought it are written in one transaction (`add_entry`), so a crash never leaves
an entry recorded without its article, or an article its feed does not know about.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from newsweave.errors import NotFoundError
from newsweave.models import Article
from newsweave.store.db import Store


@dataclass
class Feed:
    """A subscription and its refresh state."""

    id: int
    url: str
    title: str | None = None
    site: str | None = None
    tags: list[str] = field(default_factory=list)
    full_text: bool = False
    every: int | None = None  # seconds, from `subscribe --every`
    feed_interval: int | None = None  # seconds, from the feed's own <ttl> / sy:updatePeriod
    etag: str | None = None
    last_modified: str | None = None
    added: str = ""
    last_fetched: str | None = None
    last_status: str | None = None
    last_error: str | None = None
    consecutive_errors: int = 0
    next_due: float = 0.0
    disabled: bool = False
    articles: int = 0
    unread: int = 0


_SELECT = (
    "SELECT f.*,"
    " (SELECT count(*) FROM feed_entries e WHERE e.feed_id = f.id AND e.article_id IS NOT NULL)"
    " AS articles,"
    " (SELECT count(*) FROM feed_entries e JOIN articles a ON a.id = e.article_id"
    "  WHERE e.feed_id = f.id AND a.read_count = 0 AND a.last_read IS NULL) AS unread"
    " FROM feeds f"
)


def _feed(row: Any) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        site=row["site"],
        tags=list(json.loads(row["tags"] or "[]")),
        full_text=bool(row["full_text"]),
        every=row["every"],
        feed_interval=row["feed_interval"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        added=row["added"],
        last_fetched=row["last_fetched"],
        last_status=row["last_status"],
        last_error=row["last_error"],
        consecutive_errors=row["consecutive_errors"],
        next_due=row["next_due"],
        disabled=bool(row["disabled"]),
        articles=row["articles"],
        unread=row["unread"],
    )


# -- subscriptions ---------------------------------------------------------------------------


def add_feed(
    store: Store,
    url: str,
    *,
    added: str,
    title: str | None = None,
    site: str | None = None,
    tags: Iterable[str] = (),
    full_text: bool | None = None,
    every: int | None = None,
) -> tuple[Feed, Literal["added", "updated"]]:
    """Subscribe to `url`; subscribing again merges the tags, takes the options given and
    re-enables a feed a 410 disabled."""
    tags = list(dict.fromkeys(t for t in tags if t))
    with store.transaction() as conn:
        row = conn.execute("SELECT id, tags FROM feeds WHERE url = ?", (url,)).fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO feeds (url, title, site, tags, full_text, every, added)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (url, title, site, json.dumps(tags), int(bool(full_text)), every, added),
            )
            status: Literal["added", "updated"] = "added"
        else:
            merged = list(dict.fromkeys([*json.loads(row["tags"]), *tags]))
            conn.execute(
                "UPDATE feeds SET tags = ?, title = coalesce(title, ?), site = coalesce(site, ?),"
                " full_text = coalesce(?, full_text), every = coalesce(?, every), disabled = 0,"
                " next_due = CASE WHEN disabled != 0 THEN 0 ELSE next_due END WHERE id = ?",
                (
                    json.dumps(merged),
                    title,
                    site,
                    None if full_text is None else int(full_text),
                    every,
                    row["id"],
                ),
            )
            status = "updated"
    return get_feed(store, url), status


def get_feed(store: Store, key: str | int) -> Feed:
    """A feed by its id or its URL."""
    text = str(key).strip()
    if text.isdigit():
        row = store.conn.execute(_SELECT + " WHERE f.id = ?", (int(text),)).fetchone()
    else:
        row = store.conn.execute(_SELECT + " WHERE f.url = ?", (text,)).fetchone()
    if row is None:
        raise NotFoundError(f"{text}: no feed with this id or URL (see `newsweave feeds`)")
    return _feed(row)


def list_feeds(store: Store) -> list[Feed]:
    return [_feed(r) for r in store.conn.execute(_SELECT + " ORDER BY f.id")]


def due_feeds(store: Store, now: float) -> list[Feed]:
    """Enabled feeds whose next refresh time has come, most overdue first."""
    rows = store.conn.execute(
        _SELECT + " WHERE f.disabled = 0 AND f.next_due <= ? ORDER BY f.next_due, f.id", (now,)
    )
    return [_feed(r) for r in rows]


def next_due(store: Store) -> float | None:
    """When the next enabled feed falls due (Unix seconds), or None with no feeds."""
    row = store.conn.execute("SELECT min(next_due) FROM feeds WHERE disabled = 0").fetchone()
    return None if row[0] is None else float(row[0])


def remove_feed(store: Store, key: str | int) -> Feed:
    """Unsubscribe. The articles the feed brought stay in the store."""
    feed = get_feed(store, key)
    with store.transaction() as conn:
        conn.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
    return feed


# -- entries ---------------------------------------------------------------------------------


def seen_keys(store: Store, feed_id: int, keys: Iterable[str]) -> set[str]:
    """The keys among `keys` this feed has already brought."""
    found: set[str] = set()
    batch = list(keys)
    for start in range(0, len(batch), 500):
        chunk = batch[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = store.conn.execute(
            f"SELECT key FROM feed_entries WHERE feed_id = ? AND key IN ({marks})",
            (feed_id, *chunk),
        )
        found.update(r[0] for r in rows)
    return found


def article_with_url(store: Store, url: str) -> str | None:
    row = store.conn.execute("SELECT id FROM articles WHERE url = ? LIMIT 1", (url,)).fetchone()
    return None if row is None else str(row[0])


def article_exists(store: Store, article_id: str) -> bool:
    return bool(store.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone())


def add_entry(
    store: Store, feed_id: int, key: str, article: Article | None, seen: str
) -> Literal["added", "unchanged", "gone"]:
    """Store an entry's article (if any) and record the entry, in one transaction.

    "gone": the feed was unsubscribed while this refresh ran; nothing is written.
    """
    with store.transaction() as conn:
        if not conn.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone():
            return "gone"
        status: Literal["added", "unchanged"] = "unchanged"
        if article is not None:
            status = store.add(article)
        conn.execute(
            "INSERT OR REPLACE INTO feed_entries (feed_id, key, article_id, seen) VALUES (?,?,?,?)",
            (feed_id, key, article.id if article else None, seen),
        )
    return status


def link_entry(store: Store, feed_id: int, key: str, article_id: str, seen: str) -> None:
    """Record an entry whose article is already stored."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO feed_entries (feed_id, key, article_id, seen)"
            " SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM feeds WHERE id = ?)",
            (feed_id, key, article_id, seen, feed_id),
        )


# -- refresh state ---------------------------------------------------------------------------


def record_fetched(
    store: Store,
    feed_id: int,
    *,
    at: str,
    next_due: float,
    status: str,
    url: str | None = None,
    title: str | None = None,
    site: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    feed_interval: int | None = None,
) -> None:
    """A successful fetch (new content or a 304): errors cleared, validators kept for the next
    conditional GET. Written only once every entry is stored, so a crash before then makes
    the next refresh fetch the whole feed again rather than get a 304 and miss entries."""
    # A 200 replaces the validators (a server may stop sending one); a 304 keeps them.
    with store.transaction() as conn:
        conn.execute(
            "UPDATE feeds SET last_fetched = :at, next_due = :next_due, last_status = :status,"
            " last_error = NULL, consecutive_errors = 0, url = coalesce(:url, url),"
            " title = coalesce(:title, title), site = coalesce(:site, site),"
            " etag = CASE WHEN :status = 'updated' THEN :etag ELSE coalesce(:etag, etag) END,"
            " last_modified = CASE WHEN :status = 'updated' THEN :last_modified"
            "  ELSE coalesce(:last_modified, last_modified) END,"
            " feed_interval = CASE WHEN :status = 'updated' THEN :feed_interval"
            "  ELSE feed_interval END"
            " WHERE id = :id",
            {
                "at": at, "next_due": next_due, "status": status, "url": url, "title": title,
                "site": site, "etag": etag, "last_modified": last_modified,
                "feed_interval": feed_interval, "id": feed_id,
            },
        )  # fmt: skip


def record_error(
    store: Store,
    feed_id: int,
    *,
    at: str,
    error: str,
    next_due: float,
    disable: bool = False,
    url: str | None = None,
) -> None:
    with store.transaction() as conn:
        conn.execute(
            "UPDATE feeds SET last_fetched = ?, next_due = ?, last_status = ?, last_error = ?,"
            " consecutive_errors = consecutive_errors + 1, disabled = ?, url = coalesce(?, url)"
            " WHERE id = ?",
            (at, next_due, "disabled" if disable else "error", error, int(disable), url, feed_id),
        )


def url_taken(store: Store, url: str, feed_id: int) -> bool:
    """Another feed already has this URL (a 301 pointing at a feed we follow)."""
    row = store.conn.execute(
        "SELECT 1 FROM feeds WHERE url = ? AND id != ?", (url, feed_id)
    ).fetchone()
    return row is not None


def any_unwoven(store: Store) -> bool:
    """Is any article not yet in a story?"""
    row = store.conn.execute(
        "SELECT 1 FROM articles a WHERE NOT EXISTS"
        " (SELECT 1 FROM story_members m WHERE m.article_id = a.id) LIMIT 1"
    ).fetchone()
    return row is not None


# -- read state ------------------------------------------------------------------------------


def mark_articles_read(store: Store, article_ids: Iterable[str], at: str) -> int:
    """Mark each article read once (read count +1, last read = `at`), in one transaction."""
    ids = list(dict.fromkeys(article_ids))
    with store.transaction() as conn:
        conn.executemany(
            "UPDATE articles SET read_count = read_count + 1, last_read = ? WHERE id = ?",
            [(at, i) for i in ids],
        )
        conn.executemany("INSERT INTO reads (article_id, at) VALUES (?, ?)", [(i, at) for i in ids])
    return len(ids)


def unread_by_story(store: Store) -> dict[str, int]:
    """Unread articles per story (only stories with any)."""
    rows = store.conn.execute(
        "SELECT m.story_id, count(*) FROM story_members m JOIN articles a ON a.id = m.article_id"
        " WHERE a.read_count = 0 AND a.last_read IS NULL GROUP BY m.story_id"
    )
    return {r[0]: r[1] for r in rows}
