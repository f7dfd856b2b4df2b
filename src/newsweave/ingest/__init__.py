"""Stage 1, ingest: any input (file, folder, URL, feed, OPML, JSON Lines, reading-app export)
to `RawArticle`s, each with the metadata the input carries kept out of its text.

Every kind goes through `ingest(source)`, which yields one item per article found: a
`RawArticle`, or an `IngestError` naming the input that failed, so one bad file never stops a
batch. URLs are fetched by fetch.py, HTML is read by extract.py, and the fields reading apps
append to an export are parsed by appexport.py.
"""

from __future__ import annotations

import json
import re
import stat
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser

from newsweave.errors import IngestError
from newsweave.ingest import appexport
from newsweave.ingest.extract import extract_html, html_fragment_to_text, only_links
from newsweave.ingest.fetch import Fetched, check_scheme, fetch, is_url, unsupported_scheme
from newsweave.limits import TooLarge, declares_entities, gunzip
from newsweave.models import Details, RawArticle
from newsweave.settings import IngestOptions, too_large
from newsweave.text import Decoded, decode, decode_text, normalize_text
from newsweave.timestamps import from_struct_time, normalize_date

IngestItem = RawArticle | IngestError

_HTML_EXT = {".html", ".htm", ".xhtml", ".shtml"}
_FEED_EXT = {".rss", ".atom", ".xml", ".rdf"}
_JSONL_EXT = {".jsonl", ".ndjson"}
_OPML_EXT = {".opml"}
_HTML_SNIFF = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_FEED_SNIFF = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(rss|feed|rdf:RDF|opml)\b", re.I | re.S
)


def expand(source: str) -> Iterator[str | IngestError]:
    """The units of work in one source: a folder's files (hidden ones skipped), else the
    source itself. Units can be ingested independently, in any process."""
    if is_url(source):
        yield source
        return
    if unsupported_scheme(source):
        yield _scheme_error(source)
        return
    root = Path(source).expanduser()
    if not root.is_dir():
        yield source
        return
    try:
        entries = sorted(root.rglob("*"))
    except OSError as exc:
        yield IngestError(source, f"cannot list folder ({exc.strerror})")
        return
    for path in entries:
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if not path.is_dir():
            yield str(path)


def _scheme_error(source: str) -> IngestError:
    try:
        check_scheme(source, source)
    except IngestError as exc:
        return exc
    raise AssertionError(f"{source} has a supported scheme")


def ingest(source: str, opts: IngestOptions | None = None) -> Iterator[IngestItem]:
    """Yield the articles (or errors) found in one source: a path, a folder or a URL."""
    opts = opts or IngestOptions()
    for unit in expand(source):
        if isinstance(unit, IngestError):
            yield unit
            continue
        try:
            if is_url(unit):
                yield from _ingest_url(unit, opts)
            else:
                yield from _ingest_file(Path(unit).expanduser(), opts)
        except IngestError as exc:
            yield exc
        except Exception as exc:  # a parser bug must not end the batch or show a traceback
            yield IngestError(unit, f"could not be read ({type(exc).__name__}: {exc})")


def _read_file(path: Path, opts: IngestOptions) -> bytes:
    origin = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise IngestError(origin, "no such file or folder") from None
    except OSError as exc:
        raise IngestError(origin, f"cannot read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(origin, "not a regular file")
    if info.st_size > opts.max_file_bytes:
        raise IngestError(origin, too_large(info.st_size, opts.max_file_bytes))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(origin, f"cannot read ({exc.strerror})") from None
    if path.suffix.lower() == ".gz":
        try:
            data = gunzip(data, opts.max_file_bytes)
        except TooLarge:
            raise IngestError(
                origin,
                too_large(opts.max_file_bytes + 1, opts.max_file_bytes, " once decompressed"),
            ) from None
        except (OSError, EOFError, zlib.error) as exc:
            raise IngestError(origin, f"not a readable gzip file ({exc})") from None
    return data


def _ingest_file(path: Path, opts: IngestOptions) -> Iterator[IngestItem]:
    data = _read_file(path, opts)
    origin = str(path)
    name = path.name.lower()
    suffix = Path(name[:-3]).suffix if name.endswith(".gz") else path.suffix.lower()
    if suffix in _JSONL_EXT:
        yield from _ingest_jsonl(data, origin, opts)
    elif suffix in _OPML_EXT or sniff_feed(data) == "opml":
        yield from _ingest_opml(data, origin, opts)
    elif suffix in _FEED_EXT or sniff_feed(data):
        yield from _ingest_feed(data, origin, opts)
    elif suffix in _HTML_EXT or _HTML_SNIFF.match(data[:4096]):
        decoded = decode_text(data, origin)
        yield _noting(decoded, html_article(decoded.text, origin, url=None))
    else:
        decoded = decode_text(data, origin)
        yield _noting(decoded, text_article(normalize_text(decoded.text), origin))


def _noting(decoded: Decoded, article: RawArticle) -> RawArticle:
    """The article with what decoding changed (bytes replaced) first in its removal log."""
    article.removed = [*decoded.notes, *article.removed]
    return article


def sniff_feed(data: bytes) -> str | None:
    match = _FEED_SNIFF.match(data[:4096])
    return match.group(1).decode().lower() if match else None


def _ingest_url(url: str, opts: IngestOptions) -> Iterator[IngestItem]:
    fetched = fetch(url, opts.fetch)
    kind = _kind_of_response(fetched)
    if kind == "feed":
        yield from _ingest_feed(fetched.data, url, opts)
    elif kind == "opml":
        yield from _ingest_opml(fetched.data, url, opts)
    elif kind == "html":
        decoded = decode_text(fetched.data, url)
        yield _noting(decoded, html_article(decoded.text, url, url=fetched.url))
    elif kind == "text":
        decoded = decode_text(fetched.data, url)
        article = _noting(decoded, text_article(normalize_text(decoded.text), url))
        article.url = article.url or fetched.url
        yield article
    else:
        raise IngestError(
            url, f"not HTML, a feed or text (content-type {fetched.content_type or 'unknown'})"
        )


def _kind_of_response(fetched: Fetched) -> str | None:
    sniffed = sniff_feed(fetched.data)
    if sniffed == "opml":
        return "opml"
    if sniffed:
        return "feed"
    ctype = fetched.content_type
    if "html" in ctype or _HTML_SNIFF.match(fetched.data[:4096]):
        return "html"
    if any(t in ctype for t in ("rss", "atom", "xml")):
        return "feed"
    if ctype.startswith("text/"):
        return "text"
    return None


def html_article(html: str, origin: str, url: str | None) -> RawArticle:
    extracted = extract_html(html, url=url)
    if extracted is None:
        raise IngestError(origin, "no article text found in the HTML")
    if only_links(html, extracted.text):
        raise IngestError(origin, "no article text (the page is a list of links)")
    return RawArticle(
        origin=origin,
        kind="html",
        text=normalize_text(extracted.text),
        title=normalize_text(extracted.title) if extracted.title else None,
        source=extracted.sitename,
        url=extracted.url,
        published=extracted.published,
        language=extracted.language,
    )


def text_article(text: str, origin: str) -> RawArticle:
    """A plain-text article; a reading-app export's trailing blocks become metadata."""
    export = appexport.parse_export(text)
    if export is None:
        return RawArticle(origin=origin, kind="text", text=text)
    return RawArticle(
        origin=origin,
        kind="export",
        text=export.body,
        url=export.url,
        published=export.published,
        details=export.details,
        related_titles=export.related_titles,
        read_count=export.read_count,
        removed=export.removed,
    )


_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<([A-Za-z_][\w:.-]*)",
    re.S,
)
_FEED_ROOTS = {"rss", "feed", "rdf"}


def _not_a_feed(data: bytes) -> str | None:
    """The root element of an XML document that is not RSS, Atom or RDF, else None."""
    match = _ROOT.match(data[:65536])
    if match is None:
        return None
    name = match.group(1).decode("ascii", "replace")
    return None if name.rpartition(":")[2].lower() in _FEED_ROOTS else name


def _ingest_feed(data: bytes, origin: str, opts: IngestOptions) -> Iterator[IngestItem]:
    if declares_entities(data):
        raise IngestError(origin, "refused: the XML declares its own entities (entity expansion)")
    root = _not_a_feed(data)
    if root is not None:
        raise IngestError(origin, f"not a feed (root element <{root}>)")
    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo"):
            problem = str(parsed.get("bozo_exception", "")).split("\n")[0]
            raise IngestError(origin, f"not an RSS/Atom feed ({problem or 'XML error'})")
        raise IngestError(origin, "feed has no entries")
    feed_title = (parsed.feed.get("title") or "").strip() or None
    for index, entry in enumerate(parsed.entries):
        entry_origin = entry.get("link") or f"{origin}#{index + 1}"
        try:
            yield feed_entry(entry, entry_origin, feed_title, opts)
        except IngestError as exc:
            yield exc


def feed_entry(entry: Any, origin: str, feed_title: str | None, opts: IngestOptions) -> RawArticle:
    link = entry.get("link")
    if opts.fetch_links and link and is_url(link):
        fetched = fetch(link, opts.fetch)
        article = html_article(decode(fetched.data, link), origin, url=fetched.url)
        article.title = article.title or entry.get("title")
        article.source = feed_title or article.source
        article.published = article.published or entry_date(entry)
        return article
    content = ""
    if entry.get("content"):
        content = max((c.get("value", "") for c in entry.content), key=len)
    content = content or entry.get("summary", "") or entry.get("description", "")
    text = normalize_text(html_fragment_to_text(content))
    if not text.strip():
        raise IngestError(origin, "feed entry has no text (try --fetch-links)")
    return RawArticle(
        origin=origin,
        kind="feed",
        text=text,
        title=normalize_text(entry.get("title") or "").strip() or None,
        source=feed_title,
        url=link,
        published=entry_date(entry),
        details=Details(external_id=entry.get("id")),
    )


def entry_date(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return from_struct_time(parsed)


def _ingest_opml(data: bytes, origin: str, opts: IngestOptions) -> Iterator[IngestItem]:
    if declares_entities(data):
        raise IngestError(origin, "refused: the XML declares its own entities (entity expansion)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise IngestError(origin, f"not a valid OPML file ({exc})") from None
    feeds = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
    if not feeds:
        raise IngestError(origin, "OPML file lists no feeds (no outline with xmlUrl)")
    for feed_url in feeds:
        assert feed_url is not None
        yield from ingest(feed_url, opts)


_JSONL_TEXT_KEYS = ("body", "text", "content", "article")


def _ingest_jsonl(data: bytes, origin: str, opts: IngestOptions) -> Iterator[IngestItem]:
    # Each line is parsed before its strings are normalised: straightening a curly quote inside
    # a JSON string first would end the string there.
    text = decode(data, origin).replace("\r\n", "\n")
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        line_origin = f"{origin}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield IngestError(line_origin, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            yield IngestError(line_origin, "each line must be a JSON object")
            continue
        obj = {key: _normalized(value) for key, value in obj.items()}
        try:
            yield _jsonl_article(obj, line_origin)
        except IngestError as exc:
            yield exc


def _normalized(value: Any) -> Any:
    if isinstance(value, str):
        return normalize_text(value)
    if isinstance(value, list):
        return [normalize_text(v) if isinstance(v, str) else v for v in value]
    return value


def _jsonl_article(obj: dict[str, Any], origin: str) -> RawArticle:
    body = next((obj[k] for k in _JSONL_TEXT_KEYS if obj.get(k)), None)
    if isinstance(body, list):
        body = "\n\n".join(str(p) for p in body)
    html = obj.get("html")
    if body is None and isinstance(html, str) and html.strip():
        article = html_article(html, origin, url=obj.get("url"))
    elif isinstance(body, str) and body.strip():
        article = text_article(body, origin)
        article.kind = "jsonl" if article.kind == "text" else article.kind
    else:
        raise IngestError(
            origin, f"no article text (give one of {', '.join(_JSONL_TEXT_KEYS)} or html)"
        )
    article.origin = str(obj.get("origin") or origin)
    _jsonl_fields(article, obj)
    return article


def _jsonl_fields(article: RawArticle, obj: dict[str, Any]) -> None:
    """The metadata a JSON Lines object gives, over what its text or HTML carried."""
    _str = _string_field
    article.title = _str(obj, "title") or article.title
    article.source = _str(obj, "source") or _str(obj, "site") or article.source
    article.url = _str(obj, "url") or article.url
    article.published = (
        normalize_date(_str(obj, "published") or _str(obj, "date")) or article.published
    )
    article.language = _str(obj, "language") or article.language
    _jsonl_details(article.details, obj)
    if isinstance(obj.get("read_count"), int):
        article.read_count = obj["read_count"]
    related = obj.get("related_titles")
    if isinstance(related, list):
        article.related_titles = [str(t) for t in related]


def _jsonl_details(d: Details, obj: dict[str, Any]) -> None:
    _str = _string_field
    d.external_id = _str(obj, "external_id") or _str(obj, "id") or d.external_id
    d.category = _str(obj, "category") or d.category
    d.created = normalize_date(_str(obj, "created")) or d.created
    d.updated = normalize_date(_str(obj, "updated")) or d.updated
    d.last_read = normalize_date(_str(obj, "last_read")) or d.last_read


def _string_field(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    value = str(value).strip()
    return value or None
