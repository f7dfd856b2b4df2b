"""What the feed commands of the CLI print; `newsweave.cli` declares them and calls these.

Each function returns the exit status. JSON shapes are in docs/json.md.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress as Bar
from rich.table import Table

from newsweave.feeds.discover import export_opml, parse_every
from newsweave.feeds.refresh import FeedResult, Progress, RefreshOptions, RefreshReport, refresh
from newsweave.feeds.subscribe import SubscribeResult, subscribe
from newsweave.settings import FetchOptions
from newsweave.store import Store
from newsweave.store import feeds as db
from newsweave.store.feeds import Feed

if TYPE_CHECKING:
    from newsweave.cluster import Cluster

# parse_every is here for the CLI, which checks --every before it opens the store.
__all__ = [
    "parse_every",
    "run_feeds",
    "run_opml",
    "run_read_story",
    "run_refresh",
    "run_subscribe",
    "run_unsubscribe",
]


def _iso(timestamp: float) -> str | None:
    if not timestamp:
        return None
    return datetime.fromtimestamp(timestamp).astimezone().replace(microsecond=0).isoformat()


def feed_json(feed: Feed, opts: RefreshOptions | None = None) -> dict[str, Any]:
    from newsweave.feeds.refresh import interval_of

    opts = opts or RefreshOptions()
    return {
        "id": feed.id,
        "title": feed.title,
        "url": feed.url,
        "site": feed.site,
        "tags": feed.tags,
        "full_text": feed.full_text,
        "every": feed.every,
        "interval": interval_of(feed, opts),
        "articles": feed.articles,
        "unread": feed.unread,
        "last_fetched": feed.last_fetched,
        "last_status": feed.last_status,
        "error": feed.last_error,
        "consecutive_errors": feed.consecutive_errors,
        "next_due": None if feed.disabled else (_iso(feed.next_due) or "now"),
        "disabled": feed.disabled,
    }


def result_json(result: FeedResult) -> dict[str, Any]:
    return {
        "feed": result.feed,
        "url": result.url,
        "title": result.title,
        "status": result.status,
        "new": result.new,
        "error": result.error,
        "entry_errors": list(result.entry_errors),
    }


def subscribe_json(result: SubscribeResult) -> dict[str, Any]:
    return {
        "target": result.target,
        "status": result.status,
        "feed": feed_json(result.feed) if result.feed else None,
        "error": result.error,
        "also": list(result.also),
    }


def _write_line(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def run_subscribe(
    store: Store,
    out: Console,
    err: Console,
    targets: list[str],
    *,
    full_text: bool,
    every: int | None,
    tags: list[str],
    as_json: bool,
    allow_private: bool,
) -> int:
    env = FetchOptions.from_env()
    fetch_opts = FetchOptions(allow_private=allow_private or env.allow_private)
    failed = 0
    for result in subscribe(
        store,
        targets,
        full_text=True if full_text else None,
        every=every,
        tags=tags,
        fetch_opts=fetch_opts,
    ):
        if as_json:
            _write_line(subscribe_json(result))
        if result.status == "error":
            failed += 1
            if not as_json:
                err.print(f"[red]error[/red] {escape(result.error or result.target)}")
            continue
        if not as_json and result.feed:
            f = result.feed
            word = "subscribed" if result.status == "added" else "already subscribed, updated"
            out.print(f"{word} {f.id}: {escape(f.title or f.url)}  [dim]{escape(f.url)}[/dim]")
            for other in result.also:
                out.print(f"  [dim]the page also offers {escape(other)}[/dim]")
    return 1 if failed else 0


def run_unsubscribe(store: Store, out: Console, feed: str) -> int:
    gone = db.remove_feed(store, feed)
    out.print(
        f"unsubscribed {gone.id}: {escape(gone.title or gone.url)} "
        f"(its {gone.articles} articles stay in the store)"
    )
    return 0


def run_feeds(store: Store, out: Console, as_json: bool) -> int:
    opts = RefreshOptions.from_env()
    rows = db.list_feeds(store)
    if as_json:
        sys.stdout.write(
            json.dumps([feed_json(f, opts) for f in rows], ensure_ascii=False, indent=2) + "\n"
        )
        return 0
    if not rows:
        out.print("no subscriptions yet: `newsweave subscribe URL` or an OPML file")
        return 0
    table = Table(show_edge=False, pad_edge=False)
    for column in ("id", "title", "tags", "articles", "unread", "fetched", "status", "errors"):
        table.add_column(column, justify="right" if column in {"articles", "unread"} else "left")
    table.add_column("next due")
    now = time.time()
    for f in rows:
        due = "disabled" if f.disabled else ("now" if f.next_due <= now else _iso(f.next_due))
        table.add_row(
            str(f.id),
            escape(f.title or f.url),
            escape(", ".join(f.tags)),
            str(f.articles),
            str(f.unread),
            (f.last_fetched or "never")[:16],
            f.last_status or "",
            str(f.consecutive_errors or ""),
            (due or "")[:16],
        )
    out.print(table)
    for f in rows:
        if f.last_error:
            out.print(f"[yellow]{f.id}[/yellow] {escape(f.last_error)}")
    return 0


def run_opml(store: Store) -> int:
    sys.stdout.write(export_opml(db.list_feeds(store)))
    return 0


class _BarProgress(Progress):
    """A transient progress bar over feeds, then over weaving."""

    def __init__(self, bar: Bar) -> None:
        self.bar = bar
        self.task: Any = None

    def feeds_started(self, total: int) -> None:
        self.task = self.bar.add_task("refreshing feeds", total=total)

    def feed_done(self, result: FeedResult) -> None:
        self.bar.update(self.task, advance=1)

    def weave_started(self, total: int) -> None:
        self.task = self.bar.add_task("weaving stories", total=total)

    def weave_advanced(self, count: int) -> None:
        self.bar.update(self.task, advance=count)


class _JsonProgress(Progress):
    def feed_done(self, result: FeedResult) -> None:
        _write_line(result_json(result))


def run_refresh(
    store: Store,
    out: Console,
    err: Console,
    bar: Bar | None,
    names: list[str],
    *,
    as_json: bool,
    allow_private: bool,
    timeout: float | None,
    cluster: Cluster | None = None,
) -> int:
    opts = RefreshOptions.from_env(allow_private=allow_private, timeout=timeout)
    if as_json:
        report = refresh(store, names, opts, _JsonProgress(), cluster=cluster)
    elif bar is not None:
        with bar:
            report = refresh(store, names, opts, _BarProgress(bar), cluster=cluster)
    else:
        report = refresh(store, names, opts, cluster=cluster)
    if not as_json:
        _print_report(out, err, report)
    return 1 if report.count("error") else 0


def _print_report(out: Console, err: Console, report: RefreshReport) -> None:
    for result in report.feeds:
        if result.status in {"error", "disabled"}:
            err.print(f"[red]{result.status}[/red] {result.feed}: {escape(result.error or '')}")
        for problem in result.entry_errors:
            err.print(f"[yellow]entry[/yellow] {escape(problem)}")
    if not report.feeds:
        out.print("no feed is due (name feeds to refresh them now)")
        return
    out.print(
        f"refreshed {len(report.feeds)} feeds: {report.count('updated')} updated, "
        f"{report.count('not_modified')} not modified, {report.count('error')} failed, "
        f"{report.count('disabled')} disabled; {report.new} new articles",
        soft_wrap=True,
    )
    w = report.woven
    if w.woven:
        out.print(
            f"woven {w.woven}: {w.new_stories} new stories, {w.merged} merged, "
            f"{w.copies} copies or rewrites",
            soft_wrap=True,
        )


def run_read_story(store: Store, out: Console, story: str) -> int:
    from newsweave.feeds.upstream import get_story, now_iso

    found = get_story(store, story)
    count = db.mark_articles_read(store, found.articles, now_iso())
    out.print(f"story {found.id[:8]}: {count} articles marked read")
    return 0
