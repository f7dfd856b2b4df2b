"""One named method per query; every write is one transaction."""

from __future__ import annotations

import math
import random
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import quote

from newsweave.errors import NotFoundError, StoreError
from newsweave.models import (
    Article,
    ArticleSummary,
    Details,
    Removal,
    SearchHit,
    SimilarArticle,
    Stats,
)
from newsweave.settings import DB_ENV, is_database_url
from newsweave.store.dialect import POSTGRES, SQLITE, Connection, Dialect, fts_query
from newsweave.store.leases import Lease, LeaseBusy, try_acquire
from newsweave.text import STOPWORDS, tokens
from newsweave.timestamps import now_iso

if TYPE_CHECKING:
    from newsweave.store.stories import StoryRepository

_T = TypeVar("_T")

__all__ = ["NO_LIMIT", "Store", "fts_query", "write_provenance"]

# "No limit" as a number both engines take (SQLite's -1 is an error on PostgreSQL).
NO_LIMIT = 2**62
# Held while a PostgreSQL store migrates, so two processes opening a new database at once do
# not both create its tables (on SQLite, BEGIN IMMEDIATE already makes them take turns).
_MIGRATION_LOCK = 0x6E657773  # "news"


class Store:
    """newsweave's database: a SQLite file, or a PostgreSQL database given by a
    `postgresql://` URL. Open with `Store.open(path_or_url)`; close when done."""

    def __init__(self, conn: Connection, path: Path | str, dialect: Dialect = SQLITE) -> None:
        # Typed as the connection the queries are written for; on PostgreSQL it is pg.py's
        # PgConnection, which takes the same calls.
        self.conn: Any = conn
        self.path = path
        self.dialect = dialect
        self._stories: StoryRepository | None = None

    @property
    def stories(self) -> StoryRepository:
        """The queries of weaving (store/stories.py), what `Weaver(store)` reads and writes by."""
        if self._stories is None:
            # Imported on first use: listing or searching articles needs no weaving code.
            from newsweave.store.stories import StoryRepository

            self._stories = StoryRepository(self)
        return self._stories

    @classmethod
    def open(cls, path: Path | str, create: bool = True) -> Store:
        """Open the store at `path`; with `create=False` a missing file is an error, not a new
        empty store (read-only commands must never make a database where a path is mistyped).
        A `postgresql://` URL opens that database (which must exist) and migrates it."""
        if is_database_url(path):
            return cls._open_postgres(str(path))
        path = Path(path)
        if not create and not path.exists():
            raise StoreError(
                f"{path}: no such database (check --db or ${DB_ENV}; `newsweave add` creates one)"
            )
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            conn = _retry_busy(lambda: _connect(path, create), path)
            store = cls(conn, path)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open the database ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the database ({exc.strerror})") from None
        return store

    @classmethod
    def _open_postgres(cls, url: str) -> Store:
        try:
            import psycopg

            from newsweave.store import pg
        except ImportError:
            raise StoreError(
                f"{url.split('@')[-1]}: a PostgreSQL store needs psycopg"
                " (pip install 'newsweave[postgres]')"
            ) from None

        conn = pg.connect(url)
        store = cls(conn, pg.redact(url), POSTGRES)
        try:
            # Candidate lists of the weaver ask HNSW for up to this many neighbours.
            conn.execute("SET hnsw.ef_search = 100")
            store._migrate()
        except StoreError:
            conn.close()
            raise
        except psycopg.Error as exc:
            conn.close()
            detail = " ".join(str(exc).split())
            raise StoreError(f"{store.path}: cannot open the database ({detail})") from None
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One transaction; inside another one, a savepoint of it (so callers can make several
        writes, such as an article and the feed entry that brought it, one unit)."""
        if self.conn.in_transaction:
            self.conn.execute("SAVEPOINT nested")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK TO nested")
                self.conn.execute("RELEASE nested")
                raise
            self.conn.execute("RELEASE nested")
            return
        # Taken at once (BEGIN IMMEDIATE) so it never has to be retried half-way; another
        # process holding the write lock past the busy timeout is waited for, with backoff.
        _retry_busy(lambda: self.conn.execute(self.dialect.begin), self.path)
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            _retry_busy(lambda: self.conn.execute("COMMIT"), self.path)
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def lease(self, name: str, ttl: float = 60.0, wait: float | None = None) -> Iterator[Lease]:
        """Hold the lease `name` for the body of the `with`; `renew()` it within `ttl` seconds.

        Waits up to `wait` seconds (None: as long as it takes) for another holder to finish,
        then raises LeaseBusy naming the job.
        """
        deadline = None if wait is None else time.monotonic() + wait
        delay = 0.05
        while (held := try_acquire(self._write_one, self._read_one, name, ttl)) is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise LeaseBusy(f"{self.path}: {name} is already running in another process")
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        try:
            yield held
        finally:
            held.release()

    def _write_one(self, sql: str, params: tuple[object, ...]) -> int:
        with self.transaction() as conn:
            return int(conn.execute(sql, params).rowcount)

    def _read_one(self, sql: str, params: tuple[object, ...]) -> Any:
        return self.conn.execute(sql, params).fetchone()

    def _migrate(self) -> None:
        with self.transaction() as conn:
            if self.dialect is POSTGRES:
                conn.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
            )
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            for version, sql in self.dialect.migrations:
                if version in done:
                    continue
                if self.dialect is POSTGRES:
                    conn.script(sql)
                else:
                    for statement in _split_sql(sql):
                        conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations(version, applied) VALUES (?, ?)",
                    (version, now_iso()),
                )

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    # -- writes ---------------------------------------------------------------------------

    def add(self, article: Article) -> Literal["added", "unchanged"]:
        """Store an article unless one with the same id is already there."""
        with self.transaction() as conn:
            d = article.details
            # Another process may store the same article at the same moment: whichever commits
            # second finds the row there and changes nothing.
            inserted = conn.execute(
                "INSERT INTO articles (id, origin, title, source, url, published, language, body,"
                " summary, words, reading_minutes, read_count, external_id, category, created,"
                " updated, added, last_read) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(id) DO NOTHING",
                (
                    article.id, article.origin, article.title, article.source, article.url,
                    article.published, article.language, "\n\n".join(article.body),
                    article.summary, article.stats.words, article.stats.reading_minutes,
                    article.stats.read_count, d.external_id, d.category, d.created, d.updated,
                    d.added or now_iso(), d.last_read,
                ),
            ).rowcount  # fmt: skip
            if not inserted:
                return "unchanged"
            conn.executemany(
                "INSERT INTO removals (article_id, seq, text, reason) VALUES (?, ?, ?, ?)",
                [(article.id, i, r.text, r.reason) for i, r in enumerate(article.removed)],
            )
            conn.executemany(
                "INSERT INTO related_titles (article_id, seq, title) VALUES (?, ?, ?)",
                [(article.id, i, t) for i, t in enumerate(article.related_titles)],
            )
            write_provenance(
                conn, article.id, article.provenance, {"title": article.title_from_text}
            )
        return "added"

    def mark_read(self, article_id: str, at: str | None = None) -> Article:
        at = at or now_iso()
        full_id = self.resolve_id(article_id)
        with self.transaction() as conn:
            conn.execute(
                "UPDATE articles SET read_count = read_count + 1, last_read = ? WHERE id = ?",
                (at, full_id),
            )
            conn.execute("INSERT INTO reads (article_id, at) VALUES (?, ?)", (full_id, at))
        return self.get(full_id)

    # -- reads ----------------------------------------------------------------------------

    def _provenance(self, article_id: str) -> dict[str, str]:
        rows = self.conn.execute(
            "SELECT field, how FROM provenance WHERE article_id = ? ORDER BY field", (article_id,)
        )
        return {r[0]: r[1] for r in rows}

    def derived_titles(self, article_ids: list[str]) -> dict[str, str]:
        """Titles taken from the text of articles that have none of their own, by id."""
        found: dict[str, str] = {}
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start : start + 500]
            rows = self.conn.execute(
                "SELECT article_id, value FROM provenance WHERE field = 'title'"
                f" AND value IS NOT NULL AND article_id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update({r[0]: r[1] for r in rows})
        return found

    def reads_here(self, article_id: str) -> int:
        """How many times the reader marked this article read in newsweave (an export's own
        count of earlier readings is not among them)."""
        row = self.conn.execute(
            "SELECT count(*) FROM reads WHERE article_id = ?", (self.resolve_id(article_id),)
        ).fetchone()
        return int(row[0])

    def resolve_id(self, prefix: str) -> str:
        """The full id of the one article whose id starts with `prefix`."""
        prefix = prefix.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{1,16}", prefix):
            raise NotFoundError(f"{prefix!r}: not an article id (ids are hex digits)")
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
            (prefix, prefix + "g"),
        ).fetchall()
        if not rows:
            raise NotFoundError(f"{prefix}: no article with this id")
        if len(rows) > 1:
            raise NotFoundError(f"{prefix}: several articles start with this id; give more digits")
        return str(rows[0][0])

    def get(self, article_id: str) -> Article:
        full_id = self.resolve_id(article_id)
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (full_id,)).fetchone()
        removed = [
            Removal(r["text"], r["reason"])
            for r in self.conn.execute(
                "SELECT text, reason FROM removals WHERE article_id = ? ORDER BY seq", (full_id,)
            )
        ]
        related = [
            r[0]
            for r in self.conn.execute(
                "SELECT title FROM related_titles WHERE article_id = ? ORDER BY seq", (full_id,)
            )
        ]
        return Article(
            id=row["id"],
            origin=row["origin"],
            title=row["title"],
            source=row["source"],
            url=row["url"],
            published=row["published"],
            language=row["language"],
            body=row["body"].split("\n\n") if row["body"] else [],
            removed=removed,
            summary=row["summary"],
            stats=Stats(row["words"], row["reading_minutes"], row["read_count"]),
            # Each detail is stored in the column of its name.
            details=Details(**{f.name: row[f.name] for f in fields(Details)}),
            related_titles=related,
            provenance=self._provenance(full_id),
            title_from_text=self.derived_titles([full_id]).get(full_id),
        )

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def list_articles(self, limit: int | None = None) -> list[ArticleSummary]:
        rows = self.conn.execute(
            "SELECT id, origin, title, source, published, words FROM articles"
            " ORDER BY coalesce(published, added) DESC, rowid DESC LIMIT ?",
            (limit if limit is not None else NO_LIMIT,),
        )
        return [ArticleSummary(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def search(self, query: str, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        """Full-text hits, best first, `limit` of them after skipping `offset`."""
        return [
            SearchHit(h.id, h.title, h.source, h.snippet, h.score)
            for h in self.dialect.search(self.conn, query, limit, offset)
        ]

    def similar(
        self, article_id: str, limit: int = 5, candidates: int = 50
    ) -> list[SimilarArticle]:
        """Articles sharing this one's characteristic words.

        Full-text search (FTS5's BM25, or PostgreSQL's ts_rank) finds candidates through the index (no scan of the store); they are then
        ranked by the cosine of their log-scaled word counts, a score in [0, 1] that reads the
        same whatever the corpus size.
        """
        full_id = self.resolve_id(article_id)
        row = self.conn.execute(
            "SELECT rowid, title, body FROM articles WHERE id = ?", (full_id,)
        ).fetchone()
        vector = _term_vector(f"{row['title'] or ''} {row['body']}")
        terms = [t for t, _ in sorted(vector.items(), key=lambda kv: -kv[1])[:24]]
        if not terms:
            return []
        rows = self.dialect.any_of_terms(self.conn, terms, row["rowid"], candidates)
        scored = [
            SimilarArticle(
                r[0], r[1], round(_cosine(vector, _term_vector(f"{r[1] or ''} {r[2]}")), 3)
            )
            for r in rows
        ]
        scored.sort(key=lambda s: -s.score)
        return [s for s in scored if s.score > 0][:limit]

    def integrity_ok(self) -> bool:
        return self.dialect.integrity_ok(self.conn)


# How long a writer waits, in all, for another process's write lock before giving up. SQLite's
# own busy timeout covers short waits; retries with backoff cover a lock that outlasts it (a
# checkpoint, a slow disk, a writer that set a short timeout).
BUSY_TIMEOUT_SECONDS = 30.0
BUSY_RETRY_SECONDS = 120.0


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return True
    message = str(exc).lower()
    return "database is locked" in message or "database is busy" in message


def _retry_busy(step: Callable[[], _T], path: Path | str) -> _T:
    """Run `step`, again after a growing pause while the database is locked by another writer."""
    deadline = time.monotonic() + BUSY_RETRY_SECONDS
    delay = 0.02
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            if time.monotonic() + delay > deadline:
                raise StoreError(
                    f"{path}: the database stayed locked by another process for "
                    f"{BUSY_RETRY_SECONDS:.0f} s; try again when it has finished"
                ) from None
            time.sleep(delay * (0.5 + random.random()))  # jitter: waiters do not retry in step
            delay = min(delay * 2, 1.0)


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    # mode=rw opens only an existing file: a read-only command racing a delete cannot create one.
    target = path if create else f"file:{quote(str(path.resolve()))}?mode=rw"
    conn = sqlite3.connect(
        target, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS, uri=not create
    )
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        # Weaving reads members, vectors and band keys all over a large file: a bigger page
        # cache and memory-mapped reads keep that flat as the store grows.
        conn.execute("PRAGMA cache_size=-65536")
        conn.execute("PRAGMA mmap_size=268435456")
    except BaseException:
        conn.close()
        raise
    return conn


def write_provenance(
    conn: Connection,
    article_id: str,
    fields: dict[str, str],
    values: dict[str, str | None] | None = None,
) -> None:
    values = values or {}
    conn.executemany(
        "INSERT OR REPLACE INTO provenance (article_id, field, how, value) VALUES (?, ?, ?, ?)",
        [(article_id, name, how, values.get(name)) for name, how in fields.items()],
    )


def _term_vector(text: str) -> dict[str, float]:
    counts = Counter(
        t for t in tokens(text) if t not in STOPWORDS and len(t) > 2 and not t.isdigit()
    )
    return {t: 1.0 + math.log(c) for t, c in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b[t] for t, v in a.items() if t in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _split_sql(sql: str) -> list[str]:
    """Statements of a migration, keeping trigger bodies (which contain ';') whole."""
    statements: list[str] = []
    buffer = ""
    for piece in sql.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                statements.append(buffer.strip())
            buffer = ""
    return statements
