"""Scale: add + weave throughput and search / similar p95 as the store grows, locally and on Ray.

For each stored size (default 1k, 10k, 100k) a store is padded to that size with the fast
padding writer of weave_scale.py (clones of woven ECB+ articles written straight into the
store: five to a story, noisy vectors), then a batch of new articles is added and woven
through `pipeline.run`, exactly as `newsweave add` does, once per mode:

- `local`: the local path (stages 1–4 in two worker processes, embedding in a thread);
- `ray N`: `add --ray` on a Ray instance of N CPUs started for the run (N tasks at once for
  stages 1–4, N embedding actors); the instance's start-up is timed apart, not in the rate.

Each mode runs in a fresh process on a fresh copy of the padded store, so its peak RSS (of that
process: Ray's workers are processes of the Ray instance, reported as their peak total RSS
too) is its own. The batch (`--test`, default 200) is built from held-out ECB+ documents with
the variety a news stream has: 60% new events, 20% copies of an article of the batch (another
outlet's byline on top) and 20% rewrites (sentences reordered, every third dropped, another
headline). After the local add, `search` (40 queries, two or three title words) and `similar`
(40 articles) are timed in process, each asked once, cold: p50 and p95. The command's own CPU
time per article is printed too: with Ray, the work left to the driver (storing, weaving).

`--db` is a SQLite path (a folder for the per-size files; default a temporary one) or a
postgresql:// URL: then the padding is written through the store's own connection (its
tables emptied first) and the modes run one after the other on that database.

Prints a table and saves a plot of throughput against stored size (`--plot`, docs/scale.png).

    python benchmarks/scale.py [--sizes 1000,10000,100000] [--ray 1,2] [--test 200]
                               [--db PATH|postgresql://...] [--plot docs/scale.png]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ecbplus
from weave_scale import build_base, pad, peak_rss_mb, percentiles, queries_of

ROOT = Path(__file__).resolve().parents[1]
NEW, COPY, REWRITE = "new", "copy", "rewrite"
# The order kinds come in: six new events, two copies, two rewrites in every ten.
MIX = (NEW, NEW, COPY, NEW, REWRITE, NEW, NEW, COPY, NEW, REWRITE)
OUTLETS = ("Harbour Wire", "The Daily Ledger", "Northgate Times", "Evening Courier")
# Tables the padding fills; copied in this order into a PostgreSQL store. The story profiles
# too: a store woven article by article has one for every story, and without them the weaver
# on PostgreSQL would build each padded story's profile from its members as it meets it, work
# the SQLite runs (whose padding has them) never do.
PADDED = (
    "articles",
    "article_signals",
    "lsh_buckets",
    "sentence_keys",
    "signal_languages",
    "origins",
    "stories",
    "story_members",
    "story_profiles",
    "term_df",
)


def is_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


# -- the batch ---------------------------------------------------------------------------------


def rewrite(text: str, rng: random.Random) -> str:
    """Another outlet's version: a new headline, the sentences of the body reordered, every
    third left out."""
    title, _, body = text.partition("\n\n")
    sentences = [s for s in body.split("\n\n") if s.strip()]
    kept = [s for i, s in enumerate(sentences) if i % 3 != 2] or sentences
    head, rest = kept[:2], kept[2:]
    rng.shuffle(rest)
    return "\n\n".join([f"Update: {title}", *reversed(head), *rest])


def write_batch(docs: list[ecbplus.Document], folder: Path, rng: random.Random) -> dict[str, int]:
    """The batch as text files, in the order they are added; returns how many of each kind."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    counts = dict.fromkeys((NEW, COPY, REWRITE), 0)
    fresh = iter(docs)
    for n in range(len(docs)):
        kind = MIX[n % len(MIX)] if written else NEW
        if kind == NEW:
            text = next(fresh).text
        elif kind == COPY:
            text = f"By {rng.choice(OUTLETS)} staff\n\n" + rng.choice(written)
        else:
            text = rewrite(rng.choice(written), rng)
        counts[kind] += 1
        written.append(text)
        (folder / f"{n:04d}-{kind}.txt").write_text(text + "\n", encoding="utf-8")
    return counts


# -- padding -----------------------------------------------------------------------------------


def pad_postgres(padded: Path, url: str) -> float:
    """Empty the PostgreSQL store's tables and copy the padded SQLite store's rows into it:
    COPY, the full-text and vector indexes dropped during the copy and built again once at the
    end (the weaving's HNSW index is rebuilt by `measure`, timed apart, as on SQLite), each
    vector also written as the pgvector `embedding` the neighbour queries read, the rowid
    sequence moved past the copied rowids, and the tables analysed so the planner knows their
    size."""
    import numpy as np

    from newsweave.store import Store
    from newsweave.store.vectors import pg_vector_literal

    started = time.perf_counter()
    src = sqlite3.connect(padded)
    with Store.open(url) as store:
        raw = store.conn.raw  # type: ignore[attr-defined]
        with store.transaction() as tx:
            tx.execute(f"TRUNCATE {', '.join(PADDED)}, weave_queue CASCADE")
            hnsw = [
                r[0]
                for r in tx.execute(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'article_signals'"
                    " AND indexname LIKE 'article_signals_hnsw_%'"
                ).fetchall()
            ]
            for index in [*hnsw, "articles_fts"]:
                tx.execute(f"DROP INDEX IF EXISTS {index}")
            for table in PADDED:
                columns = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
                vector_at = columns.index("vector") if table == "article_signals" else -1
                names = columns + (["embedding"] if vector_at >= 0 else [])
                with raw.cursor().copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in src.execute(f"SELECT {', '.join(columns)} FROM {table}"):
                        if vector_at >= 0:
                            vector = np.frombuffer(row[vector_at], dtype=np.float16)
                            row = (*row, pg_vector_literal(vector))
                        copy.write_row(row)
            tx.execute("CREATE INDEX articles_fts ON articles USING gin (fts)")
            tx.execute(
                "SELECT setval(pg_get_serial_sequence('articles', 'rowid'),"
                " (SELECT coalesce(max(rowid), 0) + 1 FROM articles), false)"
            )
        for table in (*PADDED, "weave_queue"):
            store.conn.execute(f"ANALYZE {table}")
    src.close()
    return time.perf_counter() - started


def ray_workers_rss_mb(session: str) -> float:
    """The RSS of one Ray instance's workers (task and actor processes) together, now: the
    children of the raylet whose command line names this instance's session."""
    try:
        import psutil
    except ImportError:  # the dev extra installs it
        return float("nan")

    total = 0
    for raylet in psutil.process_iter(["cmdline"]):
        cmd = " ".join(raylet.info.get("cmdline") or [])
        if "raylet" not in cmd.split(" ", 1)[0] or session not in cmd:
            continue
        for proc in raylet.children(recursive=True):
            try:
                name = " ".join(proc.cmdline())
                if name.startswith("ray::") and not name.endswith("Agent"):
                    total += proc.memory_info().rss
            except psutil.Error:
                continue
    return total / 2**20


class PeakRss(threading.Thread):
    """Samples the Ray workers' total RSS twice a second while the add runs; keeps the peak."""

    def __init__(self, session: str) -> None:
        super().__init__(daemon=True)
        self.session = session
        self.peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.peak = max(self.peak, ray_workers_rss_mb(self.session))


# -- one measurement, in a fresh process -------------------------------------------------------


def measure(db: str, texts: Path, ray: int, queries: bool) -> dict[str, Any]:
    from newsweave.pipeline import run
    from newsweave.store import Store
    from newsweave.store.stories import similar
    from newsweave.weave.embed import MODELS, model_name

    paths = sorted(str(p) for p in texts.glob("*.txt"))
    out: dict[str, Any] = {}
    with Store.open(db) as store:
        started = time.perf_counter()
        # The vector index, as a long-lived store has it on disk; no model loaded for it (with
        # Ray, this process never loads one).
        store.stories.vector_index(MODELS[model_name()].dim).save()  # type: ignore[attr-defined]
        out["index_s"] = time.perf_counter() - started
        cluster = None
        if ray:
            from newsweave.cluster import Cluster

            started = time.perf_counter()
            cluster = Cluster(cpus=ray).__enter__()
            out["ray_start_s"] = time.perf_counter() - started
            # What one task costs Ray alone: a round trip of an empty task per article.
            list(cluster.map_ordered(len, ["x"] * 200))
            started = time.perf_counter()
            list(cluster.map_ordered(len, ["x"] * 400))
            out["task_ms"] = (time.perf_counter() - started) / 400 * 1000
        sampler = None
        if cluster is not None:
            import ray as ray_module

            # Worker command lines name their instance's session folder: only ours are counted.
            session = ray_module._private.worker.global_worker.node.session_name
            sampler = PeakRss(session)
            sampler.start()
        try:
            started, cpu = time.perf_counter(), time.process_time()
            report = run(store, paths, cluster=cluster)
            out["seconds"] = time.perf_counter() - started
            # With Ray this is the driver's own work: storing, weaving, and Ray's client side.
            out["driver_cpu_ms"] = (time.process_time() - cpu) / max(1, report.added) * 1000
        finally:
            if sampler is not None:
                sampler.done.set()
                sampler.join()
                out["ray_workers_rss_mb"] = sampler.peak
            if cluster is not None:
                cluster.__exit__(None, None, None)
        out.update(
            added=report.added, woven=report.woven.woven, new_stories=report.woven.new_stories,
            copies=report.woven.copies, rate=report.added / out["seconds"],
        )  # fmt: skip
        if queries:
            rng = random.Random(5)
            times = []
            for query in queries_of(store, 40, rng):
                started = time.perf_counter()
                store.search(query, 20)
                times.append(time.perf_counter() - started)
            out["search_p50"], out["search_p95"] = percentiles(times)
            ids = [
                r[0]
                for r in store.conn.execute(
                    "SELECT id FROM articles WHERE origin NOT LIKE 'padding:%' ORDER BY id LIMIT 40"
                )
            ]
            times = []
            for article_id in ids:
                started = time.perf_counter()
                similar(store, article_id)
                times.append(time.perf_counter() - started)
            out["similar_p50"], out["similar_p95"] = percentiles(times)
    out["rss_mb"] = peak_rss_mb()
    return out


def run_mode(db: str, texts: Path, ray: int, queries: bool) -> dict[str, Any]:
    args = [sys.executable, __file__, "--measure", db, str(texts), str(ray), str(int(queries))]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return row


# -- the report --------------------------------------------------------------------------------


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    for mode in dict.fromkeys(r["mode"] for r in rows):
        mine = [r for r in rows if r["mode"] == mode]
        ax.plot([r["size"] for r in mine], [r["rate"] for r in mine], "o-", label=mode)
    ax.set_xscale("log")
    ax.set_xlabel("articles already in the store")
    ax.set_ylabel("articles/s (add + weave)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("newsweave add + weave, local and on Ray, by store size")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--ray", default="1,2", help="Ray CPUs per run, comma-separated ('' for none)"
    )
    parser.add_argument("--test", type=int, default=200, help="articles added per run")
    parser.add_argument(
        "--db", default=None, help="folder for SQLite stores, or a postgresql:// URL"
    )
    parser.add_argument("--plot", default=str(ROOT / "docs" / "scale.png"), help="'' for none")
    parser.add_argument("--measure", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        db, texts, ray, queries = args.measure
        print(json.dumps(measure(db, Path(texts), int(ray), queries == "1")))
        return
    modes = [0] + [int(n) for n in args.ray.split(",") if n.strip()]
    rng = random.Random(11)
    docs = ecbplus.load()
    rng.shuffle(docs)
    test_docs, base_docs = docs[: args.test], docs[args.test :]
    print(f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
        root = Path(tmp)
        folder = Path(args.db) if args.db and not is_url(args.db) else root
        folder.mkdir(parents=True, exist_ok=True)
        base = build_base(base_docs, root)
        texts = root / "batch"
        counts = write_batch(test_docs, texts, rng)
        print(f"batch: {args.test} articles, {counts[NEW]} new events, {counts[COPY]} copies, "
              f"{counts[REWRITE]} rewrites; padding cloned from {len(base_docs)} woven ECB+ documents")  # fmt: skip
        print(f"{'stored':>8} {'mode':>6} {'pad s':>6} {'start s':>7} {'add+weave s':>11}"
              f" {'art/s':>6} {'search p50/p95 ms':>17} {'similar p50/p95':>15}"
              f" {'RSS MB':>6} {'Ray workers MB':>14} {'CPU ms/art':>13}")  # fmt: skip
        for size in (int(s) for s in args.sizes.split(",")):
            padded = root / f"pad-{size}.db"
            pad_seconds = pad(base, padded, size, rng)
            for ray in modes:
                if args.db and is_url(args.db):
                    pad_seconds = pad_postgres(padded, args.db)
                    db = args.db
                else:
                    db = str(folder / f"run-{size}-{ray}.db")
                    shutil.copyfile(padded, db)
                row = run_mode(db, texts, ray, queries=ray == 0)
                row.update(size=size, mode=f"ray {ray}" if ray else "local")
                rows.append(row)
                print(
                    f"{size:>8} {row['mode']:>6} {pad_seconds:>6.1f} {row.get('ray_start_s', 0):>7.1f}"
                    f" {row['seconds']:>11.1f} {row['rate']:>6.1f}"
                    + (
                        f" {row['search_p50']:>8.1f}/{row['search_p95']:<8.1f}"
                        f" {row['similar_p50']:>7.1f}/{row['similar_p95']:<7.1f}"
                        if "search_p50" in row
                        else f" {'':>17} {'':>15}"
                    )
                    + f" {row['rss_mb']:>6.0f} {row.get('ray_workers_rss_mb', 0):>14.0f}"
                    f" {row['driver_cpu_ms']:>13.0f}"
                    f"   ({row['woven']} woven, {row['new_stories']} new stories, {row['copies']} copies)",
                    flush=True,
                )
                if not is_url(db) and db.startswith(tmp):
                    Path(db).unlink()
            padded.unlink()
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    for size in dict.fromkeys(r["size"] for r in rows):
        local = next(r for r in rows if r["size"] == size and r["mode"] == "local")
        for r in rows:
            if r["size"] == size and r["mode"] != "local":
                overhead = (r["seconds"] - local["seconds"]) / r["added"] * 1000
                print(f"{size:>8}: {r['mode']} / local throughput {r['rate'] / local['rate']:.2f}; "
                      f"{overhead:+.1f} ms per article against local; an empty Ray task "
                      f"{r['task_ms']:.2f} ms; Ray start-up {r['ray_start_s']:.1f} s apart")  # fmt: skip
    if args.plot:
        plot(rows, Path(args.plot))
        print(f"plot saved to {args.plot}")


if __name__ == "__main__":
    main()
