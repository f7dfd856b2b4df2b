"""Every kind of input through `ingest`, and every kind of bad input: one error naming the
input, the rest of the batch going on."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from conftest import LocalServer, Route
from newsweave.errors import IngestError
from newsweave.ingest import ingest
from newsweave.models import RawArticle
from newsweave.settings import FetchOptions, IngestOptions

ARTICLE = (
    "Harbour budget approved after long debate\n\n"
    "The city council approved the new harbour budget on Monday after a long debate.\n"
    "The budget includes funds for dredging the channel and repairing the old pier.\n"
)
PAGE = """<!DOCTYPE html><html><head><title>Harbour budget approved | Bay Gazette</title>
<meta property="og:site_name" content="Bay Gazette">
<meta property="article:published_time" content="2024-05-06T08:00:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a></nav><article><h1>Harbour budget approved</h1>
<p>The city council approved the new harbour budget on Monday after a long debate that lasted into the night.</p>
<p>The budget includes funds for dredging the channel and repairing the old pier, which a storm damaged last winter.</p>
<p>Council members said the pier repairs would begin in the spring and would take about two years to finish.</p>
</article><footer>© 2024 Bay Gazette</footer></body></html>"""
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Bay Gazette</title>
<item><title>Harbour budget approved</title><link>https://bay.example/a</link><guid>a1</guid>
<pubDate>Mon, 06 May 2024 08:00:00 GMT</pubDate>
<description><![CDATA[<p>The city council approved the harbour budget.</p><p>Work starts in spring.</p>]]></description></item>
<item><title>Pier closed</title><link>https://bay.example/b</link>
<description>The old pier is closed until further notice after the storm.</description></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Bay Atom</title>
<entry><title>Ferry timetable changes</title><link href="https://bay.example/c"/><id>c1</id>
<updated>2024-05-07T10:00:00Z</updated><content type="html">&lt;p&gt;The ferry will run every hour from June.&lt;/p&gt;</content></entry></feed>"""

LOCAL = IngestOptions(fetch=FetchOptions(allow_private=True, timeout=1.0))


def _items(source: str | Path, opts: IngestOptions = LOCAL) -> list[RawArticle | IngestError]:
    return list(ingest(str(source), opts))


def _one(source: str | Path, opts: IngestOptions = LOCAL) -> RawArticle:
    items = _items(source, opts)
    assert len(items) == 1 and isinstance(items[0], RawArticle), items
    return items[0]


def _error(source: str | Path, opts: IngestOptions = LOCAL) -> str:
    items = _items(source, opts)
    assert len(items) == 1 and isinstance(items[0], IngestError), items
    message = str(items[0])
    assert "\n" not in message
    return message


def test_ingest_text_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)
    raw = _one(path)
    assert raw.kind == "text" and raw.origin == str(path)
    assert "harbour budget" in raw.text


def test_ingest_html_file_takes_title_date_and_site(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE)
    raw = _one(path)
    assert raw.kind == "html"
    assert raw.title == "Harbour budget approved"
    assert raw.source == "Bay Gazette"
    assert raw.published == "2024-05-06"
    assert "dredging the channel" in raw.text and "Home" not in raw.text


def test_ingest_gzipped_html(tmp_path: Path) -> None:
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(PAGE.encode()))
    assert _one(path).title == "Harbour budget approved"


def test_ingest_rss_and_atom_files(tmp_path: Path) -> None:
    (tmp_path / "feed.rss").write_text(FEED)
    (tmp_path / "feed.atom").write_text(ATOM)
    rss = _items(tmp_path / "feed.rss")
    assert [a.title for a in rss if isinstance(a, RawArticle)] == [
        "Harbour budget approved",
        "Pier closed",
    ]
    first = rss[0]
    assert isinstance(first, RawArticle)
    assert first.source == "Bay Gazette" and first.url == "https://bay.example/a"
    assert first.published == "2024-05-06T08:00:00" and first.details.external_id == "a1"
    assert first.text == "The city council approved the harbour budget.\nWork starts in spring."
    atom = _one(tmp_path / "feed.atom")
    assert (
        atom.title == "Ferry timetable changes"
        and atom.text == "The ferry will run every hour from June."
    )


def test_ingest_jsonl_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "bulk.jsonl"
    rows = [
        json.dumps(
            {
                "title": "One",
                "body": "First article text here.",
                "url": "https://x.example/1",
                "published": "2024-01-02",
                "read_count": 3,
            }
        ),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"title": "No text"}),
        json.dumps({"title": "Two", "text": ["Para one.", "Para two."], "source": "Wire"}),
    ]
    path.write_text("\n".join(rows) + "\n")
    items = _items(path)
    assert [type(i).__name__ for i in items] == [
        "RawArticle",
        "IngestError",
        "IngestError",
        "IngestError",
        "RawArticle",
    ]
    first, second = items[0], items[4]
    assert isinstance(first, RawArticle) and isinstance(second, RawArticle)
    assert (
        first.url == "https://x.example/1"
        and first.published == "2024-01-02"
        and first.read_count == 3
    )
    assert second.text == "Para one.\n\nPara two." and second.source == "Wire"
    assert str(items[1]).startswith(f"{path}:2: not valid JSON")
    assert str(items[3]).startswith(f"{path}:4: no article text")


def test_ingest_folder_goes_on_past_bad_files(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / ".hidden.txt").write_text(ARTICLE)
    items = _items(tmp_path)
    good = [i for i in items if isinstance(i, RawArticle)]
    errors = sorted(str(i) for i in items if isinstance(i, IngestError))
    assert [g.origin for g in good] == [str(tmp_path / "good.txt")]
    assert errors == [
        f"{tmp_path / 'dangling.txt'}: no such file or folder",
        f"{tmp_path / 'empty.txt'}: empty file, no text to read",
        f"{tmp_path / 'image.png'}: binary file, not text or HTML",
        f"{tmp_path / 'pipe.txt'}: not a regular file",
    ]


def test_ingest_refuses_files_over_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.write(b"word " * (50 * 1024 * 1024 // 5))
    # Sizes in the units `--max-bytes` takes (1 MB = 1024 KB), with how to raise the cap.
    assert "too large (50 MB; the cap is 10 MB: raise it with --max-bytes" in _error(path)


def test_ingest_missing_path() -> None:
    assert _error("/nonexistent/file.txt") == "/nonexistent/file.txt: no such file or folder"


def test_ingest_feed_that_is_not_xml(tmp_path: Path) -> None:
    path = tmp_path / "broken.rss"
    path.write_text("this is not a feed at all <<<")
    assert _error(path).startswith(f"{path}: not an RSS/Atom feed")


def test_ingest_malformed_html_still_yields_text(tmp_path: Path) -> None:
    path = tmp_path / "bad.html"
    path.write_text(
        "<html><body><div><p>The council approved the budget on Monday after a long debate in the hall."
        "<p>It includes money for the pier and the channel, which need repair after the storm.<div></span>"
    )
    raw = _one(path)
    assert "approved the budget" in raw.text


def test_ingest_html_without_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text(
        "<html><head><title>x</title></head><body><script>var a=1;</script></body></html>"
    )
    assert _error(path) == f"{path}: no article text found in the HTML"


def test_ingest_url_html_and_feed(server: LocalServer) -> None:
    server.routes["/page"] = Route(body=PAGE.encode())
    server.routes["/feed"] = Route(body=FEED.encode(), content_type="application/rss+xml")
    page = _one(server.url("/page"))
    assert page.title == "Harbour budget approved" and page.origin == server.url("/page")
    assert len(_items(server.url("/feed"))) == 2


def test_ingest_opml_lists_feeds(server: LocalServer, tmp_path: Path) -> None:
    server.routes["/feed"] = Route(body=FEED.encode(), content_type="application/rss+xml")
    server.routes["/atom"] = Route(body=ATOM.encode(), content_type="application/atom+xml")
    opml = tmp_path / "subs.opml"
    opml.write_text(
        f'<opml version="2.0"><body><outline text="Bay"><outline xmlUrl="{server.url("/feed")}"/>'
        f'<outline xmlUrl="{server.url("/atom")}"/><outline xmlUrl="{server.url("/gone")}"/></outline></body></opml>'
    )
    items = _items(opml)
    assert sum(isinstance(i, RawArticle) for i in items) == 3
    assert [str(i) for i in items if isinstance(i, IngestError)] == [
        f"{server.url('/gone')}: HTTP 404 Not Found"
    ]


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (500, "Internal Server Error")])
def test_ingest_url_http_errors(server: LocalServer, status: int, reason: str) -> None:
    server.routes["/x"] = Route(status=status, body=b"oops")
    assert _error(server.url("/x")) == f"{server.url('/x')}: HTTP {status} {reason}"


def test_ingest_url_timeout(server: LocalServer) -> None:
    server.routes["/slow"] = Route(body=PAGE.encode(), delay=3)
    assert _error(server.url("/slow")) == f"{server.url('/slow')}: timed out after 1 s"


def test_ingest_url_not_html(server: LocalServer) -> None:
    server.routes["/doc.pdf"] = Route(body=b"%PDF-1.4 binary", content_type="application/pdf")
    message = _error(server.url("/doc.pdf"))
    assert "not HTML, a feed or text (content-type application/pdf)" in message


def test_ingest_url_size_cap(server: LocalServer) -> None:
    server.routes["/big"] = Route(body=b"<html><body>" + b"x" * 2_000_000 + b"</body></html>")
    opts = IngestOptions(fetch=FetchOptions(allow_private=True, max_bytes=1_000_000))
    assert "too large" in _error(server.url("/big"), opts)


def test_ingest_url_refuses_private_address_by_default(server: LocalServer) -> None:
    server.routes["/page"] = Route(body=PAGE.encode())
    message = _error(server.url("/page"), IngestOptions())
    assert "refusing to fetch private address 127.0.0.1" in message


def test_ingest_url_follows_redirects(server: LocalServer) -> None:
    server.routes["/old"] = Route(status=301, headers={"Location": "/page"})
    server.routes["/page"] = Route(body=PAGE.encode())
    raw = _one(server.url("/old"))
    assert raw.title == "Harbour budget approved"


def test_jsonl_with_curly_quotes_inside_its_strings_is_read(tmp_path: Path) -> None:
    # Raw UTF-8, as most tools write JSON Lines: the quotes are straightened after parsing.
    line = {"title": "Quake toll rises", "text": "“It was a nightmare,” said a resident of Ostrel."}
    path = tmp_path / "curly.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    items = list(ingest(str(path)))
    assert len(items) == 1 and not isinstance(items[0], IngestError)
    assert items[0].text.startswith('"It was a nightmare," said')
