"""A real HTTP/1.1 server on 127.0.0.1 for feed tests: routes that change between requests,
ETag / Last-Modified answered with 304, a log of every request's headers, and a count of the
requests in flight per host name."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass
class Doc:
    body: bytes
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    validators: bool = True  # send ETag and Last-Modified, answer 304 to a matching request
    declare_length: bool = True
    modified: str = field(default_factory=lambda: formatdate(time.time(), usegmt=True))

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass(frozen=True)
class Request:
    path: str
    host: str
    headers: dict[str, str]
    status: int


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Doc] = {}
        self.log: list[Request] = []
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.max_total = 0
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
                with lock:
                    server.in_flight[host] = server.in_flight.get(host, 0) + 1
                    server.max_in_flight[host] = max(
                        server.max_in_flight.get(host, 0), server.in_flight[host]
                    )
                    server.max_total = max(server.max_total, sum(server.in_flight.values()))
                try:
                    self._answer(host)
                finally:
                    with lock:
                        server.in_flight[host] -= 1

            def _answer(self, host: str) -> None:
                doc = server.routes.get(self.path.split("?")[0])
                headers = dict(self.headers.items())
                if doc is None:
                    server.log.append(Request(self.path, host, headers, 404))
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if doc.delay:
                    time.sleep(doc.delay)
                fresh = doc.validators and (
                    self.headers.get("If-None-Match") == doc.etag
                    or (
                        "If-None-Match" not in self.headers
                        and self.headers.get("If-Modified-Since") == doc.modified
                    )
                )
                status = 304 if fresh and doc.status == 200 else doc.status
                server.log.append(Request(self.path, host, headers, status))
                self.send_response(status)
                for key, value in doc.headers.items():
                    self.send_header(key, value)
                if doc.validators:
                    self.send_header("ETag", doc.etag)
                    self.send_header("Last-Modified", doc.modified)
                if status == 304:
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_header("Content-Type", doc.content_type)
                if doc.declare_length:
                    self.send_header("Content-Length", str(len(doc.body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(doc.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def requests(self, path: str) -> list[Request]:
        return [r for r in self.log if r.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def rss(
    items: list[tuple[str | None, str | None, str, str]],
    title: str = "Bay News",
    channel_extra: str = "",
) -> bytes:
    """An RSS 2.0 document; each item is (guid, link, title, body text with blank-line
    paragraphs)."""
    parts = []
    for guid, link, item_title, body in items:
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n") if p.strip())
        parts.append(
            "<item>"
            + f"<title>{escape(item_title)}</title>"
            + (f"<link>{escape(link)}</link>" if link else "")
            + (f'<guid isPermaLink="false">{escape(guid)}</guid>' if guid else "")
            + f"<description><![CDATA[{paragraphs}]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>'
        f"<title>{escape(title)}</title><link>https://bay.example/</link>{channel_extra}"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def article(title_and_body: str) -> tuple[str, str]:
    """A test article text ('Title\\n\\nbody...') as (title, body)."""
    title, _, body = title_and_body.strip().partition("\n\n")
    return title, body
