"""The one layer the web pages and the JSON API both call.

Only this module reaches the store, the weaver, the brief and the pipeline, so the routes stay
thin and both faces of the server always agree. Each thread gets its own store connection
(sqlite3 connections belong to the thread that opened them); SQLite's WAL lets the CLI write
to the same file meanwhile.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from newsweave import models
from newsweave.brief import Brief, brief_html, brief_json, brief_markdown
from newsweave.errors import IngestError
from newsweave.feeds import (
    Feed,
    RefreshOptions,
    RefreshReport,
    SubscribeResult,
    export_opml,
    get_feed,
    list_feeds,
    parse_every,
    refresh,
    remove_feed,
    subscribe,
)
from newsweave.feeds.commands import feed_json, result_json, subscribe_json
from newsweave.ingest import text_article
from newsweave.models import AddResult, Article, ArticleSummary, SearchHit, SimilarArticle
from newsweave.pipeline import add_sources, brief_story, build_article, process_unit, weave_pending
from newsweave.serialize import add_result_json, article_json, search_hit_json, story_json
from newsweave.settings import FetchOptions, IngestOptions, is_database_url
from newsweave.store import LeaseBusy, Store, reading
from newsweave.store import stories as story_store
from newsweave.text import normalize_text
from newsweave.timestamps import now_iso

Story = models.Story
Origin = models.Origin
Coverage = reading.Coverage

__all__ = [
    "Coverage",
    "Feed",
    "FeedRequest",
    "InputError",
    "LeaseBusy",
    "Origin",
    "RefreshReport",
    "Service",
    "Story",
    "SubscribeResult",
]

# How many built briefs one server keeps: a story page is then a cache hit until it changes.
_BRIEF_CACHE = 64


class InputError(Exception):
    """A request the service cannot act on; `code` and `status` go into the JSON error."""

    def __init__(self, message: str, code: str = "bad_request", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


@dataclass(frozen=True)
class StoryRow:
    story: Story
    unread: int
    languages: list[str]


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class StoriesPage:
    rows: list[StoryRow]
    page: Page
    unread_only: bool


@dataclass(frozen=True)
class Member:
    article: Article
    origin: Origin
    unread: bool


@dataclass(frozen=True)
class StoryView:
    story: Story
    brief: Brief
    members: list[Member]
    coverage: list[Coverage]
    unread: int

    @property
    def undated(self) -> int:
        return sum(c.articles for c in self.coverage if c.day is None)

    @property
    def titles(self) -> dict[str, str]:
        return {
            m.article.id: m.article.title or m.article.source or m.article.id[:8]
            for m in self.members
        }


@dataclass(frozen=True)
class ArticleView:
    article: Article
    similar: list[SimilarArticle]
    origin: Origin
    story: Story | None
    unread: bool


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: list[SearchHit]
    page: Page
    has_next: bool


@dataclass(frozen=True)
class FeedEntry:
    story: Story
    brief: Brief
    changed: str


@dataclass
class Upload:
    name: str
    data: bytes


@dataclass
class AddRequest:
    text: str | None = None
    html: str | None = None
    url: str | None = None
    files: list[Upload] = field(default_factory=list)


@dataclass
class FeedRequest:
    """A subscription asked for: a feed or site URL, or uploaded OPML files."""

    url: str | None = None
    files: list[Upload] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    every: str | None = None
    full_text: bool = False


_FEED_URL = re.compile(r"^(?:https?://|feed:(?://|https?://))[^\s/]+", re.I)


class Service:
    """Everything the reader can see or do, over one store file."""

    def __init__(self, db_path: Path | str, max_upload_bytes: int = 10 * 1024 * 1024) -> None:
        # A postgresql:// URL stays a string (Path would fold its "//").
        self.db_path = db_path if is_database_url(db_path) else Path(db_path)
        self.max_upload_bytes = max_upload_bytes
        self._local = threading.local()
        self._briefs: OrderedDict[tuple[Any, ...], Brief] = OrderedDict()
        self._briefs_lock = threading.Lock()
        # Briefs and weaving load models and write caches: one at a time in this process.
        self._heavy = threading.Lock()
        Store.open(self.db_path).close()  # migrate once, up front, and fail early on a bad path

    # -- connections ----------------------------------------------------------------------

    def store(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store.open(self.db_path)
            self._local.store = store
        return store

    # -- stories --------------------------------------------------------------------------

    def stories(self, page: int = 1, per_page: int = 30, unread_only: bool = False) -> StoriesPage:
        store = self.store()
        total = reading.count_stories(store, unread_only)
        paging = Page(page, per_page, total)
        ids = reading.story_ids_page(store, per_page, paging.offset, unread_only)
        stories = story_store.get_stories(store, ids)
        unread = reading.unread_counts(store, ids)
        languages = reading.story_languages(store, ids)
        rows = [StoryRow(s, unread[s.id], languages[s.id]) for s in stories]
        return StoriesPage(rows, paging, unread_only)

    def story(self, story_id: str, visit: bool = True) -> StoryView:
        """A story with its brief. A visit (opening the page) moves "since you last read" on."""
        store = self.store()
        story = story_store.get_story(store, story_id)
        articles = [store.get(i) for i in story.articles]
        visited = since = reading.last_visit(store, story.id)
        if since is None:
            reads = [a.details.last_read for a in articles if a.details.last_read]
            since = max(reads) if reads else None
        brief = self._brief(store, story, articles, since)
        if visit:
            # The visit is remembered as the newest article it showed, not the clock: an
            # article added in the same second as the visit still counts as new next time.
            seen = max((a.details.added or "" for a in articles), default="")
            # Revisiting an unchanged story would write the same row again: a write lock
            # per page view that every other request's visit then queues behind.
            if visited is None or visited != (seen or None):
                reading.record_visit(store, story.id, seen or None)
        unread = reading.unread_article_ids(store, story.articles)
        members = [Member(a, story_store.origin_of(store, a.id), a.id in unread) for a in articles]
        return StoryView(story, brief, members, reading.coverage(store, story.id), len(unread))

    def _brief(
        self, store: Store, story: Story, articles: list[Article], since: str | None
    ) -> Brief:
        # Any `since` after the newest member gives the same (empty) news: one cache entry.
        newest = max((a.details.added or "" for a in articles), default="")
        since_key = None if since is None else ("after" if since >= newest else since)
        key = (story.id, story.last_updated, story.title, tuple(story.articles), since_key)
        with self._briefs_lock:
            cached = self._briefs.get(key)
            if cached is not None:
                self._briefs.move_to_end(key)
        if cached is None:
            with self._heavy:
                cached = brief_story(store, story.id, since=since)
            with self._briefs_lock:
                self._briefs[key] = cached
                while len(self._briefs) > _BRIEF_CACHE:
                    self._briefs.popitem(last=False)
        return replace(cached, since_last_read=replace(cached.since_last_read, since=since))

    def brief(self, story_id: str) -> Brief:
        return self.story(story_id, visit=False).brief

    def brief_export(self, story_id: str, form: str) -> str | dict[str, Any]:
        brief = self.brief(story_id)
        if form == "md":
            return brief_markdown(brief)
        if form == "html":
            return brief_html(brief)
        return brief_json(brief)

    def feed(self, limit: int = 20) -> list[FeedEntry]:
        store = self.store()
        entries = []
        for story_id in reading.story_ids_page(store, limit):
            view = self.story(story_id, visit=False)
            changed = max((m.article.details.added or "" for m in view.members), default="")
            entries.append(FeedEntry(view.story, view.brief, changed or view.story.last_updated))
        return entries

    # -- articles -------------------------------------------------------------------------

    def articles(self, page: int = 1, per_page: int = 50) -> tuple[list[ArticleSummary], Page]:
        store = self.store()
        paging = Page(page, per_page, store.count())
        return reading.articles_page(store, per_page, paging.offset), paging

    def article(self, article_id: str) -> ArticleView:
        store = self.store()
        article = store.get(article_id)
        origin = story_store.origin_of(store, article.id)
        story = story_store.get_story(store, origin.story) if origin.story else None
        unread = bool(reading.unread_article_ids(store, [article.id]))
        return ArticleView(article, story_store.similar(store, article.id), origin, story, unread)

    def mark(self, article_id: str, read: bool) -> ArticleView:
        store = self.store()
        full = store.resolve_id(article_id)
        if read:
            store.mark_read(full)
        else:
            reading.mark_unread(store, full)
        return self.article(full)

    def mark_story_read(self, story_id: str) -> Story:
        """Every unread article of the story read (the list's *Mark read*)."""
        store = self.store()
        story = story_store.get_story(store, story_id)
        for article_id in sorted(reading.unread_article_ids(store, story.articles)):
            store.mark_read(article_id)
        return story

    def search(self, query: str, page: int = 1, per_page: int = 20) -> SearchPage:
        # FTS5 has no cheap total; one hit beyond the page says whether there is a next one.
        start = (page - 1) * per_page
        hits = reading.search_page(self.store(), query, per_page + 1, start)
        return SearchPage(
            query, hits[:per_page], Page(page, per_page, start + len(hits)), len(hits) > per_page
        )

    # -- adding ---------------------------------------------------------------------------

    def add(self, request: AddRequest) -> list[AddResult]:
        """Add what a reader pasted, uploaded or linked, then weave it. Errors are per input."""
        results: list[AddResult] = []
        store = self.store()
        if request.text is not None and request.text.strip():
            results.append(self._add_text(store, request.text))
        if request.html is not None and request.html.strip():
            results.extend(self._add_bytes(store, Upload("pasted.html", request.html.encode())))
        if request.url is not None and request.url.strip():
            opts = IngestOptions(fetch=FetchOptions.from_env())
            results.extend(add_sources(store, [request.url.strip()], opts, workers=1))
        for upload in request.files:
            results.extend(self._add_bytes(store, upload))
        if not results:
            raise InputError("nothing to add: give text, html, a url or files", "empty", 422)
        if any(r.status == "added" for r in results):
            self.weave_pending()
        return results

    def weave_pending(self) -> None:
        store = self.store()
        with self._heavy:
            weave_pending(store, wait=600)

    def _add_text(self, store: Store, text: str) -> AddResult:
        origin = "pasted text"
        try:
            article = build_article(text_article(normalize_text(text), origin))
        except IngestError as exc:
            return AddResult(origin=origin, status="error", error=str(exc))
        except Exception as exc:  # as the pipeline does: a cleaning bug on odd input is reported
            message = f"{origin}: could not be processed ({type(exc).__name__}: {exc})"
            return AddResult(origin=origin, status="error", error=message)
        return _store_article(store, article)

    def _add_bytes(self, store: Store, upload: Upload) -> list[AddResult]:
        name = _safe_name(upload.name)
        if len(upload.data) > self.max_upload_bytes:
            cap = self.max_upload_bytes / 1e6
            return [AddResult(name, "error", error=f"{name}: too large (the cap is {cap:.0f} MB)")]
        # The pipeline reads files: the upload goes through a private temporary one, named as
        # uploaded so the file's kind is recognised, and the stored origin is the upload's name.
        with tempfile.TemporaryDirectory(prefix="newsweave-upload-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(upload.data)
            outcomes = process_unit(str(path), IngestOptions(max_file_bytes=self.max_upload_bytes))
        results = []
        for outcome in outcomes:
            if isinstance(outcome, AddResult):
                message = (outcome.error or "").replace(str(path), name)
                results.append(replace(outcome, origin=name, error=message))
            else:
                outcome.origin = outcome.origin.replace(str(path), name)
                results.append(_store_article(store, outcome))
        return results

    # -- subscriptions ------------------------------------------------------------------------
    #
    # Private addresses stay refused unless $NEWSWEAVE_ALLOW_PRIVATE allows them, as for the
    # CLI without --allow-private: a request can never turn the refusal off.

    def feeds(self) -> list[Feed]:
        return list_feeds(self.store())

    def feeds_json(self) -> list[dict[str, Any]]:
        opts = RefreshOptions.from_env()
        return [feed_json(f, opts) for f in self.feeds()]

    def subscribe(self, request: FeedRequest) -> list[SubscribeResult]:
        """Subscribe to the URL (a feed, or a page whose feeds are discovered) and to every
        feed of the uploaded OPML files. Errors are per target, as with the CLI."""
        url = (request.url or "").strip()
        if not url and not request.files:
            raise InputError("nothing to subscribe to: give a URL or an OPML file", "empty", 422)
        if url and not _FEED_URL.match(url):
            shown = url if len(url) <= 80 else url[:80] + "…"
            raise InputError(
                f"{shown}: not a feed or site URL (give an http:// or https:// address)",
                "invalid",
                422,
            )
        every = None
        if request.every and request.every.strip():
            try:
                every = parse_every(request.every.strip())
            except IngestError as exc:
                raise InputError(f"every: {exc.problem}", "invalid", 422) from None
        tags = [t.strip() for t in request.tags if t.strip()]
        options: dict[str, Any] = {
            "full_text": True if request.full_text else None,
            "every": every,
            "tags": tags,
            "fetch_opts": FetchOptions.from_env(),
        }
        store = self.store()
        results: list[SubscribeResult] = []
        if url:
            results.extend(subscribe(store, [url], **options))
        for upload in request.files:
            results.extend(self._subscribe_opml(store, upload, options))
        return results

    def _subscribe_opml(
        self, store: Store, upload: Upload, options: dict[str, Any]
    ) -> list[SubscribeResult]:
        name = _safe_name(upload.name)
        if len(upload.data) > self.max_upload_bytes:
            cap = self.max_upload_bytes / 1e6
            return [
                SubscribeResult(name, "error", error=f"{name}: too large (the cap is {cap:.0f} MB)")
            ]
        # `subscribe` reads OPML from a file: a private temporary one, named as uploaded;
        # messages and targets name the upload, never the temporary path.
        with tempfile.TemporaryDirectory(prefix="newsweave-opml-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(upload.data)
            found = list(subscribe(store, [str(path)], **options))
        return [
            replace(r, target=name, error=r.error.replace(str(path), name) if r.error else None)
            for r in found
        ]

    def unsubscribe(self, feed_id: int) -> Feed:
        return remove_feed(self.store(), feed_id)

    def refresh(self, feed_id: int | None = None) -> RefreshReport:
        """Refresh one feed now (due or not), else every feed that is due, then weave. Raises
        LeaseBusy at once when another refresh (the background loop, cron, the CLI) runs.
        Blocking: the routes call it from a worker thread."""
        store = self.store()
        names = [str(feed_id)] if feed_id is not None else []
        if feed_id is not None:
            get_feed(store, feed_id)  # a clear 404 before taking the lease
        return refresh(store, names, RefreshOptions.from_env())

    def opml(self) -> str:
        return export_opml(self.feeds())


def _store_article(store: Store, article: Article) -> AddResult:
    article.details.added = now_iso()
    status = store.add(article)
    return AddResult(origin=article.origin, status=status, id=article.id, title=article.title)


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "upload.txt"
    return base[:100]


# -- JSON shapes (docs/json.md) -----------------------------------------------------------


def story_row_json(row: StoryRow) -> dict[str, Any]:
    return {**story_json(row.story), "unread": row.unread, "languages": row.languages}


def article_view_json(view: ArticleView) -> dict[str, Any]:
    return {**article_json(view.article, view.similar, view.origin), "unread": view.unread}


def story_view_json(view: StoryView) -> dict[str, Any]:
    data = story_json(view.story)
    data["unread"] = view.unread
    data["events"] = [asdict(e) for e in view.brief.events]
    data["members"] = [
        {
            "id": m.article.id,
            "title": m.article.title,
            "source": m.article.source,
            "published": m.article.published,
            "origin_group": m.origin.origin_group,
            "copy_of": m.origin.copy_of,
            "origin_kind": m.origin.kind,
            "unread": m.unread,
        }
        for m in view.members
    ]
    return data


def search_json(hit: SearchHit) -> dict[str, Any]:
    return search_hit_json(hit)


def add_json(result: AddResult) -> dict[str, Any]:
    return add_result_json(result)


def feed_view_json(feed: Feed) -> dict[str, Any]:
    return feed_json(feed, RefreshOptions.from_env())


def subscribe_result_json(result: SubscribeResult) -> dict[str, Any]:
    return subscribe_json(result)


def refresh_report_json(report: RefreshReport) -> dict[str, Any]:
    w = report.woven
    return {
        "feeds": [result_json(r) for r in report.feeds],
        "new": report.new,
        "woven": {"woven": w.woven, "new_stories": w.new_stories, "merged": w.merged},
    }
