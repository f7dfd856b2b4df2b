"""Finding feeds: a feed URL as it is, a site's page through its `<link rel="alternate">` (else
the usual paths), OPML files in and out (categories are tags)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html

from newsweave.errors import FetchError, IngestError
from newsweave.feeds.upstream import decode, sniff_feed
from newsweave.store.feeds import Feed

# Tried in this order at the site's root when a page names no feed of its own.
COMMON_PATHS = ("/feed", "/rss.xml", "/atom.xml", "/feed.xml", "/rss", "/index.xml", "/feed/")
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}
OPML_NS = "https://github.com/newsweave/opml"  # our own attributes: full text, interval
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 60}


def parse_every(text: str) -> int:
    """'30m', '2h', '1d', '90s' (a bare number is minutes) → seconds, at least a minute."""
    match = _DURATION.match(text)
    if not match:
        raise IngestError(f"--every {text}", "not a duration (use 90s, 30m, 2h or 1d)")
    seconds = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if seconds < 60:
        raise IngestError(f"--every {text}", "too short (feeds are checked at most once a minute)")
    return seconds


def format_every(seconds: int | None) -> str:
    if seconds is None:
        return ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class Found:
    """A feed to subscribe to, as discovery or an OPML file describes it."""

    url: str
    title: str | None = None
    site: str | None = None
    tags: tuple[str, ...] = ()
    full_text: bool | None = None
    every: int | None = None
    also: tuple[str, ...] = field(default=())  # other feeds the page offered


Get = Callable[[str], tuple[str, str, bytes]]  # url → (final url, content type, body)


def looks_like_feed(data: bytes) -> bool:
    return sniff_feed(data) in {"rss", "feed", "rdf:rdf"}


def feed_title(data: bytes) -> tuple[str | None, str | None]:
    parsed = feedparser.parse(data)
    title = (parsed.feed.get("title") or "").strip() or None
    site = parsed.feed.get("link") or None
    return title, site


def discover(url: str, get: Get) -> Found | list[Found]:
    """What subscribing to `url` means: the feed it is, the feed its page names (or that
    answers at a usual path), or every feed of the OPML file it is."""
    final, _ctype, data = get(url)
    kind = sniff_feed(data)
    if kind == "opml":
        return parse_opml(data, url)
    if kind:
        title, site = feed_title(data)
        return Found(url=final, title=title, site=site)
    candidates = feed_links(decode(data, url), final)
    tried: list[str] = []
    for candidate in [*candidates, *(urljoin(final, p) for p in COMMON_PATHS)]:
        if candidate in tried:
            continue
        tried.append(candidate)
        try:
            got, _, body = get(candidate)
        except FetchError:
            continue
        if looks_like_feed(body):
            title, site = feed_title(body)
            others = tuple(c for c in candidates if c != candidate)
            return Found(url=got, title=title, site=site or final, also=others)
    raise IngestError(
        url,
        'no feed found (the page names none with <link rel="alternate"> and none of '
        + ", ".join(COMMON_PATHS)
        + " answers with a feed)",
    )


def feed_links(html: str, base: str) -> list[str]:
    """Feeds a page names with <link rel="alternate" type="application/rss+xml|atom+xml">."""
    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    base_href = doc.xpath("string(//base/@href)")
    base = urljoin(base, str(base_href)) if base_href else base
    found: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            url = urljoin(base, href)
            if urlsplit(url).scheme in {"http", "https"} and url not in found:
                found.append(url)
    return found


# -- OPML ------------------------------------------------------------------------------------


def parse_opml(data: bytes, origin: str) -> list[Found]:
    """Every outline with an xmlUrl; folder outlines and `category` attributes become tags."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise IngestError(origin, f"not a valid OPML file ({exc})") from None
    body = root.find("body")
    found = list(_outlines(body if body is not None else root, ()))
    if not found:
        raise IngestError(origin, "OPML file lists no feeds (no outline with xmlUrl)")
    return found


def _outlines(parent: ET.Element, folders: tuple[str, ...]) -> Iterator[Found]:
    for outline in parent.findall("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        name = (outline.get("title") or outline.get("text") or "").strip()
        if name == url:
            name = ""  # exporters put the URL in `text` when a feed has no title
        if not url:
            yield from _outlines(outline, (*folders, name) if name else folders)
            continue
        categories = [
            c.strip().strip("/") for c in (outline.get("category") or "").split(",") if c.strip()
        ]
        every = outline.get(f"{{{OPML_NS}}}every")
        full = outline.get(f"{{{OPML_NS}}}fullText")
        yield Found(
            url=url,
            title=name or None,
            site=(outline.get("htmlUrl") or "").strip() or None,
            tags=tuple(dict.fromkeys([*folders, *(c for c in categories if c)])),
            full_text=None if full is None else full.lower() == "true",
            every=int(every) if every and every.isdigit() else None,
        )


def export_opml(feeds: list[Feed], title: str = "newsweave subscriptions") -> str:
    """OPML 2.0: feeds under a folder named after their first tag, every tag in `category`."""
    ET.register_namespace("newsweave", OPML_NS)
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        parent = body
        if feed.tags:
            first = feed.tags[0]
            if first not in folders:
                folders[first] = ET.SubElement(body, "outline", {"text": first, "title": first})
            parent = folders[first]
        attrs = {"type": "rss", "text": feed.title or feed.url, "xmlUrl": feed.url}
        if feed.title:
            attrs["title"] = feed.title
        if feed.site:
            attrs["htmlUrl"] = feed.site
        if feed.tags:
            attrs["category"] = ",".join(feed.tags)
        if feed.full_text:
            attrs[f"{{{OPML_NS}}}fullText"] = "true"
        if feed.every:
            attrs[f"{{{OPML_NS}}}every"] = str(feed.every)
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
