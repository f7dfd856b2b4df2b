"""The web reader and JSON API: `newsweave serve` (FastAPI + uvicorn + Jinja2)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

from newsweave.errors import NewsweaveError
from newsweave.web.app import BackgroundTask, create_app, is_loopback
from newsweave.web.service import Service

TOKEN_ENV = "NEWSWEAVE_TOKEN"

__all__ = ["TOKEN_ENV", "BackgroundTask", "check_binding", "create_app", "refresh_feeds", "serve"]


def check_binding(host: str, token: str | None) -> str | None:
    """The token to use; refuses to expose the store beyond this machine without one."""
    token = token or os.environ.get(TOKEN_ENV) or None
    if not is_loopback(host) and not token:
        raise NewsweaveError(
            f"--host {host}: serving beyond this machine needs a token "
            f"(--token or ${TOKEN_ENV}); every request must then carry it"
        )
    return token


def serve(
    db_path: Path | str,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = None,
    background: Sequence[BackgroundTask] = (),
) -> None:
    """Run the reader until interrupted. `background` jobs (e.g. a feed-refresh loop) start
    with the server and stop with it."""
    import uvicorn

    token = check_binding(host, token)
    app = create_app(db_path, token=token, background=background)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


async def refresh_feeds(service: Service) -> None:
    """The background job `serve` runs: keeps the store's subscriptions current, as
    `newsweave refresh` from cron would (one refresh per store at a time, by lease)."""
    from newsweave.feeds import refresh_forever

    stop = asyncio.Event()
    try:
        await refresh_forever(service.db_path, stop)
    finally:
        # Cancelled with the server: a round running in its worker thread stops at the next feed.
        stop.set()
