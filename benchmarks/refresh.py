"""Feed refresh: N local feeds × M entries served from 127.0.0.1 (HTTP/1.1, ETag and
Last-Modified, 304 when unchanged).

  1. first refresh into a fresh store: every entry fetched, cleaned, stored and woven; articles/s
     for the fetch-and-store part, for weaving, and for the whole;
  2. second refresh with nothing new: every feed answers 304; seconds for all of them.

All feeds are on one host, so they are fetched one at a time (at most one connection per host);
the figure is the cost of the refresh itself, not of parallel requests.

    python benchmarks/refresh.py [--feeds 200] [--entries 20] [--no-weave]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import random
import tempfile
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from newsweave.feeds import Progress, RefreshOptions, refresh
from newsweave.settings import FetchOptions
from newsweave.store import Store
from newsweave.store import feeds as db

TOWNS = (
    "Vell Ostrel Dalby Tessel Lindor Karvala Miren Brask Holm Tarn Esk Wend Corrin Fallow".split()
)
TOPICS = [
    ("council approves {n} million budget for the harbour", "budget", "council members"),
    ("storm closes roads and schools across {town}", "storm", "emergency crews"),
    ("new rail line to {town} opens after {n} years of work", "rail line", "engineers"),
    ("hospital in {town} hires {n} nurses to cut waiting lists", "hospital", "doctors"),
    ("farmers in {town} report record harvest of {n} tonnes", "harvest", "farmers"),
    ("police in {town} arrest {n} people after market fraud", "fraud", "detectives"),
]


def article(feed: int, entry: int) -> tuple[str, str]:
    rng = random.Random(feed * 1000 + entry)
    town = f"{rng.choice(TOWNS)}{feed}"
    person = f"{rng.choice(['Anna', 'Piet', 'Lena', 'Tomas', 'Ilsa', 'Marek'])} {rng.choice(TOWNS)}{entry}"
    n = rng.randint(2, 900)
    headline, thing, group = rng.choice(TOPICS)
    title = headline.format(n=n, town=town).capitalize()
    paragraphs = [
        f"Officials in {town} said on {rng.choice(['Monday', 'Tuesday', 'Friday'])} that the {thing} "
        f"would affect about {n * 10} residents, according to {person}, who leads the local office.",
        f"{person} told reporters that {group} had worked through the night and that a full report "
        f"would be published within {rng.randint(2, 9)} days.",
        f"The {thing} is the {rng.choice(['largest', 'second', 'first'])} of its kind in {town} since "
        f"{rng.randint(1950, 2020)}, and {group} expect more news next week.",
        f"Residents of {town} gathered outside the town hall, where {person} promised regular updates.",
    ]
    return title, "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def feed_document(feed: int, entries: int) -> bytes:
    items = []
    for entry in range(entries):
        title, body = article(feed, entry)
        items.append(
            f"<item><title>{escape(title)}</title><link>https://f{feed}.example/{entry}</link>"
            f'<guid isPermaLink="false">f{feed}-{entry}</guid>'
            f"<description><![CDATA[{body}]]></description></item>"
        )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
        f"<link>https://f{feed}.example/</link>{''.join(items)}</channel></rss>"
    ).encode()


class Server:
    def __init__(self, documents: dict[str, bytes]) -> None:
        modified = formatdate(time.time(), usegmt=True)
        tags = {p: '"' + hashlib.sha1(d).hexdigest()[:16] + '"' for p, d in documents.items()}
        self.counts: dict[int, int] = {}
        counts = self.counts

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                body = documents.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                fresh = self.headers.get("If-None-Match") == tags[self.path]
                status = 304 if fresh else 200
                counts[status] = counts.get(status, 0) + 1
                self.send_response(status)
                self.send_header("ETag", tags[self.path])
                self.send_header("Last-Modified", modified)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", "0" if fresh else str(len(body)))
                self.end_headers()
                if not fresh:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


class ServerProcess:
    """The server in its own process, as a real one would be: it must not share this one's GIL."""

    def __init__(self, documents: dict[str, bytes]) -> None:
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(documents, child), daemon=True)
        self.process.start()
        self.port = int(parent.recv())
        self.pipe = parent

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def counts(self) -> dict[int, int]:
        """Responses by status since the last call."""
        self.pipe.send("counts")
        return dict(self.pipe.recv())


def _serve(documents: dict[str, bytes], pipe: Any) -> None:
    server = Server(documents)
    pipe.send(server.httpd.server_address[1])
    while True:
        pipe.recv()
        pipe.send(dict(server.counts))
        server.counts.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--no-weave", action="store_true", help="store only; do not weave")
    args = parser.parse_args()
    documents = {f"/feed/{i}.xml": feed_document(i, args.entries) for i in range(args.feeds)}
    server = ServerProcess(documents)
    opts = RefreshOptions(fetch=FetchOptions(allow_private=True))
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "bench.db") as store:
        for path in documents:
            db.add_feed(store, server.url(path), added="bench")
        marks: dict[str, float] = {}

        class Clock(Progress):
            def weave_started(self, total: int) -> None:
                marks["weave"] = time.perf_counter()

        start = time.perf_counter()
        first = refresh(store, opts=opts, progress=Clock(), weave=not args.no_weave)
        total = time.perf_counter() - start
        stored = marks.get("weave", start + total) - start
        articles = store.count()
        print(
            f"first refresh: {args.feeds} feeds, {articles} articles stored in {stored:.1f} s "
            f"({articles / stored:.0f} articles/s fetch + parse + clean + store); "
            f"{first.count('updated')} updated, {first.count('error')} failed"
        )
        if not args.no_weave:
            weaving = total - stored
            woven = first.woven
            print(
                f"  weaving: {woven.woven} articles in {weaving:.1f} s "
                f"({woven.woven / weaving:.1f}/s, {woven.new_stories} stories); whole refresh "
                f"{total:.1f} s = {articles / total:.1f} articles/s"
            )
        server.counts()
        start = time.perf_counter()
        second = refresh(
            store, [str(i) for i in range(1, args.feeds + 1)], opts, weave=not args.no_weave
        )
        again = time.perf_counter() - start
        answered = server.counts()
        print(
            f"second refresh, nothing new: {len(second.feeds)} feeds in {again:.2f} s "
            f"({second.count('not_modified')} not modified; server answered "
            f"{answered.get(304, 0)} × 304, {answered.get(200, 0)} × 200); "
            f"{store.count() - articles} new articles"
        )


if __name__ == "__main__":
    main()
