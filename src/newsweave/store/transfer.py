"""A whole store copied into a new one, SQLite or PostgreSQL either side (`newsweave copy-store`).

The tables are read from the two databases' own catalogues, not listed here, so a table a later
migration adds is copied without a change to this module. What is not copied is named below,
each with why: the engine's own bookkeeping, and what the target derives itself as it does for
every write (FTS5 and the weave queue by triggers, PostgreSQL's tsvector as a generated column,
pgvector's `embedding` from the vector bytes, the vector file beside a SQLite store).

1. The source is opened read-only, without migrating it, and read in one snapshot; it must be
   at the schema version this newsweave writes.
2. The target is opened (a new SQLite file is made; a PostgreSQL database is migrated) and must
   hold nothing but what its migrations wrote.
3. In one transaction on the target, each table in the order its foreign keys need: every row,
   with the same ids and rowids; then each table's count is checked against the source's, the
   identity sequences are moved past the copied ids and pgvector's HNSW index is built.
4. After the commit, a SQLite target's vector file is written, so `similar` and weaving find
   neighbours at once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from newsweave.errors import StoreError
from newsweave.settings import is_database_url
from newsweave.store.db import Store
from newsweave.store.dialect import POSTGRES, SQLITE

if TYPE_CHECKING:
    from collections.abc import Callable

    from newsweave.pipeline import Track

# Tables that are the state of one database rather than its content.
NOT_CONTENT = {
    "schema_migrations": "each store records the migrations it ran itself",
    "leases": "held by processes working on the source, not on the target",
    "vectors_unsaved": "which vectors a SQLite store's vector file lacks; the target's own",
}
# Rows each store writes for itself when it is made (migration 3): the target keeps its own.
OWN_ROWS = {"meta": "key = 'store_id'"}
# Columns one engine derives from another column: (table, column) → the column it comes from.
DERIVED = {("article_signals", "embedding"): "vector"}
_BATCH = 1000


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]  # those a row is written with (generated columns left out)
    references: frozenset[str]  # tables its foreign keys point to


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    rows: dict[str, int]  # rows copied, by table, in the order copied
    seconds: float


def copy_store(source: str | Path, target: str | Path, track: Track | None = None) -> CopyReport:
    """Copy every article, story, feed and reading of the store at `source` into the new store
    at `target` (a path or a postgresql:// URL each); the source is never written."""
    started = time.perf_counter()
    if _same(source, target):
        raise StoreError(f"{target}: the source and the target are the same store")
    with open_read_only(source) as src, _snapshot(src):
        _check_version(src)
        with Store.open(target) as dst:
            try:
                rows = _copy(src, dst, track)
            except _engine_errors() as exc:  # one line naming the target, not a traceback
                detail = " ".join(str(exc).split()) or type(exc).__name__
                raise StoreError(
                    f"{dst.path}: the copy failed ({detail}); nothing was copied"
                ) from None
            _analyze(dst)
            _write_vector_file(dst)
            names = (str(src.path), str(dst.path))
    return CopyReport(names[0], names[1], rows, time.perf_counter() - started)


# -- the source, read-only ----------------------------------------------------------------------


def open_read_only(source: str | Path) -> Store:
    """The store at `source`, opened so that nothing can write it and not migrated."""
    if is_database_url(source):
        from newsweave.store import pg

        conn = pg.connect(str(source))
        conn.execute("SET default_transaction_read_only = on")
        store = Store(conn, pg.redact(str(source)), POSTGRES)
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise StoreError(f"{path}: no such database")
        try:
            # mode=ro: SQLite itself refuses every write, whatever a query tries.
            raw = sqlite3.connect(
                f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, isolation_level=None
            )
            raw.row_factory = sqlite3.Row
            raw.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open the database ({exc})") from None
        store = Store(raw, path, SQLITE)
    return store


@contextmanager
def _snapshot(src: Store) -> Iterator[None]:
    """Every read of the source in one transaction, so a writer working on it meanwhile
    (a refresh, the web reader) cannot leave the copy half before and half after its write."""
    begin = (
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if src.dialect is POSTGRES else "BEGIN"
    )
    src.conn.execute(begin)
    try:
        yield
    finally:
        src.conn.execute("ROLLBACK")


def _check_version(src: Store) -> None:
    try:
        row = src.conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    except _engine_errors():
        raise StoreError(
            f"{src.path}: not a newsweave store (it has no schema_migrations)"
        ) from None
    have, want = int(row[0] or 0), max(v for v, _ in src.dialect.migrations)
    if have < want:
        raise StoreError(
            f"{src.path}: the store is at schema {have}, this newsweave at {want}; open it once"
            f" (e.g. `newsweave --db {src.path} stories`) to migrate it, then copy it"
        )
    if have > want:
        raise StoreError(
            f"{src.path}: the store is at schema {have}, newer than this newsweave ({want})"
        )


def _engine_errors() -> tuple[type[Exception], ...]:
    try:
        import psycopg
    except ImportError:
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)


def _same(source: str | Path, target: str | Path) -> bool:
    if is_database_url(source) or is_database_url(target):
        return str(source) == str(target)
    return Path(source).expanduser().resolve() == Path(target).expanduser().resolve()


# -- catalogues ---------------------------------------------------------------------------------


def tables(store: Store) -> dict[str, Table]:
    """The store's tables of content, from its database's catalogue."""
    found = _pg_tables(store) if store.dialect is POSTGRES else _sqlite_tables(store)
    return {name: t for name, t in found.items() if name not in NOT_CONTENT}


def _sqlite_tables(store: Store) -> dict[str, Table]:
    rows = store.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    # A virtual table (FTS5) and its shadow tables are an index the triggers keep.
    virtual = [r[0] for r in rows if str(r[1]).upper().startswith("CREATE VIRTUAL TABLE")]
    found: dict[str, Table] = {}
    for name, _ in rows:
        if any(name == v or name.startswith(f"{v}_") for v in virtual):
            continue
        # table_xinfo's `hidden` is 2 or 3 for a generated column.
        columns = tuple(
            c["name"] for c in store.conn.execute(f"PRAGMA table_xinfo({name})") if not c["hidden"]
        )
        references = frozenset(
            r["table"] for r in store.conn.execute(f"PRAGMA foreign_key_list({name})")
        )
        found[name] = Table(name, columns, references)
    return found


def _pg_tables(store: Store) -> dict[str, Table]:
    names = [
        r[0]
        for r in store.conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    ]
    references: dict[str, set[str]] = {n: set() for n in names}
    for child, parent in store.conn.execute(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
        " WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
    ):
        references.setdefault(child, set()).add(parent)
    found: dict[str, Table] = {}
    for name in names:
        columns = tuple(
            r[0]
            for r in store.conn.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = ?"
                " AND is_generated = 'NEVER' ORDER BY ordinal_position",
                (name,),
            )
        )
        found[name] = Table(name, columns, frozenset(references[name]))
    return found


def copy_order(found: dict[str, Table]) -> list[Table]:
    """Each table after the tables its foreign keys point to (by name among equals)."""
    order: list[Table] = []
    done: set[str] = set()
    while len(order) < len(found):
        ready = sorted(
            name
            for name, t in found.items()
            if name not in done and t.references - {name} <= done | (t.references - set(found))
        )
        if not ready:
            raise StoreError(f"foreign keys in a cycle among {sorted(set(found) - done)}")
        for name in ready:
            order.append(found[name])
            done.add(name)
    return order


def _columns(src: Table, dst: Table, target: Store) -> tuple[list[str], list[str]]:
    """(the columns read from the source, the columns written on the target, derived last)."""
    shared = [c for c in dst.columns if c in src.columns]
    derived = [c for c in dst.columns if c not in src.columns and (dst.name, c) in DERIVED]
    unknown = [c for c in src.columns if c not in dst.columns and (src.name, c) not in DERIVED]
    if unknown:
        raise StoreError(
            f"{target.path}: the target has no column {src.name}.{unknown[0]}; the schemas differ"
        )
    return shared, shared + derived


def _deriving(table: str, column: str) -> Callable[[Any], Any]:
    """How the value of a derived column is made from the value of the column it comes from."""
    if (table, column) == ("article_signals", "embedding"):
        import numpy as np

        from newsweave.store.vectors import pg_vector_literal

        # As stories.py `insert_signals` writes it beside each vector it stores.
        return lambda blob: pg_vector_literal(np.frombuffer(blob, dtype=np.float16))
    raise AssertionError(f"DERIVED names {table}.{column} but no rule makes it")


def _with_derived(
    table: str, shared: list[str], derived: list[str], rows: Iterator[Sequence[Any]]
) -> Iterator[Sequence[Any]]:
    """Each row with its derived columns' values after the copied ones."""
    makers = [(shared.index(DERIVED[(table, c)]), _deriving(table, c)) for c in derived]
    for row in rows:
        yield (*row, *(make(row[at]) for at, make in makers))


# -- the copy -----------------------------------------------------------------------------------


def _count(store: Store, table: str, own: bool = True) -> int:
    """Rows of `table`; with `own=False`, leaving out the rows the store wrote for itself."""
    where = f" WHERE NOT ({OWN_ROWS[table]})" if not own and table in OWN_ROWS else ""
    return int(store.conn.execute(f"SELECT count(*) FROM {table}{where}").fetchone()[0])


def _check_empty(dst: Store, order: list[Table]) -> None:
    held = {t.name: n for t in order if (n := _count(dst, t.name, own=False))}
    if held:
        what = ", ".join(f"{name}: {n}" for name, n in list(held.items())[:3])
        raise StoreError(
            f"{dst.path}: the target is not empty (rows in {what}); copy into a new database or file"
        )


def _copy(src: Store, dst: Store, track: Track | None) -> dict[str, int]:
    source_tables, target_tables = tables(src), tables(dst)
    missing = sorted(set(source_tables) ^ set(target_tables))
    if missing:
        raise StoreError(f"{dst.path}: table {missing[0]} is in one store only; the schemas differ")
    order = copy_order(target_tables)
    totals = {t.name: _count(src, t.name, own=False) for t in order}
    copied: dict[str, int] = {}
    progress = track("copying", sum(totals.values())) if track else nullcontext(None)
    with progress as advance, dst.transaction():
        _check_empty(dst, order)
        for table in order:
            shared, written = _columns(source_tables[table.name], table, dst)
            rows = _with_derived(
                table.name, shared, written[len(shared) :], _read(src, table.name, shared)
            )
            copied[table.name] = 0
            # Rows a trigger of the target wrote already (the weave queue, as each article came
            # in) are the source's rows too: they are kept, the source's same rows skipped.
            merge = _count(dst, table.name) > 0
            for batch in _batches(rows):
                _write(dst, table.name, written, batch, merge)
                copied[table.name] += len(batch)
                if advance:
                    advance(len(batch), table.name)
        for table in order:
            # With the triggers' rows, each table must end as the source's is, not merely hold it.
            have, want = _count(dst, table.name), _count(src, table.name)
            if have != want:
                raise StoreError(
                    f"{dst.path}: {table.name} has {have} rows after the copy, the source {want}"
                )
        if dst.dialect is POSTGRES:
            _reset_identities(dst, order)
            _build_hnsw(dst)
    return copied


def _read(src: Store, table: str, columns: list[str]) -> Iterator[Sequence[Any]]:
    where = f" WHERE NOT ({OWN_ROWS[table]})" if table in OWN_ROWS else ""
    sql = f"SELECT {', '.join(columns)} FROM {table}{where}"
    if src.dialect is POSTGRES:
        # A server-side cursor: a large table streams instead of arriving whole in memory.
        with src.conn.raw.cursor(name=f"copy_{table}") as cursor:
            cursor.itersize = _BATCH
            cursor.execute(sql)
            yield from cursor
    else:
        yield from src.conn.execute(sql)


def _batches(rows: Iterator[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(
    dst: Store, table: str, columns: list[str], rows: list[Sequence[Any]], merge: bool
) -> None:
    if dst.dialect is POSTGRES and not merge:
        raw = dst.conn.raw
        with raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    verb = "INSERT OR IGNORE" if merge else "INSERT"
    dst.conn.executemany(
        f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        rows,
    )


# -- what the target derives ---------------------------------------------------------------------


def _reset_identities(dst: Store, order: list[Table]) -> None:
    """Each identity or serial column's sequence past the largest copied value, so the next
    `add` or `subscribe` takes a new id (SQLite's INTEGER PRIMARY KEY does this itself)."""
    names = [t.name for t in order]
    rows = dst.conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
        " AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"
    ).fetchall()
    for table, column in rows:
        if table in names:
            dst.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f" (SELECT coalesce(max({column}), 0) + 1 FROM {table}), false)"
            )


def _build_hnsw(dst: Store) -> None:
    from newsweave.store.vectors import PgVectorIndex

    dims = dst.conn.execute(
        "SELECT DISTINCT vector_dims(embedding) FROM article_signals WHERE embedding IS NOT NULL"
    ).fetchall()
    for (dim,) in dims:
        PgVectorIndex(dst, int(dim))


def _analyze(dst: Store) -> None:
    """Statistics for PostgreSQL's planner, which would otherwise plan for empty tables until
    autovacuum next looks."""
    if dst.dialect is POSTGRES:
        dst.conn.execute("ANALYZE")


def _write_vector_file(dst: Store) -> None:
    if dst.dialect is POSTGRES:
        return
    dims = dst.conn.execute("SELECT DISTINCT length(vector) / 2 FROM article_signals").fetchall()
    if len(dims) != 1:
        # None (nothing woven) or vectors of several models: weaving writes the file itself.
        return
    from newsweave.store.vectors import VectorIndex

    VectorIndex(dst, int(dims[0][0])).save()
