"""Story clustering on ECB+: every document added through `add` (which weaves), then scored.

Gold stories are (topic, half): the two halves of a topic are different real events on the same
subject, so the event level is the hard one. Prints B-cubed precision/recall/F1 and the adjusted
Rand index of the woven stories at the event and at the topic level, and of the events inside
them (weave/events.py, `events`) at the event level, for all topics and for the odd (tuning) and
even (held-out) topics separately. Each woven story should be one ECB+ event, so `events` guards
against events cut too finely: it should not fall below `event`.

    python benchmarks/stories.py [--topics 1,3,5] [--shuffle SEED] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ecbplus
from newsweave.pipeline import add_sources
from newsweave.store import Store
from newsweave.store.stories import get_story, story_events
from newsweave.weave import Weaver


def bcubed(pred: Sequence[Hashable], gold: Sequence[Hashable]) -> tuple[float, float, float]:
    clusters: dict[Hashable, set[int]] = defaultdict(set)
    classes: dict[Hashable, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        clusters[p].add(i)
        classes[g].add(i)
    precision = recall = 0.0
    for p, g in zip(pred, gold, strict=True):
        shared = len(clusters[p] & classes[g])
        precision += shared / len(clusters[p])
        recall += shared / len(classes[g])
    n = len(pred)
    precision, recall = precision / n, recall / n
    return precision, recall, 2 * precision * recall / (precision + recall)


def ari(pred: Sequence[Hashable], gold: Sequence[Hashable]) -> float:
    n = len(pred)
    both = sum(comb(v, 2) for v in Counter(zip(pred, gold, strict=True)).values())
    a = sum(comb(v, 2) for v in Counter(pred).values())
    b = sum(comb(v, 2) for v in Counter(gold).values())
    expected = a * b / comb(n, 2)
    top = (a + b) / 2
    return (both - expected) / (top - expected) if top != expected else 1.0


def cluster(docs: list[ecbplus.Document], workdir: Path) -> tuple[list[str], list[str], float]:
    """Story id and event (story id / index) per document, in `docs` order, and the seconds
    taken by add + weave."""
    paths = ecbplus.write_texts(docs, workdir / "texts")
    started = time.perf_counter()
    with Store.open(workdir / "ecb.db") as store:
        ids: list[str | None] = [r.id for r in add_sources(store, [str(p) for p in paths])]
        Weaver(store).weave()
        elapsed = time.perf_counter() - started
        story = dict(
            store.conn.execute("SELECT article_id, story_id FROM story_members").fetchall()
        )
        event = {
            a: f"{s}/{n}"
            for s in set(story.values())
            for n, e in enumerate(story_events(store, get_story(store, s)))
            for a in e.articles
        }
    missing = [f"missing-{n}" for n in range(len(ids))]
    return (
        [story[i] if i else missing[n] for n, i in enumerate(ids)],
        [event[i] if i else missing[n] for n, i in enumerate(ids)],
        elapsed,
    )


def score(
    docs: list[ecbplus.Document], labels: list[str], events: list[str]
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    subsets = {
        "all": lambda d: True,
        "odd": lambda d: int(d.topic) % 2 == 1,
        "even": lambda d: int(d.topic) % 2 == 0,
    }
    for name, keep in subsets.items():
        idx = [i for i, d in enumerate(docs) if keep(d)]
        if not idx:
            continue
        stories = [labels[i] for i in idx]
        for level, pred, gold in (
            ("event", stories, [docs[i].event for i in idx]),
            ("topic", stories, [docs[i].topic for i in idx]),
            ("events", [events[i] for i in idx], [docs[i].event for i in idx]),
        ):
            p, r, f = bcubed(pred, gold)
            out[f"{name}/{level}"] = {
                "P": p,
                "R": r,
                "F1": f,
                "ARI": ari(pred, gold),
                "n": len(idx),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", help="comma-separated topic numbers (default: all)")
    parser.add_argument(
        "--shuffle", type=int, help="add the documents in a random order with this seed"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    docs = ecbplus.load()
    if args.topics:
        wanted = set(args.topics.split(","))
        docs = [d for d in docs if d.topic in wanted]
    if args.shuffle is not None:
        random.Random(args.shuffle).shuffle(docs)
    with tempfile.TemporaryDirectory() as tmp:
        labels, events, elapsed = cluster(docs, Path(tmp))
    result = score(docs, labels, events)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{len(docs)} documents, {len(set(labels))} stories, {len(set(events))} events"
        f" (gold: {len({d.event for d in docs})} events), "
        f"add + weave {elapsed:.1f} s"
    )
    print(f"{'subset/level':<14} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'ARI':>6}")
    for key, s in result.items():
        print(f"{key:<14} {s['P']:6.3f} {s['R']:6.3f} {s['F1']:6.3f} {s['ARI']:6.3f}")


if __name__ == "__main__":
    main()
