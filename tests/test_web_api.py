"""The JSON API: one error shape, paging, exports, tokens, same-origin POSTs, body limits,
and schemathesis against /openapi.json (no 5xx; every response matches the schema)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks

from newsweave.errors import NewsweaveError
from newsweave.web import check_binding
from web_helpers import ReaderStore, api_error, reader_server_fixture, running_server

pytestmark = pytest.mark.slow


# The API over a copy of the reader store, once on each backend.
base = reader_server_fixture("api", max_body_bytes=256 * 1024, max_upload_bytes=128 * 1024)


def test_api_errors_share_one_shape(base: str) -> None:
    assert api_error(httpx.get(f"{base}/api/stories/ffffffffffffffff"), 404)["code"] == "not_found"
    assert api_error(httpx.get(f"{base}/api/articles/not-hex"), 404)["code"] == "not_found"
    assert api_error(httpx.get(f"{base}/api/nowhere"), 404)["code"] == "not_found"
    assert api_error(httpx.get(f"{base}/api/stories?page=0"), 422)["code"] == "invalid"
    assert api_error(httpx.get(f"{base}/api/search"), 422)["code"] == "invalid"
    assert api_error(httpx.delete(f"{base}/api/stories"), 405)["code"] == "method_not_allowed"
    assert api_error(
        httpx.post(
            f"{base}/api/articles", content=b"{", headers={"content-type": "application/json"}
        ),
        422,
    )
    assert api_error(httpx.post(f"{base}/api/articles", json={"text": 3}), 422)
    assert api_error(httpx.post(f"{base}/api/articles", json={}), 422)["code"] == "empty"
    assert api_error(
        httpx.post(f"{base}/api/articles", content=b"x", headers={"content-type": "text/plain"}),
        415,
    )
    big = b"x" * (300 * 1024)
    assert (
        api_error(httpx.post(f"{base}/api/articles", json={"text": big.decode()}), 413)["code"]
        == "too_large"
    )
    # The pages answer errors as pages, with the same status.
    page = httpx.get(f"{base}/stories/ffffffffffffffff")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_api_lists_page_and_mirror_the_cli_shapes(base: str, reader_store: ReaderStore) -> None:
    first = httpx.get(f"{base}/api/stories", params={"per_page": 1}).json()
    assert len(first["stories"]) == 1 and first["paging"]["has_next"]
    second = httpx.get(f"{base}/api/stories", params={"per_page": 1, "page": 2}).json()
    assert second["stories"][0]["id"] != first["stories"][0]["id"]
    total = first["paging"]["total"]
    assert total == len(
        httpx.get(f"{base}/api/stories", params={"per_page": 200}).json()["stories"]
    )
    articles = httpx.get(f"{base}/api/articles", params={"per_page": 500}).json()
    assert {a["id"] for a in articles["articles"]} >= set(reader_store.seed_ids)
    article = httpx.get(f"{base}/api/articles/{reader_store.seed_ids[0][:8]}").json()
    assert article["id"] == reader_store.seed_ids[0] and article["body"] and "story" in article
    hits = httpx.get(f"{base}/api/search", params={"q": article["title"].split()[0]}).json()
    assert article["id"] in {h["id"] for h in hits["hits"]} or hits["paging"]["has_next"]


def test_api_add_reports_each_input_as_the_cli_does(base: str) -> None:
    chrome = httpx.post(f"{base}/api/articles", json={"text": "Home | News | Sport"}, timeout=120)
    assert chrome.status_code == 200
    [result] = chrome.json()["results"]
    assert result["status"] == "error" and result["error"].startswith("pasted text: ")
    private = httpx.post(f"{base}/api/articles", json={"url": "http://127.0.0.1:9/x"}, timeout=60)
    [refused] = private.json()["results"]
    assert refused["status"] == "error" and "private" in refused["error"]
    files = [("files", ("notes.bin", b"\x00\x01\x02" * 100, "application/octet-stream"))]
    [binary] = httpx.post(f"{base}/api/articles", files=files, timeout=60).json()["results"]
    assert binary["status"] == "error" and binary["origin"] == "notes.bin"
    assert "/tmp" not in binary["error"] and binary["error"].startswith("notes.bin: ")


def test_api_mark_read_and_unread(base: str, reader_store: ReaderStore) -> None:
    target = reader_store.demo_ids[0]
    read = httpx.post(f"{base}/api/articles/{target}/read").json()
    assert read["unread"] is False and read["details"]["last_read"]
    count = read["stats"]["read_count"]
    again = httpx.post(f"{base}/api/articles/{target}/unread").json()
    assert again["unread"] is True and again["stats"]["read_count"] == count


def test_exports_and_atom_feed(base: str, reader_store: ReaderStore) -> None:
    story = httpx.get(f"{base}/api/articles/{reader_store.seed_ids[0]}").json()["story"]
    md = httpx.get(f"{base}/stories/{story}/brief.md", timeout=120)
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("# ")
    html = httpx.get(f"{base}/stories/{story}/brief.html", timeout=120)
    assert html.text.lstrip().lower().startswith("<!doctype html>") and "<table>" in html.text
    data = httpx.get(f"{base}/stories/{story}/brief.json", timeout=120).json()
    assert data == httpx.get(f"{base}/api/stories/{story}/brief").json()
    assert data["story"] == story and data["disputes"]
    feed = httpx.get(f"{base}/feeds/stories.atom", timeout=300)
    assert feed.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(feed.content)
    entries = root.findall("a:entry", ns)
    stories = httpx.get(f"{base}/api/stories").json()["stories"]
    assert [e.findtext("a:id", namespaces=ns) for e in entries] == [
        f"urn:newsweave:story:{s['id']}" for s in stories
    ]
    entry = next(e for e in entries if e.findtext("a:id", namespaces=ns).endswith(story))
    assert entry.findtext("a:title", namespaces=ns) == data["title"]
    summary = entry.findtext("a:summary", namespaces=ns) or ""
    assert data["summary"][0]["text"].split()[0] in summary
    assert f"/articles/{data['summary'][0]['articles'][0]}" in summary
    assert entry.findtext("a:updated", namespaces=ns)


def test_coverage_svg_is_drawn_by_the_server(base: str, reader_store: ReaderStore) -> None:
    story = httpx.get(f"{base}/api/articles/{reader_store.demo_ids[0]}").json()["story"]
    page = httpx.get(f"{base}/stories/{story}", timeout=120).text
    svg = page[page.index("<svg") : page.index("</svg>")]
    members = httpx.get(f"{base}/api/stories/{story}").json()["members"]
    days = {m["published"][:10] for m in members if m["published"]}
    assert days and all(f"{d}:" in svg for d in days)  # each dated day has its bar's tooltip


def test_same_origin_required_for_state_changes(base: str, reader_store: ReaderStore) -> None:
    target = reader_store.demo_ids[1]
    evil = httpx.post(f"{base}/articles/{target}/read", headers={"origin": "http://evil.example"})
    assert api_error(evil, 403)["code"] == "forbidden"
    cross = httpx.post(
        f"{base}/api/articles/{target}/read", headers={"sec-fetch-site": "cross-site"}
    )
    assert api_error(cross, 403)
    assert httpx.get(f"{base}/api/articles/{target}").json()["unread"] is True
    own = httpx.post(f"{base}/articles/{target}/read", headers={"origin": base})
    assert own.status_code == 303
    assert httpx.get(f"{base}/api/articles/{target}").json()["unread"] is False


def test_mark_a_story_read_and_the_unread_filter(base: str, reader_store: ReaderStore) -> None:
    story = httpx.get(f"{base}/api/articles/{reader_store.seed_ids[1]}").json()["story"]
    unread = {s["id"] for s in httpx.get(f"{base}/api/stories?unread=true").json()["stories"]}
    assert story in unread
    done = httpx.post(f"{base}/stories/{story}/read", headers={"origin": base})
    assert done.status_code == 303
    after = httpx.get(f"{base}/api/stories?unread=true").json()
    assert story not in {s["id"] for s in after["stories"]}
    assert after["paging"]["total"] == len(unread) - 1
    assert httpx.get(f"{base}/api/stories/{story}").json()["unread"] == 0
    listed = httpx.get(f"{base}/?unread=true").text
    assert f'href="/stories/{story}"' not in listed


def test_token_guards_every_request(reader_store: ReaderStore, tmp_path: Any) -> None:
    with pytest.raises(NewsweaveError, match="token"):
        check_binding("0.0.0.0", None)
    assert check_binding("127.0.0.1", None) is None
    assert check_binding("0.0.0.0", "s3cret") == "s3cret"
    db = reader_store.copy(tmp_path / "token.db")
    with running_server(db, token="s3cret") as base:
        assert api_error(httpx.get(f"{base}/api/stories"), 401)["code"] == "unauthorized"
        assert api_error(httpx.get(f"{base}/openapi.json"), 401)
        assert (
            httpx.get(f"{base}/api/stories", headers={"x-newsweave-token": "s3cret"}).status_code
            == 200
        )
        assert (
            httpx.get(f"{base}/api/stories", headers={"authorization": "Bearer s3cret"}).status_code
            == 200
        )
        assert api_error(
            httpx.get(f"{base}/api/stories", headers={"authorization": "Bearer nope"}), 401
        )
        page = httpx.get(f"{base}/stories/x")
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
        with httpx.Client(base_url=base) as client:
            wrong = client.post("/login", data={"token": "nope", "next": "/"})
            assert wrong.status_code == 401
            login = client.post("/login", data={"token": "s3cret", "next": "//evil.example/"})
            assert login.status_code == 303 and login.headers["location"] == "/"
            assert "httponly" in login.headers["set-cookie"].lower()
            assert client.get("/").status_code == 200  # the cookie carries the token now


# -- schemathesis ------------------------------------------------------------------------

# Bounded: a few examples per operation and a time cap for the whole run.
EXAMPLES = 12
TIME_CAP = 240.0


def test_api_matches_its_schema_and_never_fails(base: str) -> None:
    """Every operation in /openapi.json, with generated inputs: no 5xx, documented status
    codes and content types, and bodies that match their schema."""
    import time

    from hypothesis import given

    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    started = time.monotonic()
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if time.monotonic() - started > TIME_CAP:
            break

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case: Any) -> None:
            case.call_and_validate(
                timeout=60,
                checks=[
                    st_checks.not_a_server_error,
                    st_checks.status_code_conformance,
                    st_checks.content_type_conformance,
                    st_checks.response_schema_conformance,
                ],
            )

        check()
        tested.append(operation.label)
    assert len(tested) >= 15, tested
    assert {"GET /api/feeds", "POST /api/feeds", "POST /api/feeds/{feed_id}/refresh"} <= set(tested)


def test_story_page_says_what_is_new_since_the_last_visit(
    reader_store: ReaderStore, tmp_path: Any
) -> None:
    """Open the story, an article joins it (uploaded through the API), open it again: the
    new article is at the top; a third visit has nothing new."""
    import sqlite3

    from conftest import shared_path

    db = reader_store.copy(tmp_path / "since.db")
    seeds = sorted(shared_path("seeds").iterdir())
    late = seeds[-1]
    with running_server(db) as base:
        added = httpx.post(
            f"{base}/api/articles", files=[("files", (late.name, late.read_bytes(), "text/plain"))]
        ).json()["results"]
        assert [r["status"] for r in added] == ["unchanged"]
        late_id = added[0]["id"]
    with sqlite3.connect(db) as conn:  # the late article was never there: take it out again
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("DELETE FROM story_members WHERE article_id = ?", (late_id,))
        conn.execute("DELETE FROM articles WHERE id = ?", (late_id,))
    with running_server(db) as base:
        story = httpx.get(f"{base}/api/articles/{reader_store.seed_ids[0]}").json()["story"]
        httpx.get(f"{base}/stories/{story}", timeout=120).raise_for_status()
        second = httpx.get(f"{base}/stories/{story}", timeout=120).text
        assert 'id="since"' not in second
        added = httpx.post(
            f"{base}/api/articles", files=[("files", (late.name, late.read_bytes(), "text/plain"))]
        ).json()["results"]
        assert [r["status"] for r in added] == ["added"]
        joined = httpx.get(f"{base}/api/articles/{late_id}").json()["story"]
        assert joined == story, "the late seed joins its story"
        page = httpx.get(f"{base}/stories/{story}", timeout=120).text
        since = page[page.index('id="since"') : page.index("</section>", page.index('id="since"'))]
        assert f'href="/articles/{late_id}"' in since
        assert page.index('id="since"') < page.index('id="summary"')
        assert 'id="since"' not in httpx.get(f"{base}/stories/{story}", timeout=120).text
