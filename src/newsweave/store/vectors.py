"""The vector index: a cache, beside the database, of the article vectors SQLite holds.

Two parts answer a search together:

- the index file (usearch HNSW), written whole only now and then;
- the vectors stored since it was last written, listed in `vectors_unsaved` (filled by a trigger
  on `article_signals`) and searched exactly, by one matrix product.

So a weave appends to SQLite (which it writes anyway) and rewrites the file only when the unsaved
part has grown past `REWRITE_SHARE` of the file (or `REWRITE_MIN` vectors): the cost of keeping
the index is proportional to what was added, not to the store. The file is rebuilt from SQLite
only when it is missing, torn or from another store.

On PostgreSQL there is no file: each vector is also stored as a pgvector `embedding` beside its
signals, and an HNSW index (cosine) over it answers in the database (`PgVectorIndex`), so every
process sees every committed vector at once and nothing is rebuilt on open.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from newsweave.weave.embed import Vectors
from newsweave.weave.storage import NeighbourIndex

if TYPE_CHECKING:
    from newsweave.store.db import Store

# The unsaved part is searched by brute force (a few thousand rows cost well under a
# millisecond); past this size, or this share of the file, the file is written again whole.
REWRITE_MIN = 2000
REWRITE_SHARE = 0.05
_CHUNK = 500  # SQLite's limit on bound parameters, with room to spare
ANSWERS_KEPT = 2000  # answers of the file kept in memory (`VectorIndex.search`), at most


def vector_cache_path(store: Store) -> Path:
    """The index file beside the database, named by the store's id so that a database deleted
    and made again never meets the old file's vectors."""
    row = store.conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
    return Path(f"{store.path}.{row[0]}.vectors")


def _usearch() -> Any:
    """`usearch.index`, imported without paying for tqdm and urllib.request.

    usearch imports tqdm for progress bars this code never asks for, and tqdm finds its own
    version through importlib.metadata, a scan of every installed package: about 60 ms of CPU,
    a fifth of a whole `newsweave similar` call. Its package imports urllib.request (http.client,
    email, ssl: another 60 ms or so) to download SQLite extensions, which this code never does.
    While usearch is imported, each is a stand-in that imports the real module the first time
    anything is taken from it; the stand-ins leave `sys.modules` afterwards, so any other import
    gets the real modules.
    """
    if "usearch.index" in sys.modules:
        return importlib.import_module("usearch.index")
    stand_ins: dict[str, types.ModuleType] = {}
    if "tqdm" not in sys.modules:
        tqdm_stand_in = types.ModuleType("tqdm")

        def tqdm(*args: Any, **kwargs: Any) -> Any:
            return _real("tqdm", tqdm_stand_in).tqdm(*args, **kwargs)

        tqdm_stand_in.tqdm = tqdm  # type: ignore[attr-defined]
        stand_ins["tqdm"] = tqdm_stand_in
    if "urllib.request" not in sys.modules:
        import urllib

        stand_ins["urllib.request"] = _Deferred("urllib.request")
        if not hasattr(urllib, "request"):
            # `import urllib.request` finding the stand-in in sys.modules binds no attribute.
            urllib.request = stand_ins["urllib.request"]  # type: ignore[attr-defined]
    sys.modules.update(stand_ins)
    try:
        return importlib.import_module("usearch.index")
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def _real(name: str, stand_in: types.ModuleType) -> Any:
    if sys.modules.get(name) is stand_in:
        del sys.modules[name]
    return importlib.import_module(name)


class _Deferred(types.ModuleType):
    """A module imported on first use of any of its names."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(_real(self.__name__, self), attribute)


def _new_index(dim: int) -> Any:
    return _usearch().Index(ndim=dim, metric="cos", dtype="f16")


def _restore(path: Path, view: bool) -> Any:
    if not path.exists():
        return None
    try:
        return _usearch().Index.restore(str(path), view=view)
    except Exception:  # a torn or foreign cache file is rebuilt from SQLite
        return None


# Memory-mapped views by file, with the identity of the file each maps. Opening a view walks
# every node's header (about 8 ms at 100k vectors, 80 ms at 1M), so a long-lived process (the
# web server, the JSON API) keeps it; a rewritten file is a new inode (`save` renames a new one
# into place), so the next call maps that instead, and an old map stays valid for whoever holds it.
_VIEWS: dict[Path, tuple[tuple[int, int, int], Any]] = {}
_VIEWS_KEPT = 4


def _viewed(path: Path) -> Any:
    """The file as a memory-mapped view, shared by calls while the file is unchanged."""
    try:
        stat = path.stat()
    except OSError:
        _VIEWS.pop(path, None)
        return None
    identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    kept = _VIEWS.get(path)
    if kept is not None and kept[0] == identity:
        return kept[1]
    index = _restore(path, view=True)
    if index is not None:
        if len(_VIEWS) >= _VIEWS_KEPT:
            _VIEWS.clear()
        _VIEWS[path] = (identity, index)
    return index


def _vectors_of(store: Store, rowids: Sequence[int]) -> tuple[list[int], Vectors]:
    keys: list[int] = []
    blobs: list[bytes] = []
    for start in range(0, len(rowids), _CHUNK):
        chunk = list(rowids[start : start + _CHUNK])
        for rowid, blob in store.conn.execute(
            "SELECT a.rowid, s.vector FROM article_signals s JOIN articles a ON a.id = s.article_id"
            f" WHERE a.rowid IN ({','.join('?' * len(chunk))})",
            chunk,
        ):
            keys.append(int(rowid))
            blobs.append(blob)
    if not blobs:
        return keys, np.zeros((0, 0), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float16).astype(np.float32)
    return keys, matrix.reshape(len(keys), -1)


def _unsaved_rowids(store: Store) -> list[int]:
    return [r[0] for r in store.conn.execute("SELECT article_rowid FROM vectors_unsaved")]


class _Exact:
    """The vectors not in the file: searched exactly.

    Rows live in one buffer that doubles when full, so adding a vector and searching right after
    (what weaving does, article by article) costs no copy of the rows before it. Stacking them
    again for every search cost 2.2 ms an add and search with 3,000 unsaved (0.3 ms now), and
    at 100k the part holds up to 5,000 before the file is written again.
    """

    def __init__(self, dim: int) -> None:
        self.keys: list[int] = []
        self._rows: Vectors = np.zeros((0, dim), dtype=np.float32)
        self.dim = dim

    def __len__(self) -> int:
        return len(self.keys)

    def _reserve(self, extra: int) -> None:
        need = len(self.keys) + extra
        if need > len(self._rows):
            grown = np.zeros((max(need, 2 * len(self._rows), 64), self.dim), dtype=np.float32)
            grown[: len(self.keys)] = self._rows[: len(self.keys)]
            self._rows = grown

    def add(self, key: int, vector: Vectors) -> None:
        self._reserve(1)
        norm = float(np.linalg.norm(vector)) or 1.0
        self._rows[len(self.keys)] = np.asarray(vector, dtype=np.float32) / norm
        self.keys.append(key)

    def extend(self, keys: Sequence[int], matrix: Vectors) -> None:
        if not len(keys):
            return
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        self._reserve(len(keys))
        self._rows[len(self.keys) : len(self.keys) + len(keys)] = matrix / norms
        self.keys.extend(keys)

    def matrix(self) -> Vectors:
        return self._rows[: len(self.keys)]

    def search(self, vector: Vectors, count: int) -> list[tuple[int, float]]:
        if not self.keys:
            return []
        # usearch's f16 cosine, as the file answers: the query normalised, scores as cosines.
        query = np.asarray(vector, dtype=np.float32)
        query = query / (float(np.linalg.norm(query)) or 1.0)
        scores = self.matrix() @ query
        top = np.argsort(-scores, kind="stable")[:count]
        return [(self.keys[i], float(scores[i])) for i in top]


def _merge(*parts: list[tuple[int, float]], count: int) -> list[tuple[int, float]]:
    best: dict[int, float] = {}
    for part in parts:
        for key, score in part:
            if score > best.get(key, -2.0):
                best[key] = score
    return sorted(best.items(), key=lambda kv: -kv[1])[:count]


def _hnsw_search(index: Any, vector: Vectors, count: int) -> list[tuple[int, float]]:
    if index is None or len(index) == 0:
        return []
    matches = index.search(vector, min(count, len(index)))
    return [(int(k), 1.0 - float(d)) for k, d in zip(matches.keys, matches.distances, strict=True)]


class VectorIndex:
    """Nearest neighbours over article vectors, keyed by article rowid: the file (approximate,
    HNSW) and the vectors stored since it was written (exact)."""

    def __init__(self, store: Store, dim: int) -> None:
        self.store = store
        self.path = vector_cache_path(store)
        self.dim = dim
        # The file is searched as a memory map (pages read as touched, and given back under
        # memory pressure): a weave adds to the unsaved part, and only `save` (rarely) needs
        # the index loaded whole, to add to it.
        self.index: Any = _viewed(self.path)
        self._view = self.index is not None
        self.unsaved = _Exact(dim)
        self.rebuilt = False
        # The file's answers by query (`search`): the file does not change between writes,
        # and weaving asks again for the neighbours of articles it searched for already (the
        # language bridge probes a story's recent members, mostly the batch's own articles).
        self._answers: dict[tuple[bytes, int], list[tuple[int, float]]] = {}
        if self.index is None or self.index.ndim != dim:
            self.index = _new_index(dim)
            self._view = False
            self.rebuilt = self.path.exists()
        pending = _unsaved_rowids(store)
        count = store.conn.execute("SELECT count(*) FROM article_signals").fetchone()[0]
        in_file = np.asarray(
            self.index.contains(np.array(pending, dtype=np.uint64)), dtype=bool
        ).reshape(-1)
        pending = [k for k, present in zip(pending, in_file, strict=True) if not present]
        if len(self.index) + len(pending) != count or self._outgrown(len(pending)):
            # The file and SQLite disagree (no file yet, a crash, another store's file), or
            # the file lacks so many vectors that `save` would write it again anyway: every
            # vector the file lacks goes into it now, a chunk at a time. Held in memory as the
            # unsaved part, the 100k vectors of a store with no file took ~600 MB at once.
            self._reconcile(count)
        else:
            self.unsaved.extend(*_vectors_of(store, pending))

    def _writable(self) -> None:
        """The file loaded whole (a memory-mapped view cannot be added to)."""
        self._answers.clear()  # about to change
        if not self._view:
            return
        loaded = _restore(self.path, view=False)
        self.index = loaded if loaded is not None else _new_index(self.dim)
        self._view = False

    def _reconcile(self, count: int) -> None:
        self._writable()
        if len(self.index) > count:  # vectors SQLite does not have: not this store's cache
            self.index = _new_index(self.dim)
        rows = self.store.conn.execute(
            "SELECT a.rowid FROM article_signals s JOIN articles a ON a.id = s.article_id"
        ).fetchall()
        keys = np.array([r[0] for r in rows], dtype=np.uint64)
        present = np.asarray(self.index.contains(keys), dtype=bool).reshape(-1)
        missing = [int(k) for k in keys[~present]]
        for start in range(0, len(missing), 5000):
            found, matrix = _vectors_of(self.store, missing[start : start + 5000])
            if found:
                self.index.add(np.array(found, dtype=np.uint64), matrix)
        self.rebuilt = True

    def __len__(self) -> int:
        return len(self.index) + len(self.unsaved)

    def add(self, key: int, vector: Vectors) -> None:
        self.unsaved.add(key, vector)

    def discard(self, keys: Sequence[int]) -> None:
        """Forget vectors added since the last commit (their transaction rolled back)."""
        drop = set(keys)
        kept = [i for i, k in enumerate(self.unsaved.keys) if k not in drop]
        old = self.unsaved
        self.unsaved = _Exact(self.dim)
        self.unsaved.extend([old.keys[i] for i in kept], old.matrix()[kept])

    def search(self, vector: Vectors, count: int) -> list[tuple[int, float]]:
        key = (np.asarray(vector, dtype=np.float32).tobytes(), count)
        hits = self._answers.get(key)
        if hits is None:
            if len(self._answers) >= ANSWERS_KEPT:
                self._answers.clear()
            hits = self._answers[key] = _hnsw_search(self.index, vector, count)
        return _merge(hits, self.unsaved.search(vector, count), count=count)

    def _outgrown(self, unsaved: int) -> bool:
        return unsaved >= max(REWRITE_MIN, REWRITE_SHARE * len(self.index))

    def save(self) -> None:
        """Write the file whole when it is missing or was rebuilt, or when the unsaved part has
        outgrown its share; otherwise the unsaved vectors stay where they are, in SQLite."""
        if not (self._outgrown(len(self.unsaved)) or self.rebuilt or not self.path.exists()):
            return
        keys = list(self.unsaved.keys)
        if keys:
            self._writable()
            self.index.add(np.array(keys, dtype=np.uint64), self.unsaved.matrix())
        tmp = self.path.with_suffix(".vectors.tmp")
        self.index.save(str(tmp))
        tmp.replace(self.path)
        listed = _unsaved_rowids(self.store)
        in_file = np.asarray(self.index.contains(np.array(listed, dtype=np.uint64)), dtype=bool)
        written = [k for k, present in zip(listed, in_file.reshape(-1), strict=True) if present]
        with self.store.transaction() as tx:
            for start in range(0, len(written), _CHUNK):
                chunk = written[start : start + _CHUNK]
                tx.execute(
                    f"DELETE FROM vectors_unsaved WHERE article_rowid IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
        self.unsaved = _Exact(self.dim)
        self.rebuilt = False


def nearest(store: Store, vector: Vectors, count: int) -> list[tuple[int, float]]:
    """The rowids nearest `vector` and their cosines: the file read as a memory map (never
    loaded whole) and the vectors stored since it was written; none when there is no usable
    file (the caller falls back to lexical similarity)."""
    if store.dialect.name == "postgresql":
        return _pg_search(store, vector, count)
    index = _viewed(vector_cache_path(store))
    if index is None:
        return []
    try:
        hits = _hnsw_search(index, vector, count)
    except Exception:
        return []
    exact = _Exact(len(vector))
    keys, matrix = _vectors_of(store, _unsaved_rowids(store))
    exact.extend(keys, matrix)
    return _merge(hits, exact.search(vector, count), count=count)


# -- PostgreSQL: pgvector -------------------------------------------------------------------


def pg_vector_literal(vector: Vectors) -> str:
    """A vector as pgvector's text input, at float16 precision (what the signals row holds)."""
    values = np.asarray(vector, dtype=np.float16).astype(np.float32)
    return "[" + ",".join(f"{v:.6g}" for v in values.tolist()) + "]"


# One HNSW index per vector size: pgvector indexes only a column of one declared size, and a
# store may hold vectors of more than one model (each size gets its own partial index).
def _ensure_hnsw(store: Store, dim: int) -> None:
    with store.transaction() as tx:
        tx.execute("SELECT pg_advisory_xact_lock(?)", (0x76656374 + dim,))  # "vect" + size
        tx.execute(
            f"CREATE INDEX IF NOT EXISTS article_signals_hnsw_{dim} ON article_signals"
            f" USING hnsw ((embedding::vector({dim})) vector_cosine_ops)"
            f" WHERE vector_dims(embedding) = {dim}"
        )


def _pg_search(store: Store, vector: Vectors, count: int) -> list[tuple[int, float]]:
    dim = len(vector)
    literal = pg_vector_literal(vector)
    rows = store.conn.execute(
        f"WITH nn AS (SELECT article_id, embedding::vector({dim}) <=> ?::vector({dim}) AS d"
        f" FROM article_signals WHERE vector_dims(embedding) = {dim}"
        f" ORDER BY embedding::vector({dim}) <=> ?::vector({dim}) LIMIT ?)"
        " SELECT a.rowid, 1 - nn.d FROM nn JOIN articles a ON a.id = nn.article_id ORDER BY nn.d",
        (literal, literal, count),
    ).fetchall()
    return [(int(r[0]), float(r[1])) for r in rows]


class PgVectorIndex:
    """Nearest neighbours by pgvector's HNSW index, in the database. The weaver writes each
    vector with its signals (stories.py `insert_signals`) before it `add`s it here, in the
    batch's transaction, which this connection's searches see; a rolled-back batch takes its
    vectors with it. So `add`, `discard` and `save` have nothing to do."""

    def __init__(self, store: Store, dim: int) -> None:
        self.store = store
        self.dim = dim
        _ensure_hnsw(store, dim)

    def __len__(self) -> int:
        row = self.store.conn.execute(
            f"SELECT count(*) FROM article_signals WHERE vector_dims(embedding) = {self.dim}"
        ).fetchone()
        return int(row[0])

    def add(self, key: int, vector: Vectors) -> None:
        pass

    def discard(self, keys: Sequence[int]) -> None:
        pass

    def search(self, vector: Vectors, count: int) -> list[tuple[int, float]]:
        return _pg_search(self.store, vector, count)

    def save(self) -> None:
        pass


def vector_index(store: Store, dim: int) -> NeighbourIndex:
    """The store's index of article vectors: the file beside SQLite, or pgvector's."""
    if store.dialect.name == "postgresql":
        return PgVectorIndex(store, dim)
    return VectorIndex(store, dim)
