"""Every query of weaving and of reading stories: signals, document frequencies, LSH buckets,
origins, story rows, members and merges (`StoryRepository`, the weaver's storage), and the reads
`list_stories`, `get_story`, `resolve_story`, `origin_of` and `similar`.

Vectors are stored as float16 bytes and centroids as float32 bytes; the term counts, names and
sentence sets of an article's signals, and story profiles, as blobs (store/packing.py). Signals
written before migration 11 are JSON and are still read.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from newsweave.errors import NotFoundError
from newsweave.models import Article, Origin, SimilarArticle, Story, StoryEvent
from newsweave.provenance import MemberDate
from newsweave.store.db import NO_LIMIT, write_provenance
from newsweave.store.dialect import Connection
from newsweave.store.packing import (
    pack_profile,
    pack_signals,
    unpack_name_keys,
    unpack_profile,
    unpack_signals,
)
from newsweave.store.vectors import nearest, pg_vector_literal, vector_index
from newsweave.weave.dedupe import sentence_keys
from newsweave.weave.embed import MODELS, Vectors
from newsweave.weave.events import events_of
from newsweave.weave.profiles import StoryProfile
from newsweave.weave.signals import Signals, language_of_keys
from newsweave.weave.similarity import _days_between, _Idf, calibrate
from newsweave.weave.storage import NeighbourIndex, StoryShape

if TYPE_CHECKING:
    from newsweave.store.db import Store


def _f16(blob: bytes) -> Vectors:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


# Another weaver that wrote the row first is replaced, as the signals row is.
_LANGUAGE_UPSERT = (
    "INSERT INTO signal_languages (article_id, language) VALUES (?, ?)"
    " ON CONFLICT(article_id) DO UPDATE SET language = excluded.language"
)


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _signals_of_row(row: Any) -> Signals:
    if row["packed"] is not None:
        terms, counts, display, lead, sentences = unpack_signals(row["packed"])
        return Signals(
            article_id=row["article_id"],
            rowid=row["rowid_"],
            vector=_f16(row["vector"]),
            terms=terms,
            names=counts,
            display=display,
            lead=lead,
            day=row["day"],
            sentences=sentences,
            when=row["published"] or "",
        )
    names = json.loads(row["names"])
    return Signals(
        article_id=row["article_id"],
        rowid=row["rowid_"],
        vector=_f16(row["vector"]),
        terms=json.loads(row["terms"]),
        names={k: v[0] for k, v in names.items()},
        display={k: v[1] for k, v in names.items()},
        lead=frozenset(k for k, v in names.items() if v[2]),
        day=row["day"],
        sentences=json.loads(row["sentences"]),
        when=row["published"] or "",
    )


class StoryRepository:
    """The weaver's storage (weave/storage.py `StoryStorage`) over one store: a named method per
    query. Reads inside a transaction see its writes: they share the store's one connection."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self.store.transaction() as tx:
            yield tx

    def vector_index(self, dim: int) -> NeighbourIndex:
        return vector_index(self.store, dim)

    # - articles and their signals -

    def pending_ids(self) -> list[str]:
        """Articles not yet in a story, in the order stored (the queue triggers keep)."""
        rows = self.conn.execute(
            "SELECT a.id FROM weave_queue q JOIN articles a ON a.rowid = q.article_rowid"
            " ORDER BY q.article_rowid"
        )
        return [r[0] for r in rows]

    def article(self, article_id: str) -> Article:
        return self.store.get(article_id)

    def is_woven(self, article_id: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM story_members WHERE article_id = ?", (article_id,)
        ).fetchone()
        return row is not None

    def rowid_of(self, article_id: str) -> int | None:
        row = self.conn.execute("SELECT rowid FROM articles WHERE id = ?", (article_id,)).fetchone()
        return int(row[0]) if row else None

    def rowids_of(self, article_ids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            found.update(
                self.conn.execute(
                    f"SELECT id, rowid FROM articles WHERE id IN ({_marks(chunk)})", chunk
                ).fetchall()
            )
        return found

    def ids_of_rowids(self, rowids: Sequence[int]) -> list[str]:
        rows = self.conn.execute(
            f"SELECT id FROM articles WHERE rowid IN ({_marks(rowids)})", list(rowids)
        )
        return [r[0] for r in rows]

    def title_of(self, article_id: str) -> str | None:
        row = self.conn.execute("SELECT title FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def derived_title_of(self, article_id: str) -> str | None:
        """The title taken from the article's text, when it came with none of its own."""
        return self.store.derived_titles([article_id]).get(article_id)

    def count_signals(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM article_signals").fetchone()[0])

    def document_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """The df of each term stored; a term never seen is left out."""
        found: dict[str, int] = {}
        for start in range(0, len(terms), 500):  # SQLite's limit on bound parameters
            chunk = list(terms[start : start + 500])
            found.update(
                self.conn.execute(
                    f"SELECT term, df FROM term_df WHERE term IN ({_marks(chunk)})", chunk
                ).fetchall()
            )
        return found

    def load_signals(self, rowid: int) -> Signals | None:
        return self.load_many_signals([rowid]).get(rowid)

    def load_many_signals(self, rowids: Sequence[int]) -> dict[int, Signals]:
        """The signals of each rowid that has them, in one query per 500."""
        found: dict[int, Signals] = {}
        for row in self._signal_rows("a.rowid AS rowid_, s.*, a.published", rowids):
            found[row["rowid_"]] = _signals_of_row(row)
        return found

    def _signal_rows(
        self, columns: str, rowids: Sequence[int], table: str = "article_signals s"
    ) -> Iterator[Any]:
        """Rows of articles joined to their signals (or to another table keyed by article, as
        `s`) for these rowids, in queries of 500."""
        for start in range(0, len(rowids), 500):
            chunk = list(rowids[start : start + 500])
            yield from self.conn.execute(
                f"SELECT {columns} FROM articles a JOIN {table} ON s.article_id = a.id"
                f" WHERE a.rowid IN ({_marks(chunk)})",
                chunk,
            )

    def signal_languages(self, rowids: Sequence[int]) -> dict[int, str | None]:
        """`Signals.language` of each rowid that has signals, without reading the rest of them:
        weaving asks for the languages of hundreds of other stories' members at a time."""
        found: dict[int, str | None] = {
            rowid: language or None
            for rowid, language in self._signal_rows(
                "a.rowid, s.language", rowids, "signal_languages s"
            )
        }
        if len(found) == len(rowids):
            return found
        # Woven before signal_languages existed (migration 13): read from the signals.
        rest = [r for r in rowids if r not in found]
        for rowid, packed, names in self._signal_rows("a.rowid, s.packed, s.names", rest):
            keys = unpack_name_keys(packed) if packed is not None else list(json.loads(names))
            found[rowid] = language_of_keys(keys)
        return found

    def bucket_members(self, band: int, key: int) -> list[str]:
        rows = self.conn.execute(
            "SELECT article_id FROM lsh_buckets WHERE band = ? AND key = ?", (band, key)
        )
        return [r[0] for r in rows]

    def buckets_members(self, keys: Sequence[tuple[int, int]]) -> list[str]:
        """Articles sharing any of the (band, key) pairs: one query, in the order of
        `bucket_members` called pair by pair."""
        if not keys:
            return []
        values = ",".join("(?, ?, ?)" for _ in keys)
        rows = self.conn.execute(
            f"WITH k(seq, band, key) AS (VALUES {values})"
            " SELECT b.article_id FROM k JOIN lsh_buckets b ON b.band = k.band AND b.key = k.key"
            " ORDER BY k.seq, b.article_id",
            [v for seq, (band, key) in enumerate(keys) for v in (seq, band, key)],
        )
        return [r[0] for r in rows]

    def sentence_members(self, keys: Sequence[int], limit: int) -> list[str]:
        """Up to `limit` articles sharing any of the sentence keys, most shared first."""
        if not keys:
            return []
        rows = self.conn.execute(
            f"SELECT article_id FROM sentence_keys WHERE key IN ({_marks(keys)})"
            " GROUP BY article_id ORDER BY count(*) DESC, article_id LIMIT ?",
            [*keys, limit],
        )
        return [r[0] for r in rows]

    def insert_signals(
        self, tx: Connection, signals: Signals, model: str, keys: Sequence[tuple[int, int]]
    ) -> None:
        """The signals row, the document frequencies it adds, its LSH band keys and its
        sentence keys."""
        packed = pack_signals(
            signals.terms, signals.names, signals.display, signals.lead, signals.sentences
        )
        vector = signals.vector.astype(np.float16).tobytes()
        terms = [*signals.terms, *("@" + n for n in signals.names)]
        bands = [(band, key, signals.article_id) for band, key in keys]
        sentences = sentence_keys(signals.sentences)
        if self.store.dialect.name == "postgresql":
            self._insert_signals_pg(tx, signals, model, vector, packed, terms, bands, sentences)
            return
        tx.execute(
            "INSERT INTO article_signals (article_id, model, vector, terms, names, day, sentences, packed)"
            " VALUES (?,?,?,'','',?,'',?)"
            # Another weaver that wrote this row first is replaced rather than failed on.
            " ON CONFLICT(article_id) DO UPDATE SET model = excluded.model, vector = excluded.vector,"
            " terms = '', names = '', day = excluded.day, sentences = '', packed = excluded.packed",
            (signals.article_id, model, vector, signals.day, packed),
        )  # fmt: skip
        tx.executemany(
            "INSERT INTO term_df (term, df) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = term_df.df + 1",
            [(t,) for t in terms],
        )
        tx.executemany(
            "INSERT OR IGNORE INTO lsh_buckets (band, key, article_id) VALUES (?, ?, ?)", bands
        )
        tx.executemany(
            "INSERT OR IGNORE INTO sentence_keys (key, article_id) VALUES (?, ?)",
            [(key, signals.article_id) for key in sentences],
        )
        tx.execute(_LANGUAGE_UPSERT, (signals.article_id, signals.language or ""))

    @staticmethod
    def _insert_signals_pg(
        tx: Connection,
        signals: Signals,
        model: str,
        vector: bytes,
        packed: bytes,
        terms: list[str],
        bands: list[tuple[int, int, str]],
        sentences: list[int],
    ) -> None:
        """The same rows in five statements: on SQLite a statement per term costs nothing,
        on a server each is a round trip, and an article has a hundred terms or more."""
        tx.execute(
            "INSERT INTO article_signals (article_id, model, vector, terms, names, day, sentences, packed, embedding)"
            " VALUES (?,?,?,'','',?,'',?,CAST(? AS vector))"
            # Another weaver that wrote this row first is replaced rather than failed on. The
            # vector is also written for pgvector's HNSW index (store/vectors.py).
            " ON CONFLICT(article_id) DO UPDATE SET model = excluded.model, vector = excluded.vector,"
            " terms = '', names = '', day = excluded.day, sentences = '', packed = excluded.packed,"
            " embedding = excluded.embedding",
            (signals.article_id, model, vector, signals.day, packed, pg_vector_literal(signals.vector)),
        )  # fmt: skip
        if terms:
            # Counted first: one statement cannot update a row twice, and a term listed twice
            # adds two, as two statements would.
            tx.execute(
                "INSERT INTO term_df (term, df) SELECT t, count(*) FROM unnest(CAST(? AS text[])) AS t"
                " GROUP BY t ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df",
                (terms,),
            )  # fmt: skip
        if bands:
            tx.execute(
                "INSERT INTO lsh_buckets (band, key, article_id)"
                " SELECT b, k, ? FROM unnest(CAST(? AS integer[]), CAST(? AS bigint[])) AS u(b, k)"
                " ON CONFLICT DO NOTHING",
                (signals.article_id, [b for b, _, _ in bands], [k for _, k, _ in bands]),
            )
        if sentences:
            tx.execute(
                "INSERT INTO sentence_keys (key, article_id)"
                " SELECT k, ? FROM unnest(CAST(? AS bigint[])) AS k ON CONFLICT DO NOTHING",
                (signals.article_id, sentences),
            )
        tx.execute(_LANGUAGE_UPSERT, (signals.article_id, signals.language or ""))

    # - origins -

    def origin_and_story(self, article_id: str) -> tuple[str, str]:
        group, story_id = self.conn.execute(
            "SELECT o.origin_group, m.story_id FROM origins o JOIN story_members m"
            " ON m.article_id = o.article_id WHERE o.article_id = ?",
            (article_id,),
        ).fetchone()
        return group, story_id

    def origin_groups(self, story_id: str) -> dict[str, str]:
        return dict(
            self.conn.execute(
                "SELECT o.article_id, o.origin_group FROM origins o JOIN story_members m"
                " ON m.article_id = o.article_id WHERE m.story_id = ?",
                (story_id,),
            ).fetchall()
        )

    def insert_origin(
        self,
        tx: Connection,
        article_id: str,
        group: str,
        copy_of: str | None,
        kind: str,
        score: float | None,
    ) -> None:
        tx.execute(
            "INSERT INTO origins (article_id, origin_group, copy_of, kind, score) VALUES (?,?,?,?,?)"
            " ON CONFLICT(article_id) DO UPDATE SET origin_group = excluded.origin_group,"
            " copy_of = excluded.copy_of, kind = excluded.kind, score = excluded.score",
            (article_id, group, copy_of, kind, score),
        )

    def origins_and_stories(self, article_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """`origin_and_story` of each of these articles, in one read."""
        if not article_ids:
            return {}
        rows = self.conn.execute(
            "SELECT o.article_id, o.origin_group, m.story_id FROM origins o JOIN story_members m"
            f" ON m.article_id = o.article_id WHERE o.article_id IN ({_marks(article_ids)})",
            list(article_ids),
        ).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def unite_origin_groups(self, tx: Connection, groups: Sequence[str], into: str) -> None:
        """Every member of these origin groups joins the group `into`."""
        if groups:
            tx.execute(
                f"UPDATE origins SET origin_group = ? WHERE origin_group IN ({_marks(groups)})",
                [into, *groups],
            )

    # - stories -

    def story_exists(self, story_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone()
        return row is not None

    def story_size(self, story_id: str) -> int | None:
        row = self.conn.execute("SELECT size FROM stories WHERE id = ?", (story_id,)).fetchone()
        return int(row[0]) if row else None

    def story_sizes(self, story_ids: Sequence[str]) -> dict[str, int]:
        """`story_size` of each story that exists, in one query per 500."""
        found: dict[str, int] = {}
        for start in range(0, len(story_ids), 500):
            chunk = list(story_ids[start : start + 500])
            rows = self.conn.execute(
                f"SELECT id, size FROM stories WHERE id IN ({_marks(chunk)})", chunk
            )
            found.update((r[0], int(r[1])) for r in rows)
        return found

    def story_shape(self, story_id: str) -> StoryShape:
        row = self.conn.execute(
            "SELECT centroid, size, first_seen, last_updated FROM stories WHERE id = ?",
            (story_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"{story_id}: no story with this id")
        return StoryShape(
            centroid=np.frombuffer(row["centroid"], dtype=np.float32),
            size=row["size"],
            first_seen=row["first_seen"],
            last_updated=row["last_updated"],
        )

    def rowids_naming(self, names: Sequence[str], first: str, last: str, limit: int) -> list[int]:
        """Articles published from day `first` to `last` that name any of `names`, through the
        full-text index (the best `limit` matches)."""
        if not names:
            return []
        return self.store.dialect.rowids_naming(self.conn, list(names), first, last, limit)

    def stories_of_rowids(self, rowids: Sequence[int]) -> dict[int, str]:
        return dict(
            self.conn.execute(
                f"SELECT a.rowid, m.story_id FROM articles a JOIN story_members m ON m.article_id = a.id WHERE a.rowid IN ({_marks(rowids)})",
                list(rowids),
            ).fetchall()
        )

    def recent_member_rowids(self, story_id: str, limit: int) -> list[int]:
        rows = self.conn.execute(
            "SELECT a.rowid FROM story_members m JOIN articles a ON a.id = m.article_id"
            " WHERE m.story_id = ? ORDER BY a.rowid DESC LIMIT ?",
            (story_id, limit),
        ).fetchall()
        return [r[0] for r in rows]

    def recent_member_rowids_of(self, story_ids: Sequence[str], limit: int) -> dict[str, list[int]]:
        """`recent_member_rowids` of each story (empty for a story without members), in one
        query per 500 stories: weaving asks for dozens of stories at a time, and a query each
        cost more in round trips than in work."""
        found: dict[str, list[int]] = {story_id: [] for story_id in story_ids}
        for start in range(0, len(story_ids), 500):
            chunk = list(story_ids[start : start + 500])
            rows = self.conn.execute(
                "SELECT story_id, member FROM (SELECT m.story_id, a.rowid AS member,"
                " row_number() OVER (PARTITION BY m.story_id ORDER BY a.rowid DESC) AS n"
                " FROM story_members m JOIN articles a ON a.id = m.article_id"
                f" WHERE m.story_id IN ({_marks(chunk)})) AS ranked"
                " WHERE n <= ? ORDER BY story_id, member DESC",
                [*chunk, limit],
            )
            for story_id, member in rows:
                found[story_id].append(member)
        return found

    def member_vectors(self, story_id: str) -> list[tuple[Vectors, str | None]]:
        rows = self.conn.execute(
            "SELECT s.vector, a.published FROM story_members m"
            " JOIN articles a ON a.id = m.article_id JOIN article_signals s ON s.article_id = a.id"
            " WHERE m.story_id = ?",
            (story_id,),
        ).fetchall()
        return [(_f16(r[0]), r[1]) for r in rows]

    def taken_story_ids(self, ids: Sequence[str]) -> set[str]:
        """Those of `ids` in use: ids of stories, and old ids merged stories still answer to.
        Only the ids asked about are looked up; reading every id cost a scan of all stories."""
        taken: set[str] = set()
        for start in range(0, len(ids), 250):  # two uses of each bound parameter
            chunk = list(ids[start : start + 250])
            rows = self.conn.execute(
                f"SELECT id FROM stories WHERE id IN ({_marks(chunk)})"
                f" UNION SELECT old_id FROM story_merges WHERE old_id IN ({_marks(chunk)})",
                chunk + chunk,
            )
            taken.update(r[0] for r in rows)
        return taken

    def insert_story(
        self,
        tx: Connection,
        story_id: str,
        title: str | None,
        first_seen: str,
        last_updated: str,
        centroid: Vectors,
    ) -> None:
        tx.execute(
            "INSERT INTO stories (id, title, first_seen, last_updated, size, centroid, why)"
            " VALUES (?, ?, ?, ?, 0, ?, '{}')",
            (story_id, title, first_seen, last_updated, centroid.astype(np.float32).tobytes()),
        )

    def add_member(self, tx: Connection, article_id: str, story_id: str, score: float) -> None:
        tx.execute(
            "INSERT INTO story_members (article_id, story_id, score) VALUES (?, ?, ?)",
            (article_id, story_id, score),
        )

    def move_members(self, tx: Connection, article_ids: Sequence[str], story_id: str) -> None:
        tx.execute(
            f"UPDATE story_members SET story_id = ? WHERE article_id IN ({_marks(article_ids)})",
            [story_id, *article_ids],
        )

    def grow_story(
        self,
        tx: Connection,
        story_id: str,
        centroid: Vectors,
        first_seen: str,
        last_updated: str,
    ) -> None:
        """One member more: its vector added to the centroid, the span widened to its time."""
        tx.execute(
            "UPDATE stories SET centroid = ?, size = size + 1, first_seen = ?, last_updated = ? WHERE id = ?",
            (centroid.astype(np.float32).tobytes(), first_seen, last_updated, story_id),
        )

    def set_story_shape(self, tx: Connection, story_id: str, shape: StoryShape) -> None:
        tx.execute(
            "UPDATE stories SET centroid = ?, size = ?, first_seen = ?, last_updated = ? WHERE id = ?",
            (shape.centroid.astype(np.float32).tobytes(), shape.size, shape.first_seen,
             shape.last_updated, story_id),
        )  # fmt: skip

    def fold_story(self, tx: Connection, other: str, into: str) -> None:
        """Move every member of `other` into `into`; `other`'s id (and any id that redirected to
        it) then answers with `into`."""
        tx.execute("UPDATE story_members SET story_id = ? WHERE story_id = ?", (into, other))
        tx.execute("DELETE FROM story_profiles WHERE story_id = ?", (other,))
        tx.execute("DELETE FROM stories WHERE id = ?", (other,))
        tx.execute("UPDATE story_merges SET new_id = ? WHERE new_id = ?", (into, other))
        tx.execute(
            "INSERT OR REPLACE INTO story_merges (old_id, new_id, at) VALUES (?, ?, datetime('now'))",
            (other, into),
        )

    def story_profiles(self, story_ids: Sequence[str]) -> dict[str, StoryProfile]:
        """The stored profiles of these stories that still match their story's size."""
        found: dict[str, StoryProfile] = {}
        for start in range(0, len(story_ids), 500):
            chunk = list(story_ids[start : start + 500])
            rows = self.conn.execute(
                "SELECT p.story_id, p.size, p.profile FROM story_profiles p"
                " JOIN stories s ON s.id = p.story_id"
                f" WHERE p.story_id IN ({_marks(chunk)}) AND p.size = s.size",
                chunk,
            )
            for story_id, size, blob in rows:
                found[story_id] = unpack_profile(blob, size)
        return found

    def put_story_profiles(
        self, tx: Connection, profiles: Sequence[tuple[str, StoryProfile]]
    ) -> None:
        """Each story's profile, in one `executemany` (pipelined on PostgreSQL)."""
        tx.executemany(
            "INSERT INTO story_profiles (story_id, size, profile) VALUES (?, ?, ?)"
            " ON CONFLICT(story_id) DO UPDATE SET size = excluded.size, profile = excluded.profile",
            [(story_id, profile.size, pack_profile(profile)) for story_id, profile in profiles],
        )

    def drop_story_profiles(self, tx: Connection, story_ids: Sequence[str]) -> None:
        for start in range(0, len(story_ids), 500):
            chunk = list(story_ids[start : start + 500])
            tx.execute(f"DELETE FROM story_profiles WHERE story_id IN ({_marks(chunk)})", chunk)

    def describe_story(
        self, tx: Connection, story_id: str, title: str | None, why: dict[str, Any]
    ) -> None:
        tx.execute(
            "UPDATE stories SET title = coalesce(?, title), why = ? WHERE id = ?",
            (title, json.dumps(why), story_id),
        )

    # - dates from the story (newsweave/provenance.py) -

    def member_dates(self, story_id: str) -> list[MemberDate]:
        rows = self.conn.execute(
            "SELECT a.id, a.published, a.body, p.how FROM story_members m"
            " JOIN articles a ON a.id = m.article_id"
            " LEFT JOIN provenance p ON p.article_id = a.id AND p.field = 'published'"
            " WHERE m.story_id = ?",
            (story_id,),
        ).fetchall()
        return [MemberDate(r[0], r[1], r[3], (r[2] or "").split("\n\n")) for r in rows]

    def set_published_from_story(
        self, tx: Connection, updates: Sequence[tuple[str, str, str]]
    ) -> None:
        """(article id, date, how) for members dated from their story."""
        for article_id, value, how in updates:
            tx.execute("UPDATE articles SET published = ? WHERE id = ?", (value, article_id))
            write_provenance(tx, article_id, {"published": how})


# -- reading stories ---------------------------------------------------------------------------


def resolve_story(store: Store, story_id: str) -> str:
    """A story id from a prefix, an old id of a merged story, or the id of one of its articles."""
    key = story_id.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{1,16}", key):
        raise NotFoundError(f"{story_id!r}: not a story id (ids are hex digits)")
    merged = store.conn.execute(
        "SELECT new_id FROM story_merges WHERE old_id = ?", (key,)
    ).fetchone()
    if merged:
        return str(merged[0])
    rows = store.conn.execute(
        "SELECT id FROM stories WHERE id >= ? AND id < ? ORDER BY id LIMIT 2", (key, key + "g")
    ).fetchall()
    if len(rows) == 1:
        return str(rows[0][0])
    if len(rows) > 1:
        raise NotFoundError(f"{story_id}: several stories start with this id; give more digits")
    try:
        article_id = store.resolve_id(key)
    except NotFoundError:
        raise NotFoundError(f"{story_id}: no story with this id") from None
    row = store.conn.execute(
        "SELECT story_id FROM story_members WHERE article_id = ?", (article_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(
            f"{story_id}: this article is not woven into a story yet (run `newsweave weave`)"
        )
    return str(row[0])


def get_story(store: Store, story_id: str) -> Story:
    full = resolve_story(store, story_id)
    row = store.conn.execute("SELECT * FROM stories WHERE id = ?", (full,)).fetchone()
    members = store.conn.execute(
        "SELECT a.id, a.source, o.origin_group FROM story_members m JOIN articles a ON a.id = m.article_id"
        " LEFT JOIN origins o ON o.article_id = a.id WHERE m.story_id = ?"
        " ORDER BY coalesce(a.published, a.added), a.rowid",
        (full,),
    ).fetchall()
    why = json.loads(row["why"] or "{}")
    sources = list(dict.fromkeys(m["source"] for m in members if m["source"]))
    first, last = row["first_seen"], row["last_updated"]
    if not first:
        # No article carries a published date: the story is as old as its articles are here.
        first, last = store.conn.execute(
            "SELECT min(a.added), max(a.added) FROM story_members m JOIN articles a"
            " ON a.id = m.article_id WHERE m.story_id = ?",
            (full,),
        ).fetchone()
    return Story(
        id=full,
        title=row["title"],
        articles=[m["id"] for m in members],
        sources=sources,
        independent_origins=len({m["origin_group"] or m["id"] for m in members}),
        first_seen=first,
        last_updated=last,
        why=why.get("text", ""),
        shared_names=why.get("names", []),
        shared_terms=why.get("terms", []),
    )


def get_stories(store: Store, story_ids: Sequence[str]) -> list[Story]:
    """`get_story` for many full story ids in three queries, in the order given; an id that
    is not a story's own (a prefix, a merged id) goes through `get_story`."""
    if not story_ids:
        return []
    ids = list(dict.fromkeys(story_ids))
    marks = _marks(ids)
    rows = {
        str(r["id"]): r
        for r in store.conn.execute(f"SELECT * FROM stories WHERE id IN ({marks})", ids)
    }
    members: dict[str, list[Any]] = {i: [] for i in rows}
    for m in store.conn.execute(
        "SELECT m.story_id, a.id, a.source, o.origin_group FROM story_members m"
        " JOIN articles a ON a.id = m.article_id LEFT JOIN origins o ON o.article_id = a.id"
        f" WHERE m.story_id IN ({marks}) ORDER BY coalesce(a.published, a.added), a.rowid",
        ids,
    ):
        members[str(m["story_id"])].append(m)
    undated = [i for i, r in rows.items() if not r["first_seen"]]
    added: dict[str, tuple[Any, Any]] = {}
    if undated:
        # No article carries a published date: the story is as old as its articles are here.
        for r in store.conn.execute(
            "SELECT m.story_id, min(a.added), max(a.added) FROM story_members m JOIN articles a"
            f" ON a.id = m.article_id WHERE m.story_id IN ({_marks(undated)}) GROUP BY m.story_id",
            undated,
        ):
            added[str(r[0])] = (r[1], r[2])
    out = []
    for story_id in story_ids:
        row = rows.get(story_id)
        if row is None:
            out.append(get_story(store, story_id))
            continue
        group = members[story_id]
        why = json.loads(row["why"] or "{}")
        first, last = row["first_seen"], row["last_updated"]
        if not first:
            first, last = added.get(story_id, (None, None))
        out.append(
            Story(
                id=story_id,
                title=row["title"],
                articles=[m["id"] for m in group],
                sources=list(dict.fromkeys(m["source"] for m in group if m["source"])),
                independent_origins=len({m["origin_group"] or m["id"] for m in group}),
                first_seen=first,
                last_updated=last,
                why=why.get("text", ""),
                shared_names=why.get("names", []),
                shared_terms=why.get("terms", []),
            )
        )
    return out


def story_events(store: Store, story: Story) -> list[StoryEvent]:
    """The events of a story (weave/events.py), computed from its members' stored signals and
    origin groups: largest first, one when nothing tells its articles apart."""
    if not story.articles:
        return []
    repo = store.stories
    rowids = repo.rowids_of(story.articles)
    signals = sorted(repo.load_many_signals(list(rowids.values())).values(), key=lambda s: s.rowid)
    model = store.conn.execute(
        "SELECT model FROM article_signals WHERE article_id = ?", (story.articles[0],)
    ).fetchone()
    idf = _Idf(repo)
    idf.floor = getattr(MODELS.get(model[0]) if model else None, "unrelated", 0.0)
    groups = events_of(signals, repo.origin_groups(story.id), idf)
    info = {
        r[0]: (r[1], r[2])
        for start in range(0, len(story.articles), 500)
        for r in store.conn.execute(
            "SELECT id, title, published FROM articles"
            f" WHERE id IN ({_marks(story.articles[start : start + 500])})",
            story.articles[start : start + 500],
        )
    }
    place = {article_id: n for n, article_id in enumerate(story.articles)}
    parts = [sorted(g.articles, key=place.__getitem__) for g in groups] or [[]]
    # A member without signals (none, once woven) is counted with the largest event.
    grouped = {a for part in parts for a in part}
    parts[0] += [a for a in story.articles if a not in grouped]
    parts[0].sort(key=place.__getitem__)
    out = []
    for n, part in enumerate(parts):
        central = groups[n].central if n < len(groups) else part[0]
        days = sorted(p[:10] for a in part if (p := info.get(a, (None, None))[1]))
        out.append(
            StoryEvent(
                title=info.get(central, (None, None))[0],
                articles=part,
                first_seen=days[0] if days else None,
                last_updated=days[-1] if days else None,
            )
        )
    return out


def list_stories(store: Store, limit: int | None = None) -> list[Story]:
    rows = store.conn.execute(
        "SELECT id FROM stories ORDER BY last_updated DESC, size DESC, id LIMIT ?",
        (limit if limit is not None else NO_LIMIT,),
    ).fetchall()
    return [get_story(store, r[0]) for r in rows]


def origin_of(store: Store, article_id: str) -> Origin:
    row = store.conn.execute(
        "SELECT m.story_id, o.origin_group, o.copy_of, o.kind FROM articles a"
        " LEFT JOIN story_members m ON m.article_id = a.id LEFT JOIN origins o ON o.article_id = a.id"
        " WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        return Origin(None, None, None, None)
    return Origin(row[0], row[1], row[2], row[3])


def similar(store: Store, article_id: str, limit: int = 5) -> list[SimilarArticle]:
    """Nearest articles by embedding, nudged towards the same time, leaving out copies of this one.

    Falls back to the store's lexical similarity for an article not yet woven.
    """
    full = store.resolve_id(article_id)
    row = store.conn.execute(
        "SELECT s.vector, s.day, o.origin_group, s.model FROM article_signals s LEFT JOIN origins o"
        " ON o.article_id = s.article_id WHERE s.article_id = ?",
        (full,),
    ).fetchone()
    if row is None:
        return store.similar(full, limit)
    vector = np.frombuffer(row[0], dtype=np.float16).astype(np.float32)
    hits = nearest(store, vector, limit * 4 + 10)
    if not hits:
        return store.similar(full, limit)
    marks = ",".join("?" * len(hits))
    rows = store.conn.execute(
        "SELECT a.rowid, a.id, a.title, s.day, o.origin_group FROM articles a"
        " JOIN article_signals s ON s.article_id = a.id LEFT JOIN origins o ON o.article_id = a.id"
        f" WHERE a.rowid IN ({marks})",
        [k for k, _ in hits],
    ).fetchall()
    info = {r[0]: r for r in rows}
    out: list[SimilarArticle] = []
    for key, score in hits:
        r = info.get(key)
        if r is None or r[1] == full or (row[2] and r[4] == row[2]):
            continue
        recency = 1.0
        if row[1] and r[3]:
            recency = 0.85 + 0.15 * math.exp(-_days_between(row[1], r[3]) / 30)
        score = calibrate(score, getattr(MODELS.get(row[3]), "unrelated", 0.0))
        out.append(SimilarArticle(r[1], r[2], round(score * recency, 3)))
    out.sort(key=lambda s: -s.score)
    return out[:limit]
