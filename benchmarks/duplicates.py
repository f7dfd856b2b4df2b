"""Copy and rewrite detection on a test set made from real articles.

Originals: the five seed articles (independent outlets; none is a copy of another, per the
development gold) and ECB+ documents of at least five sentences. From every third original four
variants are made, each written to its own text file and added after all originals:

  chrome    the same text inside other site chrome (a menu line, an advert line, a footer)
  cut       the first 60% of the paragraphs (a reprint cut for length)
  padded    the whole text plus three paragraphs of another topic's article around it
  reworded  every sentence with a fifth of its words dropped and "said" → "stated"-style swaps

A variant is detected when `add` puts it in the origin group of its original. A copy link
between two originals is counted as a false positive, though ECB+ holds some real reprints:
those are printed so they can be judged by eye.

    python benchmarks/duplicates.py [--limit N]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ecbplus
from newsweave.pipeline import add_sources
from newsweave.store import Store
from newsweave.weave import Weaver

SEEDS = ecbplus.SHARED / "seeds"
SWAPS = {
    "said": "stated", "says": "states", "told": "informed", "killed": "left dead", "people": "persons",
    "police": "officers", "on": "on", "after": "following", "before": "prior to", "about": "around",
    "more than": "over", "announced": "declared", "reported": "stated", "also": "additionally",
}  # fmt: skip


def reword(text: str, rng: random.Random) -> str:
    out = []
    for paragraph in text.split("\n\n"):
        words = paragraph.split()
        kept = [w for w in words if rng.random() > 0.2 or len(words) < 6]
        sentence = " ".join(kept)
        for a, b in SWAPS.items():
            sentence = re.sub(rf"\b{a}\b", b, sentence)
        out.append(sentence)
    return "\n\n".join(out)


def variants(text: str, filler: str, rng: random.Random) -> dict[str, str]:
    paragraphs = text.split("\n\n")
    extra = filler.split("\n\n")[1:4]
    return {
        "chrome": "Home | World | Politics | Sport\n\n" + paragraphs[0] + "\n\nAdvertisement\n\n"
        + "\n\n".join(paragraphs[1:]) + "\n\n© 2024 Example Media. All rights reserved.",
        "cut": "\n\n".join(paragraphs[: max(3, int(len(paragraphs) * 0.6))]),
        "padded": "\n\n".join([paragraphs[0], *extra[:1], *paragraphs[1:], *extra[1:]]),
        "reworded": reword(text, rng),
    }  # fmt: skip


def evaluate(limit: int = 300) -> dict[str, Any]:
    """Build the test set, add and weave it, and score copy detection."""
    rng = random.Random(7)
    docs = [d for d in ecbplus.load() if d.text.count("\n\n") >= 5]
    rng.shuffle(docs)
    originals = {
        f"seed-{p.stem}": p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))
    }
    topic_of = dict.fromkeys(originals, "seeds")
    for d in docs[:limit]:
        originals[d.name.replace(".xml", "")] = d.text
        topic_of[d.name.replace(".xml", "")] = d.topic
    names = list(originals)
    made: dict[str, tuple[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "orig").mkdir()
        (root / "var").mkdir()
        for name, text in originals.items():
            (root / "orig" / f"{name}.txt").write_text(text, encoding="utf-8")
        for name in names[::3]:
            filler_name = rng.choice([n for n in names if topic_of[n] != topic_of[name]])
            for kind, text in variants(originals[name], originals[filler_name], rng).items():
                path = root / "var" / f"{name}--{kind}.txt"
                path.write_text(text, encoding="utf-8")
                made[path.name] = (name, kind)
        started = time.perf_counter()
        with Store.open(root / "dup.db") as store:
            ids: dict[str, str] = {}
            for folder in ("orig", "var"):
                for result in add_sources(store, [str(root / folder)]):
                    if result.id:
                        ids[Path(result.origin).name] = result.id
            Weaver(store).weave()
            elapsed = time.perf_counter() - started
            group = dict(store.conn.execute("SELECT article_id, origin_group FROM origins"))
            links = store.conn.execute(
                "SELECT article_id, copy_of, kind FROM origins WHERE copy_of IS NOT NULL"
            ).fetchall()
    by_id = {v: k for k, v in ids.items()}
    found = {kind: [0, 0] for kind in ("chrome", "cut", "padded", "reworded")}
    for file, (name, kind) in made.items():
        found[kind][1] += 1
        if file in ids and group.get(ids[file]) == group.get(ids.get(f"{name}.txt", "")):
            found[kind][0] += 1
    correct = wrong = 0
    suspicious: list[tuple[str, str, str]] = []
    for article, copy_of, kind in links:
        a, b = by_id.get(article, "?"), by_id.get(copy_of, "?")
        base_a = made.get(a, (a.removesuffix(".txt"), ""))[0]
        base_b = made.get(b, (b.removesuffix(".txt"), ""))[0]
        if base_a == base_b:
            correct += 1
        else:
            wrong += 1
            suspicious.append((a, b, kind))
    detected = sum(v[0] for v in found.values())
    total = sum(v[1] for v in found.values())
    return {
        "originals": len(originals),
        "variants": total,
        "seconds": elapsed,
        "found": found,
        "recall": detected / total,
        "detected": detected,
        "correct": correct,
        "links": correct + wrong,
        "precision": correct / (correct + wrong) if correct + wrong else 1.0,
        "seed_links": [
            x for x in suspicious if x[0].startswith("seed-") and x[1].startswith("seed-")
        ],
        "between_originals": suspicious,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=300, help="ECB+ documents used as originals")
    args = parser.parse_args()
    r = evaluate(args.limit)
    print(f"{r['originals']} originals, {r['variants']} variants, add + weave {r['seconds']:.1f} s")
    for kind, (hit, n) in r["found"].items():
        print(f"  recall {kind:<9} {hit}/{n} = {hit / n:.3f}")
    print(f"recall (all variants) {r['detected']}/{r['variants']} = {r['recall']:.3f}")
    print(f"precision of copy links {r['correct']}/{r['links']} = {r['precision']:.3f}")
    print(f"seed articles marked as copies of each other: {len(r['seed_links'])}")
    for a, b, kind in r["between_originals"][:20]:
        print(f"  link between originals: {a} {kind} of {b}")


if __name__ == "__main__":
    main()
