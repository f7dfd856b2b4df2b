"""Cut a small story in two by average linkage, as scipy does it, without importing scipy.

`Weaver._refine` judges at most SAMPLE (30) members at a time, and importing
`scipy.cluster.hierarchy` costs about 0.9 s of CPU per weaving process, more than every split of
a 200-article add together. This module follows scipy's own algorithms step for step, in the
same floating-point operations in the same order, so that ties are broken exactly as scipy
breaks them: `linkage(y, "average")` is scipy's nearest-neighbour chain (`nn_chain`, keeping the
previous link of the chain on a tie and otherwise the lowest index), its stable sort of the
merges by height and its union-find relabelling; `fcluster(Z, 2, "maxclust")` is its binary
search over the clusters' maximal heights and its depth-first labelling. Which half is which,
and a cut that leaves one cluster when the top merges tie, matter to the split, so anything
less literal would change stored stories on some inputs (a vectorised version did, on ties).
tests/test_weave.py compares the labels with scipy's on random matrices full of ties.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


def average_linkage(distance: NDArray[np.float64]) -> list[tuple[int, int, float, int]]:
    """scipy.cluster.hierarchy.linkage(squareform(distance), "average"), as rows of Z."""
    n = len(distance)
    # The condensed matrix, as a dense one: scipy reads and writes D[i, j] for i != j only.
    d = [[float(v) for v in row] for row in distance]
    size = [1] * n
    chain: list[int] = []
    merges: list[tuple[int, int, float, int]] = []
    for _ in range(n - 1):
        if not chain:
            chain.append(next(i for i in range(n) if size[i] > 0))
        while True:
            x = chain[-1]
            if len(chain) > 1:
                y = chain[-2]
                current = d[x][y]
            else:
                y = 0
                current = math.inf
            row = d[x]
            for i in range(n):
                if size[i] == 0 or i == x:
                    continue
                if row[i] < current:
                    current = row[i]
                    y = i
            if len(chain) > 1 and y == chain[-2]:
                break
            chain.append(y)
        del chain[-2:]
        if x > y:
            x, y = y, x
        nx, ny = size[x], size[y]
        merges.append((x, y, current, nx + ny))
        size[x] = 0
        size[y] = nx + ny
        for i in range(n):
            if size[i] == 0 or i == y:
                continue
            value = (nx * d[i][x] + ny * d[i][y]) / (nx + ny)
            d[i][y] = d[y][i] = value
    # np.argsort(kind="mergesort") is stable; so is sorted().
    merges.sort(key=lambda m: m[2])
    return _relabel(merges, n)


def _relabel(
    merges: list[tuple[int, int, float, int]], n: int
) -> list[tuple[int, int, float, int]]:
    parent = list(range(2 * n - 1))
    size = [1] * n + [0] * (n - 1)
    following = n

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    out = []
    for x, y, height, _ in merges:
        rx, ry = find(x), find(y)
        parent[rx] = parent[ry] = following
        size[following] = size[rx] + size[ry]
        out.append((min(rx, ry), max(rx, ry), height, size[following]))
        following += 1
    return out


def two_clusters(z: list[tuple[int, int, float, int]]) -> NDArray[np.int32]:
    """scipy.cluster.hierarchy.fcluster(Z, 2, "maxclust"): flat labels from 1."""
    n = len(z) + 1
    if n <= 2:  # no cut needed: every member is a cluster of its own
        return np.arange(1, n + 1, dtype=np.int32)
    highest = [0.0] * (n - 1)  # the largest merge height inside each cluster
    for k, (left, right, height, _) in enumerate(z):
        value = height
        if left >= n and highest[left - n] > value:
            value = highest[left - n]
        if right >= n and highest[right - n] > value:
            value = highest[right - n]
        highest[k] = value
    # The smallest cut that leaves at most two clusters; -1 stands for a cut below every merge.
    lower, upper = -1, n - 1
    while upper - lower > 1:
        middle = (lower + upper) >> 1
        if _count(z, highest, highest[middle], n, 2) > 2:
            lower = middle
        else:
            upper = middle
    return _labels(z, highest, highest[upper], n)


def _count(
    z: list[tuple[int, int, float, int]],
    highest: list[float],
    cut: float,
    n: int,
    most: int,
) -> int:
    """How many clusters the cut leaves, stopping once past `most`, as scipy counts them."""
    visited = [False] * (2 * n - 1)
    found = 0
    stack = [2 * n - 2]
    while stack:
        root = stack[-1] - n
        left, right = z[root][0], z[root][1]
        if highest[root] <= cut:
            found += 1
            if found > most:
                return found
            stack.pop()
            visited[left] = visited[right] = True
            continue
        if not visited[left]:
            visited[left] = True
            if left >= n:
                stack.append(left)
                continue
            found += 1
            if found > most:
                return found
        if not visited[right]:
            visited[right] = True
            if right >= n:
                stack.append(right)
                continue
            found += 1
            if found > most:
                return found
        stack.pop()
    return found


def _labels(
    z: list[tuple[int, int, float, int]], highest: list[float], cut: float, n: int
) -> NDArray[np.int32]:
    labels = np.zeros(n, dtype=np.int32)
    visited = [False] * (2 * n - 1)
    clusters = 0
    leader = -1
    stack = [2 * n - 2]
    while stack:
        root = stack[-1] - n
        left, right = z[root][0], z[root][1]
        if leader == -1 and highest[root] <= cut:
            leader = root
            clusters += 1
        if left >= n and not visited[left]:
            visited[left] = True
            stack.append(left)
            continue
        if right >= n and not visited[right]:
            visited[right] = True
            stack.append(right)
            continue
        if left < n:
            if leader == -1:
                clusters += 1
            labels[left] = clusters
        if right < n:
            if leader == -1:
                clusters += 1
            labels[right] = clusters
        if leader == root:
            leader = -1
        stack.pop()
    return labels


@dataclass
class Halves:
    """A cut of a story's members in two: `first` holds the anchor member; `core` marks the
    members the cut itself placed, whose similarities the split tests judge."""

    first: NDArray[np.bool_]
    second: NDArray[np.bool_]
    core: NDArray[np.bool_]


def halves_past_strays(
    sim: NDArray[np.float64],
    anchor: int,
    enough: Callable[[NDArray[np.bool_]], bool],
    least: int,
) -> Halves | None:
    """Average linkage's two halves of the members (`sim`: their pairwise similarities), each
    `enough` (a mask → whether that side could stand alone).

    The top cut of average linkage first parts the one member least like all the others (a
    stray report, a page in another language) from the rest, so a story of two events that
    also held one stray was never cut. A side not `enough` is set aside and the rest cut
    again, while at least `least` members are left; then each member set aside joins the half
    it is more like on average. None when no cut leaves two sides that are enough."""
    n = len(sim)
    active = np.ones(n, dtype=bool)
    while int(active.sum()) >= max(least, 2):
        index = np.flatnonzero(active)
        distance = np.clip(1.0 - sim[np.ix_(index, index)], 0.0, None)
        np.fill_diagonal(distance, 0.0)
        labels = two_clusters(average_linkage(distance))
        sides = []
        for label in np.unique(labels)[:2]:
            side = np.zeros(n, dtype=bool)
            side[index[labels == label]] = True
            sides.append(side)
        if len(sides) < 2:
            return None
        short = [side for side in sides if not enough(side)]
        if not short:
            break
        for side in short:
            active &= ~side
    else:
        return None
    first, second = sides
    # The anchor's half comes first; an anchor set aside belongs where it is more like.
    if not first[anchor] and (
        active[anchor] or sim[anchor, second].mean() > sim[anchor, first].mean()
    ):
        first, second = second, first
    core = active.copy()
    first, second = first.copy(), second.copy()
    for stray in np.flatnonzero(~core):
        if sim[stray, second].mean() > sim[stray, first].mean():
            second[stray] = True
        else:
            first[stray] = True
    return Halves(first, second, core)
