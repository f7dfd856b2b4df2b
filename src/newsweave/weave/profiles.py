"""A story's profile: running sums over its recent members, so that scoring an article against a
story, or two stories against each other, costs the same whatever the story's size (step 3–4 of
weaving, see weave/stories.py).

Average linkage over the similarity of similarity.py is, in its linear parts, a dot product with
a mean: the mean over members m of `a · m` is `a · (Σ m) / n`, for the embedding and for the two
TF-IDF unit vectors alike. So a story keeps the sum of its members' vectors and of their unit
term and name vectors, how many members carry each name (for `conflict`), its days and each
member's similarity to itself (for the mean inside a story, `within`), and adds a member in time
proportional to that member alone.

Two approximations, and why they are acceptable:

- A member's TF-IDF weights are those of when it was added to the sum, not of now. Weaving
  already tolerates that drift on the article side (similarity.py re-reads document frequencies
  once the store has grown by a tenth), and the profile is rebuilt from the story's recent members
  with today's weights once the store has grown by the same tenth (`stale`), so the two sides
  never drift further apart than one side did before.
- The sum covers the members since the last rebuild: the SAMPLE most recent then, and every one
  since; at 2 × SAMPLE it is rebuilt from the SAMPLE most recent, so a growing story is still
  judged by what it is about lately, at a cost of one rebuild per SAMPLE members.

The calibrated embedding cosine (`calibrate`, a clip at zero for models whose unrelated texts sit
above zero) is applied to the mean cosine instead of averaged per member: identical for MiniLM
(no clip), slightly lower for a story with unrelated members under other models.
Measured on ECB+ and the duplicates set before this shipped: docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from newsweave.weave.embed import Vectors
from newsweave.weave.signals import Signals
from newsweave.weave.similarity import (
    SALIENT,
    W_NAMES,
    W_TERMS,
    W_VECTOR,
    _Idf,
    _Profile,
    calibrate,
)

# A profile rebuilt this many members after its last rebuild (see the module docstring).
WINDOW_FACTOR = 2
# ... or once the store has grown by this much since (as similarity.py's document frequencies).
STALE_GROWTH = 1.1


def _add_into(total: dict[str, float], part: dict[str, float]) -> None:
    for key, value in part.items():
        total[key] = total.get(key, 0.0) + value


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum([value * b[key] for key, value in a.items() if key in b])


@dataclass
class StoryProfile:
    """Sums over `count` recent members of a story of `size` members (module docstring)."""

    vector: Vectors
    terms: dict[str, float] = field(default_factory=dict)
    names: dict[str, float] = field(default_factory=dict)
    carried: dict[str, int] = field(default_factory=dict)  # name → members naming it
    count: int = 0
    size: int = 0
    # Σ over members of their own vector · vector, terms · terms and names · names.
    self_dots: tuple[float, float, float] = (0.0, 0.0, 0.0)
    # The days its members report on (`Signals.days`), for `similarity.time_factor`.
    days: set[str] = field(default_factory=set)
    built_at: int = 0  # articles with signals in the store when last rebuilt
    # `core()` as of the last change: it is asked for every candidate story of every article,
    # and a story's sums change only when a member is added.
    _core: dict[str, float] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def empty(cls, dim: int, built_at: int) -> StoryProfile:
        return cls(vector=np.zeros(dim, dtype=np.float32), built_at=built_at)

    @classmethod
    def of(cls, members: Iterable[_Profile], dim: int, size: int, built_at: int) -> StoryProfile:
        profile = cls.empty(dim, built_at)
        for member in members:
            profile.add(member)
        profile.size = size
        return profile

    def add(self, member: _Profile) -> None:
        """One member more (its weights as they are now)."""
        signals = member.signals
        self.vector = self.vector + signals.vector.astype(np.float32)
        _add_into(self.terms, member.terms)
        _add_into(self.names, member.names)
        for key in signals.names:
            self.carried[key] = self.carried.get(key, 0) + 1
        v, t, n = self.self_dots
        self.self_dots = (
            v + float(signals.vector @ signals.vector),
            t + _dot(member.terms, member.terms),
            n + _dot(member.names, member.names),
        )
        self.count += 1
        self.size += 1
        self.days.update(signals.days())
        self._core = None

    def merged(self, other: StoryProfile) -> StoryProfile:
        """The profile of the two stories as one: sums add."""
        out = StoryProfile(
            vector=self.vector + other.vector,
            terms=dict(self.terms),
            names=dict(self.names),
            carried=dict(self.carried),
            count=self.count + other.count,
            size=self.size + other.size,
            self_dots=(
                self.self_dots[0] + other.self_dots[0],
                self.self_dots[1] + other.self_dots[1],
                self.self_dots[2] + other.self_dots[2],
            ),
            days=self.days | other.days,
            built_at=min(self.built_at, other.built_at),
        )
        _add_into(out.terms, other.terms)
        _add_into(out.names, other.names)
        for key, count in other.carried.items():
            out.carried[key] = out.carried.get(key, 0) + count
        return out

    def stale(self, n: int, sample: int) -> bool:
        """Rebuild from the recent members: the window has doubled, or the weights are old."""
        return self.count >= WINDOW_FACTOR * sample or n > STALE_GROWTH * max(self.built_at, 1)

    def similarity(self, article: _Profile) -> float:
        """The mean of `article.similarity(member)` over the members summed."""
        if not self.count:
            return 0.0
        cosine = float(article.signals.vector @ self.vector) / self.count
        return (
            W_VECTOR * calibrate(cosine, article.floor)
            + W_TERMS * _dot(article.terms, self.terms) / self.count
            + W_NAMES * _dot(article.names, self.names) / self.count
        )

    def cross(self, other: StoryProfile, floor: float) -> float:
        """The mean similarity over pairs of a member of each (average linkage)."""
        pairs = self.count * other.count
        if not pairs:
            return 0.0
        cosine = float(self.vector @ other.vector) / pairs
        return (
            W_VECTOR * calibrate(cosine, floor)
            + W_TERMS * _dot(self.terms, other.terms) / pairs
            + W_NAMES * _dot(self.names, other.names) / pairs
        )

    def within(self, floor: float) -> float:
        """The mean similarity over pairs of distinct members (0 below two)."""
        n = self.count
        if n < 2:
            return 0.0
        pairs = n * (n - 1)
        v, t, m = self.self_dots
        cosine = (float(self.vector @ self.vector) - v) / pairs
        return (
            W_VECTOR * calibrate(cosine, floor)
            + W_TERMS * (_dot(self.terms, self.terms) - t) / pairs
            + W_NAMES * (_dot(self.names, self.names) - m) / pairs
        )

    def core(self) -> dict[str, float]:
        """Names most members carry (numbers aside), by the share carrying them."""
        if not self.count:
            return {}
        if self._core is None:
            self._core = {
                k: c / self.count
                for k, c in self.carried.items()
                if not k.startswith("#") and c / self.count >= SALIENT
            }
        return self._core

    def conflict(self, article: Signals, idf: _Idf) -> float:
        """`similarity.conflict` of an article with the members summed."""
        if not self.count:
            return 0.0
        salient = article.salient()
        if not salient:
            return 0.0
        total = sum(idf.weight("@" + k) for k in salient)
        new = sum(idf.weight("@" + k) for k in salient if k not in self.carried) / total
        core = self.core()
        if not core:
            return 0.0
        core_total = sum(idf.weight("@" + k) * f for k, f in core.items())
        missing = (
            sum(idf.weight("@" + k) * f for k, f in core.items() if k not in article.names)
            / core_total
        )
        return min(new, missing)

    def stories_conflict(self, other: StoryProfile, idf: _Idf) -> float:
        """`similarity.stories_conflict` of the two stories' members summed."""
        a, b = self.core(), other.core()
        if not a or not b:
            return 0.0
        miss_a = sum(idf.weight("@" + k) * f for k, f in a.items() if k not in other.carried)
        miss_b = sum(idf.weight("@" + k) * f for k, f in b.items() if k not in self.carried)
        total_a = sum(idf.weight("@" + k) * f for k, f in a.items())
        total_b = sum(idf.weight("@" + k) * f for k, f in b.items())
        return min(miss_a / total_a, miss_b / total_b)
