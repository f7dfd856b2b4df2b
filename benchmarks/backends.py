"""The store on SQLite and on PostgreSQL, side by side, on the same ECB+ documents.

For each backend: `add` (ingest → store → weave) of N ECB+ documents as text files in one
process, wall seconds and articles/s (cpu s: this process only, not the PostgreSQL server's); then search and similar (by embedding) p50/p95 in process
over queries made from the stored titles; and how far the two backends' stories agree (pairwise
F1 of the partitions; 1.0 means the same stories). PostgreSQL is `$NEWSWEAVE_TEST_PG` (a
superuser URL; a database is made there) or a throwaway cluster from the `pgserver` binaries
(tests/pgcluster.py), stopped at the end.

With `--pad N,M,…` the PostgreSQL store is then grown to each of those sizes with clones of
the stored articles (a numbered line makes each text distinct; each vector is its original's
plus a little noise, so the HNSW index holds N distinct vectors), written straight into the
tables as weave_scale.py does for SQLite, and search and similar are measured again at each size.

    python benchmarks/backends.py [--docs 300] [--queries 200] [--pad 10000,100000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import ecbplus
import pgcluster
from newsweave.pipeline import add_sources, weave_pending
from newsweave.store import Store
from newsweave.store import stories as story_store
from newsweave.store.vectors import pg_vector_literal


def _partition(store: Store) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for story_id, article_id in store.conn.execute(
        "SELECT story_id, article_id FROM story_members"
    ).fetchall():
        groups.setdefault(story_id, set()).add(article_id)
    return {frozenset(g) for g in groups.values()}


def _pairwise_f1(a: set[frozenset[str]], b: set[frozenset[str]]) -> float:
    def pairs(groups: set[frozenset[str]]) -> set[tuple[str, str]]:
        return {(x, y) for g in groups for x in g for y in g if x < y}

    left, right = pairs(a), pairs(b)
    return 2 * len(left & right) / (len(left) + len(right)) if left or right else 1.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _latencies(store: Store, queries: int) -> tuple[list[float], list[float]]:
    rng = random.Random(7)
    titles = [r[0] for r in store.conn.execute("SELECT title FROM articles").fetchall() if r[0]]
    words = [w for t in titles for w in t.split() if len(w) > 4 and w.isalpha()]
    ids = [r[0] for r in store.conn.execute("SELECT article_id FROM article_signals").fetchall()]
    search_ms, similar_ms = [], []
    for _ in range(queries):
        query = " ".join(rng.sample(words, 1 + rng.randrange(2)))
        t = time.perf_counter()
        store.search(query)
        search_ms.append((time.perf_counter() - t) * 1000)
        article = rng.choice(ids)
        t = time.perf_counter()
        story_store.similar(store, article)
        similar_ms.append((time.perf_counter() - t) * 1000)
    return search_ms, similar_ms


def pad(store: Store, size: int, seed: int = 11) -> None:
    """Clone stored articles (and their signals) until the store holds `size` articles."""
    base = store.conn.execute(
        "SELECT a.id, a.origin, a.title, a.source, a.published, a.language, a.body, a.summary,"
        " a.words, a.reading_minutes, s.model, s.vector, s.terms, s.names, s.day, s.sentences"
        " FROM articles a JOIN article_signals s ON s.article_id = a.id"
    ).fetchall()
    have = store.count()
    rng = np.random.default_rng(seed + have)  # a second call must not draw the same ids
    while have < size:
        n = min(2000, size - have)
        articles, signals = [], []
        for i in range(have, have + n):
            b = base[i % len(base)]
            new_id = f"{rng.integers(2**63):016x}"
            vector = np.frombuffer(b[11], dtype=np.float16).astype(np.float32)
            vector = vector + rng.normal(0, 0.02, vector.shape).astype(np.float32)
            body = f"Copy {i}.\n\n{b[6]}"
            articles.append((new_id, f"pad/{i}", b[2], b[3], b[4], b[5], body, b[7], b[8], b[9]))
            signals.append(
                (new_id, b[10], vector.astype(np.float16).tobytes(), b[12], b[13], b[14], b[15],
                 pg_vector_literal(vector))
            )  # fmt: skip
        with store.transaction() as tx:
            tx.executemany(
                "INSERT INTO articles (id, origin, title, source, published, language, body,"
                " summary, words, reading_minutes, added) VALUES (?,?,?,?,?,?,?,?,?,?, '2024-01-01')",
                articles,
            )
            tx.executemany(
                "INSERT INTO article_signals (article_id, model, vector, terms, names, day,"
                " sentences, embedding) VALUES (?,?,?,?,?,?,?, CAST(? AS vector))",
                signals,
            )
            tx.execute("DELETE FROM weave_queue")  # clones are not for weaving
        have += n


def measure(db: str, paths: list[Path], queries: int) -> dict[str, object]:
    with Store.open(db) as store:
        started, cpu = time.perf_counter(), time.process_time()
        results = list(add_sources(store, [str(p) for p in paths]))
        stored = time.perf_counter() - started
        weave_pending(store)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        added = sum(r.status == "added" for r in results)
        search_ms, similar_ms = _latencies(store, queries)
        stories = store.conn.execute("SELECT count(*) FROM stories").fetchone()[0]
        return {
            "added": added,
            "stories": stories,
            "seconds": seconds,
            "store_seconds": stored,
            "cpu_seconds": cpu_seconds,
            "search_ms": (_pct(search_ms, 0.5), _pct(search_ms, 0.95)),
            "similar_ms": (_pct(similar_ms, 0.5), _pct(similar_ms, 0.95)),
            "partition": _partition(store),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pad", default="", help="PostgreSQL store sizes to grow to, e.g. 10000")
    args = parser.parse_args()
    if not ecbplus.ECBPLUS.exists():
        sys.exit(f"{ecbplus.ECBPLUS}: no such folder (the shared evaluation data)")
    docs = ecbplus.load()[: args.docs]
    url = os.environ.get(pgcluster.TEST_PG_ENV)
    cluster = None
    if url:
        cluster = pgcluster.Cluster(url)
    else:
        bin_dir = pgcluster.find_bin()
        if bin_dir is None:
            sys.exit("no PostgreSQL binaries with pgvector (pip install pgserver)")
        cluster = pgcluster.start(bin_dir)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            paths = ecbplus.write_texts(docs, Path(tmp) / "docs")
            pg_url = cluster.new_database()
            rows = {
                "sqlite": measure(str(Path(tmp) / "store.db"), paths, args.queries),
                "postgresql": measure(pg_url, paths, args.queries),
            }
            padded = []
            with Store.open(pg_url) as store:
                for size in [int(x) for x in args.pad.split(",") if x]:
                    started = time.perf_counter()
                    pad(store, size)
                    grown = time.perf_counter() - started
                    search_ms, similar_ms = _latencies(store, args.queries)
                    padded.append((size, grown, search_ms, similar_ms))
    finally:
        cluster.stop()
    print(f"{len(docs)} ECB+ documents, add + weave in one process; {args.queries} queries each")
    print(
        "backend     added stories  store s  +weave s  art/s  cpu s"
        "  search p50/p95 ms  similar p50/p95 ms"
    )
    for name, r in rows.items():
        s50, s95 = r["search_ms"]  # type: ignore[misc]
        m50, m95 = r["similar_ms"]  # type: ignore[misc]
        print(
            f"{name:<11} {r['added']:>5} {r['stories']:>7} {r['store_seconds']:>8.1f}"
            f" {r['seconds']:>9.1f}"
            f" {r['added'] / r['seconds']:>6.1f} {r['cpu_seconds']:>6.1f}"  # type: ignore[operator]
            f"  {s50:>7.2f} / {s95:>6.2f}     {m50:>7.2f} / {m95:>6.2f}"
        )
    agreement = _pairwise_f1(rows["sqlite"]["partition"], rows["postgresql"]["partition"])  # type: ignore[arg-type]
    same = rows["sqlite"]["partition"] == rows["postgresql"]["partition"]
    print(f"stories: pairwise F1 SQLite vs PostgreSQL {agreement:.4f} (identical: {same})")
    for size, grown, search_ms, similar_ms in padded:
        print(
            f"PostgreSQL at {size} articles (padding took {grown:.0f} s): search p50/p95"
            f" {_pct(search_ms, 0.5):.2f} / {_pct(search_ms, 0.95):.2f} ms, similar p50/p95"
            f" {_pct(similar_ms, 0.5):.2f} / {_pct(similar_ms, 0.95):.2f} ms"
        )


if __name__ == "__main__":
    main()
