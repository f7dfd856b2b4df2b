"""Everything the feeds package takes from the rest of newsweave, in one place.

Ingest, fetch, the pipeline and the weaver are being reorganised; when a module moves, only the
imports here change.
"""

from __future__ import annotations

from newsweave.ingest import _entry_date, _feed_entry, _html_article, _sniff_feed
from newsweave.ingest.extract import extract_html
from newsweave.ingest.fetch import MAX_REDIRECTS, _check_host, _too_large, fetch, is_url
from newsweave.pipeline import build_article, weave_pending
from newsweave.store.stories import get_story
from newsweave.text import content_id, decode
from newsweave.timestamps import now_iso
from newsweave.weave import Weaver, WeaveReport

check_host = _check_host
entry_date = _entry_date
too_large = _too_large
feed_entry_article = _feed_entry
html_article = _html_article
sniff_feed = _sniff_feed

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
