"""The FastAPI application: pages, API, exports, and the rules every request passes through."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsweave.errors import NewsweaveError, NotFoundError
from newsweave.web.service import InputError, LeaseBusy, Service

log = logging.getLogger(__name__)

TOKEN_COOKIE = "newsweave_token"
TOKEN_HEADER = "x-newsweave-token"

# No inline script, no script from anywhere but this server, nothing framed, forms post home.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# The exported brief carries its own <style> to stay one printable file; it has no script.
EXPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
}

WORKER_THREADS = int(os.environ.get("NEWSWEAVE_WORKER_THREADS", "4"))

BackgroundTask = Callable[[Service], Coroutine[Any, Any, None]]


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _TooLarge(Exception):
    pass


class Guard:
    """What every request passes before any route: the body size limit, the token, and the
    same-origin rule for state changes; every response leaves with the security headers.

    Plain ASGI rather than a decorator middleware: it adds no task or stream per request.
    """

    def __init__(self, app: ASGIApp, token: str | None, limit: int) -> None:
        self.app = app
        self.token = token
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secure_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers.setdefault(key, value)
                headers.setdefault("content-security-policy", CSP)
            await send(message)

        request = Request(scope)
        refusal = self._refusal(request)
        if refusal is not None:
            await refusal(scope, receive, secure_send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        await self.app(scope, limited, secure_send)

    def _refusal(self, request: Request) -> Response | None:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return JSONResponse(
                error_body("too_large", f"request body over {self.limit} bytes"), status_code=413
            )
        path = request.url.path
        if self.token and not _public(path) and not _has_token(request, self.token):
            if _wants_json(path):
                return JSONResponse(
                    error_body("unauthorized", "this server needs its token"), status_code=401
                )
            return RedirectResponse(f"/login?next={_quote_next(request)}", status_code=303)
        if request.method not in {"GET", "HEAD", "OPTIONS"} and not _same_origin(request):
            return JSONResponse(
                error_body("forbidden", "cross-site request refused"), status_code=403
            )
        return None


def create_app(
    db_path: Path | str,
    token: str | None = None,
    *,
    max_body_bytes: int = 12 * 1024 * 1024,
    max_upload_bytes: int = 10 * 1024 * 1024,
    background: Sequence[BackgroundTask] = (),
) -> FastAPI:
    """The reader over the store at `db_path`.

    `token`: when set, every request must carry it (header, bearer or the login cookie).
    `background`: coroutines started with the server and cancelled when it stops, each given
    the service (the hook for a feed-refresh loop).
    """
    service = Service(db_path, max_upload_bytes=max_upload_bytes)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        # Page handlers are plain functions run in worker threads. Under load, forty threads
        # contending for one GIL interleave every request with every other and stretch the
        # slowest; a few threads finish requests in turn while the rest wait in line.
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        tasks: list[asyncio.Task[None]] = [asyncio.create_task(job(service)) for job in background]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    app = FastAPI(
        title="newsweave",
        version="0.1.0",
        description="Stories woven from many sources. Errors are always "
        '`{"error": {"code": "...", "message": "..."}}`.',
        docs_url=None,  # the interactive docs load script from a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.token = token
    templates_dir = Path(str(resources.files("newsweave.web") / "templates"))
    static_dir = Path(str(resources.files("newsweave.web") / "static"))
    app.state.templates = Jinja2Templates(directory=str(templates_dir))
    from newsweave.web import pages

    pages.configure(app.state.templates)

    async def on_error(request: Request, exc: Exception) -> Response:
        status, code, message = _describe(exc)
        if _wants_json(request.url.path):
            return _secure(JSONResponse(error_body(code, message), status_code=status))
        return _secure(pages.error_page(request, status, message))

    for kind in (
        StarletteHTTPException,
        RequestValidationError,
        NewsweaveError,
        InputError,
        sqlite3.Error,
        _TooLarge,
        Exception,
    ):
        app.add_exception_handler(kind, on_error)

    from newsweave.web import api

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")
    # Outermost of ours, so an oversized body is refused before anything reads it.
    app.add_middleware(Guard, token=token, limit=max_body_bytes)
    return app


def _describe(exc: Exception) -> tuple[int, str, str]:
    if isinstance(exc, InputError):
        return exc.status, exc.code, exc.message
    if isinstance(exc, NotFoundError):
        return 404, "not_found", exc.message
    if isinstance(exc, LeaseBusy):
        return 409, "busy", f"{exc}; try again in a moment"
    if isinstance(exc, NewsweaveError):
        return 400, exc.code, exc.message
    if isinstance(exc, RequestValidationError):
        return 422, "invalid", _validation_message(exc)
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return exc.status_code, _STATUS_CODES.get(exc.status_code, "error"), detail
    if isinstance(exc, _TooLarge):
        return 413, "too_large", "request body too large"
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
        return 409, "busy", "the store is busy with another writer; try again in a moment"
    log.exception("unexpected error", exc_info=exc)
    return 500, "internal", f"unexpected {type(exc).__name__}; see the server log"


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _public(path: str) -> bool:
    return path.startswith("/static/") or path == "/login"


def _wants_json(path: str) -> bool:
    return path.startswith("/api/") or path == "/openapi.json" or path.endswith(".json")


def _has_token(request: Request, token: str) -> bool:
    given = request.headers.get(TOKEN_HEADER) or request.cookies.get(TOKEN_COOKIE) or ""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    return hmac.compare_digest(given.encode(), token.encode())


def _quote_next(request: Request) -> str:
    from urllib.parse import quote

    return quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")


def _same_origin(request: Request) -> bool:
    """A state change must come from this server's own pages (or from a non-browser client,
    which sends no Origin: a cross-site form in a browser always does)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in {"same-origin", "none"}:
        return False
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if claimed is None:
        return True
    if claimed == "null":
        return False
    parts = urlsplit(claimed)
    host = request.headers.get("host", "")
    return parts.netloc == host and parts.scheme in {"http", "https"}


def _secure(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    response.headers.setdefault("content-security-policy", CSP)
    return response
