"""Polite concurrent fetching: conditional GETs over httpx's async client, a few requests at a
time and at most one per host, with the size cap, timeouts and private-address refusal of
`newsweave.fetch` applied to every redirect hop."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import urljoin, urlsplit

import httpx

from newsweave.errors import FetchError
from newsweave.feeds.upstream import MAX_REDIRECTS, check_host, too_large
from newsweave.settings import FetchOptions

_PERMANENT = {301, 308}


class HTTPStatusError(FetchError):
    """The server answered with an error status; `retry_after` is its Retry-After, in seconds."""

    code = "http_status"

    def __init__(self, origin: str, status: int, reason: str, retry_after: float | None) -> None:
        wait = f" (retry after {retry_after:.0f} s)" if retry_after is not None else ""
        super().__init__(origin, f"HTTP {status} {reason}".strip() + wait)
        self.status = status
        self.retry_after = retry_after


class Stopped(Exception):
    """The refresh was asked to stop before this request was sent."""


@dataclass(frozen=True)
class Response:
    """A fetched document, or a 304 (`status` 304, no data)."""

    status: int
    url: str
    moved_to: str | None  # where every redirect hop was permanent: the URL to keep using
    content_type: str
    data: bytes
    etag: str | None = None
    last_modified: str | None = None


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """One async client for a whole refresh. Use as `async with Fetcher(opts) as f:`."""

    def __init__(
        self,
        opts: FetchOptions,
        concurrency: int = 8,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.opts = opts
        self.should_stop = should_stop or (lambda: False)
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(opts.timeout),
            headers={"User-Agent": opts.user_agent},
            follow_redirects=False,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, asyncio.Lock] = {}
        self._checked: dict[str, FetchError | None] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def _check(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        if host not in self._checked:
            try:
                # getaddrinfo blocks; one look-up per host per refresh is enough.
                await asyncio.to_thread(check_host, url, self.opts)
                self._checked[host] = None
            except FetchError as exc:
                self._checked[host] = exc
        problem = self._checked[host]
        if problem is not None:
            raise FetchError(url, problem.problem)

    async def get(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """GET `url`, conditionally when validators are given; redirects followed hop by hop.

        Raises FetchError (HTTPStatusError for an error status) naming `url`.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        moved_to: str | None = None
        permanent = True
        for _ in range(MAX_REDIRECTS + 1):
            await self._check(current)
            host = urlsplit(current).netloc
            lock = self._hosts.setdefault(urlsplit(current).hostname or host, asyncio.Lock())
            # The host lock comes first: a request waiting for its host holds no slot.
            async with lock, self._slots:
                if self.should_stop():
                    raise Stopped(url)
                try:
                    # httpx times each read; this bounds a server that drips bytes forever.
                    async with asyncio.timeout(self.opts.timeout * 4):
                        result = await self._one(url, current, headers)
                except TimeoutError:
                    raise FetchError(url, f"timed out after {self.opts.timeout:g} s") from None
                except httpx.TimeoutException:
                    raise FetchError(url, f"timed out after {self.opts.timeout:g} s") from None
                except httpx.HTTPError as exc:
                    raise FetchError(url, f"request failed: {exc}") from None
            if isinstance(result, Response):
                return Response(
                    result.status,
                    result.url,
                    moved_to,
                    result.content_type,
                    result.data,
                    result.etag,
                    result.last_modified,
                )
            status, location = result
            current = urljoin(current, location)
            permanent = permanent and status in _PERMANENT
            if permanent:
                moved_to = current
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    async def _one(
        self, origin: str, url: str, headers: dict[str, str]
    ) -> Response | tuple[int, str]:
        async with self.client.stream("GET", url, headers=headers) as response:
            validators = (response.headers.get("etag"), response.headers.get("last-modified"))
            if response.status_code == 304 or response.is_redirect:
                # Read the (empty or tiny) body to its end, or the connection cannot be reused.
                await response.aread()
            if response.status_code == 304:
                return Response(304, str(response.url), None, "", b"", *validators)
            if response.is_redirect:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(origin, f"redirect without a location from {url}")
                return response.status_code, location
            if response.status_code >= 400:
                raise HTTPStatusError(
                    origin,
                    response.status_code,
                    response.reason_phrase,
                    retry_after_seconds(response.headers.get("retry-after")),
                )
            cap = self.opts.max_bytes
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise FetchError(origin, too_large(int(declared), cap))
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise FetchError(origin, too_large(size, cap))
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return Response(
                response.status_code,
                str(response.url),
                None,
                content_type,
                b"".join(chunks),
                *validators,
            )
