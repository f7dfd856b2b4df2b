"""Fetching URLs: timeouts, a size cap, redirects checked hop by hop, private hosts refused."""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from newsweave.errors import FetchError
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


def _check_host(url: str, opts: FetchOptions) -> None:
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
            _check_host(current, opts)
            try:
                with http.stream("GET", current) as response:
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
                        raise FetchError(url, _too_large(int(declared), opts.max_bytes))
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > opts.max_bytes:
                            raise FetchError(url, _too_large(size, opts.max_bytes))
                        chunks.append(chunk)
                    content_type = response.headers.get("content-type", "").split(";")[0]
                    return Fetched(
                        str(response.url), content_type.strip().lower(), b"".join(chunks)
                    )
            except httpx.TimeoutException:
                raise FetchError(url, f"timed out after {opts.timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise FetchError(url, f"request failed: {exc}") from None
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")
    finally:
        if own:
            http.close()


def _too_large(size: int, cap: int) -> str:
    return too_large(size, cap)
