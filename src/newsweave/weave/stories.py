"""Weave: give every stored article its origin group and its story, incrementally.

For each article not yet woven, in the order it was stored:

  1. signals   its vector (embed.py), content words, names and numbers, day, sentence sets
               (signals.py)
  2. origin    copy candidates from MinHash LSH buckets, shared sentences and near-identical
               vectors, confirmed
               by sentence alignment (dedupe.py); a copy or rewrite joins the origin group and the
               story of what it copies
  3. story     candidate stories are those of the article's nearest neighbours in the vector index
               (never a scan of all stories); each is scored by average linkage: the mean similarity
               of the article to the story's recent members, read from the story's profile
               (profiles.py: running sums, so O(1) in the story's size), where similarity mixes the embedding
               cosine, TF-IDF cosines of content words and of names/numbers, a time penalty and
               a penalty for naming different protagonists (`conflict`, similarity.py). The
               best story at or above the threshold takes the article; otherwise it starts one.
  4. merge     a story the article also matched is merged in when the two stories, taken whole,
               are clearly as close as an article must be to join one, or when the article came
               within the split's margin of it and the two were published the same week, as the
               split step would keep them one (`_kept_together`).
  5. split     after each batch, a story the batch touched is cut in two by average linkage and
               split when its halves are much less alike than each half is inside, unless they
               were published within the same week (`_refine`).
  6. languages then, a touched story merges with a neighbouring story in another main language
               when their pooled names, figures and named days are close and their days meet
               (`_bridge_languages`).

Each batch of articles (BATCH) is written in one transaction (signals, document frequencies,
LSH keys, origins, memberships, stories, splits and descriptions), so a crash leaves every
batch either woven or still pending; the next `add` or `weave` picks the pending ones up. The
next batch is embedded in a thread while the current one is woven. What a batch needs from
storage is read in few queries: the document frequencies of all its words at once, the
candidate stories' profiles together (written back with the batch), and each story's recent
members kept in memory as they join. Every read and write goes through the store's `stories` storage
(storage.py; the queries are in store/stories.py).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from newsweave.models import Article
from newsweave.provenance import dates_from_story
from newsweave.weave import dedupe
from newsweave.weave.embed import Embedder, Vectors, article_text, get_embedder
from newsweave.weave.halves import halves_past_strays
from newsweave.weave.profiles import StoryProfile
from newsweave.weave.signals import Signals, signals_of
from newsweave.weave.similarity import (
    CONFLICT,
    DAY_SLACK,
    FIGURES_APART,
    _days_between,
    _Idf,
    _mean_within,
    _Profile,
    calibrate,
    comparable,
    joining_figures_apart,
    member_similarities,
    pooled_keys,
    stories_figures_apart,
    time_factor,
)
from newsweave.weave.storage import HasStories, StoryShape, Transaction

# The joining threshold, set with the weights of similarity.py on the odd-numbered ECB+ topics
# (benchmarks/stories.py) and checked on the even ones.
JOIN = 0.28
# Two stories merge only when clearly closer than an article must be to join one.
MERGE_MARGIN = 0.05
# A story is split in two when its halves are less alike than JOIN - SPLIT_MARGIN, or when they
# are much tighter inside than across: cross-similarity below SPLIT_RATIO of the looser half's own.
SPLIT_MARGIN = 0.05
SPLIT_RATIO = 0.72
NEIGHBOURS = 20
# A story none of whose articles is this close in meaning cannot reach JOIN on words alone.
MIN_COSINE = 0.3
MAX_CANDIDATES = 5
SAMPLE = 30  # members of a story an article is compared with (the most recent)
REFINE_MIN = 4  # smaller stories are not worth splitting
# Share of each half's members that must carry a published day for the halves' days to say
# they report on the same days (`_same_days`).
DATED_SHARE = 0.5
# Articles sharing whole sentences with the new one, most shared first, that alignment checks.
SENTENCE_CANDIDATES = 10
# Neighbours aligned whatever their cosine, for an article in a language the model was not
# trained on: half of those searched (the live set's Italian rewrite was the fifth; 5, 8 and 10
# find the same copies there, and English articles never pay for it).
NEAREST_ALIGNED = 10
REWRITE_COSINE = 0.85  # vectors this close are checked for a rewrite even without shared shingles
BATCH = 32
PROFILES_KEPT = 5000  # story profiles kept in memory between batches, at most
LANGUAGES_KEPT = 200_000  # articles whose language alone is kept in memory, at most
# Pooled-key cosine at which stories in two languages merge (`_bridge_languages`), chosen on the
# folds of benchmarks/live.py (each fold's best on the other two: 0.07, 0.07, 0.03).
XLING_JOIN = 0.07
XLING_PROBES = 5  # members whose neighbours give a story's candidates in other languages
# For a story in a language the model was not trained on: its rarest names searched for in
# articles of the same days (`_named_stories`), and the best matches read.
XLING_NAMES = 8
XLING_NAMED = 100
# A story in such a language that found no story in another language is looked for again in
# the batches of this many articles after it was last examined: its reports in English may be
# stored after it, and an English story searches by vectors alone, which put it far off.
XLING_RETRY = 1000


@dataclass
class WeaveReport:
    woven: int = 0
    new_stories: int = 0
    merged: int = 0
    copies: int = 0


class Weaver:
    """Weaves pending articles of one store. Loads the embedding model and the index once.

    The store is used only through its `stories` storage (weave/storage.py): weaving decides,
    the storage reads and writes.
    """

    def __init__(self, store: HasStories, embedder: Embedder | None = None) -> None:
        self.storage = store.stories
        self.embedder = embedder or get_embedder()
        self.index = self.storage.vector_index(self.embedder.dim)
        self._signals: dict[int, Signals] = {}
        # Articles' languages read without their signals (`_main_languages`): other stories'
        # members come back as candidates batch after batch, and an article's language is fixed.
        self._languages: dict[int, str | None] = {}
        # Each story's most recent member rowids (at most SAMPLE), kept up to date as members
        # join and dropped when a merge or split changes the story.
        self._samples: dict[str, list[int]] = {}
        # Story profiles (profiles.py) read or built this run; those changed by the batch are
        # written with it, those of stories merged away or split are deleted with it.
        self._profiles: dict[str, StoryProfile] = {}
        self._changed: set[str] = set()
        self._dropped: set[str] = set()
        # Stories in a language the model was not trained on that found no story in another
        # language, with the count of articles woven when they were last examined
        # (XLING_RETRY).
        self._unbridged: dict[str, int] = {}
        self._woven = 0

    # - public -

    def pending(self) -> list[str]:
        return self.storage.pending_ids()

    def weave(
        self, ids: Sequence[str] | None = None, progress: Callable[[int], None] | None = None
    ) -> WeaveReport:
        """Weave the given (or all pending) articles; `progress` is told how many are done,
        batch by batch, each batch once it is committed."""
        ids = list(ids) if ids is not None else self.pending()
        report = WeaveReport()
        idf: _Idf | None = None
        batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]

        def embed(batch_ids: list[str]) -> tuple[list[Article], Future[Vectors]]:
            articles = [self.storage.article(i) for i in batch_ids]
            texts = [article_text(a.title, a.body) for a in articles]
            return articles, pool.submit(self.embedder.encode, texts)

        # The model runs outside the GIL: the next batch embeds while this one is woven.
        pool = ThreadPoolExecutor(max_workers=1)
        stored = 0  # batches committed
        try:
            upcoming = embed(batches[0]) if batches else None
            for index in range(len(batches)):
                assert upcoming is not None
                batch, pending_vectors = upcoming
                vectors = pending_vectors.result()
                upcoming = embed(batches[index + 1]) if index + 1 < len(batches) else None
                # Document frequencies and the weighted vectors built from them are re-read once
                # the store has grown by a tenth; until then the drift is below what matters.
                if idf is None or idf.n > 1.1 * idf.created_at:
                    idf = _Idf(self.storage)
                    idf.floor = self.embedder.unrelated
                batch_report = WeaveReport()
                try:
                    self._weave_batch(batch, vectors, idf, batch_report)
                except BaseException:
                    # Nothing of the batch landed: forget what memory holds of it.
                    self._forget(batch)
                    idf = None
                    raise
                stored += 1
                for name in ("woven", "new_stories", "merged", "copies"):
                    setattr(report, name, getattr(report, name) + getattr(batch_report, name))
                if progress:
                    progress(len(batch))
        except BaseException as exc:
            # Whoever reports the interruption (the CLI prints notes) says what landed.
            exc.add_note(stopped_note(stored, len(batches), sum(map(len, batches[:stored]))))
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self.index.save()
        return report

    def _weave_batch(
        self, batch: list[Article], vectors: Vectors, idf: _Idf, report: WeaveReport
    ) -> None:
        """One transaction for the batch: every article of it is woven, or none is."""
        rowids = {a.id: self.storage.rowid_of(a.id) for a in batch}
        signals = {}
        for article, vector in zip(batch, vectors, strict=True):
            rowid = rowids[article.id]
            assert rowid is not None, article.id  # the batch was just read from the store
            signals[article.id] = signals_of(article, rowid, vector)
        # One read of the document frequencies the batch needs; `load` adds what the batch's
        # own articles write, so each article sees the counts it saw one query at a time.
        idf.prefetch([t for s in signals.values() for t in (*s.terms, *("@" + n for n in s.names))])
        with self.storage.transaction() as tx:
            touched: set[str] = set()
            for article in batch:
                story_id = self._weave_one(tx, article, signals[article.id], idf, report)
                if story_id:
                    touched.add(story_id)
                idf.n += 1
            self._refine(tx, touched, idf, report)
            touched = self._bridge_languages(tx, touched, idf, report)
            self._woven += len(batch)
            for story_id in touched:
                if self.storage.story_exists(story_id):
                    self._describe(tx, story_id, idf)
                    self._date_from_story(tx, story_id)
            self._save_profiles(tx)

    def _forget(self, batch: list[Article]) -> None:
        keys = []
        for article in batch:
            rowid = self.storage.rowid_of(article.id)
            if rowid is not None:
                keys.append(rowid)
                self._signals.pop(rowid, None)
        self.index.discard(keys)
        self._samples.clear()
        self._languages.clear()
        self._profiles.clear()
        self._changed.clear()
        self._dropped.clear()

    # - one article -

    def _weave_one(
        self, tx: Transaction, article: Article, signals: Signals, idf: _Idf, report: WeaveReport
    ) -> str | None:
        if self.storage.is_woven(article.id):
            return None
        rowid = signals.rowid
        vector = signals.vector
        sketch = dedupe.minhash(article.body)
        keys = dedupe.band_keys(sketch)
        neighbours = [(k, s) for k, s in self.index.search(vector, NEIGHBOURS) if k != rowid]

        idf.load(list(signals.terms) + ["@" + n for n in signals.names])
        copy = self._find_copy(signals, keys, neighbours)

        self._write_signals(tx, signals, keys)
        idf.wrote(signals)
        if copy is not None:
            story_id, score, candidates = self._join_copy(tx, article, copy, report)
            self._profiles_of([story_id], idf)  # read (or built) before the member joins
        else:
            story_id, score, candidates = self._join_story(
                tx, signals, article.title, neighbours, idf, report
            )
        self.storage.add_member(tx, article.id, story_id, round(score, 4))
        self._joined(story_id, rowid)
        self._grow(tx, story_id, signals)
        self._grow_profile(story_id, idf.profile(signals))
        # Joining asks JOIN, splitting cuts below JOIN - SPLIT_MARGIN or never for halves
        # published the same week: two strands of one happening (a quake's toll, a tower it
        # felled abroad) that met in one story stayed one, but met as two stories stayed two,
        # so which came first decided. An article within the split's margin of a story
        # published the same days as its own merges the two, as `_refine` would keep them
        # (`_kept_together`): on benchmarks/live.py's six orders fold 1's mean recall rose from
        # 0.82 to 0.94, the other folds' and every fold's precision unchanged.
        for other, other_score in candidates.items():
            if other != story_id and (
                (other_score >= JOIN and self._stories_close(story_id, other, idf))
                or (other_score >= JOIN - SPLIT_MARGIN and self._kept_together(story_id, other))
            ):
                story_id = self._merge(tx, story_id, other)
                report.merged += 1
        self._signals[rowid] = signals
        self.index.add(rowid, vector)
        report.woven += 1
        return str(story_id)

    def _join_copy(
        self,
        tx: Transaction,
        article: Article,
        copy: tuple[str, dedupe.Match, list[str]],
        report: WeaveReport,
    ) -> tuple[str, float, dict[str, float]]:
        """A copy or rewrite joins the origin group and the story of what it copies best;
        `copy` also names the other articles it copies."""
        of_id, match, also = copy
        if not also:
            group, story_id = self.storage.origin_and_story(of_id)
        else:
            # It copies articles of more than one origin group (a cut version and a padded
            # one, each stored before the full text and neither aligning with the other): they
            # are one agency text, as they would have been had the full text come first. The
            # earliest stored founder names the united group.
            found = self.storage.origins_and_stories([of_id, *also])
            group, story_id = found[of_id]
            groups = sorted({g for g, _ in found.values()})
            founders = self.storage.rowids_of(groups)
            oldest = min(groups, key=lambda g: (founders.get(g, math.inf), g))
            self.storage.unite_origin_groups(tx, [g for g in groups if g != oldest], oldest)
            group = oldest
        self.storage.insert_origin(
            tx, article.id, group, of_id, match.kind, round(match.contained, 3)
        )
        report.copies += 1
        return story_id, 1.0, {}

    def _join_story(
        self,
        tx: Transaction,
        signals: Signals,
        title: str | None,
        neighbours: list[tuple[int, float]],
        idf: _Idf,
        report: WeaveReport,
    ) -> tuple[str, float, dict[str, float]]:
        """An original joins the best story at or above JOIN, or starts one; the stories it
        matched are returned too, as candidates to merge."""
        article_id = signals.article_id
        self.storage.insert_origin(tx, article_id, article_id, None, "original", None)
        profile = idf.profile(signals)
        candidates = self._score_stories(profile, neighbours, idf)
        best = max(candidates, key=lambda s: candidates[s], default=None)
        if best is not None and candidates[best] >= JOIN:
            return best, candidates[best], candidates
        report.new_stories += 1
        centroid = np.zeros(signals.vector.shape, dtype=np.float32)
        self.storage.insert_story(tx, article_id, title, signals.when, signals.when, centroid)
        self._profiles[article_id] = StoryProfile.empty(len(signals.vector), idf.n)
        return article_id, 1.0, candidates

    def _refine(self, tx: Transaction, story_ids: set[str], idf: _Idf, report: WeaveReport) -> None:
        """Split a story that grew into two events.

        Incremental joining is order-dependent: an early article can bridge two near-miss events.
        After each batch, every story it touched (if small enough to judge whole) is cut in two by
        average linkage on its members' similarities, which count the weeks between their
        published days; a member the cut leaves alone is set aside and the rest cut again
        (`halves_past_strays`). When the halves are less alike than an article must be to join
        a story, the half without the oldest article becomes a story of its own. Halves
        published within the same week (`_same_days`) stay one story: near-miss events of one
        kind come weeks or years apart, while one happening's strands (a quake's toll, a tower
        it felled abroad) are reported on the same days in words far enough apart to look like
        two.
        """
        for story_id in sorted(story_ids):
            size = self.storage.story_size(story_id)
            if size is None or not (REFINE_MIN <= size <= SAMPLE):
                continue
            members = self._sample(story_id)
            sim = member_similarities(members, self.storage.origin_groups(story_id), idf)
            cut = halves_past_strays(
                sim,
                anchor=int(np.argmin([m.rowid for m in members])),
                enough=lambda side: int(side.sum()) >= 2,
                least=REFINE_MIN,
            )
            if cut is None:
                continue
            # The tests judge the halves the cut made; members it set aside follow.
            left, right = cut.first & cut.core, cut.second & cut.core
            if _same_days(
                [m for m, x in zip(members, left, strict=True) if x],
                [m for m, x in zip(members, right, strict=True) if x],
            ):
                continue
            cross = float(sim[np.ix_(left, right)].mean())
            within = min(_mean_within(sim, left), _mean_within(sim, right))
            if cross >= JOIN - SPLIT_MARGIN and cross >= SPLIT_RATIO * within:
                continue
            moved = [m for m, r in zip(members, cut.second, strict=True) if r]
            self._split(tx, story_id, moved, idf)
            report.new_stories += 1

    def _bridge_languages(
        self, tx: Transaction, story_ids: set[str], idf: _Idf, report: WeaveReport
    ) -> set[str]:
        """Merge a story told in one language with the same story told in another.

        Across languages the words and the vectors of the English model say little (their
        cosines for one story and for two overlap, benchmarks/live/README.md), but names,
        figures keyed by value and named days cross unchanged. Two stories whose main languages
        differ merge when the pooled keys of their members are close (XLING_JOIN) and their
        days meet (`time_factor` 1, on the days they report on and on their published days);
        a story merges with every story so close. Candidates are
        the stories of the members' nearest neighbours in the vector index, as for joining.
        """
        out = set()
        retry = {
            s
            for s, woven in self._unbridged.items()
            if s not in story_ids and self._woven - woven <= XLING_RETRY
        }
        self._unbridged = {s: w for s, w in self._unbridged.items() if s in retry}
        for story_id in sorted(story_ids | retry):
            if not self.storage.story_exists(story_id):
                self._unbridged.pop(story_id, None)
                continue
            members = self._sample(story_id)
            language = _main_language(members)
            if not members or language is None:
                if story_id not in retry:
                    out.add(story_id)
                continue
            keys = pooled_keys(members, idf)
            days = self._days(members)
            # Every close story, not only the closest: a story told in three languages
            # (English, Portuguese and German reports of one decision) is three stories to
            # bridge, and once two have merged their pooled keys are further from the third.
            close: list[str] = []
            # A story looked for again is unchanged: only the stories stored since that name
            # its names are new (its neighbours' stories were examined before).
            neighbours = (
                [] if story_id in retry else self._neighbour_stories(members, story_id, language)
            )
            candidates = list(
                dict.fromkeys(neighbours + self._named_stories(members, story_id, language, idf))
            )
            # Those candidates' members' languages are read (for all of them at once), whole
            # signals only for the stories told in another language.
            languages = self._main_languages(candidates)
            for other in candidates:
                if languages[other] in (None, language):
                    continue
                others = self._sample(other)
                if time_factor(days, self._days(others)) < 1.0:
                    continue
                if time_factor(_published(members), _published(others)) < 1.0:
                    continue  # as in `_stories_close`
                score = _cosine(keys, pooled_keys(others, idf))
                if score >= XLING_JOIN:
                    close.append(other)
            if story_id in retry and not close:
                continue  # unchanged: nothing to describe again
            if not close and self._searches_names(language):
                self._unbridged.setdefault(story_id, self._woven)
            else:
                self._unbridged.pop(story_id, None)
            for other in close:
                if self.storage.story_exists(other) and other != story_id:
                    story_id = self._merge(tx, story_id, other)
                    report.merged += 1
            out.add(story_id)
        return out

    def _neighbour_stories(self, members: list[Signals], story_id: str, language: str) -> list[str]:
        """The stories of the members' nearest neighbours that a neighbour in another language
        belongs to. A story told in another language comes up through its members in that
        language; the dozens of stories whose neighbours all share this story's language were
        read whole before (each one's 30 recent members' languages), to be ruled out: at 100k
        that was a fifth of weaving's time (docs/performance.md, sixth round)."""
        rowids = list(
            dict.fromkeys(
                k
                for m in members[:XLING_PROBES]
                for k, _ in self.index.search(m.vector, NEIGHBOURS)
            )
        )
        return self._stories_in_other_languages(rowids, story_id, language)

    def _named_stories(
        self, members: list[Signals], story_id: str, language: str, idf: _Idf
    ) -> list[str]:
        """Stories in another language whose articles, published within DAY_SLACK days of the
        members, name the members' rarest names: for a story in a language the embedding model
        was not trained on, whose vectors put the same story told in English far off (a Dutch
        report of a rate decision had no English report among its 20 nearest, though they
        share the bank, its president, its city and the rate). Names cross languages where
        vectors do not; the full-text index finds them without reading any signals. English
        stories never pay for it."""
        if not self._searches_names(language):
            return []
        days = _published(members)
        if not days:
            return []
        # Single words: a name of one word (a place, a surname, an acronym) is written alike in
        # every language, a phrase seldom is ("Europäische Zentralbank"); the rarest say most
        # about which story this is. One only these members write matches nothing elsewhere,
        # so it costs the search nothing.
        names = [
            k
            for m in members
            for k in comparable(m.names)
            if not k.startswith("#") and " " not in k and len(k) >= 3
        ]
        names = list(dict.fromkeys(names))
        idf.load(["@" + k for k in names])
        rarest = sorted(names, key=lambda k: (-idf.weight("@" + k), k))[:XLING_NAMES]
        if not rarest:
            return []
        first = (date.fromisoformat(days[0]) - timedelta(days=DAY_SLACK)).isoformat()
        last = (date.fromisoformat(days[-1]) + timedelta(days=DAY_SLACK)).isoformat()
        rowids = self.storage.rowids_naming(rarest, first, last, XLING_NAMED)
        return self._stories_in_other_languages(rowids, story_id, language)

    def _stories_in_other_languages(
        self, rowids: list[int], story_id: str, language: str
    ) -> list[str]:
        """The stories, other than this one, of those articles not written in `language`."""
        self._read_languages(rowids)
        foreign = [r for r in rowids if self._language_of(r) not in (None, language)]
        if not foreign:
            return []
        story_of = self.storage.stories_of_rowids(foreign)
        return [
            s for s in dict.fromkeys(story_of[r] for r in foreign if r in story_of) if s != story_id
        ]

    def _searches_names(self, language: str) -> bool:
        """Whether a story in this language looks for its other languages by names
        (`_named_stories`): the model was not trained on it."""
        return self.embedder.languages is not None and language not in self.embedder.languages

    def _split(self, tx: Transaction, story_id: str, moved: list[Signals], idf: _Idf) -> None:
        # A story is named after its first article, unless that name is taken (by a story it
        # was merged into, or whose old id still redirects).
        ordered = sorted(moved, key=lambda m: m.rowid)
        taken = self.storage.taken_story_ids([m.article_id for m in ordered])
        new_id = next((m.article_id for m in ordered if m.article_id not in taken), None)
        if new_id is None:
            new_id = hashlib.sha256(("split:" + ordered[0].article_id).encode()).hexdigest()[:16]
        centroid = np.zeros(moved[0].vector.shape, dtype=np.float32)
        self.storage.insert_story(tx, new_id, None, "", "", centroid)
        self.storage.move_members(tx, [m.article_id for m in moved], new_id)
        self._samples.pop(story_id, None)
        self._samples.pop(new_id, None)
        self._drop_profiles(story_id, new_id)  # rebuilt from the members when next needed
        for sid in (story_id, new_id):
            self._recompute(tx, sid)
            self._describe(tx, sid, idf)

    def _recompute(self, tx: Transaction, story_id: str) -> None:
        rows = self.storage.member_vectors(story_id)
        centroid = np.sum([vector for vector, _ in rows], axis=0)
        times = sorted(published for _, published in rows if published)
        shape = StoryShape(
            centroid=centroid,
            size=len(rows),
            first_seen=times[0] if times else "",
            last_updated=times[-1] if times else "",
        )
        self.storage.set_story_shape(tx, story_id, shape)

    def _find_copy(
        self, signals: Signals, keys: list[tuple[int, int]], neighbours: list[tuple[int, float]]
    ) -> tuple[str, dedupe.Match, list[str]] | None:
        """The stored article this one copies best (most of the shorter side contained), the
        verdict, and the other stored articles it also copies."""
        candidates = self.storage.buckets_members(keys)
        candidates += self.storage.sentence_members(
            dedupe.sentence_keys(signals.sentences), SENTENCE_CANDIDATES
        )
        floor = self.embedder.unrelated
        close = [k for k, s in neighbours if calibrate(s, floor) >= REWRITE_COSINE]
        languages = self.embedder.languages
        if languages is not None and signals.language not in (None, *languages):
            # The model was not trained on this language: its cosines bunch together (an
            # Italian rewrite of an Italian wire text sat at 0.64, fifth nearest, below four
            # other Italian texts), so the nearest are aligned whatever their cosine.
            close += [k for k, _ in neighbours[:NEAREST_ALIGNED]]
        if close:
            candidates += self.storage.ids_of_rowids(close)
        matches: list[tuple[str, dedupe.Match]] = []
        others = [i for i in dict.fromkeys(candidates) if i != signals.article_id]
        rowids = self.storage.rowids_of(others)
        self._preload(list(rowids.values()))
        for other_id in others:
            rowid = rowids.get(other_id)
            other = self._load_signals(rowid) if rowid is not None else None
            if other is None:
                continue
            match = dedupe.align(signals.sentences, other.sentences)
            if match:
                matches.append((other_id, match))
        if not matches:
            return None
        # The first of the best, as before: candidates come in a fixed order.
        best = max(range(len(matches)), key=lambda n: (matches[n][1].contained, -n))
        of_id, match = matches[best]
        return of_id, match, [i for i, _ in matches if i != of_id]

    def _score_stories(
        self, profile: _Profile, neighbours: list[tuple[int, float]], idf: _Idf
    ) -> dict[str, float]:
        floor = self.embedder.unrelated
        close = [(k, calibrate(c, floor)) for k, c in neighbours]
        close = [(k, c) for k, c in close if c >= MIN_COSINE]
        if not close:
            return {}
        story_of = self.storage.stories_of_rowids([k for k, _ in close])
        best: dict[str, float] = {}
        for key, cosine in close:
            story = story_of.get(key)
            if story is not None and cosine > best.get(story, -1.0):
                best[story] = cosine
        # Only the stories whose closest article is among the closest few are worth scoring.
        stories = sorted(best, key=lambda s: -best[s])[:MAX_CANDIDATES]
        profiles = self._profiles_of(stories, idf)
        idf.load(["@" + k for p in profiles.values() for k in p.core()])
        scores: dict[str, float] = {}
        for story_id in stories:
            found = profiles.get(story_id)
            if found is None or not found.count:
                continue
            apart = time_factor(profile.signals.days(), sorted(found.days))
            if apart < 1.0:
                # Weeks from the story: only its own figures would show it is the same event.
                apart *= 1.0 - FIGURES_APART * joining_figures_apart(
                    profile.signals, found.carried, found.days
                )
            scores[story_id] = (
                found.similarity(profile)
                * apart
                * (1.0 - CONFLICT * found.conflict(profile.signals, idf))
            )
        return scores

    def _stories_close(self, a: str, b: str, idf: _Idf) -> bool:
        """Average linkage between two whole stories (their profiles), time and figures
        included."""
        profiles = self._profiles_of([a, b], idf)
        left, right = profiles.get(a), profiles.get(b)
        if left is None or right is None or not left.count or not right.count:
            return False
        idf.load(["@" + k for k in (*left.core(), *right.core())])
        floor = self.embedder.unrelated
        cross = left.cross(right, floor) * (1.0 - CONFLICT * left.stories_conflict(right, idf))
        # As close as an article must be to join, and the test `_refine` splits by: two
        # stories much tighter inside than across stay apart.
        need = max(JOIN + MERGE_MARGIN, SPLIT_RATIO * min(left.within(floor), right.within(floor)))
        if cross < need:
            return False  # time can only lower it; the members' days need not be read
        # Days named in the text let one article reach an old event's reports, but two whole
        # stories are one only if they were also published near each other: a later
        # decision's report that names the earlier decision's day (or a caption's) does not
        # make the two decisions' stories meet.
        factor = min(
            time_factor(sorted(left.days), sorted(right.days)),
            time_factor(_published(self._sample(a)), _published(self._sample(b))),
        )
        if factor < 1.0:
            # Weeks apart, as for an article joining (`_score_stories`): only figures both
            # stories carry would show they are one event.
            factor *= 1.0 - FIGURES_APART * stories_figures_apart(left.carried, right.carried)
        return cross * factor >= need

    def _kept_together(self, a: str, b: str) -> bool:
        """Whether `_refine` would keep the two stories one, were they one: their members
        published within the same week (`_same_days`)."""
        return _same_days(self._sample(a), self._sample(b))

    # - story profiles (profiles.py) -

    def _profiles_of(self, story_ids: Sequence[str], idf: _Idf) -> dict[str, StoryProfile]:
        """The stories' profiles: kept in memory, else stored, else (or when stale) built from
        the recent members with today's weights."""
        if len(self._profiles) > PROFILES_KEPT:
            keep = self._changed | set(story_ids)
            self._profiles = {s: p for s, p in self._profiles.items() if s in keep}
        unread = [s for s in story_ids if s not in self._profiles]
        if unread:
            self._profiles.update(self.storage.story_profiles(unread))
        stale = [
            s
            for s in story_ids
            if s not in self._profiles or self._profiles[s].stale(idf.n, SAMPLE)
        ]
        if stale:
            self._sample_many(stale)
            samples = {story_id: self._sample(story_id) for story_id in stale}
            sizes = self.storage.story_sizes(list(samples))
            # The counts every member's weights need, in one read.
            idf.load(
                [
                    t
                    for members in samples.values()
                    for m in members
                    for t in (*m.terms, *("@" + k for k in m.names))
                ]
            )
            for story_id, members in samples.items():
                size = sizes.get(story_id)
                if size is None:
                    continue
                dim = len(members[0].vector) if members else self.embedder.dim
                self._profiles[story_id] = StoryProfile.of(
                    [idf.profile(m) for m in members], dim, size, idf.n
                )
                self._changed.add(story_id)
        return {s: self._profiles[s] for s in story_ids if s in self._profiles}

    def _grow_profile(self, story_id: str, member: _Profile) -> None:
        profile = self._profiles.get(story_id)
        if profile is not None:
            profile.add(member)
            self._changed.add(story_id)

    def _drop_profiles(self, *story_ids: str) -> None:
        for story_id in story_ids:
            self._profiles.pop(story_id, None)
            self._changed.discard(story_id)
            self._dropped.add(story_id)

    def _save_profiles(self, tx: Transaction) -> None:
        self.storage.drop_story_profiles(tx, sorted(self._dropped - self._changed))
        changed = [(s, self._profiles.get(s)) for s in sorted(self._changed)]
        self.storage.put_story_profiles(tx, [(s, p) for s, p in changed if p is not None])
        self._changed.clear()
        self._dropped.clear()

    @staticmethod
    def _days(members: list[Signals]) -> list[str]:
        return sorted({d for m in members for d in m.days()})

    def _recent(self, story_id: str) -> list[int]:
        found = self._samples.get(story_id)
        if found is None:
            found = self._samples[story_id] = self.storage.recent_member_rowids(story_id, SAMPLE)
        return found

    def _joined(self, story_id: str, rowid: int) -> None:
        """A member joined: it is among the story's most recent if its rowid says so."""
        found = self._samples.get(story_id)
        if found is not None:
            found.append(rowid)
            found.sort(reverse=True)
            del found[SAMPLE:]

    def _recent_many(self, story_ids: Sequence[str]) -> None:
        """`_recent` of each of these stories, those not in memory read in one query."""
        unread = [s for s in dict.fromkeys(story_ids) if s not in self._samples]
        if unread:
            self._samples.update(self.storage.recent_member_rowids_of(unread, SAMPLE))

    def _sample_many(self, story_ids: Sequence[str]) -> None:
        """What `_sample` reads for each of these stories, read for all of them at once."""
        self._recent_many(story_ids)
        self._preload([r for story_id in story_ids for r in self._samples[story_id]])

    def _main_languages(self, story_ids: Sequence[str]) -> dict[str, str | None]:
        """`_main_language(self._sample(s))` of each story, reading no signals but languages."""
        self._recent_many(story_ids)
        self._read_languages([r for s in dict.fromkeys(story_ids) for r in self._samples[s]])
        return {
            story_id: _most_common_language(self._language_of(r) for r in self._samples[story_id])
            for story_id in story_ids
        }

    def _read_languages(self, rowids: Sequence[int]) -> None:
        """The languages of these articles into memory, those not there yet read in one go."""
        unknown = [r for r in rowids if r not in self._signals and r not in self._languages]
        if not unknown:
            return
        if len(self._languages) + len(unknown) > LANGUAGES_KEPT:
            # Clearing forgets languages `rowids` still needs: read all of them again.
            self._languages.clear()
            unknown = [r for r in rowids if r not in self._signals]
        self._languages.update(self.storage.signal_languages(unknown))

    def _language_of(self, rowid: int) -> str | None:
        """The language of an article whose signals or language alone are in memory."""
        signals = self._signals.get(rowid)
        return signals.language if signals is not None else self._languages.get(rowid)

    def _sample(self, story_id: str) -> list[Signals]:
        rowids = self._recent(story_id)
        self._preload(rowids)
        out = []
        for rowid in rowids:
            signals = self._load_signals(rowid)
            if signals is not None:
                out.append(signals)
        return out

    def _preload(self, rowids: Sequence[int]) -> None:
        """Read in one query the signals not yet in memory."""
        missing = [r for r in dict.fromkeys(rowids) if r not in self._signals]
        if not missing:
            return
        if len(self._signals) + len(missing) > 20000:
            self._signals.clear()
        self._signals.update(self.storage.load_many_signals(missing))

    def _load_signals(self, rowid: int) -> Signals | None:
        if rowid in self._signals:
            return self._signals[rowid]
        signals = self.storage.load_signals(rowid)
        if signals is None:
            return None
        if len(self._signals) > 20000:
            self._signals.clear()
        self._signals[rowid] = signals
        return signals

    # - writes -

    def _write_signals(
        self, tx: Transaction, signals: Signals, keys: list[tuple[int, int]]
    ) -> None:
        self.storage.insert_signals(tx, signals, self.embedder.name, keys)

    def _grow(self, tx: Transaction, story_id: str, signals: Signals) -> None:
        shape = self.storage.story_shape(story_id)
        centroid = shape.centroid + signals.vector
        when = signals.when
        first = (
            min(shape.first_seen, when) if when and shape.first_seen else (shape.first_seen or when)
        )
        last = max(shape.last_updated, when) if when else shape.last_updated
        self.storage.grow_story(tx, story_id, centroid, first, last)

    def _merge(self, tx: Transaction, keep: str, other: str) -> str:
        """Merge two stories; the older (first seen) keeps its id, the other id is remembered."""
        a, b = self.storage.story_shape(keep), self.storage.story_shape(other)
        if (b.first_seen, other) < (a.first_seen, keep):
            keep, other, a, b = other, keep, b, a
        merged = StoryShape(
            centroid=a.centroid + b.centroid,
            size=a.size + b.size,
            first_seen=min(a.first_seen, b.first_seen),
            last_updated=max(a.last_updated, b.last_updated),
        )
        self.storage.set_story_shape(tx, keep, merged)
        self.storage.fold_story(tx, other, into=keep)
        self._samples.pop(keep, None)
        self._samples.pop(other, None)
        kept, gone = self._profiles.get(keep), self._profiles.get(other)
        self._drop_profiles(keep, other)
        if kept is not None and gone is not None:
            self._profiles[keep] = kept.merged(gone)
            self._changed.add(keep)
        return keep

    def _date_from_story(self, tx: Transaction, story_id: str) -> None:
        """Undated members take a date from the story's dated ones (newsweave/provenance.py);
        redone whenever the story changes, as its members and so its dates may have."""
        updates = dates_from_story(self.storage.member_dates(story_id))
        if updates:
            self.storage.set_published_from_story(tx, updates)

    def _describe(self, tx: Transaction, story_id: str, idf: _Idf) -> None:
        """Title (the member nearest the centroid) and why the members belong together."""
        members = self._sample(story_id)
        centroid = self.storage.story_shape(story_id).centroid
        # The most central member that has a title, in the story's main language first: the
        # one nearest the centroid may be a page without a headline, or a foreign-language
        # report (the English model's vectors of it sit near every centroid alike).
        language = _main_language(members)
        ranked = sorted(
            members, key=lambda m: (m.language != language, -float(m.vector @ centroid))
        )
        title = next(
            (t for t in (self.storage.title_of(m.article_id) for m in ranked) if t), None
        ) or next(
            (t for t in (self.storage.derived_title_of(m.article_id) for m in ranked) if t), None
        )
        why = explain(members, idf)
        self.storage.describe_story(tx, story_id, title, why)


def stopped_note(stored: int, total: int, articles: int) -> str:
    """What a weave cut short had committed, batch by batch (each batch lands whole or not)."""
    rest = "`newsweave weave` weaves the rest"
    if stored == 0:
        return f"weaving: batch 1 of {total} not stored, nothing woven; {rest}"
    if stored == total:
        return f"weaving: all {total} batches stored ({articles} articles woven)"
    done = "batch 1" if stored == 1 else f"batches 1–{stored}"
    return (
        f"weaving: {done} of {total} stored ({articles} articles woven); "
        f"batch {stored + 1} not stored; {rest}"
    )


def _published(members: list[Signals]) -> list[str]:
    """The members' published days (`Signals.day`), without the days their texts name."""
    return sorted({m.day for m in members if m.day})


def _same_days(left: list[Signals], right: list[Signals]) -> bool:
    """Whether two halves of a story were published within DAY_SLACK days of one another,
    all told: most members of each half dated (DATED_SHARE), and every dated member of either
    half within DAY_SLACK days of every other. Published days only: a day an article names may
    be an earlier event it recalls, or a caption's."""
    days: list[str] = []
    for half in (left, right):
        dated = [m.day for m in half if m.day]
        if not dated or len(dated) < DATED_SHARE * len(half):
            return False
        days += dated
    return _days_between(min(days), max(days)) <= DAY_SLACK


def _main_language(members: list[Signals]) -> str | None:
    return _most_common_language(m.language for m in members)


def _most_common_language(languages: Iterable[str | None]) -> str | None:
    found = Counter(language for language in languages if language)
    return found.most_common(1)[0][0] if found else None


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(a[k] * b[k] for k in a.keys() & b.keys())


def explain(members: list[Signals], idf: _Idf) -> dict[str, Any]:
    """Names and terms most members share, rarest first: the reason the story holds together."""
    if len(members) < 2:
        return {"names": [], "terms": [], "text": "a single article so far"}
    need = max(2, math.ceil(len(members) / 2))
    name_count: Counter[str] = Counter()
    term_count: Counter[str] = Counter()
    display: dict[str, str] = {}
    for m in members:
        name_count.update(k for k in m.names if not k.startswith("#"))
        term_count.update(m.terms)
        display.update({k: v for k, v in m.display.items() if k not in display})
    idf.load(["@" + k for k in name_count] + list(term_count))
    shared_names = [k for k, c in name_count.items() if c >= need]
    shared_names.sort(key=lambda k: -name_count[k] * idf.weight("@" + k))
    # A surname already shown inside a full name adds nothing.
    shown: list[str] = []
    for key in shared_names:
        if not any(key != s and key in s.split() for s in shown):
            shown.append(key)
    names = [display.get(k, k) for k in shown[:6]]
    name_words = {w for k in shown for w in k.split()}
    terms = [k for k, c in term_count.items() if c >= need and k not in name_words]
    terms.sort(key=lambda k: -term_count[k] * idf.weight(k))
    terms = terms[:6]
    parts = []
    if names:
        parts.append("names " + ", ".join(names))
    if terms:
        parts.append("terms " + ", ".join(terms))
    text = f"{len(members)} articles share " + "; ".join(parts) if parts else "close in wording"
    return {"names": names, "terms": terms, "text": text}
