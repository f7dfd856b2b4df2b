"""Attribution (who said what) on PolNeAR: speaker-and-content match precision, recall and F1.

Each document of the split is analysed as it is; a predicted attribution matches a gold one
(brat `Attribution` events with Source, Cue and Content) when its content overlaps the gold
content by at least half of the shorter of the two, and its speaker mention overlaps the gold
source (a gold attribution without a source needs no speaker). Each gold attribution is matched
at most once. PolNeAR's annotators agree on 92.3% of attributions.

    python benchmarks/attribution.py [--split train|dev] [--limit N] [--folds 5] [--show-misses N --fold F]

Documents are split into folds by the hash of their file name (folds.py); figures are printed
per fold with the mean, the spread and the worst fold.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ecbplus import SHARED
from folds import fold_of, prf, table
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


def evaluate(split: str = "dev", limit: int | None = None, k: int = 1) -> dict[str, Any]:
    texts = (
        sorted((POLNEAR / split / "text").glob("*.txt"))[:limit]
        if limit
        else sorted((POLNEAR / split / "text").glob("*.txt"))
    )
    analyzer = Analyzer()
    tp = predicted_total = gold_total = 0
    counts = [[0, 0, 0] for _ in range(k)]  # tp, predicted, gold per fold
    misses: list[tuple[int, str, str]] = []
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
        fold = fold_of(path.stem, k)
        gold_total += len(wanted)
        predicted_total += len(predicted)
        counts[fold][1] += len(predicted)
        counts[fold][2] += len(wanted)
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
                counts[fold][0] += 1
                break
        for i, g in enumerate(wanted):
            if i not in used:
                src = text[g["source"][0] : g["source"][1]] if g["source"] else "-"
                misses.append((fold, src, text[g["content"][0] : g["content"][1]]))
    precision, recall, f1 = prf(tp, predicted_total, gold_total)
    folds = []
    for i, (ftp, fpred, fgold) in enumerate(counts):
        p, r, f = prf(ftp, fpred, fgold)
        folds.append((str(i), {"precision": p, "recall": r, "f1": f}))
    return {
        "folds": folds, "misses": misses,
        "documents": len(texts), "gold": gold_total, "predicted": predicted_total,
        "precision": precision, "recall": recall, "f1": f1,
        "seconds": time.perf_counter() - started,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["train", "dev"])
    parser.add_argument("--limit", type=int)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--show-misses", type=int, default=0)
    parser.add_argument("--fold", type=int, help="Show the misses of this fold only.")
    args = parser.parse_args()
    r = evaluate(args.split, args.limit, args.folds)
    print(
        f"PolNeAR {args.split}: {r['documents']} documents, {r['gold']} gold attributions, "
        f"{r['predicted']} predicted, {r['seconds']:.1f} s"
    )
    print(f"speaker+content P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}")
    if args.folds > 1:
        print(table(f"{args.folds} folds", r["folds"], ["precision", "recall", "f1"]))
    shown = [m for m in r["misses"] if args.fold is None or m[0] == args.fold]
    for fold, source, content in shown[: args.show_misses]:
        print(f"- f{fold} [{source[:60]}] {' '.join(content.split())[:160]}")


if __name__ == "__main__":
    main()
