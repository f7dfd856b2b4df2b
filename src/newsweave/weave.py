"""Weave: give every stored article its origin group and its story, incrementally.

For each article not yet woven, in the order it was stored:

  1. signals   its vector (embed.py), content words, names and numbers, day, sentence sets
  2. origin    copy candidates from MinHash LSH buckets and from near-identical vectors, confirmed
               by sentence alignment (dedupe.py); a copy or rewrite joins the origin group and the
               story of what it copies
  3. story     candidate stories are those of the article's nearest neighbours in the vector index
               (never a scan of all stories); each is scored by average linkage: the mean similarity
               of the article to the story's recent members, where similarity mixes the embedding
               cosine, TF-IDF cosines of content words and of names/numbers, a time penalty and
               a penalty for naming different protagonists (`conflict`). The best story at or
               above the threshold takes the article; otherwise it starts one.
  4. merge     a story the article also matched is merged in when the two stories, taken whole,
               are clearly as close as an article must be to join one.
  5. split     after each batch, a story the batch touched is cut in two by average linkage and
               split when its halves are much less alike than each half is inside (`_refine`).

Each article is written in one transaction (signals, document frequencies, LSH keys, origin,
membership, story), so a crash leaves every article either woven or still pending; the next
`add` or `weave` picks the pending ones up. The next batch is embedded in a thread while the
current one is woven.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from newsweave import dedupe
from newsweave.embed import MODELS, Embedder, Vectors, article_text, get_embedder
from newsweave.models import Article, SimilarArticle
from newsweave.provenance import fill_stories
from newsweave.store import Store
from newsweave.text import STOPWORDS, split_sentences, tokens

# Weights of the three similarities and the joining threshold, set on the odd-numbered ECB+
# topics (benchmarks/stories.py) and checked on the even ones.
W_VECTOR = 0.55
W_TERMS = 0.20
W_NAMES = 0.25
JOIN = 0.28
# Two stories merge only when clearly closer than an article must be to join one.
MERGE_MARGIN = 0.05
# A story is split in two when its halves are less alike than JOIN - SPLIT_MARGIN, or when they
# are much tighter inside than across: cross-similarity below SPLIT_RATIO of the looser half's own.
SPLIT_MARGIN = 0.05
SPLIT_RATIO = 0.72
# How much naming different protagonists (see `conflict`) lowers a similarity, at most.
CONFLICT = 0.45
NEIGHBOURS = 20
# A story none of whose articles is this close in meaning cannot reach JOIN on words alone.
MIN_COSINE = 0.3
MAX_CANDIDATES = 5
SAMPLE = 30  # members of a story an article is compared with (the most recent)
REFINE_MIN = 4  # smaller stories are not worth splitting
MAX_TERMS = 150
SALIENT_COUNT = 3  # mentions that make a name salient outside the lead
LEAD_SENTENCES = 2
SALIENT = 0.5  # share of a story's members that must carry a name for it to be core
DAY_SLACK = 7  # days outside a story's span before time starts to count against joining
REWRITE_COSINE = 0.85  # vectors this close are checked for a rewrite even without shared shingles
BATCH = 32
IDF_FLOOR = 1.0


@dataclass
class Signals:
    """What weaving knows about one article."""

    article_id: str
    rowid: int
    vector: Vectors
    terms: dict[str, int]
    names: dict[str, int]
    display: dict[str, str]
    day: str | None
    sentences: list[list[str]]
    when: str
    lead: frozenset[str] = frozenset()

    def salient(self) -> set[str]:
        """Names the article is about: in its lead, or repeated through it."""
        return {
            k
            for k, c in self.names.items()
            if not k.startswith("#") and (k in self.lead or c >= SALIENT_COUNT)
        }


@dataclass
class Story:
    id: str
    title: str | None
    articles: list[str]
    sources: list[str]
    independent_origins: int
    first_seen: str
    last_updated: str
    why: str
    shared_names: list[str] = field(default_factory=list)
    shared_terms: list[str] = field(default_factory=list)


@dataclass
class WeaveReport:
    woven: int = 0
    new_stories: int = 0
    merged: int = 0
    copies: int = 0


# -- signals -----------------------------------------------------------------------------------

_NAME = re.compile(
    r"\b(?:[A-Z][\w'’.-]*[a-z0-9][\w'’-]*|[A-Z]{2,})"
    r"(?:\s+(?:(?:of|de|du|da|al|el|van|von|bin|la|le|del|der)\s+)?(?:[A-Z][\w'’.-]*[a-z0-9][\w'’-]*|[A-Z]{2,}))*"
)
_NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b")
_NOT_NAMES = STOPWORDS | frozenset(
    "january february march april may june july august september october november december"
    " monday tuesday wednesday thursday friday saturday sunday mr mrs ms dr"
    " he she it they we i you but and this that his her its their after when while as if".split()
)


def names_in(title: str | None, paragraphs: Sequence[str]) -> tuple[Counter[str], dict[str, str]]:
    """Capitalised names (and their last word, so "Lohan" meets "Lindsay Lohan") and numbers.

    A single capitalised word opening a sentence ("Police", "Officials") is a name only if the
    text also capitalises it elsewhere; headlines, capitalised throughout, give no names of their
    own but confirm those of the body.
    """
    found: list[tuple[list[str], bool]] = []
    inner: set[str] = set()
    for text in paragraphs:
        for sentence in split_sentences(text):
            for match in _NAME.finditer(sentence):
                words = match.group(0).split()
                opening = match.start() == 0 or not sentence[: match.start()].strip(" \"'“‘(-—")
                while words and words[0].lower() in _NOT_NAMES:
                    words, opening = words[1:], False
                while words and words[-1].lower() in _NOT_NAMES:
                    words = words[:-1]
                if not words:
                    continue
                found.append((words, opening))
                if not opening or len(words) > 1:
                    inner.add(" ".join(words).lower())
                    inner.add(words[-1].lower())
    counts: Counter[str] = Counter()
    display: dict[str, str] = {}
    for words, opening in found:
        name = " ".join(words).strip(".'’-")
        key = name.lower()
        if len(name) < 2 or (opening and len(words) == 1 and key not in inner):
            continue
        counts[key] += 1
        display.setdefault(key, name)
        if len(words) > 1:
            last = words[-1].strip(".'’-")
            counts[last.lower()] += 1
            display.setdefault(last.lower(), last)
    for text in ([title] if title else []) + list(paragraphs):
        for match in _NUMBER.finditer(text):
            number = match.group(0).replace(",", "")
            if len(number) >= 2:
                counts["#" + number] += 1
    return counts, display


def terms_in(title: str | None, paragraphs: Sequence[str]) -> Counter[str]:
    words = tokens(" ".join(([title] if title else []) + list(paragraphs)))
    counts = Counter(w for w in words if w not in STOPWORDS and len(w) > 2 and not w.isdigit())
    return Counter(dict(counts.most_common(MAX_TERMS)))


def _day(article: Article) -> str | None:
    value = article.published or ""
    return value[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]) else None


# -- similarity ----------------------------------------------------------------------------------


class _Idf:
    """Document frequencies from the store, read once per term and kept for the batch."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache: dict[str, int] = {}
        self._weights: dict[str, float] = {}
        self._profiles: dict[int, _Profile] = {}
        self.n = store.conn.execute("SELECT count(*) FROM article_signals").fetchone()[0]
        self.created_at = self.n
        self.floor = 0.0  # the embedding model's cosine for unrelated texts, see `calibrate`

    def load(self, terms: Iterable[str]) -> None:
        missing = [t for t in set(terms) if t not in self.cache]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found = dict(
                self.store.conn.execute(
                    f"SELECT term, df FROM term_df WHERE term IN ({marks})",
                    chunk,
                ).fetchall()
            )
            for term in chunk:
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
        vector = {
            t: (1 + math.log(c)) * self.weight(prefix + t) for t, c in counts.items() if c > 0
        }
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


def time_factor(day: str | None, span: tuple[str, str] | None) -> float:
    """1 inside a story's span (plus slack); lower the further outside it, never below 0.7."""
    if not day or not span:
        return 1.0
    gap = (
        0
        if span[0] <= day <= span[1]
        else min(_days_between(day, span[0]), _days_between(day, span[1]))
    )
    if gap <= DAY_SLACK:
        return 1.0
    return max(0.7, 1.0 - (gap - DAY_SLACK) / 300)


class _Profile:
    """One article's normalised vectors for similarity, computed once per weave run."""

    __slots__ = ("floor", "names", "signals", "terms")

    def __init__(self, signals: Signals, idf: _Idf) -> None:
        self.signals = signals
        self.floor = idf.floor
        self.terms = idf.unit(signals.terms, "")
        self.names = idf.unit(signals.names, "@")

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


# -- the vector index ----------------------------------------------------------------------------


def vector_cache_path(store: Store) -> Path:
    """The index file beside the database, named by the store's id so that a database deleted
    and made again never meets the old file's vectors."""
    row = store.conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
    return Path(f"{store.path}.{row[0]}.vectors")


class VectorIndex:
    """Approximate nearest neighbours over article vectors (usearch HNSW), keyed by rowid.

    SQLite holds the vectors; the index file beside the database is a cache of them. On open,
    any vector the cache lacks (a crash after a commit, or no cache yet) is added back.
    """

    def __init__(self, store: Store, dim: int) -> None:
        from usearch.index import Index

        self.path = vector_cache_path(store)
        self.dim = dim
        self.index: Any = None
        if self.path.exists():
            try:
                self.index = Index.restore(str(self.path))
            except Exception:  # a torn or foreign cache file is rebuilt from SQLite
                self.index = None
        if self.index is None or self.index.ndim != dim:
            self.index = Index(ndim=dim, metric="cos", dtype="f16")
        self.dirty = False
        count = store.conn.execute("SELECT count(*) FROM article_signals").fetchone()[0]
        if len(self.index) > count:  # vectors SQLite does not have: not this store's cache
            self.index = Index(ndim=dim, metric="cos", dtype="f16")
        if len(self.index) < count:
            rows = store.conn.execute(
                "SELECT a.rowid FROM article_signals s JOIN articles a ON a.id = s.article_id"
            ).fetchall()
            keys = np.array([r[0] for r in rows], dtype=np.uint64)
            present = np.asarray(self.index.contains(keys), dtype=bool)
            self._backfill(store, keys[~present])

    def _backfill(self, store: Store, keys: np.ndarray) -> None:
        for start in range(0, len(keys), 5000):
            chunk = [int(k) for k in keys[start : start + 5000]]
            marks = ",".join("?" * len(chunk))
            rows = store.conn.execute(
                f"SELECT a.rowid, s.vector FROM article_signals s JOIN articles a ON a.id = s.article_id WHERE a.rowid IN ({marks})",
                chunk,
            ).fetchall()
            vectors = np.vstack(
                [np.frombuffer(r[1], dtype=np.float16).astype(np.float32) for r in rows]
            )
            self.index.add(np.array([r[0] for r in rows], dtype=np.uint64), vectors)
            self.dirty = True

    def __len__(self) -> int:
        return len(self.index)

    def add(self, key: int, vector: Vectors) -> None:
        self.index.add(key, vector)
        self.dirty = True

    def search(self, vector: Vectors, count: int) -> list[tuple[int, float]]:
        if len(self.index) == 0:
            return []
        matches = self.index.search(vector, min(count, len(self.index)))
        return [
            (int(k), 1.0 - float(d)) for k, d in zip(matches.keys, matches.distances, strict=True)
        ]

    def save(self) -> None:
        if self.dirty:
            tmp = self.path.with_suffix(".vectors.tmp")
            self.index.save(str(tmp))
            tmp.replace(self.path)
            self.dirty = False


# -- the weaver ----------------------------------------------------------------------------------


class Weaver:
    """Weaves pending articles of one store. Loads the embedding model and the index once."""

    def __init__(self, store: Store, embedder: Embedder | None = None) -> None:
        self.store = store
        self.embedder = embedder or get_embedder()
        self.index = VectorIndex(store, self.embedder.dim)
        self._signals: dict[int, Signals] = {}

    # - public -

    def pending(self) -> list[str]:
        rows = self.store.conn.execute(
            "SELECT a.id FROM articles a LEFT JOIN story_members m ON m.article_id = a.id"
            " WHERE m.article_id IS NULL ORDER BY a.rowid"
        )
        return [r[0] for r in rows]

    def weave(
        self, ids: Sequence[str] | None = None, progress: Callable[[int], None] | None = None
    ) -> WeaveReport:
        """Weave the given (or all pending) articles; `progress` is told how many are done."""
        ids = list(ids) if ids is not None else self.pending()
        report = WeaveReport()
        idf: _Idf | None = None
        batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]

        def embed(batch_ids: list[str]) -> tuple[list[Article], Future[Vectors]]:
            articles = [self.store.get(i) for i in batch_ids]
            texts = [article_text(a.title, a.body) for a in articles]
            return articles, pool.submit(self.embedder.encode, texts)

        # The model runs outside the GIL: the next batch embeds while this one is woven.
        pool = ThreadPoolExecutor(max_workers=1)
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
                    idf = _Idf(self.store)
                    idf.floor = self.embedder.unrelated
                touched: set[str] = set()
                for article, vector in zip(batch, vectors, strict=True):
                    story_id = self._weave_one(article, vector, idf, report)
                    if story_id:
                        touched.add(story_id)
                    idf.n += 1
                self._refine(touched, idf, report)
                with self.store.transaction() as tx:
                    for story_id in touched:
                        if tx.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone():
                            self._describe(tx, story_id, idf)
                fill_stories(self.store, touched)
                if progress:
                    progress(len(batch))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self.index.save()
        return report

    # - one article -

    def _weave_one(
        self, article: Article, vector: Vectors, idf: _Idf, report: WeaveReport
    ) -> str | None:
        conn = self.store.conn
        if conn.execute(
            "SELECT 1 FROM story_members WHERE article_id = ?", (article.id,)
        ).fetchone():
            return None
        rowid = conn.execute("SELECT rowid FROM articles WHERE id = ?", (article.id,)).fetchone()[0]
        names, display = names_in(article.title, article.body)
        lead_text = " ".join(split_sentences(" ".join(article.body[:3]))[:LEAD_SENTENCES])
        lead = frozenset(names_in(None, [lead_text])[0]) & frozenset(names)
        signals = Signals(
            article_id=article.id,
            rowid=rowid,
            vector=vector,
            terms=dict(terms_in(article.title, article.body)),
            names=dict(names),
            display=display,
            day=_day(article),
            sentences=dedupe.sentence_sets(article.body),
            when=article.published or "",
            lead=lead,
        )
        sketch = dedupe.minhash(article.body)
        keys = dedupe.band_keys(sketch)
        neighbours = [(k, s) for k, s in self.index.search(vector, NEIGHBOURS) if k != rowid]

        idf.load(list(signals.terms) + ["@" + n for n in signals.names])
        copy = self._find_copy(signals, keys, neighbours)

        with self.store.transaction() as tx:
            self._write_signals(tx, signals, keys)
            if copy is not None:
                of_id, match = copy
                group, story_id = tx.execute(
                    "SELECT o.origin_group, m.story_id FROM origins o JOIN story_members m"
                    " ON m.article_id = o.article_id WHERE o.article_id = ?",
                    (of_id,),
                ).fetchone()
                tx.execute(
                    "INSERT INTO origins (article_id, origin_group, copy_of, kind, score) VALUES (?,?,?,?,?)",
                    (article.id, group, of_id, match.kind, round(match.contained, 3)),
                )
                report.copies += 1
                score = 1.0
                candidates: dict[str, float] = {}
            else:
                tx.execute(
                    "INSERT INTO origins (article_id, origin_group, copy_of, kind, score) VALUES (?,?,NULL,'original',NULL)",
                    (article.id, article.id),
                )
                profile = idf.profile(signals)
                candidates = self._score_stories(profile, neighbours, idf)
                best = max(candidates, key=lambda s: candidates[s], default=None)
                if best is not None and candidates[best] >= JOIN:
                    story_id, score = best, candidates[best]
                else:
                    story_id, score = article.id, 1.0
                    report.new_stories += 1
                    tx.execute(
                        "INSERT INTO stories (id, title, first_seen, last_updated, size, centroid, why)"
                        " VALUES (?, ?, ?, ?, 0, ?, '{}')",
                        (
                            story_id,
                            article.title,
                            signals.when,
                            signals.when,
                            np.zeros(vector.shape, dtype=np.float32).tobytes(),
                        ),
                    )
            tx.execute(
                "INSERT INTO story_members (article_id, story_id, score) VALUES (?, ?, ?)",
                (article.id, story_id, round(score, 4)),
            )
            self._grow(tx, story_id, signals)
            for other, other_score in candidates.items():
                if (
                    other != story_id
                    and other_score >= JOIN
                    and self._stories_close(story_id, other, idf)
                ):
                    story_id = self._merge(tx, story_id, other)
                    report.merged += 1
        self._signals[rowid] = signals
        self.index.add(rowid, vector)
        report.woven += 1
        return str(story_id)

    def _refine(self, story_ids: set[str], idf: _Idf, report: WeaveReport) -> None:
        """Split a story that grew into two events.

        Incremental joining is order-dependent: an early article can bridge two near-miss events.
        After each batch, every story it touched (if small enough to judge whole) is cut in two by
        average linkage; when the halves are less alike than an article must be to join a story,
        the half without the oldest article becomes a story of its own.
        """
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        conn = self.store.conn
        for story_id in sorted(story_ids):
            row = conn.execute("SELECT size FROM stories WHERE id = ?", (story_id,)).fetchone()
            if row is None or not (REFINE_MIN <= row[0] <= SAMPLE):
                continue
            members = self._sample(story_id)
            groups = dict(
                conn.execute(
                    "SELECT o.article_id, o.origin_group FROM origins o JOIN story_members m"
                    " ON m.article_id = o.article_id WHERE m.story_id = ?",
                    (story_id,),
                ).fetchall()
            )
            profiles = [idf.profile(m) for m in members]
            n = len(members)
            sim = np.ones((n, n))
            for i in range(n):
                for j in range(i + 1, n):
                    if groups.get(members[i].article_id) == groups.get(members[j].article_id):
                        value = 1.0
                    else:
                        value = profiles[i].similarity(profiles[j]) * (
                            1.0 - CONFLICT * pair_conflict(members[i], members[j], idf)
                        )
                    sim[i, j] = sim[j, i] = value
            distance = np.clip(1.0 - sim, 0.0, None)
            np.fill_diagonal(distance, 0.0)
            labels = fcluster(linkage(squareform(distance, checks=False), "average"), 2, "maxclust")
            left = labels == labels[int(np.argmin([m.rowid for m in members]))]
            right = ~left
            if right.sum() < 2 or left.sum() < 2:
                continue
            cross = float(sim[np.ix_(left, right)].mean())
            within = min(_mean_within(sim, left), _mean_within(sim, right))
            if cross >= JOIN - SPLIT_MARGIN and cross >= SPLIT_RATIO * within:
                continue
            moved = [m for m, r in zip(members, right, strict=True) if r]
            self._split(story_id, moved, idf)
            report.new_stories += 1

    def _split(self, story_id: str, moved: list[Signals], idf: _Idf) -> None:
        with self.store.transaction() as tx:
            # A story is named after its first article, unless that name is taken (by a story it
            # was merged into, or whose old id still redirects).
            taken = {
                r[0]
                for r in tx.execute("SELECT id FROM stories UNION SELECT old_id FROM story_merges")
            }
            ordered = sorted(moved, key=lambda m: m.rowid)
            new_id = next((m.article_id for m in ordered if m.article_id not in taken), None)
            if new_id is None:
                new_id = hashlib.sha256(("split:" + ordered[0].article_id).encode()).hexdigest()[
                    :16
                ]
            tx.execute(
                "INSERT INTO stories (id, title, first_seen, last_updated, size, centroid, why)"
                " VALUES (?, NULL, '', '', 0, ?, '{}')",
                (new_id, np.zeros(moved[0].vector.shape, dtype=np.float32).tobytes()),
            )
            marks = ",".join("?" * len(moved))
            tx.execute(
                f"UPDATE story_members SET story_id = ? WHERE article_id IN ({marks})",
                [new_id, *[m.article_id for m in moved]],
            )
            for sid in (story_id, new_id):
                self._recompute(tx, sid)
                self._describe(tx, sid, idf)

    def _recompute(self, tx: Any, story_id: str) -> None:
        rows = tx.execute(
            "SELECT s.vector, a.published FROM story_members m"
            " JOIN articles a ON a.id = m.article_id JOIN article_signals s ON s.article_id = a.id"
            " WHERE m.story_id = ?",
            (story_id,),
        ).fetchall()
        centroid = np.sum(
            [np.frombuffer(r[0], dtype=np.float16).astype(np.float32) for r in rows], axis=0
        )
        times = sorted(r[1] for r in rows if r[1])
        tx.execute(
            "UPDATE stories SET centroid = ?, size = ?, first_seen = ?, last_updated = ? WHERE id = ?",
            (
                centroid.astype(np.float32).tobytes(),
                len(rows),
                times[0] if times else "",
                times[-1] if times else "",
                story_id,
            ),
        )

    def _find_copy(
        self, signals: Signals, keys: list[tuple[int, int]], neighbours: list[tuple[int, float]]
    ) -> tuple[str, dedupe.Match] | None:
        conn = self.store.conn
        candidates: list[str] = []
        for band, key in keys:
            candidates += [
                r[0]
                for r in conn.execute(
                    "SELECT article_id FROM lsh_buckets WHERE band = ? AND key = ?", (band, key)
                )
            ]
        floor = self.embedder.unrelated
        close = [k for k, s in neighbours if calibrate(s, floor) >= REWRITE_COSINE]
        if close:
            marks = ",".join("?" * len(close))
            candidates += [
                r[0]
                for r in conn.execute(f"SELECT id FROM articles WHERE rowid IN ({marks})", close)
            ]
        best: tuple[str, dedupe.Match] | None = None
        for other_id in dict.fromkeys(candidates):
            if other_id == signals.article_id:
                continue
            other = self._load_signals_by_id(other_id)
            if other is None:
                continue
            match = dedupe.align(signals.sentences, other.sentences)
            if match and (best is None or match.contained > best[1].contained):
                best = (other_id, match)
        return best

    def _score_stories(
        self, profile: _Profile, neighbours: list[tuple[int, float]], idf: _Idf
    ) -> dict[str, float]:
        floor = self.embedder.unrelated
        close = [(k, calibrate(c, floor)) for k, c in neighbours]
        close = [(k, c) for k, c in close if c >= MIN_COSINE]
        if not close:
            return {}
        marks = ",".join("?" * len(close))
        story_of = dict(
            self.store.conn.execute(
                f"SELECT a.rowid, m.story_id FROM articles a JOIN story_members m ON m.article_id = a.id WHERE a.rowid IN ({marks})",
                [k for k, _ in close],
            ).fetchall()
        )
        best: dict[str, float] = {}
        for key, cosine in close:
            story = story_of.get(key)
            if story is not None and cosine > best.get(story, -1.0):
                best[story] = cosine
        # Only the stories whose closest article is among the closest few are worth scoring.
        stories = sorted(best, key=lambda s: -best[s])[:MAX_CANDIDATES]
        samples = {story_id: self._sample(story_id) for story_id in stories}
        scores: dict[str, float] = {}
        for story_id, members in samples.items():
            if not members:
                continue
            sims = [profile.similarity(idf.profile(m)) for m in members]
            span = self._span(members)
            scores[story_id] = (
                float(np.mean(sims))
                * time_factor(profile.signals.day, span)
                * (1.0 - CONFLICT * conflict(profile.signals, members, idf))
            )
        return scores

    def _stories_close(self, a: str, b: str, idf: _Idf) -> bool:
        """Average linkage between two whole stories (their recent members), time included."""
        left_members, right_members = self._sample(a), self._sample(b)
        if not left_members or not right_members:
            return False
        left = [idf.profile(m) for m in left_members]
        right = [idf.profile(m) for m in right_members]
        mean = float(np.mean([x.similarity(y) for x in left for y in right]))
        span_a, span_b = self._span(left_members), self._span(right_members)
        factor = time_factor(span_a[0], span_b) if span_a and span_b else 1.0
        penalty = 1.0 - CONFLICT * stories_conflict(left_members, right_members, idf)
        cross = mean * factor * penalty
        if cross < JOIN + MERGE_MARGIN:
            return False
        # The test `_refine` splits by: two stories much tighter inside than across stay apart.
        return cross >= SPLIT_RATIO * min(_within(left), _within(right))

    @staticmethod
    def _span(members: list[Signals]) -> tuple[str, str] | None:
        days = sorted(m.day for m in members if m.day)
        return (days[0], days[-1]) if days else None

    def _sample(self, story_id: str) -> list[Signals]:
        rows = self.store.conn.execute(
            "SELECT a.rowid FROM story_members m JOIN articles a ON a.id = m.article_id"
            " WHERE m.story_id = ? ORDER BY a.rowid DESC LIMIT ?",
            (story_id, SAMPLE),
        ).fetchall()
        out = []
        for (rowid,) in rows:
            signals = self._load_signals(rowid)
            if signals is not None:
                out.append(signals)
        return out

    def _load_signals_by_id(self, article_id: str) -> Signals | None:
        row = self.store.conn.execute(
            "SELECT rowid FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return self._load_signals(row[0]) if row else None

    def _load_signals(self, rowid: int) -> Signals | None:
        if rowid in self._signals:
            return self._signals[rowid]
        row = self.store.conn.execute(
            "SELECT s.*, a.published, a.added FROM article_signals s JOIN articles a ON a.id = s.article_id WHERE a.rowid = ?",
            (rowid,),
        ).fetchone()
        if row is None:
            return None
        names = json.loads(row["names"])
        signals = Signals(
            article_id=row["article_id"],
            rowid=rowid,
            vector=np.frombuffer(row["vector"], dtype=np.float16).astype(np.float32),
            terms=json.loads(row["terms"]),
            names={k: v[0] for k, v in names.items()},
            display={k: v[1] for k, v in names.items()},
            lead=frozenset(k for k, v in names.items() if v[2]),
            day=row["day"],
            sentences=json.loads(row["sentences"]),
            when=row["published"] or "",
        )
        if len(self._signals) > 20000:
            self._signals.clear()
        self._signals[rowid] = signals
        return signals

    # - writes -

    def _write_signals(self, tx: Any, signals: Signals, keys: list[tuple[int, int]]) -> None:
        names = {
            k: [c, signals.display.get(k, k), int(k in signals.lead)]
            for k, c in signals.names.items()
        }
        tx.execute(
            "INSERT INTO article_signals (article_id, model, vector, terms, names, day, sentences) VALUES (?,?,?,?,?,?,?)",
            (
                signals.article_id, self.embedder.name, signals.vector.astype(np.float16).tobytes(),
                json.dumps(signals.terms), json.dumps(names), signals.day, json.dumps(signals.sentences),
            ),
        )  # fmt: skip
        tx.executemany(
            "INSERT INTO term_df (term, df) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = df + 1",
            [(t,) for t in signals.terms] + [("@" + n,) for n in signals.names],
        )
        tx.executemany(
            "INSERT OR IGNORE INTO lsh_buckets (band, key, article_id) VALUES (?, ?, ?)",
            [(band, key, signals.article_id) for band, key in keys],
        )

    def _grow(self, tx: Any, story_id: str, signals: Signals) -> None:
        row = tx.execute(
            "SELECT centroid, first_seen, last_updated FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        centroid = np.frombuffer(row["centroid"], dtype=np.float32) + signals.vector
        when = signals.when
        first = (
            min(row["first_seen"], when)
            if when and row["first_seen"]
            else (row["first_seen"] or when)
        )
        last = max(row["last_updated"], when) if when else row["last_updated"]
        tx.execute(
            "UPDATE stories SET centroid = ?, size = size + 1, first_seen = ?, last_updated = ? WHERE id = ?",
            (centroid.astype(np.float32).tobytes(), first, last, story_id),
        )

    def _merge(self, tx: Any, keep: str, other: str) -> str:
        """Merge two stories; the older (first seen) keeps its id, the other id is remembered."""
        rows = {
            r["id"]: r
            for r in tx.execute("SELECT * FROM stories WHERE id IN (?, ?)", (keep, other))
        }
        a, b = rows[keep], rows[other]
        if (b["first_seen"], b["id"]) < (a["first_seen"], a["id"]):
            keep, other, a, b = other, keep, b, a
        centroid = np.frombuffer(a["centroid"], dtype=np.float32) + np.frombuffer(
            b["centroid"], dtype=np.float32
        )
        tx.execute(
            "UPDATE stories SET centroid = ?, size = ?, first_seen = ?, last_updated = ? WHERE id = ?",
            (centroid.tobytes(), a["size"] + b["size"], min(a["first_seen"], b["first_seen"]),
             max(a["last_updated"], b["last_updated"]), keep),
        )  # fmt: skip
        tx.execute("UPDATE story_members SET story_id = ? WHERE story_id = ?", (keep, other))
        tx.execute("DELETE FROM stories WHERE id = ?", (other,))
        tx.execute("UPDATE story_merges SET new_id = ? WHERE new_id = ?", (keep, other))
        tx.execute(
            "INSERT OR REPLACE INTO story_merges (old_id, new_id, at) VALUES (?, ?, datetime('now'))",
            (other, keep),
        )
        return keep

    def _describe(self, tx: Any, story_id: str, idf: _Idf) -> None:
        """Title (the member nearest the centroid) and why the members belong together."""
        members = self._sample(story_id)
        row = tx.execute("SELECT centroid FROM stories WHERE id = ?", (story_id,)).fetchone()
        centroid = np.frombuffer(row["centroid"], dtype=np.float32)
        central = max(members, key=lambda m: float(m.vector @ centroid)) if members else None
        title = None
        if central is not None:
            found = tx.execute(
                "SELECT title FROM articles WHERE id = ?", (central.article_id,)
            ).fetchone()
            title = found[0] if found else None
        why = explain(members, idf)
        tx.execute(
            "UPDATE stories SET title = coalesce(?, title), why = ? WHERE id = ?",
            (title, json.dumps(why), story_id),
        )


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


# -- reading stories ---------------------------------------------------------------------------


def resolve_story(store: Store, story_id: str) -> str:
    """A story id from a prefix, an old id of a merged story, or the id of one of its articles."""
    from newsweave.errors import NotFoundError

    key = story_id.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{1,16}", key):
        raise NotFoundError(f"{story_id!r}: not a story id (ids are hex digits)")
    merged = store.conn.execute(
        "SELECT new_id FROM story_merges WHERE old_id = ?", (key,)
    ).fetchone()
    if merged:
        return str(merged[0])
    rows = store.conn.execute(
        "SELECT id FROM stories WHERE id >= ? AND id < ? ORDER BY id LIMIT 2", (key, key + "g")
    ).fetchall()
    if len(rows) == 1:
        return str(rows[0][0])
    if len(rows) > 1:
        raise NotFoundError(f"{story_id}: several stories start with this id; give more digits")
    try:
        article_id = store.resolve_id(key)
    except NotFoundError:
        raise NotFoundError(f"{story_id}: no story with this id") from None
    row = store.conn.execute(
        "SELECT story_id FROM story_members WHERE article_id = ?", (article_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(
            f"{story_id}: this article is not woven into a story yet (run `newsweave weave`)"
        )
    return str(row[0])


def get_story(store: Store, story_id: str) -> Story:
    full = resolve_story(store, story_id)
    row = store.conn.execute("SELECT * FROM stories WHERE id = ?", (full,)).fetchone()
    members = store.conn.execute(
        "SELECT a.id, a.source, o.origin_group FROM story_members m JOIN articles a ON a.id = m.article_id"
        " LEFT JOIN origins o ON o.article_id = a.id WHERE m.story_id = ?"
        " ORDER BY coalesce(a.published, a.added), a.rowid",
        (full,),
    ).fetchall()
    why = json.loads(row["why"] or "{}")
    sources = list(dict.fromkeys(m["source"] for m in members if m["source"]))
    first, last = row["first_seen"], row["last_updated"]
    if not first:
        # No article carries a published date: the story is as old as its articles are here.
        first, last = store.conn.execute(
            "SELECT min(a.added), max(a.added) FROM story_members m JOIN articles a"
            " ON a.id = m.article_id WHERE m.story_id = ?",
            (full,),
        ).fetchone()
    return Story(
        id=full,
        title=row["title"],
        articles=[m["id"] for m in members],
        sources=sources,
        independent_origins=len({m["origin_group"] or m["id"] for m in members}),
        first_seen=first,
        last_updated=last,
        why=why.get("text", ""),
        shared_names=why.get("names", []),
        shared_terms=why.get("terms", []),
    )


def list_stories(store: Store, limit: int | None = None) -> list[Story]:
    rows = store.conn.execute(
        "SELECT id FROM stories ORDER BY last_updated DESC, size DESC, id LIMIT ?",
        (limit if limit is not None else -1,),
    ).fetchall()
    return [get_story(store, r[0]) for r in rows]


@dataclass(frozen=True)
class Origin:
    story: str | None
    origin_group: str | None
    copy_of: str | None
    kind: str | None


def origin_of(store: Store, article_id: str) -> Origin:
    row = store.conn.execute(
        "SELECT m.story_id, o.origin_group, o.copy_of, o.kind FROM articles a"
        " LEFT JOIN story_members m ON m.article_id = a.id LEFT JOIN origins o ON o.article_id = a.id"
        " WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        return Origin(None, None, None, None)
    return Origin(row[0], row[1], row[2], row[3])


def similar(store: Store, article_id: str, limit: int = 5) -> list[SimilarArticle]:
    """Nearest articles by embedding, nudged towards the same time, leaving out copies of this one.

    Falls back to the store's lexical similarity for an article not yet woven.
    """
    full = store.resolve_id(article_id)
    row = store.conn.execute(
        "SELECT s.vector, s.day, o.origin_group, s.model FROM article_signals s LEFT JOIN origins o"
        " ON o.article_id = s.article_id WHERE s.article_id = ?",
        (full,),
    ).fetchone()
    if row is None:
        return store.similar(full, limit)
    from usearch.index import Index

    vector = np.frombuffer(row[0], dtype=np.float16).astype(np.float32)
    cache = vector_cache_path(store)
    hits: list[tuple[int, float]] = []
    if cache.exists():
        try:
            index = Index.restore(str(cache), view=True)
            if index is None:
                raise ValueError("unreadable vector cache")
            matches = index.search(vector, min(limit * 4 + 10, len(index)))
            hits = [
                (int(k), 1.0 - float(d))
                for k, d in zip(matches.keys, matches.distances, strict=True)
            ]
        except Exception:
            hits = []
    if not hits:
        return store.similar(full, limit)
    marks = ",".join("?" * len(hits))
    rows = store.conn.execute(
        "SELECT a.rowid, a.id, a.title, s.day, o.origin_group FROM articles a"
        " JOIN article_signals s ON s.article_id = a.id LEFT JOIN origins o ON o.article_id = a.id"
        f" WHERE a.rowid IN ({marks})",
        [k for k, _ in hits],
    ).fetchall()
    info = {r[0]: r for r in rows}
    out: list[SimilarArticle] = []
    for key, score in hits:
        r = info.get(key)
        if r is None or r[1] == full or (row[2] and r[4] == row[2]):
            continue
        recency = 1.0
        if row[1] and r[3]:
            recency = 0.85 + 0.15 * math.exp(-_days_between(row[1], r[3]) / 30)
        score = calibrate(score, getattr(MODELS.get(row[3]), "unrelated", 0.0))
        out.append(SimilarArticle(r[1], r[2], round(score * recency, 3)))
    out.sort(key=lambda s: -s.score)
    return out[:limit]
