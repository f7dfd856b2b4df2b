"""Attribution (who said what) on PolNeAR: speaker-and-content match precision, recall and F1.

Each document of the split is analysed as it is; a predicted attribution matches a gold one
(brat `Attribution` events with Source, Cue and Content) when its content overlaps the gold
content by at least half of the shorter of the two, and its speaker mention overlaps the gold
source (a gold attribution without a source needs no speaker). Each gold attribution is matched
at most once. PolNeAR's annotators agree on 92.3% of attributions.

    python benchmarks/attribution.py [--split train|dev] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ecbplus import SHARED
from newsweave.analyze import Analyzer

POLNEAR = SHARED / "data" / "polnear"


def gold(path: Path) -> list[dict[str, Any]]:
    spans: dict[str, tuple[int, int]] = {}
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2:
            tid, info = fields[0], fields[1]
            parts = info.replace(";", " ").split()
            numbers = [int(x) for x in parts[1:]]
            spans[tid] = (min(numbers), max(numbers))
        elif line.startswith("E") and len(fields) >= 2:
            roles = dict(part.split(":", 1) for part in fields[1].split() if ":" in part)
            events.append(roles)
    out = []
    for roles in events:
        if "Content" not in roles:
            continue
        out.append(
            {"content": spans[roles["Content"]], "source": spans.get(roles.get("Source", ""))}
        )
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def evaluate(split: str = "dev", limit: int | None = None) -> dict[str, Any]:
    texts = (
        sorted((POLNEAR / split / "text").glob("*.txt"))[:limit]
        if limit
        else sorted((POLNEAR / split / "text").glob("*.txt"))
    )
    analyzer = Analyzer()
    tp = predicted_total = gold_total = 0
    started = time.perf_counter()
    for path in texts:
        # One annotation file per annotator (`<doc>_<annotator>.ann`): the first is the gold.
        found = sorted((POLNEAR / split / "attributions").glob(path.stem + "_*.ann"))
        if not found:
            continue
        ann = found[0]
        text = path.read_text(encoding="utf-8")
        wanted = gold(ann)
        predicted = analyzer.analyze(text).quotes
        gold_total += len(wanted)
        predicted_total += len(predicted)
        used: set[int] = set()
        for p in predicted:
            for i, g in enumerate(wanted):
                if i in used:
                    continue
                c = g["content"]
                shorter = min(c[1] - c[0], p.end - p.start) or 1
                if _overlap(c, (p.start, p.end)) < 0.5 * shorter:
                    continue
                if (
                    g["source"] is not None
                    and _overlap(g["source"], (p.speaker_start, p.speaker_end)) == 0
                ):
                    continue
                used.add(i)
                tp += 1
                break
    precision = tp / predicted_total if predicted_total else 0.0
    recall = tp / gold_total if gold_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "documents": len(texts), "gold": gold_total, "predicted": predicted_total,
        "precision": precision, "recall": recall, "f1": f1,
        "seconds": time.perf_counter() - started,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["train", "dev"])
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    r = evaluate(args.split, args.limit)
    print(
        f"PolNeAR {args.split}: {r['documents']} documents, {r['gold']} gold attributions, "
        f"{r['predicted']} predicted, {r['seconds']:.1f} s"
    )
    print(f"speaker+content P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}")


if __name__ == "__main__":
    main()
