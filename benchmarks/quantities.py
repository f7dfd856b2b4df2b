"""Quantity extraction on NewsQuant (dev): value precision, recall and F1.

Each sentence's predicted values are matched one-to-one to its gold values (equal within
0.5%); a gold range "252-287" counts as one quantity, found when both ends are predicted.
CQE reaches value F1 92.0 on NewsQuant and quantulum3 73.0 (Almasian et al., 2023).

    python benchmarks/quantities.py [--folds 5] [--show-errors N] [--fold F]

Sentences are split into folds by the hash of their text (folds.py); figures are printed per
fold with the mean, the spread and the worst fold. `--show-errors` lists false positives and
misses, of fold `--fold` only when given (look at one fold, judge the change on the others).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ecbplus import SHARED
from folds import fold_of, prf, table
from newsweave.analyze import Analyzer

NEWSQUANT = SHARED / "data" / "newsquant" / "NewsQuant-dev.json"


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.005 * max(abs(a), abs(b), 1e-9)


def _gold_items(sentence: dict[str, Any]) -> list[list[float]]:
    items = []
    for q in sentence["quantities"]:
        parts = [p for p in str(q["value"]).split("-") if p]
        try:
            items.append([float(p) for p in parts])
        except ValueError:
            continue
    return items


def evaluate(path: Path = NEWSQUANT, k: int = 1) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    analyzer = Analyzer()
    counts = [[0, 0, 0] for _ in range(k)]  # tp, fp, fn per fold
    errors: list[tuple[int, str, list[list[float]], list[float]]] = []
    started = time.perf_counter()
    for sentence in data:
        fold = fold_of(sentence["text"], k)
        predicted = [q.value for q in analyzer.analyze(sentence["text"]).quantities]
        gold = _gold_items(sentence)
        left = list(predicted)
        missed = 0
        for item in gold:
            hits = [next((p for p in left if _close(p, v)), None) for v in item]
            if all(h is not None for h in hits):
                for h in hits:
                    left.remove(h)  # type: ignore[arg-type]
                counts[fold][0] += 1
            else:
                missed += 1
        counts[fold][2] += missed
        counts[fold][1] += len(left)
        if missed or left:
            errors.append((fold, sentence["text"], gold, left))
    tp, fp, fn = (sum(c[i] for c in counts) for i in range(3))
    precision, recall, f1 = prf(tp, tp + fp, tp + fn)
    folds = []
    for i, (ftp, ffp, ffn) in enumerate(counts):
        p, r, f = prf(ftp, ftp + ffp, ftp + ffn)
        folds.append((str(i), {"precision": p, "recall": r, "f1": f}))
    return {
        "sentences": len(data), "gold": tp + fn, "precision": precision, "recall": recall,
        "f1": f1, "seconds": time.perf_counter() - started, "errors": errors, "folds": folds,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--show-errors", type=int, default=0)
    parser.add_argument("--fold", type=int, help="Show the errors of this fold only.")
    args = parser.parse_args()
    r = evaluate(k=args.folds)
    print(
        f"NewsQuant dev: {r['sentences']} sentences, {r['gold']} gold quantities, {r['seconds']:.1f} s"
    )
    print(f"value P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}")
    if args.folds > 1:
        print(table(f"{args.folds} folds", r["folds"], ["precision", "recall", "f1"]))
    shown = [e for e in r["errors"] if args.fold is None or e[0] == args.fold]
    for fold, text, gold, extra in shown[: args.show_errors]:
        print(f"- f{fold} {text[:160]}\n    gold {gold}  unmatched predictions {extra}")


if __name__ == "__main__":
    main()
