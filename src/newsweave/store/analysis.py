"""The analysis caches: each article's analysis (`article_analysis`) and the embeddings of the
short texts a brief compares (`text_vectors`), plus the date an article's analysis is read against."""

from __future__ import annotations

import re
from datetime import date

from newsweave.store.db import Store

# SQLite's limit on bound parameters is far above this; chunks keep each query small.
_KEYS_PER_QUERY = 500


def reference_date(store: Store, article_id: str) -> date:
    """The date relative dates in an article resolve against: its own published date; else the
    earliest published date among the dated articles of its story; else the day it was added."""
    # A date taken from the story (provenance 'story…') is a guess made from these same
    # references: it never becomes one.
    row = store.conn.execute(
        "SELECT a.published, a.added, m.story_id, p.how FROM articles a"
        " LEFT JOIN story_members m ON m.article_id = a.id"
        " LEFT JOIN provenance p ON p.article_id = a.id AND p.field = 'published'"
        " WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    if row[0] and re.match(r"\d{4}-\d{2}-\d{2}", row[0]) and not (row[3] or "").startswith("story"):
        return date.fromisoformat(row[0][:10])
    if row[2]:
        dated = store.conn.execute(
            "SELECT min(substr(a.published, 1, 10)) FROM story_members m JOIN articles a"
            " ON a.id = m.article_id WHERE m.story_id = ?"
            f" AND {store.dialect.iso_date_prefix('a.published')}"
            " AND NOT EXISTS (SELECT 1 FROM provenance p WHERE p.article_id = a.id"
            " AND p.field = 'published' AND p.how LIKE 'story%')",
            (row[2],),
        ).fetchone()[0]
        if dated:
            return date.fromisoformat(dated)
    return date.fromisoformat(row[1][:10])


def cached_analysis(store: Store, article_id: str) -> tuple[int, str, str] | None:
    """An article's cached analysis as (version, reference date, JSON), or None."""
    row = store.conn.execute(
        "SELECT version, reference, analysis FROM article_analysis WHERE article_id = ?",
        (article_id,),
    ).fetchone()
    return (row[0], row[1], row[2]) if row else None


def put_analysis(
    store: Store, article_id: str, version: int, reference: str, analysis_json: str
) -> None:
    with store.transaction() as tx:
        tx.execute(
            "INSERT OR REPLACE INTO article_analysis (article_id, version, reference, analysis)"
            " VALUES (?, ?, ?, ?)",
            (article_id, version, reference, analysis_json),
        )


def cached_analysis_key(store: Store, article_id: str) -> tuple[int, str] | None:
    """The (version, reference date) an article's cached analysis was made with, or None."""
    row = store.conn.execute(
        "SELECT version, reference FROM article_analysis WHERE article_id = ?", (article_id,)
    ).fetchone()
    return (row[0], row[1]) if row else None


def text_vectors(store: Store, keys: list[str]) -> dict[str, bytes]:
    """The cached vectors among `keys`, by key."""
    found: dict[str, bytes] = {}
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start : start + _KEYS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        found.update(
            store.conn.execute(
                f"SELECT key, vector FROM text_vectors WHERE key IN ({marks})", chunk
            ).fetchall()
        )
    return found


def put_text_vectors(store: Store, rows: list[tuple[str, bytes]]) -> None:
    with store.transaction() as tx:
        tx.executemany("INSERT OR REPLACE INTO text_vectors (key, vector) VALUES (?, ?)", rows)
