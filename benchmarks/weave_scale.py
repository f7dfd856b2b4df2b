"""Add + weave throughput as the store grows, against the embedding model alone; and what a
reader waits for at each size: search and similar readings, in process and as CLI calls.

For each store size (default 1k, 10k, 100k articles already stored and woven), 200 held-out
ECB+ documents are added through `add_sources` and woven with `Weaver`, exactly as
`newsweave add` does, into a store padded to that size. Each size is measured in a fresh
process (so its peak RSS is its own), with the model loaded before timing.

Padding: the other ECB+ documents are added and woven for real once; padding articles are
clones of them written straight into SQLite: the body cut to its first three paragraphs with a
serial number appended, the vector the original's plus Gaussian noise (cosine ≈ 0.9 to it),
the words, names, language and sentences copied, random LSH and sentence keys (so clones are not copies
of each other), and five clones of one original to a story, whose stored profile
(weave/profiles.py) is written as weaving would have left it. The vector index is built once per size, in
this process before the measuring one starts (as a long-lived store has it on disk, so the peak
RSS is a normal add's, not a rebuild's). `--stores DIR` keeps each padded store, index included,
in DIR and reuses it on the next run (padding 1M articles takes about 35 minutes); a copy is
measured, so the kept store stays as padded. `--repeat N` (odd) measures each size N times, each on
a fresh copy, and shows the run of median wall ratio with the range of the ratios.

The floor: the embedding-only throughput of the same model on the same 200 texts, measured in
the same process just before the add, the rate no pipeline can beat on this machine at that
moment ("× floor" is the pipeline's time over the model's; on a busy machine read the ratios),
and the CPU seconds of both (process time, the model's threads and the ingest worker processes
included).
After the add: `search` (40 queries, two or three title words) and `similar` (40 articles)
p50/p95 in process, each query asked once, cold, then 10 of each as `newsweave` CLI calls
(newsweave's bytecode compiled first, as an installed package has it);
`newsweave --help` start-up. A PNG plot of throughput and × floor against store size is saved
(`--plot`, default docs/performance.png).

    python benchmarks/weave_scale.py [--sizes 1000,10000,100000] [--test 200] [--plot PATH]
                                     [--stores DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ecbplus
import newsweave
from newsweave.pipeline import add_sources
from newsweave.store import Store
from newsweave.store.packing import unpack_signals
from newsweave.weave import Weaver
from newsweave.weave.embed import article_text, get_embedder

PADDING_SENTENCES = 5  # a clone's body is its original's first three paragraphs
NOISE = 0.5  # |noise| for a unit vector: cosine to the original ≈ 1 / sqrt(1 + 0.25) ≈ 0.89


def build_base(docs: list[ecbplus.Document], root: Path) -> Path:
    """The real articles the padding is cloned from, added and woven once."""
    paths = ecbplus.write_texts(docs, root / "base-texts")
    db = root / "base.db"
    with Store.open(db) as store:
        list(add_sources(store, [str(p) for p in paths]))
        Weaver(store).weave()
    return db


def pad(base: Path, target: Path, size: int, rng: random.Random) -> float:
    """A store of `size` padding articles cloned from `base`; returns seconds taken."""
    started = time.perf_counter()
    with Store.open(target):
        pass  # the schema, through the real migrations
    src = sqlite3.connect(base)
    src.row_factory = sqlite3.Row
    originals = src.execute(
        "SELECT a.*, s.vector, s.terms, s.names, s.day, s.sentences, s.packed, s.model,"
        " l.language AS signal_language FROM articles a"
        " JOIN article_signals s ON s.article_id = a.id"
        " LEFT JOIN signal_languages l ON l.article_id = a.id"
    ).fetchall()
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    df: Counter[str] = Counter()
    id_of = {o["id"]: i for i, o in enumerate(originals)}
    conn.execute("BEGIN")
    story_id = ""
    members: dict[str, list[tuple[int, np.ndarray]]] = {}  # story → (original, vector) of each
    for n in range(size):
        o = originals[n % len(originals)] if n < len(originals) else rng.choice(originals)
        article_id = f"{n:016x}"
        body = "\n\n".join(o["body"].split("\n\n")[:3]) + f"\n\n(padding {n})"
        conn.execute(
            "INSERT INTO articles (id, origin, title, source, url, published, language, body, summary,"
            " words, reading_minutes, read_count, added) VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?)",
            (article_id, f"padding:{n}", o["title"], o["source"], None, o["published"], o["language"],
             body, o["summary"], o["words"], o["reading_minutes"], "2026-01-01T00:00:00+00:00"),
        )  # fmt: skip
        vector = np.frombuffer(o["vector"], dtype=np.float16).astype(np.float32)
        noise = rng_normal(rng, vector.shape[0]) * (NOISE / np.sqrt(vector.shape[0]))
        vector = vector + noise
        vector /= np.linalg.norm(vector)
        conn.execute(
            "INSERT INTO article_signals (article_id, model, vector, terms, names, day, sentences,"
            " packed) VALUES (?,?,?,?,?,?,?,?)",
            (article_id, o["model"], vector.astype(np.float16).tobytes(), o["terms"], o["names"],
             o["day"], o["sentences"], o["packed"]),
        )  # fmt: skip
        if o["signal_language"] is not None:
            conn.execute(
                "INSERT INTO signal_languages (article_id, language) VALUES (?,?)",
                (article_id, o["signal_language"]),
            )
        if o["packed"] is not None:
            terms, names, *_ = unpack_signals(o["packed"])
        else:  # a base woven before signals were packed
            terms, names = json.loads(o["terms"]), json.loads(o["names"])
        df.update(terms)
        df.update("@" + k for k in names)
        conn.executemany(
            "INSERT INTO lsh_buckets (band, key, article_id) VALUES (?,?,?)",
            [(band, rng.getrandbits(63), article_id) for band in range(16)],
        )
        # Random sentence keys too: a realistic table to look up in, no shared sentences.
        conn.executemany(
            "INSERT INTO sentence_keys (key, article_id) VALUES (?,?)",
            [(rng.getrandbits(63), article_id) for _ in range(PADDING_SENTENCES)],
        )
        conn.execute(
            "INSERT INTO origins (article_id, origin_group, copy_of, kind) VALUES (?,?,NULL,'original')",
            (article_id, article_id),
        )
        members.setdefault(story_id if n % 5 else article_id, []).append((id_of[o["id"]], vector))
        if n % 5 == 0:
            story_id = article_id
            conn.execute(
                "INSERT INTO stories (id, title, first_seen, last_updated, size, centroid, why)"
                " VALUES (?,?,?,?,0,?,'{}')",
                (story_id, o["title"], o["published"] or "", o["published"] or "",
                 np.zeros(vector.shape[0], dtype=np.float32).tobytes()),
            )  # fmt: skip
        conn.execute(
            "UPDATE stories SET size = size + 1, centroid = ? WHERE id = ?",
            (vector.astype(np.float32).tobytes(), story_id),
        )
        conn.execute(
            "INSERT INTO story_members (article_id, story_id, score) VALUES (?,?,1)",
            (article_id, story_id),
        )
    conn.executemany("INSERT INTO term_df (term, df) VALUES (?,?)", df.items())
    conn.execute("COMMIT")
    conn.close()
    write_profiles(target, originals, members)
    return time.perf_counter() - started


def write_profiles(
    target: Path, originals: list[sqlite3.Row], members: dict[str, list[tuple[int, np.ndarray]]]
) -> None:
    """Each padding story's profile, as weaving would have stored it (weave/profiles.py): the
    originals' term and name weights computed once from the padded store's counts."""
    from newsweave.weave.profiles import StoryProfile
    from newsweave.weave.signals import Signals
    from newsweave.weave.similarity import _Idf, _Profile

    with Store.open(target) as store:
        idf = _Idf(store.stories)
        base: list[_Profile] = []
        for o in originals:
            if o["packed"] is not None:
                terms, names, *_ = unpack_signals(o["packed"])
            else:
                terms, names = json.loads(o["terms"]), json.loads(o["names"])
                names = {k: v[0] for k, v in names.items()}
            signals = Signals(
                o["id"], 0, np.zeros(1, dtype=np.float32), terms, names, {}, o["day"], [], ""
            )
            idf.load([*terms, *("@" + k for k in names)])
            profile = _Profile.__new__(_Profile)  # the weights alone, without a rowid to cache by
            base.append(profile)
            profile.signals, profile.floor = signals, idf.floor
            profile.terms, profile.names = idf.unit(terms, ""), idf.unit(names, "@")
        with store.transaction() as tx:
            for story_id, found in members.items():
                story = StoryProfile.empty(len(found[0][1]), idf.n)
                for index, vector in found:
                    member = _Profile.__new__(_Profile)
                    member.terms, member.names, member.floor = (
                        base[index].terms,
                        base[index].names,
                        idf.floor,
                    )
                    member.signals = replace(base[index].signals, vector=vector)
                    story.add(member)
                store.stories.put_story_profiles(tx, [(story_id, story)])


def rng_normal(rng: random.Random, n: int) -> np.ndarray:
    return np.random.default_rng(rng.getrandbits(32)).standard_normal(n).astype(np.float32)


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def queries_of(store: Store, count: int, rng: random.Random) -> list[str]:
    """Two or three longer words of real titles (the held-out ones), as a reader types them."""
    rows = store.conn.execute(
        "SELECT title FROM articles WHERE origin NOT LIKE 'padding:%' AND title IS NOT NULL"
    ).fetchall()
    out = []
    for (title,) in rows:
        words = [w.strip(".,:;'\"()") for w in title.split()]
        words = [w for w in words if len(w) > 4 and w.isalpha()]
        if len(words) >= 2:
            out.append(" ".join(words[: rng.choice((2, 3))]))
    rng.shuffle(out)
    return out[:count]


def measure(db: Path, texts_dir: Path) -> dict[str, float]:
    """One size, in this (fresh) process: floor, add + weave, search and similar."""
    from newsweave.store.stories import similar

    embedder = get_embedder()
    paths = sorted(str(p) for p in texts_dir.glob("*.txt"))
    with Store.open(db) as store:
        started = time.perf_counter()
        # The file is there already (`main` built it); a store measured without one gets it
        # here, and its time is reported.
        Weaver(store, embedder).index.save()
        index_seconds = time.perf_counter() - started
        texts = []
        for path in paths:
            lines = Path(path).read_text(encoding="utf-8").split("\n\n")
            texts.append(article_text(None, lines))
        embedder.encode(texts[:8])
        started, cpu_started = time.perf_counter(), time.process_time()
        embedder.encode(texts)
        embed_rate = len(texts) / (time.perf_counter() - started)
        embed_cpu = time.process_time() - cpu_started
        started, cpu_started = time.perf_counter(), process_and_children_cpu()
        added = sum(r.status == "added" for r in add_sources(store, paths))
        report = Weaver(store, embedder).weave()
        seconds = time.perf_counter() - started
        cpu_seconds = process_and_children_cpu() - cpu_started
        rng = random.Random(5)
        queries = queries_of(store, 40, rng)
        search_times = []
        for query in queries:
            started = time.perf_counter()
            store.search(query, 20)
            search_times.append(time.perf_counter() - started)
        ids = [
            r[0]
            for r in store.conn.execute(
                "SELECT id FROM articles WHERE origin NOT LIKE 'padding:%' ORDER BY rowid DESC"
                " LIMIT 40"
            )
        ]
        similar_times = []
        for article_id in ids:
            started = time.perf_counter()
            similar(store, article_id)
            similar_times.append(time.perf_counter() - started)
    search_p50, search_p95 = percentiles(search_times)
    similar_p50, similar_p95 = percentiles(similar_times)
    return {
        "index_s": index_seconds,
        "floor": embed_rate,
        "seconds": seconds,
        "rate": added / seconds,
        "cpu_s": cpu_seconds,
        "floor_cpu_s": embed_cpu,
        "woven": report.woven,
        "new_stories": report.new_stories,
        "copies": report.copies,
        "search_p50": search_p50,
        "search_p95": search_p95,
        "similar_p50": similar_p50,
        "similar_p95": similar_p95,
        "rss_mb": peak_rss_mb(),
        "queries": queries,  # type: ignore[dict-item]
        "ids": ids,  # type: ignore[dict-item]
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started. Not `ru_maxrss`: a process that
    a large one forked and exec'd inherits that one's resident size in it (Linux keeps the
    larger of the two across `exec`), so a measuring process started right after the parent
    built a 1M index read 4.8 GB; /proc's VmHWM belongs to the new address space alone."""
    try:
        with Path("/proc/self/status").open() as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_and_children_cpu() -> float:
    """CPU seconds of this process and of its ended children: `add_sources` runs ingest and
    cleaning in worker processes, whose CPU `time.process_time()` alone leaves out."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def cli_times(args: list[str], runs: int, cpu: list[float] | None = None) -> list[float]:
    """Wall seconds of each `newsweave` call; its CPU seconds (user + system) appended to
    `cpu` when given, the figure a busy machine inflates least."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "newsweave", *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if cpu is not None:
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times


def plot(rows: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["size"] for r in rows]
    fig, left = plt.subplots(figsize=(6, 3.6))
    left.plot(sizes, [r["rate"] for r in rows], "o-", label="add + weave")
    left.plot(sizes, [r["floor"] for r in rows], "s--", label="embedding only (floor)")
    left.set_xscale("log")
    left.set_xlabel("articles already in the store")
    left.set_ylabel("articles/s")
    # Headroom above the highest point, so that no line runs along the frame.
    left.set_ylim(0, 1.15 * max(max(r["rate"], r["floor"]) for r in rows))
    right = left.twinx()
    ratios = [r["floor"] / r["rate"] for r in rows]
    right.plot(sizes, ratios, "^:", color="grey", label="× floor")
    right.set_ylabel("× floor (lower is better)")
    right.set_ylim(0, 1.15 * max(ratios))
    lines = left.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    left.legend(lines[0] + more[0], lines[1] + more[1], loc="lower left", fontsize=8)
    left.set_title("newsweave add + weave of 200 articles, by store size")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--test", type=int, default=200, help="held-out articles added per size")
    parser.add_argument(
        "--plot",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "docs" / "performance.png",
    )
    parser.add_argument("--cli-runs", type=int, default=10)
    parser.add_argument(
        "--repeat", type=int, default=1, help="add + weave runs per size (odd); the median is shown"
    )
    parser.add_argument(
        "--stores", type=Path, help="keep padded stores here and reuse those already there"
    )
    parser.add_argument("--measure", nargs=2, metavar=("DB", "TEXTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), Path(args.measure[1]))))
        return
    rng = random.Random(11)
    docs = ecbplus.load()
    rng.shuffle(docs)
    test_docs, base_docs = docs[: args.test], docs[args.test :]
    load = os.getloadavg()[0]
    print(f"load average at start {load:.1f} on {os.cpu_count()} cores")
    rows: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base: Path | None = None
        test_dir = root / "test-texts"
        ecbplus.write_texts(test_docs, test_dir)
        # An installed package has its bytecode (pip compiles it; an editable install writes it
        # on first import). Where PYTHONDONTWRITEBYTECODE is set, as in some sandboxes, every
        # CLI call would compile most of newsweave again, 40-100 ms of each `similar`.
        compileall.compile_dir(Path(newsweave.__file__).parent, quiet=1)
        help_p50, help_p95 = percentiles(cli_times(["--help"], args.cli_runs))
        floor_p50, _ = percentiles([cli_times_floor() for _ in range(args.cli_runs)])
        print(
            f"start-up: newsweave --help p50 {help_p50:.0f} ms, p95 {help_p95:.0f} ms "
            f"(python -c pass: {floor_p50:.0f} ms)"
        )
        header = (
            f"{'stored':>8} {'pad s':>6} {'index s':>7} {'floor/s':>7} {'add+weave s':>11}"
            f" {'art/s':>6} {'× floor':>7} {'search p50/p95 ms':>17} {'similar p50/p95':>15}"
            f" {'CLI search p50/p95':>18} {'CLI similar':>13} {'RSS MB':>6}"
        )
        print(header)
        for size in (int(s) for s in args.sizes.split(",")):
            db = root / f"pad-{size}.db"
            kept = args.stores / db.name if args.stores else None
            pad_seconds = index_seconds = 0.0
            if kept is None or not kept.exists():
                base = base or build_base(base_docs, root)
                pad_seconds = pad(base, db, size, rng)
                started = time.perf_counter()
                with Store.open(db) as store:
                    Weaver(store).index.save()
                index_seconds = time.perf_counter() - started
                if kept is not None:
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    _copy_store(db, kept)
            else:
                print(f"{size}: reusing {kept}", flush=True)
                _copy_store(kept, db)
            runs: list[dict[str, float]] = []
            measured = root / f"run-{size}.db"
            for _ in range(args.repeat):
                for old in root.glob(f"{measured.name}*"):
                    old.unlink()
                _copy_store(db, measured)  # each run adds to the store as padded
                # One OpenBLAS thread, as `newsweave` sets for itself (cli/__init__.py) before
                # numpy loads; this process imported numpy already, so the child is told.
                done = subprocess.run(
                    [sys.executable, __file__, "--measure", str(measured), str(test_dir)],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={"OPENBLAS_NUM_THREADS": "1", **os.environ},
                )
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            # The run of median wall ratio, its figures together: the machine's speed moves
            # the ratio by ±0.15 between runs of the same code (docs/performance.md).
            runs.sort(key=lambda r: r["floor"] / r["rate"])
            row: dict[str, float] = runs[len(runs) // 2]
            if len(runs) > 1:
                walls = [r["floor"] / r["rate"] for r in runs]
                cpus = sorted(r["cpu_s"] / r["floor_cpu_s"] for r in runs)
                print(
                    f"{size:>8}: {len(runs)} runs, wall × floor {min(walls):.2f}–{max(walls):.2f},"
                    f" CPU × {cpus[0]:.2f}–{cpus[-1]:.2f}; the median run:",
                    flush=True,
                )
            db = measured
            queries: list[str] = row.pop("queries")  # type: ignore[assignment]
            ids: list[str] = row.pop("ids")  # type: ignore[assignment]
            search_cli: list[float] = []
            similar_cli: list[float] = []
            search_cpu: list[float] = []
            similar_cpu: list[float] = []
            for n in range(args.cli_runs):
                search_cli += cli_times(
                    ["--db", str(db), "search", queries[n % len(queries)]], 1, search_cpu
                )
                similar_cli += cli_times(
                    ["--db", str(db), "similar", ids[n % len(ids)]], 1, similar_cpu
                )
            row["size"] = size
            row["index_s"] += index_seconds
            row["cli_search_p50"], row["cli_search_p95"] = percentiles(search_cli)
            row["cli_similar_p50"], row["cli_similar_p95"] = percentiles(similar_cli)
            row["cli_search_cpu"] = statistics.median(search_cpu) * 1000
            row["cli_similar_cpu"] = statistics.median(similar_cpu) * 1000
            rows.append(row)
            print(
                f"{size:>8} {pad_seconds:>6.1f} {row['index_s']:>7.1f} {row['floor']:>7.1f}"
                f" {row['seconds']:>11.1f} {row['rate']:>6.1f} {row['floor'] / row['rate']:>7.2f}"
                f" {row['search_p50']:>8.1f}/{row['search_p95']:<8.1f}"
                f" {row['similar_p50']:>7.1f}/{row['similar_p95']:<7.1f}"
                f" {row['cli_search_p50']:>9.0f}/{row['cli_search_p95']:<8.0f}"
                f" {row['cli_similar_p50']:>6.0f}/{row['cli_similar_p95']:<6.0f}"
                f" {row['rss_mb']:>6.0f}   (CPU {row['cpu_s']:.1f} s, model alone {row['floor_cpu_s']:.1f} s"
                f" = {row['cpu_s'] / row['floor_cpu_s']:.2f}; CLI search / similar CPU p50"
                f" {row['cli_search_cpu']:.0f} / {row['cli_similar_cpu']:.0f} ms;"
                f" {row['woven']:.0f} woven, {row['new_stories']:.0f} new"
                f" stories, {row['copies']:.0f} copies)",
                flush=True,
            )
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    if args.plot:
        plot(rows, args.plot)
        print(f"plot saved to {args.plot}")


def _copy_store(source: Path, target: Path) -> None:
    """A closed store and its vector file (named by its store id) copied beside `target`, and
    on disk: a copy left in the page cache unwritten is written out by the first `fsync` of
    the file, which is SQLite's first checkpoint in the measured add (0.25 s of waiting per 200
    articles into the 100k store, which a store at rest never pays)."""
    copies = [(source, target)] + [
        (vectors, target.parent / (target.name + vectors.name[len(source.name) :]))
        for vectors in source.parent.glob(f"{source.name}.*.vectors")
    ]
    for origin, copy in copies:
        shutil.copyfile(origin, copy)
        with copy.open("rb+") as handle:
            os.fsync(handle.fileno())


def cli_times_floor() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
