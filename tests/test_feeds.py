"""Subscriptions against a real HTTP server on 127.0.0.1 whose feeds change between refreshes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from conftest import CliResult
from feedserver import Doc, FeedServer, article, rss
from newsweave.errors import NewsweaveError, NotFoundError
from newsweave.feeds import (
    FeedResult,
    Progress,
    RefreshOptions,
    RefreshReport,
    export_opml,
    get_feed,
    list_feeds,
    parse_every,
    refresh,
    refresh_forever,
    subscribe,
)
from newsweave.feeds.discover import parse_opml
from newsweave.feeds.fetcher import retry_after_seconds
from newsweave.feeds.refresh import feed_interval
from newsweave.settings import FetchOptions
from newsweave.store import Store
from newsweave.store import feeds as db
from test_weave import ELECTION, QUAKE_A, QUAKE_A_REPORT, QUAKE_B


@pytest.fixture
def store(any_store: Store) -> Store:
    """The tests of store/feeds.py given a store run on SQLite and on PostgreSQL."""
    return any_store


LOCAL = FetchOptions(allow_private=True, timeout=1.0)
OPTS = RefreshOptions(fetch=LOCAL, default_every=1800)
NOW = 1_900_000_000.0
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def srv() -> Iterator[FeedServer]:
    s = FeedServer()
    yield s
    s.close()


QUAKE_A_LATER = """Aftershock shakes Karvala as Ostrel rescue ends

A strong aftershock shook the Karvala region on Thursday, two days after the magnitude 6.4 earthquake that killed 15 people, governor Anna Velt said.

Rescue teams in Ostrel ended their search of collapsed homes, Velt told reporters, and engineers began inspecting schools across the Karvala region.

The seismology institute said the aftershock struck near Ostrel at a depth of 12 km.

Families whose homes were destroyed remain in temporary shelters in the Ostrel sports hall.
"""


def news(i: int) -> str:
    """A distinct short article: its own town, person and figures."""
    return (
        f"Town {i} opens new library number {i}\n\n"
        f"The town of Vellmark{i} opened its new public library on Monday, mayor Ilsa Tor{i} said.\n\n"
        f"The building cost {i + 2} million crowns and holds {1000 + i} books, according to the council.\n\n"
        f"Tor{i} said the library would open seven days a week and host reading clubs for children.\n\n"
        f"Residents of Vellmark{i} queued for an hour before the doors opened at nine."
    )


def item(
    guid: str | None, text: str, link: str | None = None
) -> tuple[str | None, str | None, str, str]:
    title, body = article(text)
    return (guid, link, title, body)


def _sub(store: Store, url: str, **kwargs: Any) -> int:
    results = list(subscribe(store, [url], fetch_opts=LOCAL, **kwargs))
    assert [r.status for r in results] == ["added"], results
    assert results[0].feed is not None
    return results[0].feed.id


def _refresh(
    store: Store,
    *names: str | int,
    now: float = NOW,
    weave: bool = False,
    opts: RefreshOptions = OPTS,
) -> RefreshReport:
    return refresh(store, [str(n) for n in names], opts, now=now, weave=weave)


# -- refreshing --------------------------------------------------------------------------------


def test_feeds_store_their_entries_in_the_order_given_whichever_answers_first(
    store: Store, srv: FeedServer
) -> None:
    # The first feed answers last: its entries still go in first, so which of two copies is
    # stored as the original never depends on network timing (or on a cluster's task order).
    srv.routes["/slow.xml"] = Doc(rss([item("s2", news(2)), item("s1", news(1))]))
    srv.routes["/fast.xml"] = Doc(rss([item("f4", news(4)), item("f3", news(3))]))
    slow = _sub(store, srv.url("/slow.xml"))
    fast = _sub(store, srv.url("/fast.xml", host="localhost"))  # another host: fetched at once
    srv.routes["/slow.xml"] = Doc(srv.routes["/slow.xml"].body + b" ", delay=0.5)
    report = _refresh(store, slow, fast)
    assert [(r.status, r.new) for r in report.feeds] == [("updated", 2), ("updated", 2)]
    titles = [row[0] for row in store.conn.execute("SELECT title FROM articles ORDER BY rowid")]
    assert [t.split()[1] for t in titles] == ["1", "2", "3", "4"]


@pytest.mark.slow
def test_new_entries_arrive_and_join_their_stories(store: Store, srv: FeedServer) -> None:
    srv.routes["/feed.xml"] = Doc(rss([item("a", QUAKE_A), item("e", ELECTION)]))
    feed = _sub(store, srv.url("/feed.xml"))
    first = _refresh(store, feed, weave=True)
    assert [(r.status, r.new) for r in first.feeds] == [("updated", 2)]
    assert first.woven.woven == 2
    # The feed changes: a follow-up report on the quake and an unrelated quake arrive on top.
    srv.routes["/feed.xml"] = Doc(
        rss(
            [
                item("a2", QUAKE_A_REPORT),
                item("b", QUAKE_B),
                item("a", QUAKE_A),
                item("e", ELECTION),
            ]
        )
    )
    second = _refresh(store, feed, now=NOW + 3600, weave=True)
    assert [(r.status, r.new) for r in second.feeds] == [("updated", 2)]
    assert store.count() == 4
    story_of = dict(
        store.conn.execute(
            "SELECT a.title, m.story_id FROM articles a JOIN story_members m ON m.article_id = a.id"
        ).fetchall()
    )
    assert story_of["Death toll rises after Karvala quake"] == story_of[article(QUAKE_A)[0]]
    assert story_of[article(QUAKE_B)[0]] != story_of[article(QUAKE_A)[0]]
    assert get_feed(store, feed).articles == 4


def test_unchanged_feed_answers_304_and_the_conditional_headers_were_sent(
    store: Store, srv: FeedServer
) -> None:
    doc = Doc(rss([item("1", news(1)), item("2", news(2))]))
    srv.routes["/feed.xml"] = doc
    feed = _sub(store, srv.url("/feed.xml"))
    assert _refresh(store, feed).feeds[0].status == "updated"
    second = _refresh(store, feed, now=NOW + 1)
    assert [(r.status, r.new) for r in second.feeds] == [("not_modified", 0)]
    last = srv.requests("/feed.xml")[-1]
    assert last.status == 304
    assert last.headers["If-None-Match"] == doc.etag
    assert last.headers["If-Modified-Since"] == doc.modified
    # A server that only keeps Last-Modified is asked with If-Modified-Since alone.
    only_date = Doc(doc.body, modified=doc.modified)
    srv.routes["/dated.xml"] = only_date
    dated = _sub(store, srv.url("/dated.xml"))
    _refresh(store, dated)
    store.conn.execute("UPDATE feeds SET etag = NULL WHERE id = ?", (dated,))
    assert _refresh(store, dated).feeds[0].status == "not_modified"
    assert "If-None-Match" not in srv.requests("/dated.xml")[-1].headers
    assert srv.requests("/dated.xml")[-1].headers["If-Modified-Since"] == doc.modified
    assert store.count() == 2  # the second feed's entries were the same articles


def test_due_feeds_only_unless_named(store: Store, srv: FeedServer) -> None:
    srv.routes["/feed.xml"] = Doc(rss([item("1", news(1))]))
    feed = _sub(store, srv.url("/feed.xml"), every=600)
    assert len(refresh(store, opts=OPTS, now=NOW, weave=False).feeds) == 1  # new: due at once
    assert refresh(store, opts=OPTS, now=NOW + 599, weave=False).feeds == []
    assert len(refresh(store, opts=OPTS, now=NOW + 601, weave=False).feeds) == 1
    assert len(_refresh(store, feed, now=NOW + 602).feeds) == 1  # named: fetched though not due


def test_server_errors_and_timeouts_back_off_then_recover(store: Store, srv: FeedServer) -> None:
    good = Doc(rss([item("1", news(1))]))
    srv.routes["/feed.xml"] = good
    feed = _sub(store, srv.url("/feed.xml"), every=600)
    _refresh(store, feed)
    srv.routes["/feed.xml"] = Doc(b"oops", status=500, content_type="text/plain")
    waits = []
    for n in range(1, 4):
        result = _refresh(store, feed).feeds[0]
        assert result.status == "error" and "HTTP 500" in (result.error or "")
        state = get_feed(store, feed)
        assert state.consecutive_errors == n and "HTTP 500" in (state.last_error or "")
        waits.append(state.next_due - NOW)
    assert waits == [600, 600 * 2, 600 * 4]  # the interval, then doubling
    srv.routes["/feed.xml"] = Doc(good.body, delay=3.0)
    result = _refresh(store, feed).feeds[0]
    assert result.status == "error" and "timed out" in (result.error or "")
    assert get_feed(store, feed).consecutive_errors == 4
    # Capped: many failures never push the next try past a day.
    store.conn.execute("UPDATE feeds SET consecutive_errors = 30 WHERE id = ?", (feed,))
    srv.routes["/feed.xml"] = Doc(b"down", status=502, content_type="text/plain")
    _refresh(store, feed)
    assert get_feed(store, feed).next_due - NOW == OPTS.max_backoff
    srv.routes["/feed.xml"] = Doc(rss([item("2", news(2)), item("1", news(1))]))
    result = _refresh(store, feed).feeds[0]
    assert (result.status, result.new) == ("updated", 1)
    state = get_feed(store, feed)
    assert state.consecutive_errors == 0 and state.last_error is None
    assert state.next_due - NOW == 600
    assert store.count() == 2


def test_retry_after_is_honoured_on_429_and_503(store: Store, srv: FeedServer) -> None:
    srv.routes["/a.xml"] = Doc(b"slow down", status=429, headers={"Retry-After": "7200"})
    srv.routes["/b.xml"] = Doc(b"busy", status=503, headers={"Retry-After": "90"})
    a = _sub_raw(store, srv.url("/a.xml"))
    b = _sub_raw(store, srv.url("/b.xml"))
    results = {r.feed: r for r in _refresh(store, a, b).feeds}
    assert "retry after 7200 s" in (results[a].error or "")
    assert get_feed(store, a).next_due - NOW == 7200
    assert get_feed(store, b).next_due - NOW == 90
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 60) == 60
    assert retry_after_seconds("soon") is None


def _sub_raw(store: Store, url: str, **kwargs: Any) -> int:
    """Subscribe without a discovery fetch (the URL may be failing): as an OPML file would."""
    feed, status = db.add_feed(store, url, added="2026-01-01", **kwargs)
    assert status == "added"
    return feed.id


def test_permanent_redirect_moves_the_feed_temporary_does_not(
    store: Store, srv: FeedServer
) -> None:
    srv.routes["/new.xml"] = Doc(rss([item("1", news(1))]))
    srv.routes["/old.xml"] = Doc(b"", status=301, headers={"Location": "/new.xml"})
    srv.routes["/tmp.xml"] = Doc(b"", status=302, headers={"Location": "/new.xml"})
    old = _sub_raw(store, srv.url("/old.xml"))
    tmp = _sub_raw(store, srv.url("/tmp.xml"))
    results = {r.feed: r for r in _refresh(store, old, tmp).feeds}
    assert results[old].status == "updated" and results[old].url == srv.url("/new.xml")
    assert get_feed(store, old).url == srv.url("/new.xml")
    assert get_feed(store, tmp).url == srv.url("/tmp.xml")
    assert store.count() == 1
    before = len(srv.requests("/old.xml"))
    _refresh(store, old, now=NOW + 10)
    assert len(srv.requests("/old.xml")) == before  # the old URL is not asked again


def test_gone_disables_the_feed_until_subscribed_again(store: Store, srv: FeedServer) -> None:
    srv.routes["/feed.xml"] = Doc(rss([item("1", news(1))]))
    feed = _sub(store, srv.url("/feed.xml"))
    _refresh(store, feed)
    srv.routes["/feed.xml"] = Doc(b"gone", status=410, content_type="text/plain")
    result = _refresh(store, feed, now=NOW + 1).feeds[0]
    assert result.status == "disabled" and "410" in (result.error or "")
    assert get_feed(store, feed).disabled
    asked = len(srv.requests("/feed.xml"))
    assert refresh(store, opts=OPTS, now=NOW + 10**7, weave=False).feeds == []
    named = _refresh(store, feed, now=NOW + 10**7).feeds[0]
    assert named.status == "disabled"
    assert len(srv.requests("/feed.xml")) == asked
    assert store.count() == 1  # what it brought stays
    srv.routes["/feed.xml"] = Doc(rss([item("2", news(2)), item("1", news(1))]))
    again = list(subscribe(store, [srv.url("/feed.xml")], fetch_opts=LOCAL))
    assert again[0].status == "updated" and again[0].feed is not None
    assert not again[0].feed.disabled
    assert refresh(store, opts=OPTS, now=NOW + 10**7, weave=False).feeds[0].new == 1


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (Doc(b'<?xml version="1.0"?><rss><channel><title>x</title><descr'), "not an RSS/Atom feed"),
        (
            Doc(
                b"<!DOCTYPE html><html><head><title>Bay</title></head><body><p>Welcome</p></body></html>",
                content_type="application/rss+xml",
            ),
            "HTML page",
        ),
        (
            Doc(
                b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"
            ),
            "no entries",
        ),
        (
            Doc(b"<rss>" + b"x" * (20 * 1024 * 1024) + b"</rss>"),
            "too large (20 MB; the cap is 10 MB: raise it with --max-bytes",
        ),
        (
            Doc(b"<rss>" + b"x" * (20 * 1024 * 1024) + b"</rss>", declare_length=False),
            "too large",
        ),
    ],
    ids=["malformed-xml", "html-page", "no-entries", "20mb-declared", "20mb-streamed"],
)
def test_bad_feed_is_an_error_on_that_feed_only_and_nothing_is_lost(
    store: Store, srv: FeedServer, doc: Doc, message: str
) -> None:
    srv.routes["/feed.xml"] = Doc(rss([item("1", news(1)), item("2", news(2))]))
    srv.routes["/other.xml"] = Doc(rss([item("3", news(3))]))
    feed = _sub(store, srv.url("/feed.xml"))
    other = _sub(store, srv.url("/other.xml"))
    _refresh(store, feed)
    srv.routes["/feed.xml"] = doc
    results = {r.feed: r for r in _refresh(store, feed, other, now=NOW + 1).feeds}
    assert results[feed].status == "error"
    assert message in (results[feed].error or ""), results[feed].error
    assert "\n" not in (results[feed].error or "")
    assert results[other].status == "updated" and results[other].new == 1
    assert store.count() == 3
    assert get_feed(store, feed).articles == 2
    assert store.integrity_ok()


def test_truncated_feed_keeps_the_entries_read_and_says_so(store: Store, srv: FeedServer) -> None:
    whole = rss([item("1", news(1)), item("2", news(2))])
    srv.routes["/feed.xml"] = Doc(whole[: whole.index(b"<item>", whole.index(b"<item>") + 1) + 20])
    feed = _sub_raw(store, srv.url("/feed.xml"))
    result = _refresh(store, feed).feeds[0]
    assert (result.status, result.new) == ("updated", 1)
    assert "not well-formed" in result.entry_errors[0]
    assert any("no text" in e for e in result.entry_errors[1:])


def test_duplicate_guids_are_stored_once(store: Store, srv: FeedServer) -> None:
    srv.routes["/feed.xml"] = Doc(
        rss([item("same", news(1)), item("same", news(2)), item("other", news(3))])
    )
    feed = _sub(store, srv.url("/feed.xml"))
    result = _refresh(store, feed).feeds[0]
    assert (result.status, result.new) == ("updated", 2)
    assert store.count() == 2
    # The later (older) of two entries sharing a guid is the one kept; refreshing adds nothing.
    srv.routes["/feed.xml"] = Doc(srv.routes["/feed.xml"].body + b" ")
    assert _refresh(store, feed, now=NOW + 1).feeds[0].new == 0


def test_entries_without_guid_are_known_by_link_then_by_content(
    store: Store, srv: FeedServer
) -> None:
    srv.routes["/feed.xml"] = Doc(
        rss([item(None, news(1), link="https://bay.example/1"), item(None, news(2))])
    )
    feed = _sub(store, srv.url("/feed.xml"))
    assert _refresh(store, feed).feeds[0].new == 2
    keys = {r[0].split(":")[0] for r in store.conn.execute("SELECT key FROM feed_entries")}
    assert keys == {"link", "id"}
    srv.routes["/feed.xml"] = Doc(srv.routes["/feed.xml"].body + b"\n")
    assert _refresh(store, feed, now=NOW + 1).feeds[0].new == 0
    assert store.count() == 2


def test_full_text_fetches_each_new_entry_page_once(store: Store, srv: FeedServer) -> None:
    def page(text: str) -> bytes:
        title, body = article(text)
        paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        return (
            f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
            f"<nav>Home | News</nav><article><h1>{title}</h1>{paras}"
            "<p>This paragraph is only on the page, never in the feed summary.</p>"
            "</article></body></html>"
        ).encode()

    for i in (1, 2, 3):
        srv.routes[f"/p{i}"] = Doc(page(news(i)), content_type="text/html", validators=False)
    summary = [(str(i), srv.url(f"/p{i}"), f"Town {i}", "A short summary.") for i in (1, 2)]
    srv.routes["/feed.xml"] = Doc(rss(summary))
    feed = _sub(store, srv.url("/feed.xml"), full_text=True)
    assert _refresh(store, feed).feeds[0].new == 2
    bodies = [r[0] for r in store.conn.execute("SELECT body FROM articles")]
    assert all("only on the page" in b for b in bodies)
    third = (str(3), srv.url("/p3"), "Town 3", "A short summary.")
    srv.routes["/feed.xml"] = Doc(rss([third, *summary]))
    assert _refresh(store, feed, now=NOW + 1).feeds[0].new == 1
    assert [len(srv.requests(f"/p{i}")) for i in (1, 2, 3)] == [1, 1, 1]


def test_full_text_page_that_fails_keeps_the_feed_text(store: Store, srv: FeedServer) -> None:
    srv.routes["/feed.xml"] = Doc(rss([item("1", news(1), link=srv.url("/missing"))]))
    feed = _sub(store, srv.url("/feed.xml"), full_text=True)
    result = _refresh(store, feed).feeds[0]
    assert result.new == 1
    assert any("HTTP 404" in e and "kept the feed's text" in e for e in result.entry_errors)


def test_full_text_page_that_fails_with_no_feed_text_is_tried_again(
    store: Store, srv: FeedServer
) -> None:
    title, body = article(news(1))
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    page = (
        f"<html><head><title>{title}</title></head><body><article>{paras}</article></body></html>"
    )
    srv.routes["/p1"] = Doc(b"busy", status=500, content_type="text/plain", validators=False)
    srv.routes["/feed.xml"] = Doc(rss([("1", srv.url("/p1"), title, "")]))
    feed = _sub(store, srv.url("/feed.xml"), full_text=True)
    result = _refresh(store, feed).feeds[0]
    assert (result.status, result.new) == ("updated", 0)
    assert any("tried again next time" in e for e in result.entry_errors)
    assert get_feed(store, feed).etag is None  # so the next refresh reads the document again
    srv.routes["/p1"] = Doc(page.encode(), content_type="text/html", validators=False)
    again = _refresh(store, feed, now=NOW + 1).feeds[0]
    assert (again.status, again.new) == ("updated", 1)
    assert get_feed(store, feed).etag == srv.routes["/feed.xml"].etag
    assert _refresh(store, feed, now=NOW + 2).feeds[0].status == "not_modified"


def test_one_request_at_a_time_per_host_several_hosts_at_once(
    store: Store, srv: FeedServer
) -> None:
    names = []
    for i in range(4):
        srv.routes[f"/f{i}.xml"] = Doc(rss([item(str(i), news(i))]), delay=0.3)
        for host in ("127.0.0.1", "localhost"):
            names.append(_sub(store, srv.url(f"/f{i}.xml", host=host)))
    report = _refresh(store, *names)
    assert [r.status for r in report.feeds] == ["updated"] * 8
    assert srv.max_in_flight == {"127.0.0.1": 1, "localhost": 1}
    assert srv.max_total == 2


def test_feed_interval_from_ttl_or_sy_update_period_else_every_else_default(
    store: Store, srv: FeedServer
) -> None:
    import feedparser

    assert feed_interval(feedparser.parse(rss([], channel_extra="<ttl>90</ttl>"))) == 5400
    sy = "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>"
    assert feed_interval(feedparser.parse(rss([], channel_extra=sy))) == 6 * 3600
    assert feed_interval(feedparser.parse(rss([]))) is None
    srv.routes["/ttl.xml"] = Doc(rss([item("1", news(1))], channel_extra="<ttl>90</ttl>"))
    srv.routes["/plain.xml"] = Doc(rss([item("2", news(2))]))
    ttl = _sub(store, srv.url("/ttl.xml"), every=600)
    every = _sub(store, srv.url("/plain.xml"), every=600)
    srv.routes["/plain2.xml"] = Doc(rss([item("3", news(3))]))
    default = _sub(store, srv.url("/plain2.xml"))
    _refresh(store, ttl, every, default)
    assert get_feed(store, ttl).next_due - NOW == 5400
    assert get_feed(store, every).next_due - NOW == 600
    assert get_feed(store, default).next_due - NOW == 1800
    assert parse_every("30m") == 1800 and parse_every("2h") == 7200 and parse_every("1d") == 86400
    with pytest.raises(Exception, match="not a duration"):
        parse_every("soon")


def test_unsubscribed_while_refreshing_writes_nothing_for_it(store: Store, srv: FeedServer) -> None:
    srv.routes["/feed.xml"] = Doc(rss([item("1", news(1))]))
    feed = _sub(store, srv.url("/feed.xml"))
    db.remove_feed(store, feed)
    assert db.add_entry(store, feed, "guid:x", None, "now") == "gone"
    assert store.conn.execute("SELECT count(*) FROM feed_entries").fetchone()[0] == 0


# -- subscribing -----------------------------------------------------------------------------------


def test_subscribe_discovers_the_feed_a_page_names(store: Store, srv: FeedServer) -> None:
    srv.routes["/"] = Doc(
        b"<!DOCTYPE html><html><head><title>Bay</title>"
        b'<link rel="alternate" type="application/atom+xml" href="/news/atom">'
        b'<link rel="alternate" type="application/rss+xml" title="Comments" href="comments.xml">'
        b"</head><body><p>Hello</p></body></html>",
        content_type="text/html",
    )
    srv.routes["/news/atom"] = Doc(
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Bay Atom</title>'
        b"<entry><title>t</title><id>x</id><content>text</content></entry></feed>",
        content_type="application/atom+xml",
    )
    results = list(subscribe(store, [srv.url("/")], fetch_opts=LOCAL, tags=["local"]))
    assert len(results) == 1 and results[0].feed is not None
    assert results[0].feed.url == srv.url("/news/atom")
    assert results[0].feed.title == "Bay Atom" and results[0].feed.tags == ["local"]
    assert results[0].also == (srv.url("/comments.xml"),)


def test_subscribe_falls_back_to_the_usual_paths_then_says_none_found(
    store: Store, srv: FeedServer
) -> None:
    plain = Doc(
        b"<!DOCTYPE html><html><body><p>No feed links</p></body></html>", content_type="text/html"
    )
    srv.routes["/blog/post"] = plain
    srv.routes["/rss.xml"] = Doc(rss([item("1", news(1))]))
    found = list(subscribe(store, [srv.url("/blog/post")], fetch_opts=LOCAL))
    assert found[0].feed is not None and found[0].feed.url == srv.url("/rss.xml")
    del srv.routes["/rss.xml"]
    srv.routes["/other"] = plain
    missing = list(subscribe(store, [srv.url("/other"), srv.url("/nowhere")], fetch_opts=LOCAL))
    assert [r.status for r in missing] == ["error", "error"]
    assert "no feed found" in (missing[0].error or "")
    assert "HTTP 404" in (missing[1].error or "")
    assert len(list_feeds(store)) == 1


def test_private_addresses_are_refused_unless_allowed(store: Store, srv: FeedServer) -> None:
    srv.routes["/feed.xml"] = Doc(rss([item("1", news(1))]))
    refused = list(subscribe(store, [srv.url("/feed.xml")], fetch_opts=FetchOptions()))
    assert "refusing to fetch private address" in (refused[0].error or "")
    feed = _sub_raw(store, srv.url("/feed.xml"))
    result = refresh(store, [str(feed)], RefreshOptions(), now=NOW, weave=False).feeds[0]
    assert result.status == "error" and "private address" in (result.error or "")
    assert srv.log == []


OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="News">
    <outline text="World">
      <outline type="rss" text="Bay News" xmlUrl="https://bay.example/feed.xml" htmlUrl="https://bay.example/"/>
    </outline>
    <outline type="rss" text="Wire" title="The Wire" xmlUrl="https://wire.example/rss" category="/Breaking,Wires"/>
  </outline>
  <outline type="rss" text="Loose" xmlUrl="https://loose.example/atom"/>
</body></opml>
"""


def test_opml_import_export_import_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "subs.opml"
    path.write_text(OPML)
    with Store.open(tmp_path / "one.db") as one:
        results = list(subscribe(one, [str(path)], tags=["mine"], every=3600))
        assert [r.status for r in results] == ["added"] * 3
        # A folder title and the `category` attribute are both tags, in order.
        tags = {f.url: f.tags for f in list_feeds(one)}
        assert tags == {
            "https://bay.example/feed.xml": ["News", "World", "mine"],
            "https://wire.example/rss": ["News", "Breaking", "Wires", "mine"],
            "https://loose.example/atom": ["mine"],
        }
        db.add_feed(one, "https://full.example/f", added="x", full_text=True)
        exported = export_opml(list_feeds(one))
    again = tmp_path / "again.opml"
    again.write_text(exported)
    with Store.open(tmp_path / "two.db") as two:
        list(subscribe(two, [str(again)]))
        with Store.open(tmp_path / "one.db") as one:

            def shape(store: Store) -> list[tuple[object, ...]]:
                return [
                    (f.url, f.title, f.site, f.tags, f.full_text, f.every)
                    for f in list_feeds(store)
                ]

            assert shape(two) == shape(one)
        assert export_opml(list_feeds(two)) == exported
    assert len(parse_opml(exported.encode(), "x")) == 4


def test_bad_opml_and_plain_files_are_clear_errors(store: Store, tmp_path: Path) -> None:
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body><outline")
    empty = tmp_path / "empty.opml"
    empty.write_text("<opml><body><outline text='x'/></body></opml>")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    results = list(subscribe(store, [str(broken), str(empty), str(text), str(tmp_path / "no")]))
    errors = [r.error or "" for r in results]
    assert "not a valid OPML file" in errors[0]
    assert "lists no feeds" in errors[1]
    assert "not an OPML file" in errors[2]
    assert "no such file" in errors[3]


# -- the command line ------------------------------------------------------------------------------


def test_cli_subscribe_feeds_refresh_opml_unsubscribe(
    cli: Callable[..., CliResult], srv: FeedServer, tmp_path: Path
) -> None:
    srv.routes["/feed.xml"] = Doc(rss([item("1", news(1)), item("2", news(2))]))
    srv.routes["/bad.xml"] = Doc(b"nope", status=500, content_type="text/plain")
    sub = cli(
        "subscribe",
        srv.url("/feed.xml"),
        "--allow-private",
        "--every",
        "2h",
        "--tag",
        "t1",
        "--format",
        "json",
    )
    assert sub.exit_code == 0, sub.stderr
    [line] = sub.json_lines()
    assert (
        line["status"] == "added"
        and line["feed"]["every"] == 7200
        and line["feed"]["tags"] == ["t1"]
    )
    opml = tmp_path / "bad.opml"
    opml.write_text(f'<opml><body><outline xmlUrl="{srv.url("/bad.xml")}"/></body></opml>')
    assert cli("subscribe", str(opml)).exit_code == 0
    result = cli("refresh", "--allow-private", "--format", "json")
    assert result.exit_code == 1  # one feed failed
    lines = {o["feed"]: o for o in result.json_lines()}
    assert {k: (v["status"], v["new"]) for k, v in lines.items()} == {
        1: ("updated", 2),
        2: ("error", 0),
    }
    assert set(lines[1]) >= {"feed", "status", "new", "error"}
    assert "HTTP 500" in lines[2]["error"]
    shown = cli("feeds", "--format", "json").json()
    assert [(f["id"], f["articles"], f["unread"], f["last_status"]) for f in shown] == [
        (1, 2, 2, "updated"),
        (2, 0, 0, "error"),
    ]
    assert shown[1]["consecutive_errors"] == 1 and "HTTP 500" in shown[1]["error"]
    text = cli("feeds")
    assert "HTTP 500" in text.stdout and "Bay News" in text.stdout
    again = cli("refresh", "1", "--allow-private")
    assert again.exit_code == 0
    assert "1 not modified" in again.stdout and "0 new articles" in again.stdout
    exported = cli("opml")
    assert srv.url("/feed.xml") in exported.stdout and 'category="t1"' in exported.stdout
    gone = cli("unsubscribe", "1")
    assert gone.exit_code == 0 and "2 articles stay" in gone.stdout
    assert [f["id"] for f in cli("feeds", "--format", "json").json()] == [2]
    assert (
        cli("list", "--format", "json").json() and len(cli("list", "--format", "json").json()) == 2
    )
    with pytest.raises(NotFoundError, match="9: no feed with this id or URL"):
        cli("unsubscribe", "9")


def test_cli_bad_every_is_a_clear_error_and_creates_nothing(tmp_path: Path) -> None:
    db_file = tmp_path / "x.db"
    result = subprocess.run(
        [sys.executable, "-m", "newsweave", "--db", str(db_file), "subscribe", "x", "--every", "soon"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error --every soon: not a duration")
    assert "Traceback" not in result.stderr
    assert not db_file.exists()


def test_a_second_refresh_exits_while_one_runs(
    cli: Callable[..., CliResult], db_path: Path
) -> None:
    with Store.open(db_path) as holder, holder.lease("refresh"):
        result = subprocess.run(
            [sys.executable, "-m", "newsweave", "--db", str(db_path), "refresh"],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            check=False, timeout=60,
        )  # fmt: skip
    assert result.returncode == 1
    assert "refresh is already running in another process" in result.stderr
    assert "Traceback" not in result.stderr
    assert cli("refresh").exit_code == 0  # the lease is free again


@pytest.mark.slow
def test_read_story_marks_the_whole_story_read_and_unread_counts_follow(
    store: Store, srv: FeedServer, any_cli: Callable[..., CliResult]
) -> None:
    cli = any_cli
    srv.routes["/feed.xml"] = Doc(
        rss([item("a", QUAKE_A), item("a2", QUAKE_A_REPORT), item("e", ELECTION)])
    )
    feed = _sub(store, srv.url("/feed.xml"))
    _refresh(store, feed, weave=True)
    assert get_feed(store, feed).unread == 3
    story = store.conn.execute(
        "SELECT m.story_id FROM story_members m JOIN articles a ON a.id = m.article_id"
        " WHERE a.title LIKE 'Death toll%'"
    ).fetchone()[0]
    assert db.unread_by_story(store)[story] == 2
    unread = {s["id"]: s["unread"] for s in cli("stories", "--format", "json").json()}
    assert unread[story] == 2 and sum(unread.values()) == 3
    result = cli("read", "--story", story[:8])
    assert result.exit_code == 0 and "2 articles marked read" in result.stdout
    assert get_feed(store, feed).unread == 1
    assert story not in db.unread_by_story(store)
    unread = {s["id"]: s["unread"] for s in cli("stories", "--format", "json").json()}
    assert unread[story] == 0 and sum(unread.values()) == 1
    # The brief's "since last read" starts at this read: nothing in the story is new, until a
    # refresh brings a new article into it.
    brief = cli("brief", story, "--format", "json").json()
    assert brief["since_last_read"]["new_articles"] == []
    time.sleep(1.1)  # times are kept to the second
    srv.routes["/feed.xml"] = Doc(
        rss(
            [
                item("a3", QUAKE_A_LATER),
                item("a", QUAKE_A),
                item("a2", QUAKE_A_REPORT),
                item("e", ELECTION),
            ]
        )
    )
    assert _refresh(store, feed, now=NOW + 1, weave=True).feeds[0].new == 1
    later = store.conn.execute("SELECT id FROM articles WHERE title LIKE 'Aftershock%'").fetchone()[
        0
    ]
    brief = cli("brief", story, "--format", "json").json()
    assert brief["since_last_read"]["new_articles"] == [later]
    with pytest.raises(NewsweaveError, match="give an article ID"):
        cli("read")


# -- crashes ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_kill_9_mid_refresh_leaves_a_sound_store_and_the_next_refresh_finishes(
    db_path: Path, srv: FeedServer
) -> None:
    count = 40
    pages = {}
    for i in range(count):
        title, body = article(news(i))
        paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        pages[i] = (
            f"<!DOCTYPE html><html><head><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1>{paras}</article></body></html>"
        ).encode()
        srv.routes[f"/p{i}"] = Doc(pages[i], content_type="text/html", delay=0.1, validators=False)
    srv.routes["/feed.xml"] = Doc(
        rss([(str(i), srv.url(f"/p{i}"), f"Town {i}", "Summary only.") for i in range(count)])
    )
    with Store.open(db_path) as store:
        _sub(store, srv.url("/feed.xml"), full_text=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [
        sys.executable,
        "-m",
        "newsweave",
        "--db",
        str(db_path),
        "refresh",
        "--allow-private",
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while _count(db_path, "articles") < 5:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    stored = _count(db_path, "articles")
    assert 5 <= stored < count
    with Store.open(db_path) as store:
        assert store.integrity_ok()
        # Every article is whole and known to its feed; every recorded entry has its article.
        assert _count(db_path, "feed_entries") == stored
        assert (
            store.conn.execute(
                "SELECT count(*) FROM feed_entries e LEFT JOIN articles a ON a.id = e.article_id"
                " WHERE a.id IS NULL"
            ).fetchone()[0]
            == 0
        )
        assert (
            store.conn.execute(
                "SELECT count(*) FROM articles WHERE body = '' OR summary = ''"
            ).fetchone()[0]
            == 0
        )
        assert get_feed(store, 1).etag is None  # not kept until the whole feed is stored
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert f"{count - stored} new articles" in done.stdout
    assert _count(db_path, "articles") == count
    assert _count(db_path, "feed_entries") == count
    # Pages stored before the kill were not fetched again.
    assert sum(len(srv.requests(f"/p{i}")) for i in range(count)) <= count + 8
    with Store.open(db_path) as store:
        pending = store.conn.execute(
            "SELECT count(*) FROM articles a LEFT JOIN story_members m ON m.article_id = a.id"
            " WHERE m.article_id IS NULL"
        ).fetchone()[0]
        assert pending == 0


def _count(db_path: Path, table: str) -> int:
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


# -- in the background -----------------------------------------------------------------------------


def test_refresh_forever_refreshes_due_feeds_until_stopped(db_path: Path, srv: FeedServer) -> None:
    srv.routes["/feed.xml"] = Doc(rss([item("1", news(1))]))
    with Store.open(db_path) as store:
        _sub(store, srv.url("/feed.xml"))
    reports = []

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(
            refresh_forever(db_path, stop, OPTS, poll=0.2, on_report=reports.append)
        )
        deadline = time.monotonic() + 60
        while not reports and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 30)

    asyncio.run(main())
    assert reports and reports[0].feeds[0].status == "updated"
    with Store.open(db_path) as store:
        assert store.count() == 1
        assert (
            json.loads(json.dumps(store.conn.execute("SELECT count(*) FROM leases").fetchone()[0]))
            == 0
        )


def test_a_refresh_asked_to_stop_fetches_no_further_feed(store: Store, srv: FeedServer) -> None:
    ids = []
    for i in range(3):
        srv.routes[f"/f{i}.xml"] = Doc(rss([item(str(i), news(i))]), delay=0.2)
        ids.append(_sub_raw(store, srv.url(f"/f{i}.xml")))
    done: list[int] = []

    class StopAfterOne(Progress):
        def feed_done(self, result: FeedResult) -> None:
            done.append(result.feed)

    report = refresh(
        store, opts=OPTS, progress=StopAfterOne(), now=NOW, weave=False,
        should_stop=lambda: bool(done),
    )  # fmt: skip
    # The feed in hand when the stop came is finished; the last one is never asked for.
    assert 1 <= len(report.feeds) < 3 and [r.feed for r in report.feeds] == done
    assert len(srv.log) == len(report.feeds)
    assert get_feed(store, ids[2]).last_fetched is None
    assert store.conn.execute("SELECT count(*) FROM leases").fetchone()[0] == 0


def test_default_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWEAVE_REFRESH_EVERY", "2h")
    assert RefreshOptions.from_env().default_every == 7200
    monkeypatch.setenv("NEWSWEAVE_REFRESH_EVERY", "often")
    with pytest.raises(NewsweaveError, match=r"\$NEWSWEAVE_REFRESH_EVERY=often: not a duration"):
        RefreshOptions.from_env()


def test_an_entry_and_its_article_are_written_together_or_not_at_all(
    store: Store, srv: FeedServer
) -> None:
    from newsweave.models import RawArticle
    from newsweave.pipeline import build_article

    title, body = article(news(1))
    built = build_article(RawArticle(origin="x", kind="feed", text=body, title=title))
    feed = _sub_raw(store, srv.url("/feed.xml"))
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        db.add_entry(store, feed, None, built, "now")  # type: ignore[arg-type]  # the entry row fails
    assert store.count() == 0  # so the article was rolled back with it
    assert db.add_entry(store, feed, "guid:1", built, "now") == "added"
    assert (store.count(), get_feed(store, feed).articles) == (1, 1)
    # A nested transaction is a savepoint: its failure leaves the outer one's writes alone.
    with store.transaction():
        store.conn.execute("UPDATE feeds SET title = 'outer' WHERE id = ?", (feed,))
        with pytest.raises(RuntimeError), store.transaction():
            store.conn.execute("UPDATE feeds SET site = 'inner' WHERE id = ?", (feed,))
            raise RuntimeError
    assert (get_feed(store, feed).title, get_feed(store, feed).site) == ("outer", None)


def test_feed_scheme_links_are_their_http_urls(store: Store, srv: FeedServer) -> None:
    srv.routes["/feed.xml"] = Doc(rss([item("1", news(1))]))
    link = srv.url("/feed.xml").replace("http://", "feed://")
    [result] = list(subscribe(store, [link], fetch_opts=LOCAL))
    assert result.feed is not None and result.feed.url == srv.url("/feed.xml")
