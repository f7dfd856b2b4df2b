"""What differs between the store's two engines by more than spelling: the schema's form, how a
transaction begins, full-text search and a few tests of text. Everything else is the one set of
queries in db.py, stories.py, feeds.py, … (pg.py rewrites the spelling).

SQLite: FTS5 (porter tokenizer) ranked by bm25 with the title weighing 5 to the body's 1.
PostgreSQL: a generated `tsvector` (English stemming) with a GIN index, ranked by `ts_rank`
with the same 5 : 1 weights over the newest `rank_cap` matches, snippets by `ts_headline`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from newsweave.errors import StoreError
from newsweave.store.migrations import MIGRATIONS, PG_MIGRATIONS
from newsweave.text import tokens


class Connection(Protocol):
    """The calls the store makes on a connection: `sqlite3.Connection`'s, which pg.py's
    `PgConnection` takes as well."""

    @property
    def in_transaction(self) -> bool: ...

    def execute(self, sql: str, params: Any = ..., /) -> Any: ...

    def executemany(self, sql: str, rows: Any, /) -> Any: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Hit:
    id: str
    title: str | None
    source: str | None
    snippet: str
    score: float


class Dialect:
    name = "sqlite"
    begin = "BEGIN IMMEDIATE"  # the write lock at once, so no transaction retries half-way

    @property
    def migrations(self) -> list[tuple[int, str]]:
        """The numbered schema steps, in this engine's SQL."""
        return MIGRATIONS

    def search(self, conn: Connection, query: str, limit: int, offset: int) -> list[Hit]:
        match = fts_query(query)
        if not match:
            return []
        # The best `limit` by BM25 first, then a snippet for each of them only: a snippet in
        # the ranking query would be built for every match of a common word before the sort.
        top = conn.execute(
            "SELECT rowid, bm25(articles_fts, 5.0, 1.0) AS rank FROM articles_fts"
            " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?",
            (match, limit, offset),
        ).fetchall()
        hits = []
        for rowid, rank in top:
            row = conn.execute(
                "SELECT a.id, a.title, a.source,"
                " snippet(articles_fts, 1, '<mark>', '</mark>', '…', 16)"
                " FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
                " WHERE articles_fts MATCH ? AND articles_fts.rowid = ?",
                (match, rowid),
            ).fetchone()
            if row is not None:  # deleted between the two reads
                hits.append(Hit(row[0], row[1], row[2], row[3], round(-rank, 4)))
        return hits

    def any_of_terms(
        self, conn: Connection, terms: list[str], exclude_rowid: int, limit: int
    ) -> list[Any]:
        """(id, title, body) of the articles best matching any of `terms`, this one left out."""
        match = " OR ".join(f'"{t}"' for t in terms)
        rows: list[Any] = conn.execute(
            "SELECT a.id, a.title, a.body FROM articles_fts JOIN articles a"
            " ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH ? AND a.rowid != ? ORDER BY bm25(articles_fts, 2.0, 1.0)"
            " LIMIT ?",
            (match, exclude_rowid, limit),
        ).fetchall()
        return rows

    def rowids_naming(
        self, conn: Connection, names: list[str], first: str, last: str, limit: int
    ) -> list[int]:
        """Rowids of articles published from day `first` to day `last` whose text holds any of
        `names` (each a phrase), best matches first."""
        match = " OR ".join(f'"{n}"' for n in names)
        rows = conn.execute(
            "SELECT f.rowid FROM articles_fts f JOIN articles a ON a.rowid = f.rowid"
            " WHERE articles_fts MATCH ? AND substr(a.published, 1, 10) BETWEEN ? AND ?"
            " ORDER BY bm25(articles_fts, 2.0, 1.0) LIMIT ?",
            (match, first, last, limit),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def iso_date_prefix(self, column: str) -> str:
        """A condition: `column` starts with a YYYY-MM-DD date."""
        return f"{column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"

    def integrity_ok(self, conn: Connection) -> bool:
        return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


# ts_rank's weights for labels {D, C, B, A}: the body is D, the title A (migrations.py).
_RANK_WEIGHTS = "'{0.2, 0.2, 0.2, 1.0}'"
_HEADLINE = "StartSel=<mark>, StopSel=</mark>, MaxWords=16, MinWords=8, FragmentDelimiter=…"


class PostgresDialect(Dialect):
    name = "postgresql"
    # READ COMMITTED: article inserts never conflict but on the same id (ON CONFLICT DO NOTHING
    # waits for the other transaction and then does nothing); weaving is serialised by its lease.
    begin = "BEGIN"

    @property
    def migrations(self) -> list[tuple[int, str]]:
        """The same numbered steps as SQLite's, each in its PostgreSQL form."""
        missing = [version for version, _ in MIGRATIONS if version not in PG_MIGRATIONS]
        if missing:
            # A step added for SQLite alone: PostgreSQL stores refuse to open rather than
            # migrate half-way (SQLite stores are unaffected).
            raise StoreError(f"migration {missing[0]} has no PostgreSQL form (store/migrations.py)")
        return [(version, PG_MIGRATIONS[version]) for version, _ in MIGRATIONS]

    # ts_rank reads each row's whole tsvector (about 8 µs a row here), so ranking every match
    # of a common word costs 0.3 s at 100k stored. Only the `rank_cap` most recently stored
    # matches are ranked (docs/postgres.md, "Search at size"); a query with fewer matches is
    # ranked whole, exactly as without the cap.
    rank_cap = 500

    def search(self, conn: Connection, query: str, limit: int, offset: int) -> list[Hit]:
        tsquery, params = pg_tsquery(query)
        if not tsquery:
            return []
        cap = self.rank_cap
        # `recent`: the newest matches by rowid, through the primary key read backwards when
        # the words are common or the GIN index when they are rare (the planner's choice; both
        # give the same rows). Pages past the cap continue in that order, unranked, so paging
        # never repeats or skips a hit. The query is spelled out in `recent` rather than read
        # from `q`, so the planner sees its words and can tell common from rare.
        rows = conn.execute(
            f"WITH q AS (SELECT {tsquery} AS q),"
            f" recent AS (SELECT rowid FROM articles WHERE fts @@ ({tsquery})"
            " ORDER BY rowid DESC LIMIT ?),"
            " numbered AS (SELECT rowid, row_number() OVER (ORDER BY rowid DESC) AS n FROM recent),"
            f" top AS (SELECT a.rowid, CASE WHEN n.n <= ? THEN ts_rank({_RANK_WEIGHTS}, a.fts, q.q)"
            " END AS rank, n.n FROM numbered n JOIN articles a ON a.rowid = n.rowid, q"
            " ORDER BY rank DESC NULLS LAST, CASE WHEN n.n <= ? THEN a.rowid ELSE -a.rowid END"
            " LIMIT ? OFFSET ?)"
            " SELECT a.id, a.title, a.source,"
            f" ts_headline('english', a.body, q.q, '{_HEADLINE}'),"
            f" ts_rank({_RANK_WEIGHTS}, a.fts, q.q)"
            " FROM top JOIN articles a ON a.rowid = top.rowid, q"
            " ORDER BY top.rank DESC NULLS LAST, CASE WHEN top.n <= ? THEN a.rowid ELSE -a.rowid END",
            (*params, *params, max(cap, offset + limit), cap, cap, limit, offset, cap),
        ).fetchall()
        return [Hit(r[0], r[1], r[2], r[3], round(float(r[4]), 4)) for r in rows]

    def any_of_terms(
        self, conn: Connection, terms: list[str], exclude_rowid: int, limit: int
    ) -> list[Any]:
        words = " || ".join("plainto_tsquery('english', ?)" for _ in terms)
        rows: list[Any] = conn.execute(
            f"WITH q AS (SELECT {words} AS q) SELECT a.id, a.title, a.body FROM articles a, q"
            " WHERE a.fts @@ q.q AND a.rowid != ?"
            " ORDER BY ts_rank('{0.5, 0.5, 0.5, 1.0}', a.fts, q.q) DESC, a.rowid LIMIT ?",
            (*terms, exclude_rowid, limit),
        ).fetchall()
        return rows

    def rowids_naming(
        self, conn: Connection, names: list[str], first: str, last: str, limit: int
    ) -> list[int]:
        words = " || ".join("phraseto_tsquery('english', ?)" for _ in names)
        rows = conn.execute(
            f"WITH q AS (SELECT {words} AS q) SELECT a.rowid FROM articles a, q"
            " WHERE a.fts @@ q.q AND substr(a.published, 1, 10) BETWEEN ? AND ?"
            " ORDER BY ts_rank('{0.5, 0.5, 0.5, 1.0}', a.fts, q.q) DESC, a.rowid LIMIT ?",
            (*names, first, last, limit),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def iso_date_prefix(self, column: str) -> str:
        return f"{column} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}'"

    def integrity_ok(self, conn: Connection) -> bool:
        # PostgreSQL checks its own pages; what is left to ask is that every query answers.
        return bool(conn.execute("SELECT count(*) FROM articles").fetchone() is not None)


SQLITE = Dialect()
POSTGRES = PostgresDialect()


def _words(text: str) -> list[tuple[str, str]]:
    """A reader's query as ("phrase" | "word" | "or", text) parts."""
    parts: list[tuple[str, str]] = []
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', text):
        if phrase:
            inner = " ".join(tokens(phrase))
            if inner:
                parts.append(("phrase", inner))
        elif word == "OR" and parts and parts[-1][0] != "or":
            parts.append(("or", "OR"))
        else:
            parts.extend(("word", t) for t in tokens(word))
    while parts and parts[-1][0] == "or":
        parts.pop()
    return parts


def fts_query(text: str) -> str:
    """A reader's words as an FTS5 query: every word must match (quoted, so punctuation and
    FTS5 operators in the input never raise a syntax error); "quoted phrases" stay phrases;
    OR between words is kept."""
    return " ".join("OR" if kind == "or" else f'"{value}"' for kind, value in _words(text))


def pg_tsquery(text: str) -> tuple[str, list[str]]:
    """The same reading of a query as `fts_query`, as a PostgreSQL tsquery expression: words
    joined by && (OR by ||, binding tighter, as in FTS5), phrases by phraseto_tsquery; every
    word a parameter, so nothing in the input is ever parsed as tsquery syntax."""
    sql: list[str] = []
    params: list[str] = []
    for kind, value in _words(text):
        if kind == "or":
            sql.append("||")
            continue
        if sql and sql[-1] != "||":
            sql.append("&&")
        fn = "phraseto_tsquery" if kind == "phrase" else "plainto_tsquery"
        sql.append(f"{fn}('english', ?)")
        params.append(value)
    if not sql:
        return "", []
    # && binds tighter than || in PostgreSQL; FTS5 binds OR tighter than AND: group the ORs.
    groups: list[list[str]] = [[]]
    for token in sql:
        if token == "&&":
            groups.append([])
        else:
            groups[-1].append(token)
    return " && ".join(f"({' '.join(g)})" for g in groups), params
