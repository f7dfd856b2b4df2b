"""Everything the feeds package takes from the rest of newsweave, in one place: a refresh is
`add` for feed entries, so it reads, fetches, builds, stores and weaves as `add` does."""

from __future__ import annotations

from newsweave.ingest import entry_date, html_article, sniff_feed
from newsweave.ingest import feed_entry as feed_entry_article
from newsweave.ingest.extract import extract_html
from newsweave.ingest.fetch import MAX_REDIRECTS, check_host, fetch, is_url
from newsweave.pipeline import build_article, weave_pending
from newsweave.settings import too_large
from newsweave.store.stories import get_story
from newsweave.text import content_id, decode
from newsweave.timestamps import now_iso
from newsweave.weave import Weaver, WeaveReport

__all__ = [
    "MAX_REDIRECTS",
    "WeaveReport",
    "Weaver",
    "build_article",
    "check_host",
    "content_id",
    "decode",
    "entry_date",
    "extract_html",
    "feed_entry_article",
    "fetch",
    "get_story",
    "html_article",
    "is_url",
    "now_iso",
    "sniff_feed",
    "too_large",
    "weave_pending",
]
