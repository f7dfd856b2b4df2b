"""The vector index: a cache, beside the database, of the article vectors SQLite holds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from newsweave.weave.embed import Vectors

if TYPE_CHECKING:
    from newsweave.store.db import Store


def vector_cache_path(store: Store) -> Path:
    """The index file beside the database, named by the store's id so that a database deleted
    and made again never meets the old file's vectors."""
    row = store.conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
    return Path(f"{store.path}.{row[0]}.vectors")


class VectorIndex:
    """Approximate nearest neighbours over article vectors (usearch HNSW), keyed by rowid.

    SQLite holds the vectors; the index file beside the database is a cache of them. On open,
    any vector the cache lacks (a crash after a commit, or no cache yet) is added back.
    """

    def __init__(self, store: Store, dim: int) -> None:
        from usearch.index import Index

        self.path = vector_cache_path(store)
        self.dim = dim
        self.index: Any = None
        if self.path.exists():
            try:
                self.index = Index.restore(str(self.path))
            except Exception:  # a torn or foreign cache file is rebuilt from SQLite
                self.index = None
        if self.index is None or self.index.ndim != dim:
            self.index = Index(ndim=dim, metric="cos", dtype="f16")
        self.dirty = False
        count = store.conn.execute("SELECT count(*) FROM article_signals").fetchone()[0]
        if len(self.index) > count:  # vectors SQLite does not have: not this store's cache
            self.index = Index(ndim=dim, metric="cos", dtype="f16")
        if len(self.index) < count:
            rows = store.conn.execute(
                "SELECT a.rowid FROM article_signals s JOIN articles a ON a.id = s.article_id"
            ).fetchall()
            keys = np.array([r[0] for r in rows], dtype=np.uint64)
            present = np.asarray(self.index.contains(keys), dtype=bool)
            self._backfill(store, keys[~present])

    def _backfill(self, store: Store, keys: np.ndarray) -> None:
        for start in range(0, len(keys), 5000):
            chunk = [int(k) for k in keys[start : start + 5000]]
            marks = ",".join("?" * len(chunk))
            rows = store.conn.execute(
                f"SELECT a.rowid, s.vector FROM article_signals s JOIN articles a ON a.id = s.article_id WHERE a.rowid IN ({marks})",
                chunk,
            ).fetchall()
            vectors = np.vstack(
                [np.frombuffer(r[1], dtype=np.float16).astype(np.float32) for r in rows]
            )
            self.index.add(np.array([r[0] for r in rows], dtype=np.uint64), vectors)
            self.dirty = True

    def __len__(self) -> int:
        return len(self.index)

    def add(self, key: int, vector: Vectors) -> None:
        self.index.add(key, vector)
        self.dirty = True

    def search(self, vector: Vectors, count: int) -> list[tuple[int, float]]:
        if len(self.index) == 0:
            return []
        matches = self.index.search(vector, min(count, len(self.index)))
        return [
            (int(k), 1.0 - float(d)) for k, d in zip(matches.keys, matches.distances, strict=True)
        ]

    def save(self) -> None:
        if self.dirty:
            tmp = self.path.with_suffix(".vectors.tmp")
            self.index.save(str(tmp))
            tmp.replace(self.path)
            self.dirty = False


def nearest(store: Store, vector: Vectors, count: int) -> list[tuple[int, float]]:
    """The rowids nearest `vector` and their cosines, read from the cache without loading it
    whole; none when there is no usable cache (the caller falls back to lexical similarity)."""
    from usearch.index import Index

    cache = vector_cache_path(store)
    if not cache.exists():
        return []
    try:
        index = Index.restore(str(cache), view=True)
        if index is None:
            raise ValueError("unreadable vector cache")
        matches = index.search(vector, min(count, len(index)))
        return [
            (int(k), 1.0 - float(d)) for k, d in zip(matches.keys, matches.distances, strict=True)
        ]
    except Exception:
        return []
