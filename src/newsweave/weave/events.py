"""Events inside a story: which of its members report the same happening (read with the story).

A story can hold several events. One quake is one story, but its death toll in one country and
a tower it felled in another are two events: reported on the same days, in words far enough
apart that weaving would have split them, had halves published within the same week not been
kept whole (`Weaver._refine`). Events are computed from what weaving stored (each member's
signals and origin group) when a story is read, so they need no migration and follow every
merge and split; `events_of` is the entry point.

  1. compare   members of one language with one another, by the similarity weaving joins by
               (similarity.py: embedding, content words, names and figures, protagonists in
               conflict); members of one origin group (copies, rewrites) are alike by definition.
               Across languages the embedding model's cosines and the words say little, so
               members are compared within their language only.
  2. cut       each language's members are cut in two by average linkage (halves.py), and each
               half again, while a cut is clear: the halves are less alike than an article must be
               to join a story (stories.JOIN) and much less alike than each half is inside
               (below stories.SPLIT_RATIO of the looser half's mean), and each half holds
               EVENT_MIN_ORIGINS independent origins. `_refine` splits a story on either test
               alone; an event needs both, since nothing but the words tells events apart here
               and one event's reports differ in emphasis (ECB+ stories, each one event, stay
               whole under both tests and not under either).
  3. languages the events are those of the story's main language (most members). Every group a
               cut found in another language joins the event whose pooled names, figures and
               named days are clearly nearest (EVENT_LEAD times the next); without a clear
               lead, the largest event once the clear groups have joined it, which most
               reports are about (on a tie, the one the story's oldest member reports).

A language with more than EVENT_SAMPLE members is cut on EVENT_SAMPLE of them spread evenly
from its first to its latest; the rest join the part whose members they are most alike on
average (profiles.py sums, so that costs one comparison per part).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from newsweave.weave.halves import average_linkage, two_clusters
from newsweave.weave.profiles import StoryProfile
from newsweave.weave.signals import Signals
from newsweave.weave.similarity import _Idf, _mean_within, member_similarities, pooled_keys

# Kept equal to weave/stories.py's JOIN and SPLIT_RATIO (tests/test_events.py checks): an event
# is a part the story would not have taken whole, had it come alone.
EVENT_JOIN = 0.28
EVENT_RATIO = 0.72
EVENT_MIN_ORIGINS = 2  # independent origins each event must hold: one report is no event
# How much nearer, by pooled keys, a group in another language must be to one event than to the
# next to join it rather than the largest event.
EVENT_LEAD = 1.5
EVENT_SAMPLE = 60  # members of one language cut at most (all pairs are compared)


@dataclass(frozen=True)
class EventGroup:
    """One event of a story: its members (article ids, in the order given) and the member
    nearest their mean vector, whose title names the event."""

    articles: list[str]
    central: str


def events_of(members: Sequence[Signals], groups: Mapping[str, str], idf: _Idf) -> list[EventGroup]:
    """The events of a story from its members' signals (oldest first) and origin groups
    (article id → group; a member not in it is its own). Largest event first; one event when
    nothing clearly tells its members apart (module docstring)."""
    if not members:
        return []
    # Every count the members' weights need, in one read rather than one per member.
    idf.load([t for m in members for t in (*m.terms, *("@" + k for k in m.names))])
    by_language: dict[str, list[Signals]] = defaultdict(list)
    for m in members:
        by_language[m.language or ""].append(m)
    main = max(by_language, key=lambda lang: (len(by_language[lang]), lang))
    found = _cut_language(by_language[main], groups, idf)
    # Named after a member in the main language: the embedding model's cosines across
    # languages do not say which member is central.
    centrals = [_central(event) for event in found]
    if len(found) > 1:
        keys = [pooled_keys(event, idf) for event in found]
        unclear = []
        for language, part in by_language.items():
            if language == main:
                continue
            for group in _cut_language(part, groups, idf):
                nearest = _nearest(pooled_keys(group, idf), keys)
                if nearest is None:
                    unclear.append(group)
                else:
                    found[nearest].extend(group)
        # Counted once the clear ones have joined, in every language: the main language's
        # reports alone may lean to a side event (more English pages on a tower abroad than
        # on the quake's toll) while the reports in other languages are of the toll. On a tie,
        # the event the story's oldest member reports: the story began with it.
        largest = min(
            range(len(found)), key=lambda i: (-len(found[i]), min(m.rowid for m in found[i]))
        )
        for group in unclear:
            found[largest].extend(group)
    else:
        found = [list(members)]
    order = {m.article_id: n for n, m in enumerate(members)}
    events = [
        (sorted(event, key=lambda m: order[m.article_id]), central)
        for event, central in zip(found, centrals, strict=True)
    ]
    events.sort(key=lambda e: (-len(e[0]), order[e[0][0].article_id]))
    return [EventGroup([m.article_id for m in e], central) for e, central in events]


def _cut_language(
    members: list[Signals], groups: Mapping[str, str], idf: _Idf
) -> list[list[Signals]]:
    """Step 2 for the members of one language; those past EVENT_SAMPLE join their nearest part."""
    ordered = sorted(members, key=lambda m: m.rowid)
    # Spread over the whole story, not its latest members: an event may have ended early.
    picked = set(np.linspace(0, len(ordered) - 1, min(len(ordered), EVENT_SAMPLE)).astype(int))
    sample = [m for n, m in enumerate(ordered) if n in picked]
    rest = [m for n, m in enumerate(ordered) if n not in picked]
    parts: list[list[Signals]] = []
    _cut(sample, member_similarities(sample, groups, idf), groups, parts)
    if rest and len(parts) > 1:
        dim = len(sample[0].vector)
        sums = [StoryProfile.of([idf.profile(m) for m in p], dim, len(p), idf.n) for p in parts]
        for m in rest:
            profile = idf.profile(m)
            best = max(range(len(parts)), key=lambda i: sums[i].similarity(profile))
            parts[best].append(m)
    elif rest:
        parts[0].extend(rest)
    return parts


def _cut(
    members: list[Signals], sim: np.ndarray, groups: Mapping[str, str], out: list[list[Signals]]
) -> None:
    """Cut in two while the cut is clear (step 2), appending the parts left to `out`."""
    if len(members) < 2 * EVENT_MIN_ORIGINS:
        out.append(members)
        return
    distance = np.clip(1.0 - sim, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    labels = two_clusters(average_linkage(distance))
    left = labels == labels[0]
    right = ~left
    halves = [[m for m, x in zip(members, side, strict=True) if x] for side in (left, right)]
    if min(_origins(half, groups) for half in halves) < EVENT_MIN_ORIGINS:
        out.append(members)
        return
    cross = float(sim[np.ix_(left, right)].mean())
    within = min(_mean_within(sim, left), _mean_within(sim, right))
    if cross >= EVENT_JOIN or cross >= EVENT_RATIO * within:
        out.append(members)
        return
    for side, half in zip((left, right), halves, strict=True):
        index = np.flatnonzero(side)
        _cut(half, sim[np.ix_(index, index)], groups, out)


def _origins(members: list[Signals], groups: Mapping[str, str]) -> int:
    return len({groups.get(m.article_id, m.article_id) for m in members})


def _nearest(keys: dict[str, float], events: list[dict[str, float]]) -> int | None:
    """The event whose pooled keys are clearly nearest (EVENT_LEAD times the next), else None."""
    scores = [sum(v * e.get(k, 0.0) for k, v in keys.items()) for e in events]
    ranked = sorted(range(len(events)), key=lambda i: -scores[i])
    best, second = ranked[0], ranked[1]
    return best if scores[best] > EVENT_LEAD * scores[second] else None


def _central(members: list[Signals]) -> str:
    centroid = np.sum([m.vector for m in members], axis=0)
    return max(members, key=lambda m: float(m.vector @ centroid)).article_id
