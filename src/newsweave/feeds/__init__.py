"""Subscriptions: follow feeds, refresh them politely, keep stories current.

  subscribe(store, targets, ...)      feed URLs, site pages (feeds discovered), OPML files
  refresh(store, names, opts, ...)    fetch what is due (or the named feeds), store, weave
  refresh_forever(db_path, stop)      the background loop a server runs
  export_opml(list_feeds(store))      every subscription as OPML 2.0

See docs/feeds.md.
"""

from newsweave.feeds.discover import export_opml, format_every, parse_every
from newsweave.feeds.refresh import (
    FeedResult,
    Progress,
    RefreshOptions,
    RefreshReport,
    interval_of,
    refresh,
    refresh_due,
    refresh_forever,
)
from newsweave.feeds.subscribe import SubscribeResult, subscribe
from newsweave.store.feeds import Feed, get_feed, list_feeds, remove_feed

__all__ = [
    "Feed",
    "FeedResult",
    "Progress",
    "RefreshOptions",
    "RefreshReport",
    "SubscribeResult",
    "export_opml",
    "format_every",
    "get_feed",
    "interval_of",
    "list_feeds",
    "parse_every",
    "refresh",
    "refresh_due",
    "refresh_forever",
    "remove_feed",
    "subscribe",
]
