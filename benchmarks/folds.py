"""Deterministic K-fold splits and per-fold reporting for the quality benchmarks.

A document's fold is the SHA-1 of its id modulo K, so the folds are the same on every machine
and every run, and a document never changes fold when others are added. A rule or threshold is
judged by the mean and the spread of a figure over the folds; a stage with parameters has them
fitted on the other K-1 folds and scored on the fold left out (`fit_and_score`).
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")
P = TypeVar("P")


def fold_of(key: str, k: int) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % k


def split(items: Iterable[T], key: Callable[[T], str], k: int) -> list[list[T]]:
    folds: list[list[T]] = [[] for _ in range(k)]
    for item in items:
        folds[fold_of(key(item), k)].append(item)
    return folds


def prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def table(title: str, rows: Sequence[tuple[str, dict[str, float]]], columns: Sequence[str]) -> str:
    """Rows of figures (one per fold) with the mean, the standard deviation and the worst
    fold under them: the mean is the figure to quote, never the best fold."""
    lines = [title, f"{'fold':>8} " + " ".join(f"{c:>9}" for c in columns)]
    for name, figures in rows:
        lines.append(f"{name:>8} " + " ".join(f"{figures[c]:9.4f}" for c in columns))
    if len(rows) > 1:
        values = {c: [figures[c] for _, figures in rows] for c in columns}
        lines.append(
            f"{'mean':>8} " + " ".join(f"{statistics.mean(values[c]):9.4f}" for c in columns)
        )
        lines.append(
            f"{'sd':>8} " + " ".join(f"{statistics.pstdev(values[c]):9.4f}" for c in columns)
        )
        lines.append(f"{'min':>8} " + " ".join(f"{min(values[c]):9.4f}" for c in columns))
    return "\n".join(lines)


def mean_over_folds(rows: Sequence[tuple[str, dict[str, float]]], column: str) -> float:
    return statistics.mean(figures[column] for _, figures in rows)


def fit_and_score(
    folds: Sequence[Sequence[T]],
    candidates: Sequence[P],
    score: Callable[[Sequence[T], P], float],
) -> list[tuple[P, float]]:
    """For each fold: the candidate parameter scoring best on the other folds, and what it
    scores on this one (the only figure that says how the choice carries to new documents)."""
    out = []
    for i, held_out in enumerate(folds):
        rest = [item for j, fold in enumerate(folds) if j != i for item in fold]
        best = max(candidates, key=lambda c: score(rest, c))
        out.append((best, score(held_out, best)))
    return out
