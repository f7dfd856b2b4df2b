"""Quantity extraction on NewsQuant (dev): value precision, recall and F1.

Each sentence's predicted values are matched one-to-one to its gold values (equal within
0.5%); a gold range "252-287" counts as one quantity, found when both ends are predicted.
CQE reaches value F1 92.0 on NewsQuant and quantulum3 73.0 (Almasian et al., 2023).

    python benchmarks/quantities.py [--show-errors N]
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


def evaluate(path: Path = NEWSQUANT) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    analyzer = Analyzer()
    tp = fp = fn = 0
    errors: list[tuple[str, list[list[float]], list[float]]] = []
    started = time.perf_counter()
    for sentence in data:
        predicted = [q.value for q in analyzer.analyze(sentence["text"]).quantities]
        gold = _gold_items(sentence)
        left = list(predicted)
        missed = 0
        for item in gold:
            hits = [next((p for p in left if _close(p, v)), None) for v in item]
            if all(h is not None for h in hits):
                for h in hits:
                    left.remove(h)  # type: ignore[arg-type]
                tp += 1
            else:
                missed += 1
        fn += missed
        fp += len(left)
        if missed or left:
            errors.append((sentence["text"], gold, predicted))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "sentences": len(data), "gold": tp + fn, "precision": precision, "recall": recall,
        "f1": f1, "seconds": time.perf_counter() - started, "errors": errors,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", type=int, default=0)
    args = parser.parse_args()
    r = evaluate()
    print(
        f"NewsQuant dev: {r['sentences']} sentences, {r['gold']} gold quantities, {r['seconds']:.1f} s"
    )
    print(f"value P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}")
    for text, gold, predicted in r["errors"][: args.show_errors]:
        print(f"- {text[:140]}\n    gold {gold}  predicted {predicted}")


if __name__ == "__main__":
    main()
