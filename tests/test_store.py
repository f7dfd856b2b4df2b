from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from newsweave.errors import NotFoundError, StoreError
from newsweave.models import Article, Details, Removal, Stats
from newsweave.store import Store
from newsweave.store.db import fts_query
from newsweave.store.dialect import POSTGRES, pg_tsquery
from newsweave.store.migrations import MIGRATIONS, PG_MIGRATIONS
from newsweave.store.pg import translate

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture
def store(any_store: Store) -> Store:
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return any_store


def _article(n: int, body: str, title: str | None = None) -> Article:
    return Article(
        id=f"{n:016x}",
        origin=f"a{n}.txt",
        title=title or f"Article {n}",
        source="Gazette",
        url=None,
        published=f"2024-01-{n:02d}",
        language="en",
        body=body.split("\n"),
        removed=[Removal("Advertisement", "advert block")],
        summary=body.split("\n")[0],
        stats=Stats(len(body.split()), 1, 0),
        details=Details(external_id=f"ext-{n}"),
        related_titles=["Elsewhere"],
    )


def test_store_uses_wal_and_records_migrations(store: Store) -> None:
    if store.dialect.name == "sqlite":
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    else:  # full-text search through a GIN index over the generated tsvector
        indexes = {
            r[0]: r[1]
            for r in store.conn.execute("SELECT indexname, indexdef FROM pg_indexes").fetchall()
        }
        assert "USING gin (fts)" in indexes["articles_fts"]
    assert store.schema_version() == MIGRATIONS[-1][0]


def test_every_migration_has_a_postgresql_form() -> None:
    assert {version for version, _ in MIGRATIONS} <= set(PG_MIGRATIONS)


def test_store_reopen_does_not_rerun_migrations(any_db: str) -> None:
    Store.open(any_db).close()
    with Store.open(any_db) as again:
        rows = again.conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    assert rows == len(MIGRATIONS)


def test_store_add_is_idempotent_and_round_trips(store: Store) -> None:
    article = _article(1, "The harbour budget passed.\nThe pier will be repaired.")
    assert store.add(article) == "added"
    assert store.add(article) == "unchanged"
    got = store.get(article.id)
    assert got.body == article.body and got.removed == article.removed
    assert got.related_titles == ["Elsewhere"] and got.details.external_id == "ext-1"
    assert got.details.added


def test_store_resolves_unique_prefixes(store: Store) -> None:
    store.add(_article(0x11, "one body"))
    store.add(_article(0x12, "two body"))
    assert store.resolve_id("0000000000000011") == f"{0x11:016x}"
    with pytest.raises(NotFoundError, match="several articles"):
        store.resolve_id("00000000000000")
    with pytest.raises(NotFoundError, match="no article"):
        store.resolve_id("ffff")
    with pytest.raises(NotFoundError, match="not an article id"):
        store.resolve_id("xyz")


def test_store_mark_read_counts_and_dates(store: Store) -> None:
    store.add(_article(1, "body"))
    first = store.mark_read("0000", at="2024-02-01T10:00:00+00:00")
    second = store.mark_read("0000", at="2024-02-02T10:00:00+00:00")
    assert (first.stats.read_count, second.stats.read_count) == (1, 2)
    assert second.details.last_read == "2024-02-02T10:00:00+00:00"
    assert store.conn.execute("SELECT count(*) FROM reads").fetchone()[0] == 2


def test_store_search_ranks_and_highlights(store: Store) -> None:
    store.add(_article(1, "The harbour budget passed after a debate about the harbour."))
    store.add(_article(2, "A new library opens downtown.", title="Library opens"))
    hits = store.search("harbour")
    assert [h.id for h in hits] == [f"{1:016x}"]
    assert "<mark>harbour</mark>" in hits[0].snippet
    assert store.search("library OR harbour")
    assert store.search('"library opens"')[0].title == "Library opens"
    assert store.search('harbour -( AND "') is not None  # operators in input never raise


def test_fts_query_quotes_words() -> None:
    assert fts_query("North Korea's troops") == '"north" "korea" "s" "troops"'
    assert fts_query('"fair game" OR troops') == '"fair game" OR "troops"'
    assert fts_query("   ") == ""


def test_store_similar_excludes_itself_and_ranks_by_overlap(store: Store) -> None:
    store.add(_article(1, "Harbour budget pier dredging channel council vote harbour pier."))
    store.add(_article(2, "The council voted on the harbour pier and channel dredging."))
    store.add(_article(3, "Library opens downtown with new books for children."))
    similar = store.similar(f"{1:016x}")
    assert similar[0].id == f"{2:016x}"
    assert all(s.id != f"{1:016x}" for s in similar)
    assert 0 < similar[0].score <= 1


def test_store_rejects_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "not.db"
    path.write_text("hello, this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the database"):
        Store.open(path)


def test_store_writes_are_transactions(store: Store) -> None:
    article = _article(1, "body")
    article.removed.append(Removal(None, "broken"))  # type: ignore[arg-type]
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        store.add(article)
    assert store.count() == 0
    assert store.conn.execute("SELECT count(*) FROM removals").fetchone()[0] == 0


def test_postgres_spelling_of_shared_queries() -> None:
    assert translate("SELECT x FROM t WHERE a = ? AND b LIKE 'st%?'", False) == (
        "SELECT x FROM t WHERE a = %s AND b LIKE 'st%%?'"
    )
    assert translate("UPDATE t SET a = :at WHERE id = :id", True) == (
        "UPDATE t SET a = %(at)s WHERE id = %(id)s"
    )
    assert translate("INSERT OR IGNORE INTO leases (name) VALUES (?)", False) == (
        "INSERT INTO leases (name) VALUES (%s) ON CONFLICT DO NOTHING"
    )
    assert translate(
        "INSERT OR REPLACE INTO provenance (article_id, field, how, value) VALUES (?, ?, ?, ?)",
        False,
    ) == (
        "INSERT INTO provenance (article_id, field, how, value) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (article_id, field) DO UPDATE SET how = excluded.how, value = excluded.value"
    )


def test_pg_tsquery_keeps_words_phrases_and_or_as_parameters() -> None:
    sql, params = pg_tsquery('harbour "fair game" OR troops -( AND')
    assert params == ["harbour", "fair game", "troops", "and"]
    assert sql.count("plainto_tsquery") == 3 and sql.count("phraseto_tsquery") == 1
    assert " || " in sql and "&&" in sql
    assert pg_tsquery("  ") == ("", [])


def test_store_search_counts_in_title_more_than_in_body(store: Store) -> None:
    store.add(_article(1, "Nothing about it here, but then the dam once.", title="Rain"))
    store.add(_article(2, "Reservoir levels rose.", title="Dam repairs begin"))
    assert [h.id for h in store.search("dam")] == [f"{2:016x}", f"{1:016x}"]


def test_an_unreachable_postgres_url_is_one_line_naming_it(tmp_path: Path) -> None:
    url = f"postgresql://nobody:secret@/nodb?host={tmp_path}&port=1"
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL") as caught:
        Store.open(url)
    assert "secret" not in str(caught.value) and f"host={tmp_path}" in str(caught.value)
    for bad in (url, "postgresql://localhost:notaport/x"):
        result = subprocess.run(
            [sys.executable, "-m", "newsweave", "--db", bad, "list"],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
            timeout=60,
        )
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "PostgreSQL" in lines[0], result.stderr
        assert bad.split("@")[-1].split("?")[0] in lines[0] or "notaport" in lines[0]


def test_store_search_finds_a_rare_word_far_behind_the_rank_cap(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL ranks only the newest `rank_cap` matches of a query (dialect.py); with a cap
    # of 2, a word only the oldest article has must still be found, and the words in a title
    # must still outrank the same words in a body among few matches.
    monkeypatch.setattr(POSTGRES, "rank_cap", 2)
    store.add(_article(1, "The old zeppelin hangar by the harbour reopened.", title="Hangar"))
    for n in range(2, 9):
        store.add(_article(n, f"Harbour news number {n} about the quay."))
    store.add(_article(9, "A harbour story.", title="Zeppelin returns"))
    assert [h.id for h in store.search("zeppelin")] == [f"{9:016x}", f"{1:016x}"]
    assert [h.id for h in store.search("zeppelin hangar")] == [f"{1:016x}"]
    # A common word: every match once across pages, however the pages fall against the cap.
    pages = [h.id for offset in range(0, 10, 3) for h in store.search("harbour", 3, offset)]
    assert sorted(pages) == [f"{n:016x}" for n in range(1, 10)]
