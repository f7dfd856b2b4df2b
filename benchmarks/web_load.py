"""Latency and throughput of the web reader under 20 concurrent clients.

A synthetic store of 10,000 articles is built from the ECB+ texts in ../shared/data: every
document is cloned (a serial line appended, so each clone is its own article) under one of 37
invented outlets with a publication day spread over 60 days, and written straight into SQLite
(articles, the full-text index through its triggers, stories of five clones of one topic).
Weaving is not what is measured here, so stories are assigned, not woven.

`newsweave serve` runs on that store in its own process; this script is the second process,
with 20 concurrent clients on 127.0.0.1, each sending requests back to back for `--seconds`
per page kind:

  story list   GET /?page=N          (N random over the first 20 pages)
  story page   GET /stories/ID       (20 stories, each opened once first: warm briefs)
  search       GET /search?q=WORD    (words common in the texts)

Printed: requests, errors, p50 and p95 latency in ms, and requests/s per kind.

    python benchmarks/web_load.py [--articles 10000] [--clients 20] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ecbplus
from newsweave.store import Store

OUTLETS = [f"Outlet {n}" for n in range(37)]
STORY_SIZE = 5


def build_store(db: Path, count: int, seed: int = 7) -> list[str]:
    """The synthetic store; returns its story ids."""
    docs = ecbplus.load()
    rng = random.Random(seed)
    Store.open(db).close()  # the schema, by the store's own migrations
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN")
    by_topic: dict[tuple[str, int], list[int]] = {}
    rows = []
    for i in range(count):
        doc = docs[i % len(docs)]
        round_ = i // len(docs)
        paragraphs = [p for p in doc.text.split("\n\n") if p.strip()][:12]
        title = re.sub(r"\s+", " ", paragraphs[0])[:90] if paragraphs else f"Article {i}"
        body = (
            [*paragraphs[1:], f"Serial {i}."] if len(paragraphs) > 1 else [doc.text, f"Serial {i}."]
        )
        words = sum(len(p.split()) for p in body)
        day = f"2024-{1 + (i % 60) // 30:02d}-{1 + (i % 60) % 28:02d}"
        article_id = f"{i:016x}"
        rows.append(
            (article_id, f"synthetic/{doc.name}#{round_}", title, OUTLETS[rng.randrange(37)],
             day, "en", "\n\n".join(body), " ".join(body[:2])[:400], words, max(1, words // 230),
             0, "2026-01-01T00:00:00+00:00")
        )  # fmt: skip
        by_topic.setdefault((doc.topic, round_), []).append(i)
    conn.executemany(
        "INSERT INTO articles (id, origin, title, source, published, language, body, summary,"
        " words, reading_minutes, read_count, added) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    story_ids = []
    for members in by_topic.values():
        for start in range(0, len(members), STORY_SIZE):
            group = members[start : start + STORY_SIZE]
            story_id = f"{0x5000000000000000 + group[0]:016x}"
            days = sorted(rows[m][4] for m in group)
            why = json.dumps({"text": f"{len(group)} synthetic articles of one topic"})
            conn.execute(
                "INSERT INTO stories (id, title, first_seen, last_updated, size, centroid, why)"
                " VALUES (?,?,?,?,?,?,?)",
                (story_id, rows[group[0]][2], days[0], days[-1], len(group), b"", why),
            )
            conn.executemany(
                "INSERT INTO story_members (article_id, story_id, score) VALUES (?,?,1.0)",
                [(rows[m][0], story_id) for m in group],
            )
            conn.executemany(
                "INSERT INTO origins (article_id, origin_group, copy_of, kind) VALUES (?,?,NULL,'original')",
                [(rows[m][0], rows[m][0]) for m in group],
            )
            story_ids.append(story_id)
    conn.execute("COMMIT")
    conn.close()
    return story_ids


def search_words(db: Path, n: int = 40) -> list[str]:
    conn = sqlite3.connect(db)
    counts: Counter[str] = Counter()
    for (body,) in conn.execute("SELECT body FROM articles LIMIT 2000"):
        counts.update(w.lower() for w in re.findall(r"[A-Za-z]{6,}", body))
    conn.close()
    return [w for w, _ in counts.most_common(n * 3)[n:]][:n]  # common, not the commonest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def load(base: str, urls: list[str], clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def worker(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            while time.monotonic() < stop:
                url = rng.choice(urls)
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

        await asyncio.gather(*(worker(n) for n in range(clients)))
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsweave-web-load-") as tmp:
        db = Path(tmp) / "load.db"
        started = time.monotonic()
        stories = build_store(db, args.articles)
        print(
            f"store: {args.articles} articles, {len(stories)} stories, built in {time.monotonic() - started:.1f} s"
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "newsweave", "--db", str(db), "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy(),
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(base + "/", timeout=5)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            sample = random.Random(3).sample(stories, 20)
            warm = time.monotonic()
            for story_id in sample:  # the first brief of a story analyses its articles
                httpx.get(f"{base}/stories/{story_id}", timeout=600).raise_for_status()
            print(f"warm-up: 20 story briefs in {time.monotonic() - warm:.1f} s")
            kinds = {
                "story list": [f"/?page={n}" for n in range(1, 21)],
                "story page": [f"/stories/{s}" for s in sample],
                "search": [f"/search?q={w}" for w in search_words(db)],
            }
            print(f"{args.clients} concurrent clients, {args.seconds:.0f} s per kind, 127.0.0.1")
            print(
                f"{'page':<12} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8}"
            )
            for name, urls in kinds.items():
                latencies, errors = asyncio.run(load(base, urls, args.clients, args.seconds))
                ms = sorted(x * 1000 for x in latencies)
                p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
                print(
                    f"{name:<12} {len(ms):>9} {errors:>7} {statistics.median(ms):>8.1f}"
                    f" {p95:>8.1f} {len(ms) / args.seconds:>8.1f}"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
