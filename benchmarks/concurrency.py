"""Concurrency soak: N writers, each running M `newsweave add` processes one after another, all
on one store at once, with overlapping batches of ECB+ documents as text files.

Writer w's batch b is a window of the document list starting at (w + b * N) * step: neighbouring
batches share most of their documents, so the same article is added by several processes at the
same moment, and every add weaves. Prints the documents given, articles stored, duplicates
(stored articles beyond one per distinct document: must be 0), articles in no story plus stories
whose size disagrees with their members (must be 0), errors seen by users (add processes that exited non-zero or wrote to
stderr: must be 0) and the wall-clock seconds.

    python benchmarks/concurrency.py [--writers 3] [--batches 4] [--batch-size 40] [--docs 120]
        [--db postgresql://…]   (an empty PostgreSQL database instead of a new SQLite file)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ecbplus
from newsweave.store import Store

SRC = Path(__file__).resolve().parents[1] / "src"


def run_writer(db: Path | str, batches: list[list[Path]]) -> list[tuple[int, str]]:
    """One writer: its batches one after another, each a `newsweave add` process."""
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    outcomes = []
    for batch in batches:
        done = subprocess.run(
            [sys.executable, "-m", "newsweave", "--db", str(db), "add", *map(str, batch)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        outcomes.append((done.returncode, done.stderr))
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--batches", type=int, default=4, help="add processes per writer")
    parser.add_argument("--batch-size", type=int, default=40)
    parser.add_argument("--docs", type=int, default=120, help="ECB+ documents used")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--db", help="a postgresql:// URL of an empty database (default: SQLite)")
    args = parser.parse_args()
    if not ecbplus.ECBPLUS.exists():
        sys.exit(f"{ecbplus.ECBPLUS}: no such folder (the shared evaluation data)")
    docs = ecbplus.load()[: args.docs]
    with tempfile.TemporaryDirectory() as tmp:
        paths = ecbplus.write_texts(docs, Path(tmp) / "docs")
        db: Path | str = args.db or Path(tmp) / "soak.db"
        total = args.writers * args.batches
        step = max(1, (len(paths) - args.batch_size) // max(1, total - 1))
        plan: list[list[list[Path]]] = [[] for _ in range(args.writers)]
        for b in range(args.batches):
            for w in range(args.writers):
                start = ((w + b * args.writers) * step) % max(1, len(paths) - args.batch_size + 1)
                plan[w].append(paths[start : start + args.batch_size])
        given = {p for writer in plan for batch in writer for p in batch}
        started = time.perf_counter()
        with ThreadPoolExecutor(args.writers) as pool:
            outcomes = [o for found in pool.map(lambda b: run_writer(db, b), plan) for o in found]
        seconds = time.perf_counter() - started
        store = Store.open(db, create=False)
        conn = store.conn
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        origins = conn.execute("SELECT count(DISTINCT origin) FROM articles").fetchone()[0]
        unwoven = conn.execute(
            "SELECT count(*) FROM articles a LEFT JOIN story_members m ON m.article_id = a.id"
            " WHERE m.article_id IS NULL"
        ).fetchone()[0]
        miscounted = conn.execute(
            "SELECT count(*) FROM stories s WHERE s.size !="
            " (SELECT count(*) FROM story_members m WHERE m.story_id = s.id)"
        ).fetchone()[0]
        store.close()
    # Identical texts under two file names are one article by design (ids are content hashes),
    # so duplicates count stored rows beyond one per file name that was stored.
    duplicates = stored - origins
    errors = sum(1 for code, stderr in outcomes if code != 0 or stderr.strip())
    result = {
        "writers": args.writers,
        "batches_per_writer": args.batches,
        "batch_size": args.batch_size,
        "add_processes": len(outcomes),
        "documents_given": len(given),
        "articles_stored": stored,
        "duplicates": duplicates,
        "unwoven_or_miscounted": unwoven + miscounted,
        "errors_seen_by_users": errors,
        "seconds": round(seconds, 1),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{args.writers} writers x {args.batches} batches of {args.batch_size}: "
        f"{len(given)} documents given, {stored} articles stored, {duplicates} duplicates, "
        f"{unwoven + miscounted} unwoven or miscounted, {errors} errors seen by users, "
        f"{seconds:.1f} s"
    )
    for code, stderr in outcomes:
        if code or stderr.strip():
            print(f"  exit {code}: {stderr.strip().splitlines()[-1] if stderr.strip() else ''}")


if __name__ == "__main__":
    main()
