"""The Feeds page and /api/feeds against a real feed server on 127.0.0.1: subscribe (by URL,
with discovery, or OPML upload), refresh now, the lease, unsubscribe, OPML export, errors."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from feedserver import Doc, FeedServer, rss
from newsweave.settings import ALLOW_PRIVATE_ENV
from newsweave.store import Store
from test_feeds import item, news
from web_helpers import api_error, chromium, running_server

DOCS_IMG = Path(__file__).resolve().parents[1] / "docs" / "img"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
# The keys of `newsweave feeds --format json` (docs/json.md): the API must give the same.
FEED_KEYS = {
    "id", "title", "url", "site", "tags", "full_text", "every", "interval", "articles",
    "unread", "last_fetched", "last_status", "error", "consecutive_errors", "next_due",
    "disabled",
}  # fmt: skip

pytestmark = pytest.mark.slow


@pytest.fixture
def srv() -> Iterator[FeedServer]:
    s = FeedServer()
    yield s
    s.close()


@pytest.fixture
def private_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    """The feed server is on 127.0.0.1: allowed only through the environment, as a user
    would allow it (the server never takes it from a request)."""
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with running_server(tmp_path / "feeds.db") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _site(srv: FeedServer) -> None:
    """A site page naming its feed, and the feed with two articles."""
    srv.routes["/feed.xml"] = Doc(rss([item("1", news(1)), item("2", news(2))]))
    srv.routes["/"] = Doc(
        b'<!doctype html><html><head><title>Bay</title><link rel="alternate"'
        b' type="application/rss+xml" href="/feed.xml"></head><body>Bay</body></html>',
        content_type="text/html; charset=utf-8",
    )


def _opml(*urls: str, folder: str = "Local") -> bytes:
    outlines = "".join(
        f'<outline type="rss" text="f{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls)
    )
    return (
        f'<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
        f'<outline text="{folder}">{outlines}</outline></body></opml>'
    ).encode()


def test_feeds_page_subscribe_refresh_import_unsubscribe_with_javascript_off(
    server: str, srv: FeedServer, browser: Any, private_ok: None, tmp_path: Path
) -> None:
    _site(srv)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/")
    page.locator("header.site nav a", has_text="Feeds").click()
    assert page.url == server + "/feeds"
    assert "No subscriptions yet" in page.locator("main").inner_text()

    # Subscribe to the site's page: its feed is discovered, as `newsweave subscribe` does.
    page.fill("#feed-url", srv.url("/"))
    page.fill("#feed-tags", "world, bay")
    page.locator("#subscribe-url button[type=submit]").click()
    assert "subscribed" in page.locator("#subscribed").inner_text()
    feed = page.locator("li.feed")
    assert feed.count() == 1
    assert srv.url("/feed.xml") in feed.locator(".feed-url").inner_text()
    assert feed.locator(".tag").all_inner_texts() == ["world", "bay"]
    assert feed.locator(".badge").inner_text().lower() == "not fetched yet"
    assert feed.locator("dd.fetched").inner_text() == "never"
    assert feed.locator("dd.due").inner_text() == "now"

    # Refresh now: the articles are fetched, stored, woven and counted.
    feed.locator("button", has_text="Refresh now").click()
    assert "2 new articles" in page.locator("#refreshed").inner_text()
    feed = page.locator("li.feed")
    assert feed.locator("dd.articles").inner_text() == "2"
    assert feed.locator("dd.unread").inner_text() == "2"
    assert feed.locator("dd.status").inner_text() == "updated"
    assert feed.locator("dd.fetched").inner_text() != "never"
    assert feed.locator("dd.due").inner_text() not in {"now", "never"}
    stories = httpx.get(f"{server}/api/stories").json()["stories"]
    assert sum(len(s["articles"]) for s in stories) == 2  # woven into stories

    # The feed changes: one more article; then it fails, and the page says so.
    srv.routes["/feed.xml"] = Doc(rss([item("3", news(3)), item("1", news(1)), item("2", news(2))]))
    feed.locator("button", has_text="Refresh now").click()
    assert "1 new article" in page.locator("#refreshed").inner_text()
    assert page.locator("li.feed dd.articles").inner_text() == "3"
    srv.routes["/feed.xml"] = Doc(b"down", status=500, content_type="text/plain")
    page.locator("li.feed button", has_text="Refresh now").click()
    assert "1 failed" in page.locator("#refreshed").inner_text()
    feed = page.locator("li.feed")
    assert feed.locator(".badge").inner_text().lower() == "error"
    assert feed.locator("dd.status").inner_text() == "error"
    assert feed.locator("dd.errors").inner_text() == "1"
    assert "HTTP 500" in feed.locator(".feed-error").inner_text()
    assert feed.locator("dd.articles").inner_text() == "3"  # nothing stored is lost

    # "Refresh due feeds": the failed feed backs off, so nothing is due.
    page.locator("button", has_text="Refresh due feeds").click()
    assert "No feed is due" in page.locator("#refreshed").inner_text()

    # OPML upload: each outline a feed, its folder a tag.
    srv.routes["/a.xml"] = Doc(rss([item("a", news(10))], title="Feed A"))
    srv.routes["/b.xml"] = Doc(rss([item("b", news(11))], title="Feed B"))
    opml = tmp_path / "other-reader.opml"
    opml.write_bytes(_opml(srv.url("/a.xml"), srv.url("/b.xml"), folder="Elsewhere"))
    page.set_input_files("#feed-opml", str(opml))
    page.locator("#subscribe-opml button[type=submit]").click()
    assert page.locator("#subscribed li.added").count() == 2
    assert page.locator("li.feed").count() == 3
    for url in (srv.url("/a.xml"), srv.url("/b.xml")):
        row = page.locator("li.feed", has_text=url)
        assert row.locator(".tag").all_inner_texts() == ["Elsewhere"]

    # A bad URL is a message on the page, not an error page; nothing is added.
    page.fill("#feed-url", srv.url("/nothing-here"))
    page.locator("#subscribe-url button[type=submit]").click()
    assert "error" in page.locator("#subscribed").inner_text()
    assert page.locator("li.feed").count() == 3
    assert page.locator("#feed-url").input_value() == srv.url("/nothing-here")  # kept to fix

    # Unsubscribe: gone from the list, its articles stay.
    first = page.locator("li.feed", has_text=srv.url("/feed.xml"))
    first.locator("button", has_text="Unsubscribe").click()
    assert "3 articles stay" in page.locator("#unsubscribed").inner_text()
    assert page.locator("li.feed").count() == 2
    assert page.locator("li.feed", has_text=srv.url("/feed.xml")).count() == 0
    assert len(httpx.get(f"{server}/api/articles").json()["articles"]) == 3
    context.close()


def test_feeds_api_shapes_errors_lease_and_opml(
    server: str, srv: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _site(srv)
    assert httpx.get(f"{server}/api/feeds").json() == {"feeds": []}
    # Bad input: 4xx with the one error shape, never a 500.
    for bad in ({"url": "not a url"}, {"url": "file:///etc/passwd"}, {"url": "/etc/passwd"}):
        assert api_error(httpx.post(f"{server}/api/feeds", json=bad), 422)["code"] == "invalid"
    assert api_error(httpx.post(f"{server}/api/feeds", json={"url": 3}), 422)
    assert api_error(httpx.post(f"{server}/api/feeds", json={}), 422)
    assert api_error(httpx.post(f"{server}/api/feeds", json={"url": "x", "nope": 1}), 422)
    every = httpx.post(f"{server}/api/feeds", json={"url": srv.url("/"), "every": "soon"})
    assert "not a duration" in api_error(every, 422)["message"]
    assert api_error(
        httpx.post(
            f"{server}/api/feeds", content=b"{", headers={"content-type": "application/json"}
        ),
        422,
    )
    assert api_error(
        httpx.post(f"{server}/api/feeds", content=b"x", headers={"content-type": "text/plain"}),
        415,
    )
    # The private-address refusal stays on unless the environment lifts it.
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    refused = api_error(httpx.post(f"{server}/api/feeds", json={"url": srv.url("/")}), 422)
    assert refused["code"] == "not_subscribed" and "private" in refused["message"]
    assert httpx.get(f"{server}/api/feeds").json() == {"feeds": []}
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    missing = api_error(httpx.post(f"{server}/api/feeds", json={"url": srv.url("/gone.xml")}), 422)
    assert missing["code"] == "not_subscribed" and "404" in missing["message"]

    added = httpx.post(
        f"{server}/api/feeds", json={"url": srv.url("/"), "tags": ["world"], "every": "2h"}
    )
    assert added.status_code == 200, added.text
    [result] = added.json()["results"]
    assert result["status"] == "added" and result["target"] == srv.url("/")
    assert set(result["feed"]) == FEED_KEYS
    assert result["feed"]["url"] == srv.url("/feed.xml") and result["feed"]["every"] == 7200
    feed_id = result["feed"]["id"]

    refreshed = httpx.post(f"{server}/api/feeds/{feed_id}/refresh", timeout=300).json()
    assert refreshed["new"] == 2 and refreshed["woven"]["woven"] == 2
    [one] = refreshed["feeds"]
    assert (one["feed"], one["status"], one["new"], one["error"]) == (feed_id, "updated", 2, None)
    assert set(one) == {"feed", "url", "title", "status", "new", "error", "entry_errors"}
    [listed] = httpx.get(f"{server}/api/feeds").json()["feeds"]
    assert set(listed) == FEED_KEYS
    assert (listed["articles"], listed["unread"], listed["last_status"]) == (2, 2, "updated")
    assert listed["tags"] == ["world"] and listed["last_fetched"]
    again = httpx.post(f"{server}/api/feeds/{feed_id}/refresh", timeout=60).json()
    assert again["feeds"][0]["status"] == "not_modified" and again["new"] == 0
    assert httpx.post(f"{server}/api/feeds/refresh", timeout=60).json()["feeds"] == []  # none due

    # Another refresh holds the store's lease: a clear 409 (API) and message (page).
    # (tmp_path / "feeds.db" is the `server` fixture's store.)
    with Store.open(tmp_path / "feeds.db") as holder, holder.lease("refresh"):
        busy = api_error(httpx.post(f"{server}/api/feeds/{feed_id}/refresh"), 409)
        assert busy["code"] == "busy" and "another refresh is running" in busy["message"]
        page = httpx.post(f"{server}/feeds/{feed_id}/refresh", headers={"origin": server})
        assert page.status_code == 409 and "Another refresh is running" in page.text

    # OPML: export, and import by upload (multipart), as the CLI's `opml` / `subscribe FILE`.
    exported = httpx.get(f"{server}/feeds.opml")
    assert exported.headers["content-type"].startswith("text/x-opml")
    outline = ET.fromstring(exported.content).find(".//outline[@xmlUrl]")
    assert outline is not None and outline.get("xmlUrl") == srv.url("/feed.xml")
    srv.routes["/a.xml"] = Doc(rss([item("a", news(10))], title="Feed A"))
    files = [("files", ("mine.opml", _opml(srv.url("/a.xml"), srv.url("/feed.xml")), "text/xml"))]
    imported = httpx.post(f"{server}/api/feeds", files=files).json()["results"]
    assert [(r["target"], r["status"]) for r in imported] == [
        ("mine.opml", "added"),
        ("mine.opml", "updated"),
    ]
    junk = [("files", ("notes.opml", b"\x00\x01 not xml", "text/xml"))]
    bad = api_error(httpx.post(f"{server}/api/feeds", files=junk), 422)
    assert "notes.opml" in bad["message"] and "/tmp" not in bad["message"]

    # Unsubscribe: DELETE or POST …/delete; the article stay; a second time is a 404.
    gone = httpx.delete(f"{server}/api/feeds/{feed_id}").json()
    assert gone["id"] == feed_id and gone["articles"] == 2
    assert api_error(httpx.delete(f"{server}/api/feeds/{feed_id}"), 404)["code"] == "not_found"
    assert api_error(httpx.post(f"{server}/api/feeds/{feed_id}/delete"), 404)
    assert api_error(httpx.post(f"{server}/api/feeds/{feed_id}/refresh"), 404)
    assert api_error(httpx.post(f"{server}/api/feeds/abc/refresh"), 422)
    assert api_error(httpx.post(f"{server}/api/feeds/{2**70}/refresh"), 422)
    other = httpx.get(f"{server}/api/feeds").json()["feeds"]
    assert [f["url"] for f in other] == [srv.url("/a.xml")]
    assert httpx.post(f"{server}/api/feeds/{other[0]['id']}/delete").json()["id"] == other[0]["id"]
    assert len(httpx.get(f"{server}/api/articles").json()["articles"]) == 2

    # The rules every POST follows: cross-site refused.
    cross = httpx.post(
        f"{server}/api/feeds", json={"url": srv.url("/")}, headers={"origin": "http://evil.example"}
    )
    assert api_error(cross, 403)["code"] == "forbidden"
    page_cross = httpx.post(
        f"{server}/feeds", data={"url": srv.url("/")}, headers={"sec-fetch-site": "cross-site"}
    )
    assert api_error(page_cross, 403)
    kept = httpx.post(f"{server}/api/feeds", json={"url": srv.url("/a.xml")}).json()
    kept_id = kept["results"][0]["feed"]["id"]
    cross_delete = httpx.delete(
        f"{server}/api/feeds/{kept_id}", headers={"origin": "http://evil.example"}
    )
    assert api_error(cross_delete, 403)
    assert httpx.delete(f"{server}/api/feeds/{kept_id}").status_code == 200
    assert httpx.get(f"{server}/api/feeds").json() == {"feeds": []}


def test_refresh_now_never_blocks_the_server(
    server: str, srv: FeedServer, private_ok: None
) -> None:
    """A slow feed refreshing: the server keeps answering, and a second refresh meanwhile is
    told another one is running."""
    srv.routes["/slow.xml"] = Doc(rss([item("s", news(20))]), delay=3.0)
    feed = httpx.post(f"{server}/api/feeds", json={"url": srv.url("/slow.xml")}, timeout=30)
    feed_id = feed.json()["results"][0]["feed"]["id"]
    srv.routes["/slow.xml"] = Doc(rss([item("s", news(20)), item("t", news(21))]), delay=3.0)
    outcome: dict[str, Any] = {}

    def slow() -> None:
        outcome["response"] = httpx.post(f"{server}/api/feeds/{feed_id}/refresh", timeout=300)

    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(1.0)  # the refresh is waiting on the slow feed now
    started = time.monotonic()
    listed = httpx.get(f"{server}/api/feeds", timeout=10)
    page = httpx.get(f"{server}/feeds", timeout=10)
    elapsed = time.monotonic() - started
    assert listed.status_code == 200 and page.status_code == 200
    assert elapsed < 1.5, f"the server answered in {elapsed:.1f}s during a refresh"
    busy = api_error(httpx.post(f"{server}/api/feeds/refresh", timeout=10), 409)
    assert busy["code"] == "busy"
    worker.join(timeout=300)
    assert outcome["response"].status_code == 200
    assert outcome["response"].json()["new"] == 2


def test_feeds_need_the_token(tmp_path: Path) -> None:
    with running_server(tmp_path / "t.db", token="s3cret") as base:
        assert api_error(httpx.get(f"{base}/api/feeds"), 401)["code"] == "unauthorized"
        assert api_error(httpx.post(f"{base}/api/feeds/1/refresh"), 401)
        for path in ("/feeds", "/feeds.opml"):
            page = httpx.get(base + path)
            assert page.status_code == 303 and page.headers["location"].startswith("/login")
        ok = httpx.get(f"{base}/api/feeds", headers={"authorization": "Bearer s3cret"})
        assert ok.json() == {"feeds": []}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_feeds_page_screenshots(
    tmp_path: Path, srv: FeedServer, browser: Any, private_ok: None, width: str
) -> None:
    """Pictures for docs/web.md: a feed that works, one failing, one not fetched yet."""
    srv.routes["/bay/feed.xml"] = Doc(
        rss([item(str(i), news(i)) for i in range(1, 5)], title="Bay News")
    )
    srv.routes["/harbour/rss.xml"] = Doc(rss([item("h", news(40))], title="Harbour Post"))
    srv.routes["/valley/atom.xml"] = Doc(rss([item("v", news(30))], title="Valley Gazette"))
    with running_server(tmp_path / "shots.db") as base:
        for path, tags in (("/bay/feed.xml", ["world"]), ("/harbour/rss.xml", ["local", "sea"])):
            r = httpx.post(f"{base}/api/feeds", json={"url": srv.url(path), "tags": tags})
            assert r.status_code == 200, r.text
            if path.startswith("/harbour"):  # up when subscribed, down when refreshed
                srv.routes[path] = Doc(b"busy", status=503, content_type="text/plain")
            httpx.post(f"{base}/api/feeds/{r.json()['results'][0]['feed']['id']}/refresh",
                       timeout=300)  # fmt: skip
        r = httpx.post(
            f"{base}/api/feeds", json={"url": srv.url("/valley/atom.xml"), "every": "2h"}
        )
        assert r.status_code == 200, r.text
        w, h = WIDTHS[width]
        page = browser.new_page(viewport={"width": w, "height": h})
        page.goto(base + "/feeds")
        path = DOCS_IMG / f"feeds-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5_000
        assert page.evaluate("document.documentElement.scrollWidth") <= w
        assert page.locator("li.feed").count() == 3
        assert page.locator("li.feed .badge.error").count() == 1
        page.close()
