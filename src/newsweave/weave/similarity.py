"""How alike two articles, or two stories, are (steps 3–5 of weaving, see weave/stories.py).

The similarity of two articles mixes the embedding cosine, TF-IDF cosines of content words and
of names/numbers, a time penalty and a penalty for naming different protagonists (`conflict`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from newsweave.weave.signals import DAY_KEY, LANGUAGE_KEY, Signals

if TYPE_CHECKING:
    from newsweave.weave.storage import StoryStorage

# Weights of the three similarities, set with the joining threshold (weave/stories.py) on the
# odd-numbered ECB+ topics (benchmarks/stories.py) and checked on the even ones.
W_VECTOR = 0.55
W_TERMS = 0.20
W_NAMES = 0.25
# How much naming different protagonists (see `conflict`) lowers a similarity, at most.
CONFLICT = 0.45
SALIENT = 0.5  # share of a story's members that must carry a name for it to be core
# Time against joining (`time_factor`): none within DAY_SLACK days of a story's nearest member,
# then falling to TIME_FLOOR TIME_SCALE days further on; beyond the slack, each of the article's
# figures no member carries lowers it further (FIGURES_APART, `figures_apart`). Set on benchmarks/live.py (two rate
# decisions five weeks apart must stay apart) under ECB+'s floor (benchmarks/stories.py at or
# above 0.90 event F1: some of its events have reports months apart); see docs/pipeline.md.
DAY_SLACK = 7
TIME_FLOOR = 0.65
TIME_SCALE = 40
# More than a year from every day of a story (its members' and the days they name), a report
# is of another happening of the same kind (this year's rate decision, not 2008's at the same
# rate), unless it names one of the story's days itself. Measured: real dev set story F1
# 0.948 → 0.957, ECB+ event F1 unchanged at 0.906; a floor of 0.325 or 0.16 cost ECB+ 0.002.
YEAR_GAP = 365
YEAR_FLOOR = 0.5
FIGURES_APART = 0.5
IDF_FLOOR = 1.0


class _Idf:
    """Document frequencies from storage, read once per term and kept for the batch."""

    def __init__(self, storage: StoryStorage) -> None:
        self.storage = storage
        self.cache: dict[str, int] = {}
        self._weights: dict[str, float] = {}
        self._profiles: dict[int, _Profile] = {}
        self.n = storage.count_signals()
        self.created_at = self.n
        self.floor = 0.0  # the embedding model's cosine for unrelated texts, see `calibrate`
        self._prefetched: dict[str, int] = {}
        self._written: Counter[str] = Counter()

    def prefetch(self, terms: Iterable[str]) -> None:
        """Read the counts of many terms at once (a batch's), for `load` to take from."""
        missing = [t for t in set(terms) if t not in self.cache]
        found = self.storage.document_frequencies(missing) if missing else {}
        self._prefetched = {t: int(found.get(t, 0)) for t in missing}
        self._written = Counter()

    def wrote(self, signals: Signals) -> None:
        """The article's terms were just counted in storage (see `prefetch`)."""
        if self._prefetched:
            self._written.update(signals.terms)
            self._written.update("@" + n for n in signals.names)

    def load(self, terms: Iterable[str]) -> None:
        """Counts as storage holds them now: from the prefetch plus what was written since,
        else read."""
        # Not `set(terms) - self.cache.keys()`: a set minus a dict view walks the whole view,
        # and the cache holds every term seen this weave (5 ms an article at 10k articles).
        cache = self.cache
        missing = {t for t in terms if t not in cache}
        if not missing:
            return
        unread = [t for t in missing if t not in self._prefetched]
        found = self.storage.document_frequencies(unread) if unread else {}
        for term in missing:
            if term in self._prefetched:
                self.cache[term] = self._prefetched[term] + self._written[term]
            else:
                self.cache[term] = int(found.get(term, 0))

    def weight(self, term: str) -> float:
        value = self._weights.get(term)
        if value is None:
            value = math.log((self.n + 1) / (self.cache.get(term, 0) + 0.5)) + IDF_FLOOR
            self._weights[term] = value
        return value

    def profile(self, signals: Signals) -> _Profile:
        """The article's weighted vectors, built once per batch (weights drift little within one)."""
        found = self._profiles.get(signals.rowid)
        if found is None:
            self.load([*signals.terms, *("@" + k for k in signals.names)])
            found = self._profiles[signals.rowid] = _Profile(signals, self)
        return found

    def unit(self, counts: dict[str, int], prefix: str) -> dict[str, float]:
        # Built for every member of every candidate story: the cached weights are read inline.
        weights, log = self._weights, math.log
        vector = {}
        for t, c in counts.items():
            if c > 0:
                weight = weights.get(prefix + t)
                vector[t] = (1 + log(c)) * (
                    weight if weight is not None else self.weight(prefix + t)
                )
        norm = math.sqrt(sum(x * x for x in vector.values())) or 1.0
        return {t: x / norm for t, x in vector.items()}


def calibrate(cosine: float, floor: float) -> float:
    """A model's cosine on a common scale: 0 for unrelated texts, 1 for the same text.

    MiniLM puts unrelated news near 0, multilingual-e5 near 0.72; the thresholds here were set
    with MiniLM, so other models' cosines are stretched to its range first.
    """
    if floor <= 0.0:
        return cosine
    return max(0.0, (cosine - floor) / (1.0 - floor))


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    return sum([a[t] * b[t] for t in a.keys() & b.keys()])


def _days_between(a: str, b: str) -> int:
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)


def time_factor(days: Sequence[str], story_days: Sequence[str]) -> float:
    """How much the time between an article and a story counts against joining.

    Time runs from the days an article reports on (its published day and the earlier days it
    names, `Signals.days`) to the nearest such day of the story's members, not to the story's
    span: a story that has run for months takes an article close to its latest members, and a
    trial months later that names the day of the shooting meets the shooting's reports; but two
    bursts of reports weeks apart (two rate decisions, two quakes in one region) do not become
    one story because a stray member stretched the first one's span. 1 within DAY_SLACK days,
    then lower, down to TIME_FLOOR TIME_SCALE days further on, and YEAR_FLOOR past a year; 1 when
    either side has no day.
    """
    gaps = [_days_between(a, b) for a in days for b in story_days]
    return _decay(min(gaps, default=None))


def figures_apart(article: Signals, carried: Iterable[str]) -> float:
    """Share of the article's figures (not years, not named days) that no member carries
    (`carried`: the keys of the story's members, as a story profile counts them).

    Two rate decisions weeks apart name the same bank and governor but each its own rate and
    inflation figure; a later report on one event repeats the event's figures."""
    mine = [k for k in article.names if _is_figure(k)]
    if not mine:
        return 0.0
    theirs = {k for k in carried if _is_figure(k)}
    return sum(k not in theirs for k in mine) / len(mine)


def joining_figures_apart(
    article: Signals, carried: dict[str, int], story_days: Iterable[str]
) -> float:
    """The figures that tell an article from a story weeks away, read from the later side,
    so that which was stored first does not matter: a later report repeats the earlier
    event's figures ("cut to 3.25% from 3.5%") but brings its own, which the earlier lacks.
    For an article later than the story, the share of its figures no member carries
    (`figures_apart`); for one earlier than every day of the story, the share of the story's
    figure mentions the article, which states figures, does not carry."""
    first = min(story_days, default=None)
    if article.day is None or first is None or article.day >= first:
        return figures_apart(article, carried)
    if not any(_is_figure(k) for k in article.names):
        return 0.0  # a report stating no figure cannot show it is of another event
    figures = {k: c for k, c in carried.items() if _is_figure(k)}
    total = sum(figures.values())
    return sum(c for k, c in figures.items() if k not in article.names) / total if total else 0.0


def stories_figures_apart(left: dict[str, int], right: dict[str, int]) -> float:
    """`figures_apart` between two stories (`carried`: each one's keys, with how many members
    carry each): the share of one story's figure mentions that no member of the other carries,
    from whichever side misses more. A later rate decision repeats the earlier rate ("from
    3.5%") while the earlier one never names the later; so the larger share tells."""

    def missing(mine: dict[str, int], theirs: dict[str, int]) -> float:
        figures = {k: c for k, c in mine.items() if _is_figure(k)}
        total = sum(figures.values())
        if not total:
            return 0.0
        return sum(c for k, c in figures.items() if k not in theirs) / total

    return max(missing(left, right), missing(right, left))


def comparable(keys: dict[str, int]) -> dict[str, int]:
    """An article's names, figures and days: its keys without its language."""
    return {k: c for k, c in keys.items() if not k.startswith(LANGUAGE_KEY)}


def _is_figure(key: str) -> bool:
    if not key.startswith("#") or key.startswith((DAY_KEY, LANGUAGE_KEY)):
        return False
    return not (len(key) == 5 and key[1:3] in {"19", "20"})  # a year says nothing of the event


def _decay(gap: int | None) -> float:
    if gap is None or gap <= DAY_SLACK:
        return 1.0
    if gap > YEAR_GAP:
        return YEAR_FLOOR
    return max(TIME_FLOOR, 1.0 - (1.0 - TIME_FLOOR) * (gap - DAY_SLACK) / TIME_SCALE)


class _Profile:
    """One article's normalised vectors for similarity, computed once per weave run."""

    __slots__ = ("floor", "names", "signals", "terms")

    def __init__(self, signals: Signals, idf: _Idf) -> None:
        self.signals = signals
        self.floor = idf.floor
        self.terms = idf.unit(signals.terms, "")
        self.names = idf.unit(comparable(signals.names), "@")

    def similarity(self, other: _Profile) -> float:
        vector = calibrate(float(self.signals.vector @ other.signals.vector), self.floor)
        return (
            W_VECTOR * vector
            + W_TERMS * _dot(self.terms, other.terms)
            + W_NAMES * _dot(self.names, other.names)
        )


def conflict(article: Signals, members: list[Signals], idf: _Idf) -> float:
    """How strongly an article and a story name different protagonists, from 0 to 1.

    Near-miss events share a topic and often a name (the same boxer, two different fights); they
    differ in the other names each side keeps repeating. Both directions must disagree: the
    article's repeated names missing from every member, and the names most members carry missing
    from the article. An article that only adds a new voice to a story is not in conflict.
    """
    if not members:
        return 0.0
    present: Counter[str] = Counter()
    for m in members:
        present.update(k for k in m.names if not k.startswith("#"))
    salient = article.salient()
    if not salient:
        return 0.0
    total = sum(idf.weight("@" + k) for k in salient)
    new = sum(idf.weight("@" + k) for k in salient if k not in present) / total
    core = {k: c / len(members) for k, c in present.items() if c / len(members) >= SALIENT}
    if not core:
        return 0.0
    core_total = sum(idf.weight("@" + k) * f for k, f in core.items())
    missing = (
        sum(idf.weight("@" + k) * f for k, f in core.items() if k not in article.names) / core_total
    )
    return min(new, missing)


def member_similarities(
    members: Sequence[Signals], groups: Mapping[str, str], idf: _Idf
) -> np.ndarray:
    """Each pair of members' joining similarity, lowered for naming different protagonists
    and for being published weeks apart (`_pair_time`); 1 for two copies of one origin group
    (`groups`: article id → its group; a member missing from it is a group of its own). What
    splitting a story and cutting it into events compare."""
    profiles = [idf.profile(m) for m in members]
    own = [groups.get(m.article_id, m.article_id) for m in members]
    n = len(members)
    sim = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            if own[i] != own[j]:
                sim[i, j] = sim[j, i] = (
                    profiles[i].similarity(profiles[j])
                    * (1.0 - CONFLICT * pair_conflict(members[i], members[j], idf))
                    * _pair_time(members[i], members[j])
                )
    return sim


def pooled_keys(members: Sequence[Signals], idf: _Idf) -> dict[str, float]:
    """The members' names, figures and named days, TF-IDF weighted over how many members carry
    each, unit length: what crosses languages unchanged."""
    counts: Counter[str] = Counter()
    for m in members:
        counts.update(comparable(m.names).keys())
    idf.load(["@" + k for k in counts])
    return idf.unit(dict(counts), "@")


def _pair_time(a: Signals, b: Signals) -> float:
    """`time_factor` between two members by their published days alone: a story's members
    weeks apart (two rate decisions, each with a report that named the other's day) are less
    alike as members than their words say, so splitting and events see the weeks; the days a
    text names are left out, as a recalled day is not a report of it."""
    return time_factor([a.day], [b.day]) if a.day and b.day else 1.0


def _mean_within(sim: np.ndarray, part: np.ndarray) -> float:
    block = sim[np.ix_(part, part)]
    n = int(part.sum())
    return float((block.sum() - n) / (n * (n - 1))) if n > 1 else 1.0


def _within(profiles: list[_Profile]) -> float:
    if len(profiles) < 2:
        return 0.0
    return float(
        np.mean([a.similarity(b) for i, a in enumerate(profiles) for b in profiles[i + 1 :]])
    )


def pair_conflict(a: Signals, b: Signals, idf: _Idf) -> float:
    """`conflict` between two single articles (each one's repeated names)."""
    return stories_conflict([a], [b], idf, single=True)


def _core(members: list[Signals]) -> dict[str, float]:
    present: Counter[str] = Counter()
    for m in members:
        present.update(k for k in m.names if not k.startswith("#"))
    return {k: c / len(members) for k, c in present.items() if c / len(members) >= SALIENT}


def stories_conflict(
    left: list[Signals], right: list[Signals], idf: _Idf, single: bool = False
) -> float:
    """`conflict` between two stories: each one's core names missing from the other."""
    if single:
        a = dict.fromkeys(left[0].salient(), 1.0)
        b = dict.fromkeys(right[0].salient(), 1.0)
    else:
        a, b = _core(left), _core(right)
    if not a or not b:
        return 0.0
    names_b = {k for m in right for k in m.names}
    names_a = {k for m in left for k in m.names}
    miss_a = sum(idf.weight("@" + k) * f for k, f in a.items() if k not in names_b)
    miss_b = sum(idf.weight("@" + k) * f for k, f in b.items() if k not in names_a)
    total_a = sum(idf.weight("@" + k) * f for k, f in a.items())
    total_b = sum(idf.weight("@" + k) * f for k, f in b.items())
    return min(miss_a / total_a, miss_b / total_b)
