"""Subscribing: a feed URL, a site's page (its feeds discovered) or an OPML file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from newsweave.errors import IngestError
from newsweave.feeds.discover import Found, discover, parse_opml
from newsweave.feeds.upstream import fetch, is_url, now_iso, sniff_feed
from newsweave.settings import FetchOptions
from newsweave.store import Store
from newsweave.store import feeds as db
from newsweave.store.feeds import Feed


@dataclass(frozen=True)
class SubscribeResult:
    """One subscription made (`added`), changed (`updated`, it existed) or not (`error`)."""

    target: str
    status: Literal["added", "updated", "error"]
    feed: Feed | None = None
    error: str | None = None
    also: tuple[str, ...] = ()  # other feeds the page offered, not subscribed


def subscribe(
    store: Store,
    targets: Iterable[str],
    *,
    full_text: bool | None = None,
    every: int | None = None,
    tags: Iterable[str] = (),
    fetch_opts: FetchOptions | None = None,
) -> Iterator[SubscribeResult]:
    """Subscribe to each target, yielding one result per feed found. Options given here win
    over an OPML file's; tags are added to its categories. A target that fails is one error
    result; the others go on."""
    fetch_opts = fetch_opts or FetchOptions.from_env()
    extra = tuple(tags)
    for target in targets:
        try:
            found = _resolve(target, fetch_opts)
        except IngestError as exc:
            yield SubscribeResult(target, "error", error=str(exc))
            continue
        for item in found if isinstance(found, list) else [found]:
            feed, status = db.add_feed(
                store,
                item.url,
                added=now_iso(),
                title=item.title,
                site=item.site,
                tags=[*item.tags, *extra],
                full_text=full_text if full_text is not None else item.full_text,
                every=every if every is not None else item.every,
            )
            yield SubscribeResult(target, status, feed, also=item.also)


def feed_scheme(target: str) -> str:
    """`feed://host/path` and `feed:https://…` (links some sites and browsers hand out) as the
    http(s) URLs they stand for."""
    if target.startswith("feed:https://") or target.startswith("feed:http://"):
        return target[len("feed:") :]
    if target.startswith("feed://"):
        return "http://" + target[len("feed://") :]
    return target


def _resolve(target: str, opts: FetchOptions) -> Found | list[Found]:
    target = feed_scheme(target)
    if is_url(target):

        def get(url: str) -> tuple[str, str, bytes]:
            got = fetch(url, opts)
            return got.url, got.content_type, got.data

        return discover(target, get)
    path = Path(target).expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(
            target, "no such file (give a feed or site URL, or an OPML file)"
        ) from None
    except OSError as exc:
        raise IngestError(target, f"cannot read ({exc.strerror})") from None
    if sniff_feed(data) != "opml" and path.suffix.lower() != ".opml":
        raise IngestError(target, "not an OPML file (to follow a feed, give its URL)")
    return parse_opml(data, target)
