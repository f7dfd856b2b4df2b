"""Server-rendered pages: everything reads with JavaScript off; forms do the rest."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import nh3
from fastapi import APIRouter, Form, Path, Query, Request, UploadFile
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from newsweave.web.charts import coverage_svg
from newsweave.web.service import (
    AddRequest,
    Feed,
    FeedRequest,
    InputError,
    LeaseBusy,
    Service,
    Upload,
)

FeedId = Path(..., ge=1, le=2**53)

router = APIRouter(include_in_schema=False)
# Rendered story pages, by their view: a warm story page then costs its queries, not Jinja.
_PAGE_CACHE = 64
_pages: OrderedDict[str, bytes] = OrderedDict()
_pages_lock = threading.Lock()
_templates: Jinja2Templates | None = None


def configure(templates: Jinja2Templates) -> None:
    global _templates
    _templates = templates
    env = templates.env
    # The templates ship with the package: no stat of every template file on every render.
    env.auto_reload = False
    env.filters["snippet"] = snippet_html
    env.filters["day"] = lambda v: (v or "")[:10]
    env.filters["when"] = lambda v: (v or "")[:16].replace("T", " ")
    env.globals["safe_url"] = safe_url
    env.globals["coverage_svg"] = coverage_svg
    env.globals["figure_text"] = figure_text
    env.globals["feed_due"] = feed_due


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    assert _templates is not None
    return _templates.TemplateResponse(request, name, context, status_code=status)


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def error_page(request: Request, status: int, message: str) -> Response:
    title = "Not found" if status == 404 else "Error"
    return _render(
        request, "error.html", status=status, status_code=status, message=message, title=title
    )


# -- helpers used by the templates --------------------------------------------------------


def snippet_html(snippet: str) -> Markup:
    """A search snippet: the text escaped, only the store's <mark> highlights kept as tags."""
    marked = (
        str(escape(snippet)).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
    )
    return Markup(nh3.clean(marked, tags={"mark"}, attributes={}))


def safe_url(url: str | None) -> str | None:
    """A link target only for http(s) URLs: javascript:, data: and the rest stay text."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url.strip()


def figure_text(value: float, qualifier: str | None, unit: str | None) -> str:
    number = f"{value:,.0f}" if value == int(value) else f"{value:,}"
    if unit == "%":  # "3.25%", as news writes a rate
        number, unit = number + "%", None
    if qualifier == "more":
        return " ".join(x for x in (number, "more", unit) if x)
    return " ".join(x for x in (qualifier, number, unit) if x)


def feed_due(feed: Feed) -> str:
    """When the feed is next fetched, as the CLI's `feeds` shows it."""
    import time

    if feed.disabled:
        return "disabled"
    if feed.next_due <= time.time():
        return "now"
    when = datetime.fromtimestamp(feed.next_due).astimezone()
    return when.isoformat(timespec="minutes").replace("T", " ")[:16]


# -- pages --------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def stories_page(
    request: Request,
    page: int = Query(1, ge=1, le=100_000),
    unread: bool = Query(False),
) -> HTMLResponse:
    result = _service(request).stories(page, 30, unread)
    return _render(request, "stories.html", result=result, title="Stories")


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> HTMLResponse:
    view = _service(request).story(story_id[:64])
    # The page is a function of the view alone, and the view's repr holds every field of it
    # (unread marks and "since you last read" included): equal reprs render equal pages.
    # Building the view still runs each time, so the visit is recorded and counts stay true.
    key = repr(view)
    with _pages_lock:
        body = _pages.get(key)
        if body is not None:
            _pages.move_to_end(key)
    if body is None:
        number = {a: i + 1 for i, a in enumerate(view.brief.articles)}
        page = _render(
            request,
            "story.html",
            view=view,
            brief=view.brief,
            number=number,
            titles=view.titles,
            title=view.story.title or "Story",
        )
        body = bytes(page.body)
        with _pages_lock:
            _pages[key] = body
            while len(_pages) > _PAGE_CACHE:
                _pages.popitem(last=False)
    return HTMLResponse(body)


@router.post("/stories/{story_id}/read")
def story_read(request: Request, story_id: str) -> Response:
    _service(request).mark_story_read(story_id[:64])
    return _back(request, "/")


@router.get("/stories/{story_id}/brief.md")
def brief_md(request: Request, story_id: str) -> Response:
    text = _service(request).brief_export(story_id[:64], "md")
    return PlainTextResponse(str(text), media_type="text/markdown; charset=utf-8")


@router.get("/stories/{story_id}/brief.html")
def brief_page(request: Request, story_id: str) -> Response:
    from newsweave.web.app import EXPORT_CSP

    text = _service(request).brief_export(story_id[:64], "html")
    return HTMLResponse(str(text), headers={"content-security-policy": EXPORT_CSP})


@router.get("/stories/{story_id}/brief.json")
def brief_file(request: Request, story_id: str) -> Response:
    return JSONResponse(_service(request).brief_export(story_id[:64], "json"))


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str) -> HTMLResponse:
    view = _service(request).article(article_id[:64])
    return _render(
        request, "article.html", view=view, a=view.article, title=view.article.title or "Article"
    )


@router.post("/articles/{article_id}/read")
def article_read(request: Request, article_id: str) -> Response:
    view = _service(request).mark(article_id[:64], read=True)
    return _back(request, f"/articles/{view.article.id}")


@router.post("/articles/{article_id}/unread")
def article_unread(request: Request, article_id: str) -> Response:
    view = _service(request).mark(article_id[:64], read=False)
    return _back(request, f"/articles/{view.article.id}")


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = Query("", max_length=500),
    page: int = Query(1, ge=1, le=1000),
) -> HTMLResponse:
    result = _service(request).search(q, page) if q.strip() else None
    return _render(
        request, "search.html", q=q, result=result, title=f"Search: {q}" if q else "Search"
    )


@router.get("/add", response_class=HTMLResponse)
def add_form(request: Request) -> HTMLResponse:
    return _render(request, "add.html", title="Add", results=None, form={})


@router.post("/add", response_class=HTMLResponse)
async def add_submit(
    request: Request,
    text: str = Form(""),
    url: str = Form(""),
    files: list[UploadFile] | None = None,
) -> HTMLResponse:
    from starlette.concurrency import run_in_threadpool

    uploads = [
        Upload(f.filename or "upload.txt", await f.read()) for f in files or [] if f.filename
    ]
    add = AddRequest(text=text or None, url=url or None, files=uploads)
    try:
        results = await run_in_threadpool(_service(request).add, add)
    except InputError as exc:
        return _render(request, "add.html", status=exc.status, title="Add", results=None,
                       form={"text": text, "url": url}, problem=exc.message)  # fmt: skip
    failed = any(r.status == "error" for r in results)
    return _render(
        request,
        "add.html",
        status=422 if failed and all(r.status == "error" for r in results) else 200,
        title="Add",
        results=results,
        form={"text": text, "url": url} if failed else {},
    )


# -- subscriptions ------------------------------------------------------------------------

BUSY = (
    "Another refresh is running (the server's own loop, cron or the command line); "
    "try again in a moment."
)


def _feeds_page(request: Request, status: int = 200, **notice: Any) -> HTMLResponse:
    feeds = _service(request).feeds()
    context: dict[str, Any] = {"results": None, "report": None, "gone": None, "problem": None}
    context.update(notice)
    context.setdefault("form", {})
    return _render(request, "feeds.html", status=status, title="Feeds", feeds=feeds, **context)


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(request: Request) -> HTMLResponse:
    return _feeds_page(request)


@router.post("/feeds", response_class=HTMLResponse)
async def feeds_subscribe(
    request: Request,
    url: str = Form("", max_length=4000),
    tags: str = Form("", max_length=1000),
    every: str = Form("", max_length=20),
    full_text: bool = Form(False),
    opml: list[UploadFile] | None = None,
) -> HTMLResponse:
    from starlette.concurrency import run_in_threadpool

    uploads = [
        Upload(f.filename or "subscriptions.opml", await f.read()) for f in opml or [] if f.filename
    ]
    wanted = FeedRequest(
        url=url or None,
        files=uploads,
        tags=tags.split(","),
        every=every or None,
        full_text=full_text,
    )
    form = {"url": url, "tags": tags, "every": every, "full_text": full_text}
    try:
        results = await run_in_threadpool(_service(request).subscribe, wanted)
    except InputError as exc:
        return _feeds_page(request, exc.status, problem=exc.message, form=form)
    failed = [r for r in results if r.status == "error"]
    return _feeds_page(
        request,
        422 if failed and len(failed) == len(results) else 200,
        results=results,
        form=form if failed else {},
    )


@router.post("/feeds/refresh", response_class=HTMLResponse)
def feeds_refresh_due(request: Request) -> HTMLResponse:
    # A plain `def`: FastAPI runs it in a worker thread, so the refresh never holds the loop.
    return _refresh_page(request, None)


@router.post("/feeds/{feed_id}/refresh", response_class=HTMLResponse)
def feed_refresh(request: Request, feed_id: int = FeedId) -> HTMLResponse:
    return _refresh_page(request, feed_id)


def _refresh_page(request: Request, feed_id: int | None) -> HTMLResponse:
    try:
        report = _service(request).refresh(feed_id)
    except LeaseBusy:
        return _feeds_page(request, 409, problem=BUSY)
    return _feeds_page(request, report=report)


@router.post("/feeds/{feed_id}/delete", response_class=HTMLResponse)
def feed_delete(request: Request, feed_id: int = FeedId) -> HTMLResponse:
    gone = _service(request).unsubscribe(feed_id)
    return _feeds_page(request, gone=gone)


@router.get("/feeds.opml")
def feeds_opml(request: Request) -> Response:
    return Response(
        _service(request).opml(),
        media_type="text/x-opml; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="newsweave-subscriptions.opml"'},
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = Query("/", max_length=2000)) -> HTMLResponse:
    return _render(request, "login.html", title="Sign in", next=_local_path(next), problem=None)


@router.post("/login")
def login(request: Request, token: str = Form(""), next: str = Form("/")) -> Response:
    import hmac

    expected: str | None = request.app.state.token
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        return _render(request, "login.html", status=401, title="Sign in", next=_local_path(next),
                       problem="That is not this server's token.")  # fmt: skip
    from newsweave.web.app import TOKEN_COOKIE

    response = RedirectResponse(_local_path(next), status_code=303)
    response.set_cookie(
        TOKEN_COOKIE,
        expected,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/feeds/stories.atom")
def atom_feed(request: Request, limit: int = Query(20, ge=1, le=100)) -> Response:
    entries = _service(request).feed(limit)
    base = str(request.base_url).rstrip("/")
    updated = max((e.changed for e in entries), default=None) or _now()
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>newsweave stories</title>",
        f'<link rel="self" href="{xml_escape(base)}/feeds/stories.atom"/>',
        f'<link rel="alternate" type="text/html" href="{xml_escape(base)}/"/>',
        f"<id>{xml_escape(base)}/feeds/stories.atom</id>",
        f"<updated>{_atom_date(updated)}</updated>",
        "<generator>newsweave</generator>",
    ]
    for entry in entries:
        link = f"{base}/stories/{entry.story.id}"
        out += [
            "<entry>",
            f"<title>{xml_escape(entry.story.title or 'Story ' + entry.story.id)}</title>",
            f'<link rel="alternate" type="text/html" href="{xml_escape(link)}"/>',
            f"<id>urn:newsweave:story:{entry.story.id}</id>",
            f"<updated>{_atom_date(entry.changed)}</updated>",
            f"<published>{_atom_date(entry.story.first_seen)}</published>",
            f'<summary type="html">{xml_escape(_summary_html(entry.brief, base))}</summary>',
            "</entry>",
        ]
    out.append("</feed>")
    return Response("\n".join(out) + "\n", media_type="application/atom+xml; charset=utf-8")


def _summary_html(brief: Any, base: str) -> str:
    # A newsweave.brief.Brief; only the service layer imports the brief module.
    number = {a: i + 1 for i, a in enumerate(brief.articles)}
    items = []
    for cited in brief.summary:
        cites = " ".join(
            f'<a href="{escape(base)}/articles/{escape(a)}">[{number.get(a, "?")}]</a>'
            for a in cited.articles
        )
        items.append(f"<li>{escape(cited.text)} {cites}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else "<p>(no summary yet)</p>"


def _atom_date(value: str | None) -> str:
    """RFC 3339 for Atom: a bare day becomes midnight UTC, a naive time is read as UTC."""
    if not value:
        return _now()
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += "T00:00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return _now()
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat(timespec="seconds")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _back(request: Request, fallback: str) -> Response:
    """Back where the form was, when that is a page of this server."""
    referer = request.headers.get("referer")
    target = fallback
    if referer:
        parts = urlsplit(referer)
        if parts.netloc == request.headers.get("host"):
            target = _local_path(parts.path + (f"?{parts.query}" if parts.query else ""))
    return RedirectResponse(target, status_code=303)


def _local_path(value: str) -> str:
    """Only a path on this server: never //elsewhere or a scheme (an open redirect)."""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value
