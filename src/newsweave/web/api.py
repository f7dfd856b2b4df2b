"""The JSON API under /api/: the CLI's JSON shapes (docs/json.md), paged, one error shape."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict

from newsweave.web.service import (
    AddRequest,
    FeedRequest,
    InputError,
    LeaseBusy,
    Service,
    Upload,
    add_json,
    article_view_json,
    feed_view_json,
    refresh_report_json,
    search_json,
    story_row_json,
    story_view_json,
    subscribe_result_json,
)


class _Open(BaseModel):
    # Shapes are documented in docs/json.md; fields added later must not break clients.
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class PageInfo(BaseModel):
    page: int
    per_page: int
    total: int | None
    has_next: bool


class StoryOut(_Open):
    id: str
    title: str | None
    articles: list[str]
    sources: list[str]
    independent_origins: int
    first_seen: str | None
    last_updated: str | None
    why: str
    unread: int


class StoryList(BaseModel):
    stories: list[StoryOut]
    paging: PageInfo


class MemberOut(_Open):
    id: str
    title: str | None
    source: str | None
    published: str | None
    origin_kind: str | None
    copy_of: str | None
    unread: bool


class EventOut(_Open):
    title: str | None
    articles: list[str]
    first_seen: str | None
    last_updated: str | None
    figures: list[int]


class StoryDetail(StoryOut):
    events: list[EventOut]
    members: list[MemberOut]


class ArticleRow(_Open):
    id: str
    origin: str
    title: str | None
    source: str | None
    published: str | None
    words: int


class ArticleList(BaseModel):
    articles: list[ArticleRow]
    paging: PageInfo


class ArticleOut(_Open):
    id: str
    origin: str
    title: str | None
    source: str | None
    url: str | None
    published: str | None
    language: str | None
    body: list[str]
    removed: list[dict[str, str]]
    summary: str
    stats: dict[str, int]
    details: dict[str, str | None]
    similar: list[dict[str, Any]]
    story: str | None
    unread: bool


class HitOut(_Open):
    id: str
    title: str | None
    source: str | None
    snippet: str
    score: float


class SearchResults(BaseModel):
    query: str
    hits: list[HitOut]
    paging: PageInfo


class AddOut(_Open):
    origin: str
    id: str | None
    status: str
    error: str | None


class AddResults(BaseModel):
    results: list[AddOut]


class AddBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = None
    html: str | None = None
    url: str | None = None


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorBody, "description": "an error"} for s in statuses}


router = APIRouter(prefix="/api", responses=_errors(400, 401, 403, 409, 413, 422))

Page = Query(1, ge=1, le=100_000, description="1-based page number")


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _id(value: str) -> str:
    if len(value) > 64:
        raise InputError(f"{value[:20]}…: not an id (too long)", "not_found", 404)
    return value


@router.get("/stories", response_model=StoryList)
def list_stories(
    request: Request,
    page: int = Page,
    per_page: int = Query(30, ge=1, le=200),
    unread: bool = Query(False, description="only stories with unread articles"),
) -> dict[str, Any]:
    result = _service(request).stories(page, per_page, unread)
    return {
        "stories": [story_row_json(r) for r in result.rows],
        "paging": _paging(result.page.number, per_page, result.page.total, result.page.has_next),
    }


@router.get("/stories/{story_id}", response_model=StoryDetail, responses=_errors(404))
def get_story(request: Request, story_id: str) -> dict[str, Any]:
    return story_view_json(_service(request).story(_id(story_id), visit=False))


@router.get("/stories/{story_id}/brief", response_model=dict[str, Any], responses=_errors(404))
def get_brief(request: Request, story_id: str) -> Any:
    return _service(request).brief_export(_id(story_id), "json")


@router.get("/articles", response_model=ArticleList)
def list_articles(
    request: Request, page: int = Page, per_page: int = Query(50, ge=1, le=500)
) -> dict[str, Any]:
    rows, paging = _service(request).articles(page, per_page)
    return {
        "articles": [r.__dict__ for r in rows],
        "paging": _paging(page, per_page, paging.total, paging.has_next),
    }


@router.get("/articles/{article_id}", response_model=ArticleOut, responses=_errors(404))
def get_article(request: Request, article_id: str) -> dict[str, Any]:
    return article_view_json(_service(request).article(_id(article_id)))


@router.post("/articles/{article_id}/read", response_model=ArticleOut, responses=_errors(404))
def read_article(request: Request, article_id: str) -> dict[str, Any]:
    return article_view_json(_service(request).mark(_id(article_id), read=True))


@router.post("/articles/{article_id}/unread", response_model=ArticleOut, responses=_errors(404))
def unread_article(request: Request, article_id: str) -> dict[str, Any]:
    return article_view_json(_service(request).mark(_id(article_id), read=False))


@router.get("/search", response_model=SearchResults)
def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=500, description='words, "a phrase", a OR b'),
    page: int = Query(1, ge=1, le=1000),
    per_page: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    result = _service(request).search(q, page, per_page)
    return {
        "query": q,
        "hits": [search_json(h) for h in result.hits],
        "paging": _paging(page, per_page, None, result.has_next),
    }


_ADD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": AddBody.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            },
        },
    }
}


@router.post(
    "/articles",
    response_model=AddResults,
    openapi_extra=_ADD_SCHEMA,
    responses=_errors(415),
    summary="Add articles from text, HTML, a URL (or feed URL), or uploaded files",
)
async def add_articles(request: Request) -> Any:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        add = _json_request(await request.body())
    elif ctype == "multipart/form-data":
        form = await request.form()
        uploads = []
        for item in form.getlist("files"):
            if isinstance(item, str):
                raise InputError("files: expected uploaded files", "invalid", 422)
            uploads.append(Upload(item.filename or "upload.txt", await item.read()))
        add = AddRequest(files=uploads)
    else:
        raise InputError(
            "send application/json or multipart/form-data", "unsupported_media_type", 415
        )
    from starlette.concurrency import run_in_threadpool

    results = await run_in_threadpool(_service(request).add, add)
    return {"results": [add_json(r) for r in results]}


def _json_request(raw: bytes) -> AddRequest:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InputError("body: not valid JSON", "invalid", 422) from None
    if not isinstance(data, dict):
        raise InputError('body: expected an object like {"text": "..."}', "invalid", 422)
    unknown = set(data) - {"text", "html", "url"}
    if unknown:
        raise InputError(f"body: unknown field {sorted(unknown)[0]!r}", "invalid", 422)
    for key, value in data.items():
        if value is not None and not isinstance(value, str):
            raise InputError(f"{key}: expected a string", "invalid", 422)
    return AddRequest(text=data.get("text"), html=data.get("html"), url=data.get("url"))


# -- subscriptions ------------------------------------------------------------------------


class FeedOut(_Open):
    id: int
    title: str | None
    url: str
    site: str | None
    tags: list[str]
    full_text: bool
    every: int | None
    interval: int
    articles: int
    unread: int
    last_fetched: str | None
    last_status: str | None
    error: str | None
    consecutive_errors: int
    next_due: str | None
    disabled: bool


class FeedList(BaseModel):
    feeds: list[FeedOut]


class SubscribeOut(_Open):
    target: str
    status: str
    feed: FeedOut | None
    error: str | None
    also: list[str]


class SubscribeResults(BaseModel):
    results: list[SubscribeOut]


class RefreshedFeed(_Open):
    feed: int
    url: str
    title: str | None
    status: str
    new: int
    error: str | None
    entry_errors: list[str]


class WovenOut(_Open):
    woven: int
    new_stories: int
    merged: int


class RefreshOut(BaseModel):
    feeds: list[RefreshedFeed]
    new: int
    woven: WovenOut


class FeedBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    tags: list[str] = []
    every: str | None = None
    full_text: bool = False


FeedId = Path(..., ge=1, le=2**53, description="the feed's id (from GET /api/feeds)")

_FEED_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": FeedBody.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            },
        },
    }
}


@router.get("/feeds", response_model=FeedList)
def list_feeds(request: Request) -> dict[str, Any]:
    return {"feeds": _service(request).feeds_json()}


@router.post(
    "/feeds",
    response_model=SubscribeResults,
    openapi_extra=_FEED_SCHEMA,
    responses=_errors(415),
    summary="Subscribe to a feed or site URL, or to every feed of uploaded OPML files",
)
async def subscribe_feeds(request: Request) -> Any:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        wanted = _feed_request(await request.body())
    elif ctype == "multipart/form-data":
        form = await request.form()
        uploads = []
        for item in form.getlist("files"):
            if isinstance(item, str):
                raise InputError("files: expected uploaded OPML files", "invalid", 422)
            uploads.append(Upload(item.filename or "subscriptions.opml", await item.read()))
        wanted = FeedRequest(files=uploads)
    else:
        raise InputError(
            "send application/json or multipart/form-data", "unsupported_media_type", 415
        )
    from starlette.concurrency import run_in_threadpool

    results = await run_in_threadpool(_service(request).subscribe, wanted)
    if results and all(r.status == "error" for r in results):
        # Nothing subscribed: the one error shape, with what went wrong for each target.
        raise InputError(
            "; ".join(r.error or r.target for r in results)[:2000], "not_subscribed", 422
        )
    return {"results": [subscribe_result_json(r) for r in results]}


def _feed_request(raw: bytes) -> FeedRequest:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InputError("body: not valid JSON", "invalid", 422) from None
    if not isinstance(data, dict):
        raise InputError('body: expected an object like {"url": "https://..."}', "invalid", 422)
    unknown = set(data) - {"url", "tags", "every", "full_text"}
    if unknown:
        raise InputError(f"body: unknown field {sorted(unknown)[0]!r}", "invalid", 422)
    url, tags, every = data.get("url"), data.get("tags", []), data.get("every")
    full_text = data.get("full_text", False)
    if not isinstance(url, str):
        raise InputError("url: expected a string (a feed or site URL)", "invalid", 422)
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InputError("tags: expected a list of strings", "invalid", 422)
    if every is not None and not isinstance(every, str):
        raise InputError('every: expected a duration like "30m" or "2h"', "invalid", 422)
    if not isinstance(full_text, bool):
        raise InputError("full_text: expected true or false", "invalid", 422)
    return FeedRequest(url=url, tags=tags, every=every, full_text=full_text)


@router.delete("/feeds/{feed_id}", response_model=FeedOut, responses=_errors(404))
def delete_feed(request: Request, feed_id: int = FeedId) -> dict[str, Any]:
    return _unsubscribe(request, feed_id)


@router.post("/feeds/{feed_id}/delete", response_model=FeedOut, responses=_errors(404))
def delete_feed_post(request: Request, feed_id: int = FeedId) -> dict[str, Any]:
    return _unsubscribe(request, feed_id)


def _unsubscribe(request: Request, feed_id: int) -> dict[str, Any]:
    """Unsubscribed: the feed as it was (its articles stay in the store)."""
    return feed_view_json(_service(request).unsubscribe(feed_id))


# Plain `def` routes: FastAPI runs them in a worker thread, so a refresh (network, cleaning,
# weaving) never holds the event loop.


@router.post("/feeds/refresh", response_model=RefreshOut, summary="Refresh every feed that is due")
def refresh_due_feeds(request: Request) -> dict[str, Any]:
    return _refresh(request, None)


@router.post("/feeds/{feed_id}/refresh", response_model=RefreshOut, responses=_errors(404))
def refresh_feed(request: Request, feed_id: int = FeedId) -> dict[str, Any]:
    return _refresh(request, feed_id)


def _refresh(request: Request, feed_id: int | None) -> dict[str, Any]:
    try:
        report = _service(request).refresh(feed_id)
    except LeaseBusy:
        raise InputError(
            "another refresh is running (the server's own loop, cron or the CLI);"
            " try again in a moment",
            "busy",
            409,
        ) from None
    return refresh_report_json(report)


def _paging(page: int, per_page: int, total: int | None, has_next: bool) -> dict[str, Any]:
    return {"page": page, "per_page": per_page, "total": total, "has_next": has_next}
