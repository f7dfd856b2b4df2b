"""PostgreSQL under the store's one set of queries: a connection that speaks like `sqlite3`'s.

The query modules (db.py, stories.py, feeds.py, …) are written once, in the SQL both engines
share, with `?` placeholders as `sqlite3` takes them. `PgConnection` takes the same calls
(`execute`, `executemany`, rows read by position or by name, `in_transaction`) and rewrites the
few spellings PostgreSQL does not share, once per distinct statement:

- `?` → `%s` and `:name` → `%(name)s` (outside string literals), `%` → `%%`;
- `INSERT OR IGNORE` → `INSERT … ON CONFLICT DO NOTHING`;
- `INSERT OR REPLACE` → `INSERT … ON CONFLICT (primary key) DO UPDATE` of every other column
  (`_PRIMARY_KEYS` names the key of each table written that way);
- `datetime('now')` → the same text from `now()`.

What differs by more than spelling (full-text search, vectors, the schema) is chosen through the
store's `Dialect` (dialect.py) instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

from newsweave.errors import StoreError

# The tables written with INSERT OR REPLACE, and the key each replaces on.
_PRIMARY_KEYS = {
    "provenance": ("article_id", "field"),
    "article_analysis": ("article_id",),
    "text_vectors": ("key",),
    "feed_entries": ("feed_id", "key"),
    "story_merges": ("old_id",),
    "meta": ("key",),
}

_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.I)
_OR_REPLACE = re.compile(r"^\s*INSERT\s+OR\s+REPLACE\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.I)
_NOW = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"


class Row(tuple[Any, ...]):
    """A result row read by position (`row[0]`, unpacking) or by column name (`row["id"]`), as
    `sqlite3.Row` is."""

    _names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor: Any) -> Any:
    names = {d.name: i for i, d in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row._names = names
        return row

    return make


class PgCursor:
    """The answer of one statement."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        if self._cursor.description:
            yield from self._cursor


def _rewrite_verbs(sql: str) -> str:
    if _OR_IGNORE.match(sql):
        return _OR_IGNORE.sub("INSERT INTO", sql, count=1) + " ON CONFLICT DO NOTHING"
    replace = _OR_REPLACE.match(sql)
    if replace:
        table = replace.group(1)
        columns = [c.strip() for c in replace.group(2).split(",")]
        key = _PRIMARY_KEYS[table]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        head = re.sub(r"\s+OR\s+REPLACE", "", sql[: replace.end()], count=1, flags=re.I)
        return f"{head}{sql[replace.end() :]} ON CONFLICT ({', '.join(key)}) {action}"
    return sql


@lru_cache(maxsize=2048)
def translate(sql: str, named: bool) -> str:
    """The statement in PostgreSQL's spelling, for psycopg with parameters."""
    sql = _rewrite_verbs(sql.strip().rstrip(";"))
    out: list[str] = []
    i = 0
    while i < len(sql):
        ch = sql[i]
        if ch == "'":  # a string literal: copied as it is, but for psycopg's %
            end = sql.index("'", i + 1)
            while end + 1 < len(sql) and sql[end + 1] == "'":
                end = sql.index("'", end + 2)
            out.append(sql[i : end + 1].replace("%", "%%"))
            i = end + 1
            continue
        if ch == "%":
            out.append("%%")
        elif ch == "?":
            out.append("%s")
        elif (
            named and ch == ":" and i + 1 < len(sql) and (sql[i + 1].isalpha() or sql[i + 1] == "_")
        ):
            if i > 0 and sql[i - 1] == ":":  # a ::cast
                out.append(ch)
            else:
                name = re.match(r"\w+", sql[i + 1 :])
                assert name is not None
                out.append(f"%({name.group(0)})s")
                i += 1 + len(name.group(0))
                continue
        else:
            out.append(ch)
        i += 1
    return "".join(out).replace("datetime('now')", _NOW)


class PgConnection:
    """One psycopg connection in autocommit mode, with transactions begun and ended by the
    store's own BEGIN/COMMIT/SAVEPOINT statements exactly as on SQLite."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    @property
    def raw(self) -> psycopg.Connection[Any]:
        return self._conn

    @property
    def in_transaction(self) -> bool:
        return self._conn.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> PgCursor:
        cursor = self._conn.cursor(row_factory=_row_factory)
        if params:
            cursor.execute(translate(sql, isinstance(params, Mapping)), params)
        else:
            # No parameters: psycopg sends the text as it is (so no %% either).
            cursor.execute(_rewrite_verbs(sql.strip().rstrip(";")).replace("datetime('now')", _NOW))
        return PgCursor(cursor)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> PgCursor:
        cursor = self._conn.cursor(row_factory=_row_factory)
        rows = list(rows)
        if rows:
            cursor.executemany(translate(sql, False), rows)
        return PgCursor(cursor)

    def script(self, sql: str) -> None:
        """Several statements (a migration), sent as one text without parameters."""
        self._conn.execute(sql)

    def close(self) -> None:
        self._conn.close()


def redact(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def connect(url: str) -> PgConnection:
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise StoreError(f"{redact(url)}: cannot connect to PostgreSQL ({detail})") from None
    return PgConnection(conn)
