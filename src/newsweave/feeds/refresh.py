"""Refreshing subscriptions: fetch the feeds that are due, store their new entries through the
pipeline, weave them into stories.

One refresh per store at a time: `refresh` holds the store's "refresh" lease (renewed while it
works) and a second one fails at once with `LeaseBusy`. The network part runs on an asyncio loop
(`Fetcher`: a few requests at a time, one per host); parsing and cleaning run on one worker
thread so the loop keeps fetching meanwhile; every store write happens on the loop's thread,
each entry (its article and its feed-entry row) in one transaction.

For a server, `refresh_forever(db_path, stop)` is the background loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import feedparser

from newsweave.errors import FetchError, IngestError, NewsweaveError, StoreError
from newsweave.feeds.fetcher import Fetcher, HTTPStatusError, Response, Stopped
from newsweave.feeds.upstream import (
    WeaveReport,
    build_article,
    content_id,
    decode,
    entry_date,
    feed_entry_article,
    html_article,
    now_iso,
    sniff_feed,
    weave_pending,
)
from newsweave.models import Article, RawArticle
from newsweave.settings import FetchOptions, IngestOptions
from newsweave.store import Lease, LeaseBusy, Store
from newsweave.store import feeds as db
from newsweave.store.feeds import Feed

if TYPE_CHECKING:
    from newsweave.cluster import Cluster

log = logging.getLogger(__name__)

EVERY_ENV = "NEWSWEAVE_REFRESH_EVERY"
Status = Literal["updated", "not_modified", "error", "disabled"]

_PERIODS = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400}
_PERIODS["yearly"] = 365 * 86400
_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<body")


@dataclass(frozen=True)
class RefreshOptions:
    """How feeds are refreshed. `default_every` applies to feeds with no interval of their own
    and none given at subscribe time."""

    fetch: FetchOptions = field(default_factory=FetchOptions)
    default_every: int = 30 * 60
    concurrency: int = 8
    max_backoff: int = 24 * 3600
    lease_ttl: float = 120.0

    @classmethod
    def from_env(cls, allow_private: bool = False, timeout: float | None = None) -> RefreshOptions:
        """Defaults, then $NEWSWEAVE_REFRESH_EVERY (a duration: 30m, 2h) and
        $NEWSWEAVE_ALLOW_PRIVATE, then the flags given."""
        from newsweave.feeds.discover import parse_every

        env = FetchOptions.from_env()
        fetch = FetchOptions(
            allow_private=allow_private or env.allow_private,
            timeout=timeout if timeout is not None else env.timeout,
        )
        every = os.environ.get(EVERY_ENV)
        try:
            default = parse_every(every) if every else 30 * 60
        except IngestError as exc:
            raise NewsweaveError(f"${EVERY_ENV}={every}: {exc.problem}") from None
        return cls(fetch=fetch, default_every=default)


@dataclass(frozen=True)
class FeedResult:
    """One feed's outcome. `new` counts articles stored; `entry_errors` the entries that gave
    no article (or fell back to the feed's summary when --full-text could not fetch the page)."""

    feed: int
    url: str
    title: str | None
    status: Status
    new: int = 0
    error: str | None = None
    entry_errors: tuple[str, ...] = ()


@dataclass
class RefreshReport:
    feeds: list[FeedResult] = field(default_factory=list)
    woven: WeaveReport = field(default_factory=WeaveReport)

    def count(self, status: Status) -> int:
        return sum(r.status == status for r in self.feeds)

    @property
    def new(self) -> int:
        return sum(r.new for r in self.feeds)


class Progress:
    """Told what a refresh is doing; the defaults do nothing."""

    def feeds_started(self, total: int) -> None:
        pass

    def feed_done(self, result: FeedResult) -> None:
        pass

    def weave_started(self, total: int) -> None:
        pass

    def weave_advanced(self, count: int) -> None:
        pass


# -- scheduling --------------------------------------------------------------------------------


def interval_of(feed: Feed, opts: RefreshOptions) -> int:
    """The feed's own <ttl>/sy:updatePeriod, else the subscription's --every, else the default."""
    return feed.feed_interval or feed.every or opts.default_every


def backoff(feed: Feed, opts: RefreshOptions) -> int:
    """After the n-th failure in a row, wait the interval times 2^(n-1), capped."""
    return int(
        min(interval_of(feed, opts) * 2 ** min(feed.consecutive_errors, 20), opts.max_backoff)
    )


def feed_interval(parsed: Any) -> int | None:
    """Seconds between updates a feed asks for: RSS <ttl> (minutes) or sy:updatePeriod /
    sy:updateFrequency; None when it says nothing usable."""
    meta = parsed.feed
    ttl = str(meta.get("ttl") or "").strip()
    if ttl.isdigit() and int(ttl) > 0:
        return max(60, int(ttl) * 60)
    period = _PERIODS.get(str(meta.get("sy_updateperiod") or "").strip().lower())
    if period:
        frequency = str(meta.get("sy_updatefrequency") or "1").strip()
        times = int(frequency) if frequency.isdigit() and int(frequency) > 0 else 1
        return max(60, period // times)
    return None


def select_feeds(store: Store, names: Sequence[str], now: float) -> list[Feed]:
    """The named feeds (by id or URL; each once), else every feed that is due."""
    if not names:
        return db.due_feeds(store, now)
    chosen: dict[int, Feed] = {}
    for name in names:
        feed = db.get_feed(store, name)
        chosen.setdefault(feed.id, feed)
    return list(chosen.values())


# -- the refresh ---------------------------------------------------------------------------------


def refresh(
    store: Store,
    names: Sequence[str] = (),
    opts: RefreshOptions | None = None,
    progress: Progress | None = None,
    *,
    now: float | None = None,
    weave: bool = True,
    should_stop: Callable[[], bool] | None = None,
    cluster: Cluster | None = None,
) -> RefreshReport:
    """Refresh the named feeds (ids or URLs), else those due at `now` (default: the clock),
    then weave what they brought. Raises LeaseBusy at once if another refresh holds the store.
    With a Ray `cluster`, each entry's stages 2–4 and the embedding run there (cluster.py).

    Runs its own event loop: call it from a thread with none running (a server uses
    `refresh_forever`).
    """
    opts = opts or RefreshOptions()
    progress = progress or Progress()
    with store.lease("refresh", ttl=opts.lease_ttl, wait=0) as lease:
        feeds = select_feeds(store, names, time.time() if now is None else now)
        progress.feeds_started(len(feeds))
        report = RefreshReport()
        if feeds:
            job = _Job(store, opts, lease, progress, now, should_stop or (lambda: False))
            job.cluster = cluster
            report.feeds = asyncio.run(job.run(feeds))
        if weave and not (should_stop and should_stop()):
            report.woven = _weave(store, lease, progress, cluster)
    return report


def _weave(
    store: Store, lease: Lease, progress: Progress, cluster: Cluster | None = None
) -> WeaveReport:
    """Weave every article not yet in a story (this refresh's, and any a crash left behind),
    as `add` does: under the store's weave lease, keeping this refresh's lease alive."""
    if not db.any_unwoven(store):
        return WeaveReport()  # without loading the embedding model
    renewed = time.monotonic()

    @contextlib.contextmanager
    def track(_description: str, total: int | None) -> Iterator[Callable[[int, str], None]]:
        progress.weave_started(total or 0)

        def advance(count: int, _note: str) -> None:
            nonlocal renewed
            progress.weave_advanced(count)
            if time.monotonic() - renewed > lease.ttl / 4:
                lease.renew()
                renewed = time.monotonic()

        yield advance

    return weave_pending(store, track, cluster=cluster)


class _Job:
    def __init__(
        self,
        store: Store,
        opts: RefreshOptions,
        lease: Lease,
        progress: Progress,
        now: float | None,
        should_stop: Callable[[], bool],
    ) -> None:
        self.store = store
        self.opts = opts
        self.lease = lease
        self.progress = progress
        self.fixed_now = now
        self.lost: StoreError | None = None
        self.asked_to_stop = should_stop
        self.ingest_opts = IngestOptions(fetch=opts.fetch)
        self.cluster: Cluster | None = None

    def should_stop(self) -> bool:
        return self.lost is not None or self.asked_to_stop()

    def now(self) -> float:
        return time.time() if self.fixed_now is None else self.fixed_now

    async def run(self, feeds: list[Feed]) -> list[FeedResult]:
        renewer = asyncio.create_task(self._renew())
        # Parsing and cleaning are pure CPU: one thread keeps them off the loop, and keeps
        # parsers and stages that load things lazily from ever running twice at once.
        self.builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsweave-clean")
        # With Ray, building articles runs as cluster tasks; feed parsing stays on the thread.
        self.stages = self.cluster.executor() if self.cluster else self.builder
        try:
            fetcher = Fetcher(self.opts.fetch, self.opts.concurrency, self.should_stop)
            async with fetcher:
                self.fetcher = fetcher
                # Feeds are fetched and built at once but store their entries in the order
                # given, each after the one before it: stored order (and so which of two
                # copies is the original) then never depends on which fetch or build finished
                # first, locally or on a cluster.
                self.may_store = [asyncio.Event() for _ in feeds]
                if feeds:
                    self.may_store[0].set()
                done = await asyncio.gather(*(self._guarded(i, f) for i, f in enumerate(feeds)))
        finally:
            renewer.cancel()
            self.builder.shutdown(wait=True)
        if self.lost is not None:
            raise self.lost
        return [r for r in done if r is not None]

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.lease.ttl / 4)
            try:
                self.lease.renew()
            except StoreError as exc:  # taken over: stop before two refreshes write at once
                self.lost = exc
                return

    async def _guarded(self, index: int, feed: Feed) -> FeedResult | None:
        try:
            return await self._guarded_feed(index, feed)
        finally:
            # The next feed may store, whatever became of this one.
            if index + 1 < len(self.may_store):
                self.may_store[index + 1].set()

    async def _guarded_feed(self, index: int, feed: Feed) -> FeedResult | None:
        if self.should_stop():
            return None
        try:
            result = await self._feed(index, feed)
        except Stopped:
            return None  # not fetched (or not finished: its validators are not kept)
        except Exception as exc:  # one feed's bug must not end the batch or show a traceback
            log.exception("refresh of %s failed", feed.url)
            message = f"{feed.url}: could not be refreshed ({type(exc).__name__}: {exc})"
            try:
                result = self._error(feed, message)
            except Exception:  # the store itself failed: report, keep going
                log.exception("could not record the failure of %s", feed.url)
                result = FeedResult(feed.id, feed.url, feed.title, "error", error=message)
        self.progress.feed_done(result)
        return result

    # - one feed -

    async def _feed(self, index: int, feed: Feed) -> FeedResult:
        if feed.disabled:
            return FeedResult(
                feed.id, feed.url, feed.title, "disabled",
                error=feed.last_error or "disabled; subscribe again to re-enable",
            )  # fmt: skip
        try:
            response = await self.fetcher.get(feed.url, feed.etag, feed.last_modified)
        except HTTPStatusError as exc:
            if exc.status == 410:
                return self._error(
                    feed, f"{feed.url}: gone (HTTP 410); disabled, subscribe again to re-enable",
                    disable=True,
                )  # fmt: skip
            delay = None
            if exc.status in {429, 503} and exc.retry_after is not None:
                delay = min(max(exc.retry_after, 1.0), self.opts.max_backoff)
            return self._error(feed, str(exc), delay=delay)
        except FetchError as exc:
            return self._error(feed, str(exc))
        moved = self._moved(feed, response)
        if response.status == 304:
            db.record_fetched(
                self.store, feed.id, at=now_iso(), status="not_modified", url=moved,
                next_due=self.now() + interval_of(feed, self.opts),
            )  # fmt: skip
            return FeedResult(feed.id, moved or feed.url, feed.title, "not_modified")
        loop = asyncio.get_running_loop()
        parsed = await loop.run_in_executor(self.builder, feedparser.parse, response.data)
        problem = _not_a_feed(response, parsed)
        if problem:
            return self._error(feed, f"{feed.url}: {problem}", moved=moved)
        title = (parsed.feed.get("title") or "").strip() or None
        new, errors, complete = await self._entries(index, feed, parsed, title)
        if parsed.get("bozo") and not isinstance(
            parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride
        ):
            # feedparser reads what it can of a broken document; those entries are kept.
            detail = str(parsed.get("bozo_exception", "")).split("\n")[0] or "XML error"
            errors.insert(0, f"{feed.url}: not well-formed ({detail}); kept the entries read")
        own_interval = feed_interval(parsed)
        scheduled = replace(feed, feed_interval=own_interval)
        # Validators are kept only once every entry is dealt with: an entry to try again
        # needs the whole document next time, not a 304.
        db.record_fetched(
            self.store, feed.id, at=now_iso(), status="updated", url=moved, title=title,
            site=parsed.feed.get("link") or None, etag=response.etag if complete else None,
            last_modified=response.last_modified if complete else None,
            feed_interval=own_interval,
            next_due=self.now() + interval_of(scheduled, self.opts),
        )  # fmt: skip
        return FeedResult(
            feed.id, moved or feed.url, title or feed.title, "updated", new, None, tuple(errors)
        )

    def _moved(self, feed: Feed, response: Response) -> str | None:
        """The new URL after a permanent redirect, unless another subscription already has it."""
        target = response.moved_to
        if not target or target == feed.url:
            return None
        if db.url_taken(self.store, target, feed.id):
            log.warning("%s moved to %s, which is already a subscription", feed.url, target)
            return None
        return target

    def _error(
        self,
        feed: Feed,
        error: str,
        *,
        delay: float | None = None,
        disable: bool = False,
        moved: str | None = None,
    ) -> FeedResult:
        wait = delay if delay is not None else backoff(feed, self.opts)
        db.record_error(
            self.store, feed.id, at=now_iso(), error=error, next_due=self.now() + wait,
            disable=disable, url=moved,
        )  # fmt: skip
        status: Status = "disabled" if disable else "error"
        return FeedResult(feed.id, moved or feed.url, feed.title, status, error=error)

    # - entries -

    async def _entries(
        self, index: int, feed: Feed, parsed: Any, title: str | None
    ) -> tuple[int, list[str], bool]:
        """Store the entries not seen before: (articles added, problems, whether every entry
        was dealt with — False when a page to fetch failed and the entry had no text, so the
        entry is not recorded and the next refresh tries it again).

        Entries are read and built at once, but stored only once the feed before this one has
        stored its own (see `run`); from then on each is stored as soon as it is built."""
        keyed = [(_entry_key(e), e) for e in parsed.entries]
        seen = db.seen_keys(self.store, feed.id, [k for k, _ in keyed if k])
        errors: list[str] = []
        complete = True
        taken: set[str] = set()
        # (key, the entry's link if it is to be looked up among stored articles, the article
        # built from it or None for an entry with no text), waiting for this feed's turn
        ready: list[tuple[str, str | None, Article | None]] = []
        new = 0

        def store_ready() -> None:
            nonlocal new
            for key, link, article in ready:
                # Looked up now: an earlier feed of this refresh may have stored the page.
                stored = db.article_with_url(self.store, link) if link else None
                if stored:
                    db.link_entry(self.store, feed.id, key, stored, now_iso())
                    continue
                if article is not None:
                    article.details.added = now_iso()
                if db.add_entry(self.store, feed.id, key, article, now_iso()) == "added":
                    new += 1
            ready.clear()

        # Feeds list the newest first; storing the oldest first keeps the store in time order.
        for position, (key, entry) in reversed(list(enumerate(keyed))):
            if key and (key in seen or key in taken):
                continue  # already stored, or a duplicate guid within this document
            link = entry.get("link")
            lookup = link if key else None  # an entry with its own key may name a stored page
            if key:
                taken.add(key)
                if link and db.article_with_url(self.store, link):
                    ready.append((key, link, None))
                    continue
            origin = link or f"{feed.url}#{entry.get('id') or position + 1}"
            raw, problem, retry = await self._raw(feed, entry, origin, title)
            if problem:
                errors.append(problem)
            if raw is None:
                if retry:
                    complete = False
                else:  # no text at all: recorded, so it is not read again
                    ready.append((key or f"origin:{origin}", None, None))
                continue
            if not key:
                key = f"id:{content_id(raw.title, raw.text)}"
                if key in taken or db.seen_keys(self.store, feed.id, [key]):
                    continue
                taken.add(key)
            article, problem = await self._build(raw)
            if problem:
                errors.append(problem)
            ready.append((key, lookup, article))
            # Once the feed before has stored its entries, each one is stored as it is built,
            # so a refresh killed half way keeps what it had read.
            if self.may_store[index].is_set():
                store_ready()
        await self.may_store[index].wait()
        store_ready()
        return new, errors, complete

    async def _raw(
        self, feed: Feed, entry: Any, origin: str, title: str | None
    ) -> tuple[RawArticle | None, str | None, bool]:
        """The entry as a raw article: its linked page with --full-text, else the feed's text.
        A page that cannot be fetched falls back to the feed's text, noted as a problem; with
        no text to fall back on, the entry is to be tried again (the third value)."""
        problem = None
        link = entry.get("link")
        if feed.full_text and link:
            try:
                page = await self.fetcher.get(link)
                raw = html_article(decode(page.data, link), origin, url=page.url)
                raw.title = raw.title or entry.get("title")
                raw.source = title or raw.source
                raw.published = raw.published or entry_date(entry)
                raw.details.external_id = entry.get("id")
                return raw, None, False
            except FetchError as exc:
                problem = f"{exc} (kept the feed's text)"
            except IngestError as exc:
                problem = f"{exc} (kept the feed's text)"
        try:
            return feed_entry_article(entry, origin, title, self.ingest_opts), problem, False
        except IngestError as exc:
            if problem:
                return (
                    None,
                    problem.replace("(kept the feed's text)", "(tried again next time)"),
                    True,
                )
            return None, str(exc), False

    async def _build(self, raw: RawArticle) -> tuple[Article | None, str | None]:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.stages, build_article, raw), None
        except IngestError as exc:
            return None, str(exc)
        except Exception as exc:  # a cleaning bug on odd input must not end the feed
            log.exception("failed on %s", raw.origin)
            return None, f"{raw.origin}: could not be processed ({type(exc).__name__}: {exc})"


def _entry_key(entry: Any) -> str | None:
    guid = (entry.get("id") or "").strip()
    if guid:
        return f"guid:{guid}"
    link = (entry.get("link") or "").strip()
    return f"link:{link}" if link else None


def _not_a_feed(response: Response, parsed: Any) -> str | None:
    if parsed.entries:
        return None
    head = response.data[:512].lstrip().lower()
    if not sniff_feed(response.data) and (
        head.startswith(_HTML_START) or "html" in response.content_type
    ):
        return "not an RSS/Atom feed (the server sent an HTML page)"
    if parsed.get("bozo"):
        detail = str(parsed.get("bozo_exception", "")).split("\n")[0]
        return f"not an RSS/Atom feed ({detail or 'XML error'})"
    return "feed has no entries"


# -- in the background ---------------------------------------------------------------------------


def refresh_due(
    db_path: str | Path,
    opts: RefreshOptions | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[RefreshReport | None, float | None]:
    """One round of the background loop: refresh what is due in the store at `db_path` (its own
    connection, so it can run in any thread). Returns the report (None if another refresh held
    the store) and when the next feed falls due (Unix seconds, None without feeds)."""
    with Store.open(db_path) as store:
        try:
            report: RefreshReport | None = refresh(store, opts=opts, should_stop=should_stop)
        except LeaseBusy as exc:
            log.info("skipped a refresh round: %s", exc)
            report = None
        return report, db.next_due(store)


async def refresh_forever(
    db_path: str | Path,
    stop: asyncio.Event,
    opts: RefreshOptions | None = None,
    poll: float = 60.0,
    on_report: Callable[[RefreshReport], None] | None = None,
) -> None:
    """Keep the store's feeds current until `stop` is set: the loop `newsweave serve` runs.

    Each round runs `refresh_due` in a worker thread (fetching, cleaning and weaving never block
    the caller's event loop), then sleeps until the next feed is due, at most `poll` seconds,
    waking at once when `stop` is set. A round in progress finishes the feed it is on and
    skips the rest (and the weaving) once `stop` is set. Rounds that find another refresh
    running (cron, the CLI) are skipped; errors are logged, never raised.

        stop = asyncio.Event()
        task = asyncio.create_task(refresh_forever(db_path, stop))
        ...
        stop.set(); await task
    """
    while not stop.is_set():
        wait = poll
        try:
            report, due = await asyncio.to_thread(refresh_due, db_path, opts, stop.is_set)
            if report is not None and on_report is not None:
                on_report(report)
            if due is not None:
                wait = min(poll, max(1.0, due - time.time()))
        except NewsweaveError as exc:
            log.warning("feed refresh failed: %s", exc)
        except Exception:
            log.exception("feed refresh failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)
