"""Fetching URLs: timeouts, a size cap, redirects checked hop by hop, private hosts refused."""

from __future__ import annotations

import ipaddress
import re
import socket
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from newsweave.errors import FetchError
from newsweave.limits import TooLarge, decode_content
from newsweave.settings import ALLOW_PRIVATE_ENV, FetchOptions, too_large

MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    data: bytes


_SCHEMES = {"http", "https"}
# "scheme://…" is a URL whatever follows; "scheme:…" (mailto:, javascript:, data:) is one unless
# a file of that name exists. A Windows drive letter ("C:\\news") is one letter and never matches.
_URL_LIKE = re.compile(r"^([a-z][a-z0-9+.-]+):(//)?", re.I)


def is_url(value: str) -> bool:
    return urlsplit(value).scheme in _SCHEMES


def unsupported_scheme(value: str) -> str | None:
    """The scheme of a URL newsweave does not fetch (file://, ftp://, …), else None.

    Such a source is refused as a URL, not looked up as a file: `file:///etc/passwd` must never
    read a local file."""
    match = _URL_LIKE.match(value)
    if match is None or match.group(1).lower() in _SCHEMES:
        return None
    if not match.group(2) and Path(value).exists():
        return None
    return match.group(1).lower()


def check_scheme(url: str, origin: str) -> None:
    """Refuse anything but an http(s) URL; `origin` is the input the error names."""
    scheme = unsupported_scheme(url) or ("" if is_url(url) else urlsplit(url).scheme or "none")
    if scheme:
        raise FetchError(
            origin, f"unsupported URL scheme {scheme!r} (only http:// and https:// URLs are read)"
        )


def check_host(url: str, opts: FetchOptions) -> None:
    host = urlsplit(url).hostname
    if not host:
        raise FetchError(url, "URL has no host")
    if opts.allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        raise FetchError(url, f"cannot resolve host {host!r} ({exc.strerror})") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local:
            raise FetchError(
                url,
                f"refusing to fetch private address {address} "
                f"(allow it with --allow-private or {ALLOW_PRIVATE_ENV}=1)",
            )


def fetch(url: str, opts: FetchOptions, client: httpx.Client | None = None) -> Fetched:
    """GET a URL, following up to five redirects, reading at most `opts.max_bytes`."""
    own = client is None
    http = client or httpx.Client(
        timeout=httpx.Timeout(opts.timeout),
        headers={"User-Agent": opts.user_agent},
        follow_redirects=False,
    )
    try:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            check_scheme(current, url)  # a redirect to file:// or ftp:// is refused too
            check_host(current, opts)
            try:
                with http.stream("GET", current, headers=_ACCEPT) as response:
                    if response.is_redirect:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError(url, f"redirect without a location from {current}")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise FetchError(
                            url, f"HTTP {response.status_code} {response.reason_phrase}".strip()
                        )
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > opts.max_bytes:
                        raise FetchError(url, too_large(int(declared), opts.max_bytes))
                    body = _read_body(url, response, opts.max_bytes)
                    content_type = response.headers.get("content-type", "").split(";")[0]
                    return Fetched(str(response.url), content_type.strip().lower(), body)
            except httpx.TimeoutException:
                raise FetchError(url, f"timed out after {opts.timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise FetchError(url, f"request failed: {exc}") from None
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")
    finally:
        if own:
            http.close()


# Only encodings `_read_body` decodes itself, with the cap applied to the decoded bytes.
_ACCEPT = {"Accept-Encoding": "gzip, deflate"}


def _read_body(url: str, response: httpx.Response, cap: int) -> bytes:
    """The decoded body, read raw and decompressed here so that a small compressed response
    never inflates past the cap in memory (httpx would decode whole network chunks)."""
    encoding = response.headers.get("content-encoding", "")
    try:
        return decode_content(response.iter_raw(), encoding, cap)
    except TooLarge:
        raise FetchError(url, too_large(cap + 1, cap, " once decompressed")) from None
    except ValueError as exc:
        raise FetchError(url, str(exc)) from None
    except (zlib.error, EOFError) as exc:
        raise FetchError(url, f"unreadable {encoding} content ({exc})") from None
