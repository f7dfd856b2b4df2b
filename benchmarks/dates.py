"""Date resolution on TempEval-3 TBAQ (TimeBank + AQUAINT): value F1 of DATE/TIME expressions.

Each document's text (tags stripped) is analysed with its creation time as the reference date.
A predicted date matches a gold TIMEX3 of type DATE or TIME when their character spans overlap
and the values are equal (`1998-01-08`, `1998-01`, `1998`; a gold value the model cannot write,
such as `PAST_REF` or `1998-W02`, counts as missed). Predictions overlapping a DURATION or SET
expression are left out of the count: the task is dates. HeidelTime reaches value F1 77.61 on
the TempEval-3 platinum test set.

    python benchmarks/dates.py [--limit N] [--folds 5] [--show-errors N]

Documents are split into folds by the hash of their file name (folds.py); figures are printed
per fold with the mean, the spread and the worst fold.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ecbplus import SHARED
from folds import fold_of, prf, table
from newsweave.analyze import Analyzer

TBAQ = SHARED / "data" / "tempeval3" / "TBAQ-cleaned"
_TIMEX = re.compile(r"<TIMEX3([^>]*)>(.*?)</TIMEX3>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def read(path: Path) -> tuple[date, str, list[dict[str, Any]]]:
    """Reference date, plain text and the gold TIMEX3s (with offsets into that text)."""
    raw = path.read_text(encoding="utf-8")
    dct = re.search(r'<DCT><TIMEX3[^>]*value="(\d{4}-\d{2}-\d{2})', raw)
    ref = date.fromisoformat(dct.group(1)) if dct else date(2000, 1, 1)
    body = raw[raw.index("<TEXT>") + 6 : raw.index("</TEXT>")]
    text, gold, cursor = "", [], 0
    for match in _TIMEX.finditer(body):
        text += _TAG.sub("", body[cursor : match.start()])
        inner = _TAG.sub("", match.group(2))
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        gold.append(
            {"type": attrs.get("type"), "value": attrs.get("value"), "start": len(text),
             "end": len(text) + len(inner), "text": inner}
        )  # fmt: skip
        text += inner
        cursor = match.end()
    text += _TAG.sub("", body[cursor:])
    return ref, text, gold


def evaluate(limit: int | None = None, k: int = 1) -> dict[str, Any]:
    paths = sorted((TBAQ / "TimeBank").glob("*.tml")) + sorted((TBAQ / "AQUAINT").glob("*.tml"))
    paths = paths[:limit] if limit else paths
    analyzer = Analyzer()
    tp = fp = fn = 0
    counts = [[0, 0, 0] for _ in range(k)]  # tp, fp, fn per fold (a wrong value is both)
    errors: list[str] = []
    started = time.perf_counter()
    for path in paths:
        before = (tp, fp, fn, sum(1 for e in errors if e.startswith("wrong")))
        ref, text, gold = read(path)
        wanted = [g for g in gold if g["type"] in {"DATE", "TIME"}]
        others = [g for g in gold if g["type"] not in {"DATE", "TIME"}]
        predicted = analyzer.analyze(text, ref).dates
        used: set[int] = set()
        for p in predicted:
            match = next(
                (
                    i
                    for i, g in enumerate(wanted)
                    if i not in used and p.start < g["end"] and g["start"] < p.end
                ),
                None,
            )
            if match is None:
                if not any(p.start < g["end"] and g["start"] < p.end for g in others):
                    fp += 1
                    errors.append(f"extra  {p.text!r} → {p.value}")
                continue
            used.add(match)
            if p.value == wanted[match]["value"]:
                tp += 1
            else:
                fp += 1
                errors.append(f"wrong  {p.text!r} → {p.value}, gold {wanted[match]['value']}")
        for i, g in enumerate(wanted):
            if i not in used:
                fn += 1
                errors.append(f"missed {g['text']!r} gold {g['value']}")
        fold = counts[fold_of(path.name, k)]
        wrong = sum(1 for e in errors if e.startswith("wrong")) - before[3]
        fold[0] += tp - before[0]
        fold[1] += fp - before[1]
        fold[2] += fn - before[2] + wrong
    # A wrong value is both a false positive and a miss of the gold value.
    fn += sum(1 for e in errors if e.startswith("wrong"))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    folds = []
    for i, (ftp, ffp, ffn) in enumerate(counts):
        p, r, f = prf(ftp, ftp + ffp, ftp + ffn)
        folds.append((str(i), {"precision": p, "recall": r, "f1": f}))
    return {
        "folds": folds,
        "documents": len(paths), "precision": precision, "recall": recall, "f1": f1,
        "tp": tp, "fp": fp, "fn": fn, "seconds": time.perf_counter() - started, "errors": errors,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int)
    parser.add_argument("--show-errors", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    r = evaluate(args.limit, args.folds)
    print(f"TBAQ: {r['documents']} documents, {r['seconds']:.1f} s")
    print(f"DATE/TIME value P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}")
    if args.folds > 1:
        print(table(f"{args.folds} folds", r["folds"], ["precision", "recall", "f1"]))
    for line in r["errors"][: args.show_errors]:
        print("  " + line)


if __name__ == "__main__":
    main()
