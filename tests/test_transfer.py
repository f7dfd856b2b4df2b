"""`newsweave copy-store`: a whole store from SQLite into PostgreSQL and back, on real databases."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import SHARED
from newsweave.brief import brief_markdown
from newsweave.cli import app
from newsweave.demo import corpus_files
from newsweave.errors import StoreError
from newsweave.pipeline import add_sources, brief_story, weave_pending
from newsweave.store import Store, transfer
from newsweave.store.feeds import add_feed, link_entry
from newsweave.store.reading import record_visit
from newsweave.store.stories import list_stories
from newsweave.store.stories import similar as similar_readings

QUERIES = ("dam", "flood evacuation", "council", '"water level"', "river OR bridge")
NEW_ARTICLE = (
    "Harbour budget approved after long debate\n\n"
    "The city council approved the new harbour budget on Monday after a long debate.\n"
    "The budget includes funds for dredging the channel and repairing the old pier.\n"
)
UNWOVEN = (
    "Library opens downtown\n\nA new public library opened downtown on Saturday with a reading"
    " room for children.\nThe library was paid for by the council and a local trust.\n"
)


def _inputs() -> list[str]:
    """The demo story, and the seeds beside it when ../shared is there (more stories)."""
    seeds = SHARED / "seeds"
    return [str(p) for p in corpus_files()] + sorted(str(p) for p in seeds.glob("*.txt"))


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store with a row in every table of content: woven articles, briefs (analyses and
    text vectors), reads, a story visit, a feed and its entries, a story merge and a meta key."""
    path = tmp_path_factory.mktemp("source") / "source.db"
    with Store.open(path) as store:
        assert all(r.status == "added" for r in add_sources(store, _inputs()))
        weave_pending(store)
        stories = list_stories(store)
        for story in stories:
            brief_story(store, story.id)
        first = store.list_articles()[0].id
        store.mark_read(first, at="2025-03-14T09:00:00")
        record_visit(store, stories[0].id, at="2025-03-14T09:05:00")
        feed, _ = add_feed(store, "https://example.org/feed.xml", added="2025-03-01", tags=["t"])
        link_entry(store, feed.id, "guid-1", first, "2025-03-02")
        with store.transaction() as tx:
            if not tx.execute("SELECT 1 FROM story_merges").fetchone():
                tx.execute(
                    "INSERT INTO story_merges (old_id, new_id, at) VALUES (?, ?, ?)",
                    ("0000000000000000", stories[0].id, "2025-03-13 10:00:00"),
                )
            tx.execute("INSERT INTO meta (key, value) VALUES ('note', 'kept')")
        # One article stored and not yet woven (an interrupted add): the weave queue holds it.
        unwoven = path.parent / "unwoven.txt"
        unwoven.write_text(UNWOVEN)
        assert [r.status for r in add_sources(store, [str(unwoven)])] == ["added"]
    return path


def _copy(source: str, target: str, *flags: str) -> Any:
    return CliRunner().invoke(app, ["copy-store", source, target, *flags], catch_exceptions=False)


def _value(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, float):
        return round(value, 9)
    return value


def _rows(store: Store, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    rows = store.conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    return sorted((tuple(_value(v) for v in row) for row in rows), key=repr)


def _content(db: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of content, by the columns both engines share."""
    with transfer.open_read_only(db) as store:
        found = transfer.tables(store)
        shared = {
            name: [c for c in t.columns if (name, c) not in transfer.DERIVED]
            for name, t in found.items()
        }
        content = {name: _rows(store, name, cols) for name, cols in shared.items()}
    content["meta"] = [r for r in content["meta"] if r[0] != "store_id"]
    return content


def _answers(db: str | Path) -> dict[str, Any]:
    """What a reader sees: the stories' partition, search hits, similar readings, the briefs."""
    with Store.open(db, create=False) as store:
        stories = list_stories(store)
        ids = [a.id for a in store.list_articles()]
        return {
            "articles": ids,
            "stories": sorted(sorted(s.articles) for s in stories),
            "story_ids": sorted(s.id for s in stories),
            "search": {q: [(h.id, h.score) for h in store.search(q)] for q in QUERIES},
            "similar": {a: [(s.id, s.score) for s in similar_readings(store, a, 5)] for a in ids},
            "briefs": {s.id: brief_markdown(brief_story(store, s.id)) for s in stories},
            "rowids": dict(store.conn.execute("SELECT id, rowid FROM articles").fetchall()),
        }


def _digest(path: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.parent.iterdir())
        if p.name.startswith(path.name)
    }


@pytest.fixture
def pg_url(pg_cluster: Any) -> str:
    url: str = pg_cluster.new_database()
    return url


def test_every_table_of_content_is_filled_by_the_fixture(source: Path, pg_url: str) -> None:
    """The tables come from the catalogue, so a table a later migration adds is copied; this
    makes sure it is also tested: fill it in `source` above."""
    with transfer.open_read_only(source) as store:
        on_sqlite = transfer.tables(store)
        empty = [t for t in on_sqlite if transfer._count(store, t, own=False) == 0]
    assert empty == []
    with Store.open(pg_url) as store:
        assert set(transfer.tables(store)) == set(on_sqlite)
        assert "articles_fts" not in on_sqlite and "weave_queue" in on_sqlite


def test_sqlite_store_copied_to_postgres_answers_the_same(
    source: Path, pg_url: str, tmp_path: Path
) -> None:
    expected = _answers(source)
    # The same questions asked after, on the source: opening a store may write its WAL.
    before = _digest(source)

    done = _copy(str(source), pg_url, "--format", "json")
    assert done.exit_code == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["rows"]["articles"] == len(expected["articles"])
    assert set(report["rows"]) == set(_content(source))

    # Read, never written (to read a WAL database SQLite may add its empty -wal and -shm files).
    assert {k: v for k, v in _digest(source).items() if k in before} == before
    assert _content(pg_url) == _content(source)
    got = _answers(pg_url)
    for key in ("articles", "stories", "story_ids", "briefs", "rowids"):
        assert got[key] == expected[key], key
    # Scores are the engines' own (bm25 / ts_rank): the same articles match each query.
    for query in QUERIES:
        assert {h for h, _ in got["search"][query]} == {h for h, _ in expected["search"][query]}
    assert any(got["search"].values())
    # The same neighbours by pgvector as by the usearch file, scores within float16's rounding.
    for article, hits in expected["similar"].items():
        assert [h for h, _ in got["similar"][article]] == [h for h, _ in hits], article
        for (_, mine), (_, theirs) in zip(got["similar"][article], hits, strict=True):
            assert mine == pytest.approx(theirs, abs=0.01)
    assert any(expected["similar"].values())

    # Adding goes on where the source left off: new rowids, re-adding stores nothing.
    new = tmp_path / "new.txt"
    new.write_text(NEW_ARTICLE)
    cli = CliRunner()
    added = cli.invoke(app, ["--db", pg_url, "add", "-f", "json", str(new), *_inputs()[:2]])
    statuses = [json.loads(line)["status"] for line in added.stdout.splitlines()]
    assert statuses == ["added", "unchanged", "unchanged"], added.stdout
    with Store.open(pg_url) as store:
        rowid = store.conn.execute("SELECT max(rowid) FROM articles").fetchone()[0]
        assert rowid == max(expected["rowids"].values()) + 1
        assert store.count() == len(expected["articles"]) + 1
        assert not store.conn.execute("SELECT 1 FROM weave_queue").fetchone()  # woven
        feed, _ = add_feed(store, "https://example.org/other.xml", added="2025-03-15")
        assert feed.id == 2


def test_postgres_store_copied_back_to_sqlite_answers_exactly_the_same(
    source: Path, pg_url: str, tmp_path: Path
) -> None:
    assert _copy(str(source), pg_url).exit_code == 0
    back = tmp_path / "back" / "store.db"
    done = _copy(pg_url, str(back))
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith(f"copied {len(_answers(source)['articles'])} articles")
    assert _content(back) == _content(source)
    assert _answers(back) == _answers(source)
    # The vector file is written with the copy, not left for the first weave to rebuild.
    assert list(back.parent.glob("store.db.*.vectors"))


def test_copy_refuses_a_target_that_is_not_empty(source: Path, pg_url: str, tmp_path: Path) -> None:
    new = tmp_path / "new.txt"
    new.write_text(NEW_ARTICLE)
    with Store.open(pg_url) as store:
        assert [r.status for r in add_sources(store, [str(new)])] == ["added"]
    done = subprocess.run(
        [sys.executable, "-m", "newsweave", "copy-store", str(source), pg_url],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error {pg_url}: the target is not empty (rows in articles: 1, weave_queue: 1);"
        " copy into a new database or file"
    ]
    with Store.open(pg_url) as store:
        assert store.count() == 1


def test_copy_of_a_missing_source_is_one_line_and_makes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "target.db"
    done = subprocess.run(
        [sys.executable, "-m", "newsweave", "copy-store", str(tmp_path / "nope.db"), str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == f"error {tmp_path / 'nope.db'}: no such database"
    assert not target.exists()


def test_copy_refuses_a_source_at_an_older_schema(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    Store.open(old).close()
    with sqlite3.connect(old) as conn:
        latest = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
        conn.execute("DELETE FROM schema_migrations WHERE version = ?", (latest,))
    with pytest.raises(StoreError, match=f"at schema {latest - 1}, this newsweave at {latest}"):
        transfer.copy_store(old, tmp_path / "new.db")
    assert not (tmp_path / "new.db").exists()
    with sqlite3.connect(old) as conn:  # not migrated by the attempt
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] < latest


def test_copy_to_a_bad_url_is_one_line(source: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsweave", "copy-store", str(source),
         "postgresql://news:secret@127.0.0.1:1/news"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line and "secret" not in line
    assert line.startswith("error postgresql://news:***@127.0.0.1:1/news: cannot connect")


@pytest.fixture
def failing_write(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The copy's writes fail at the third table, as a full disk or a lost server would."""
    real = transfer._write
    seen: set[str] = set()

    def write(dst: Store, table: str, columns: list[str], rows: list[Any], merge: bool) -> None:
        seen.add(table)
        if len(seen) == 3:
            raise sqlite3.OperationalError("database or disk is full")
        real(dst, table, columns, rows, merge)

    monkeypatch.setattr(transfer, "_write", write)
    yield


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_failed_copy_leaves_the_target_empty(
    source: Path, tmp_path: Path, engine: str, request: pytest.FixtureRequest, failing_write: None
) -> None:
    target = str(tmp_path / "t.db") if engine == "sqlite" else request.getfixturevalue("pg_url")
    with pytest.raises(StoreError, match=r"the copy failed .*disk is full.*nothing"):
        transfer.copy_store(source, target)
    with Store.open(target) as store:
        counts = {t: transfer._count(store, t, own=False) for t in transfer.tables(store)}
    assert set(counts.values()) == {0}
