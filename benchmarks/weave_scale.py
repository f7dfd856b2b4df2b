"""Add + weave throughput as the store grows, against the embedding model alone.

For each store size (default 1k, 10k, 100k articles already stored and woven), 200 held-out
ECB+ documents are added through `add_sources` and woven with `Weaver`, exactly as
`newsweave add` does, into a store padded to that size. The model is loaded before timing.

Padding: the other ECB+ documents are added and woven for real once; padding articles are
clones of them written straight into SQLite: the body cut to its first three paragraphs with a
serial number appended, the vector the original's plus Gaussian noise (cosine ≈ 0.9 to it),
the words, names and sentences copied, random LSH keys (so clones are not copies of each other),
and five clones of one original to a story. The vector index is built once per size before
timing (as a long-lived store has it on disk).

Also printed: the embedding-only throughput of the same model on the same 200 texts, the floor
no pipeline can beat on this machine.

    python benchmarks/weave_scale.py [--sizes 1000,10000,100000] [--test 200]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ecbplus
from newsweave.pipeline import add_sources
from newsweave.store import Store
from newsweave.weave import Weaver
from newsweave.weave.embed import article_text, get_embedder

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
        "SELECT a.*, s.vector, s.terms, s.names, s.day, s.sentences, s.model FROM articles a"
        " JOIN article_signals s ON s.article_id = a.id"
    ).fetchall()
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    df: Counter[str] = Counter()
    conn.execute("BEGIN")
    story_id = ""
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
            "INSERT INTO article_signals (article_id, model, vector, terms, names, day, sentences)"
            " VALUES (?,?,?,?,?,?,?)",
            (article_id, o["model"], vector.astype(np.float16).tobytes(), o["terms"], o["names"],
             o["day"], o["sentences"]),
        )  # fmt: skip
        df.update(json.loads(o["terms"]))
        df.update("@" + k for k in json.loads(o["names"]))
        conn.executemany(
            "INSERT INTO lsh_buckets (band, key, article_id) VALUES (?,?,?)",
            [(band, rng.getrandbits(63), article_id) for band in range(16)],
        )
        conn.execute(
            "INSERT INTO origins (article_id, origin_group, copy_of, kind) VALUES (?,?,NULL,'original')",
            (article_id, article_id),
        )
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
    return time.perf_counter() - started


def rng_normal(rng: random.Random, n: int) -> np.ndarray:
    return np.random.default_rng(rng.getrandbits(32)).standard_normal(n).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--test", type=int, default=200, help="held-out articles added per size")
    args = parser.parse_args()
    rng = random.Random(11)
    docs = ecbplus.load()
    rng.shuffle(docs)
    test_docs, base_docs = docs[: args.test], docs[args.test :]
    embedder = get_embedder()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = build_base(base_docs, root)
        test_paths = [str(p) for p in ecbplus.write_texts(test_docs, root / "test-texts")]

        # The floor: the model alone on exactly the texts weaving embeds.
        with Store.open(base) as store:
            probe = root / "probe.db"
            with Store.open(probe) as scratch:
                ids = [r.id for r in add_sources(scratch, test_paths)]
                texts = [article_text(a.title, a.body) for a in (scratch.get(i) for i in ids if i)]
        embedder.encode(texts[:8])
        started = time.perf_counter()
        embedder.encode(texts)
        embed_rate = len(texts) / (time.perf_counter() - started)
        print(
            f"embedding only ({embedder.name}): {embed_rate:.1f} articles/s on {len(texts)} texts"
        )

        print(
            f"{'stored':>8} {'pad s':>7} {'index s':>8} {'add+weave s':>12} {'articles/s':>11} {'× embed':>8}"
        )
        for size in (int(s) for s in args.sizes.split(",")):
            db = root / f"pad-{size}.db"
            pad_seconds = pad(base, db, size, rng)
            with Store.open(db) as store:
                started = time.perf_counter()
                Weaver(store, embedder).index.save()  # build the vector index once, as on disk
                index_seconds = time.perf_counter() - started
                started = time.perf_counter()
                added = sum(r.status == "added" for r in add_sources(store, test_paths))
                report = Weaver(store, embedder).weave()
                seconds = time.perf_counter() - started
            rate = added / seconds
            print(
                f"{size:>8} {pad_seconds:>7.1f} {index_seconds:>8.1f} {seconds:>12.1f} "
                f"{rate:>11.1f} {embed_rate / rate:>8.2f}   ({report.woven} woven, "
                f"{report.new_stories} new stories, {report.copies} copies)"
            )


if __name__ == "__main__":
    main()
