"""The reader end to end in headless Chromium: story list → story → article, keys, search."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from web_helpers import PageWatch, ReaderStore, chromium, reader_server_fixture, running_server

DOCS_IMG = Path(__file__).resolve().parents[1] / "docs" / "img"
WIDTHS = {"desktop": (1280, 860), "phone": (390, 844)}

pytestmark = pytest.mark.slow


# The reader over a copy of the reader store, once on each backend.
base = reader_server_fixture("e2e")


@pytest.fixture(scope="module")
def untouched(reader_store: ReaderStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A reader on the store as built, so the pictures never depend on what tests ran first."""
    db = reader_store.copy(tmp_path_factory.mktemp("shots") / "reader.db")
    with running_server(db) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _seed_story(base: str, reader_store: ReaderStore) -> dict[str, Any]:
    stories = httpx.get(f"{base}/api/stories", timeout=30).json()["stories"]
    return max(stories, key=lambda s: len(set(s["articles"]) & set(reader_store.seed_ids)))


def _figure_rows(brief: dict[str, Any], values: set[float]) -> dict[float, list[str]]:
    """Each wanted value and who the brief says gave it."""
    rows: dict[float, list[str]] = {}
    for dispute in brief["disputes"]:
        for figure in dispute["figures"]:
            if figure["value"] in values:
                rows[figure["value"]] = figure["said_by"]
    return rows


def test_reader_story_list_story_citation_removed_read_search_keys(
    base: str, browser: Any, reader_store: ReaderStore
) -> None:
    story = _seed_story(base, reader_store)
    brief = httpx.get(f"{base}/api/stories/{story['id']}/brief", timeout=120).json()
    wanted = _figure_rows(brief, {3000, 10000, 11000})
    assert set(wanted) == {3000, 10000, 11000}, "the seed brief disputes 3,000 / 10,000 / 11,000"

    page = browser.new_page(viewport={"width": 1280, "height": 860})
    watch = PageWatch(page)

    # The story list: the seed story is there with its counts.
    page.goto(base + "/")
    item = page.locator("li.item", has=page.locator(f'a[href="/stories/{story["id"]}"]'))
    assert item.count() == 1
    assert f"{len(story['articles'])} articles" in item.inner_text()
    unread_before = int(item.locator(".unread-count").get_attribute("data-unread") or "-1")
    assert unread_before == story["unread"] > 0

    # The story: the disputed-figures table shows each figure with its speakers.
    item.locator("a[data-open]").click()
    page.wait_for_url(f"**/stories/{story['id']}")
    table = page.locator("table.figures").first
    for value, speakers in wanted.items():
        row = table.locator("tr", has_text=re.compile(rf"\b{value:,.0f}\b"))
        assert row.count() == 1, f"{value:,.0f} in the disputed-figures table"
        text = row.inner_text()
        assert speakers and all(name in text for name in speakers), (value, speakers, text)
    # Coverage: one bar piece per dated (day, source), one legend key per source drawn.
    members = httpx.get(f"{base}/api/stories/{story['id']}").json()["members"]
    dated = {(m["published"][:10], m["source"] or "(unknown)") for m in members if m["published"]}
    expected = len(dated) + len({source for _, source in dated})
    assert page.locator("svg.coverage rect").count() == expected

    # A citation in the summary leads to its article.
    cite = page.locator("#summary a.cite").first
    target = cite.get_attribute("href") or ""
    cite.click()
    page.wait_for_url("**" + target)
    assert page.locator("article.article h1").inner_text().strip()

    # The removed-text toggle, on a member article that had chrome taken out.
    article = next(
        a
        for a in (httpx.get(f"{base}/api/articles/{i}").json() for i in story["articles"])
        if a["removed"]
    )
    page.goto(f"{base}/articles/{article['id']}")
    removed = page.locator("details.removed")
    first_removed = removed.locator("li").first
    assert not first_removed.is_visible()
    removed.locator("summary").click()
    assert removed.get_attribute("open") is not None
    assert first_removed.is_visible()
    assert article["removed"][0]["reason"] in first_removed.inner_text()

    # Mark an unread member read: the story's unread count falls by one.
    unread_id = next(
        m["id"]
        for m in httpx.get(f"{base}/api/stories/{story['id']}").json()["members"]
        if m["unread"]
    )
    page.goto(f"{base}/articles/{unread_id}")
    page.locator(".page-head form[data-mark] button").click()
    page.wait_for_url(f"**/articles/{unread_id}")
    assert page.locator("button", has_text="Mark unread").count() == 1
    page.goto(base + "/")
    count = item.locator(".unread-count").get_attribute("data-unread")
    assert count is not None and int(count) == unread_before - 1

    # Search from the keyboard: "/" focuses the box.
    word = max(re.findall(r"[A-Za-z]{5,}", story["title"] or ""), key=len)
    page.keyboard.press("/")
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    hits = page.locator("ol.hits li.item")
    assert hits.count() > 0
    assert word.lower() in hits.first.locator("mark").first.inner_text().lower()

    # j/k move through the story list; o opens the current one.
    page.goto(base + "/")
    items = page.locator("ol.stories > li.item")
    assert items.count() >= 2
    page.keyboard.press("j")
    assert "current" in (items.nth(0).get_attribute("class") or "")
    page.keyboard.press("j")
    assert "current" in (items.nth(1).get_attribute("class") or "")
    assert "current" not in (items.nth(0).get_attribute("class") or "")
    page.keyboard.press("k")
    assert "current" in (items.nth(0).get_attribute("class") or "")
    href = items.nth(0).locator("a[data-open]").get_attribute("href") or ""
    page.keyboard.press("o")
    page.wait_for_url("**" + href)

    # m marks the current story read.
    page.goto(base + "/")
    first = items.nth(0)
    story_href = first.locator("a[data-open]").get_attribute("href")
    assert int(first.locator(".unread-count").get_attribute("data-unread") or "0") > 0
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("m")
    marked = page.locator("li.item", has=page.locator(f'a[href="{story_href}"]'))
    assert marked.locator(".unread-count").get_attribute("data-unread") == "0"

    assert not watch.errors, watch.errors
    assert not watch.dialogs
    page.close()


def test_reader_reads_with_javascript_off(
    base: str, browser: Any, reader_store: ReaderStore
) -> None:
    story = _seed_story(base, reader_store)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "/")
    page.locator(f'a[href="/stories/{story["id"]}"]').first.click()
    assert page.locator("table.figures").count() > 0
    page.locator("#summary a.cite").first.click()
    assert page.locator(".body p").count() > 0
    context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_reader_screenshots(
    untouched: str, browser: Any, reader_store: ReaderStore, width: str
) -> None:
    """Pictures for docs/web.md, taken from the running reader at desktop and phone width."""
    base = untouched
    story = _seed_story(base, reader_store)
    w, h = WIDTHS[width]
    for scheme in ("light", "dark"):
        page = browser.new_page(viewport={"width": w, "height": h}, color_scheme=scheme)
        suffix = f"{width}" + ("-dark" if scheme == "dark" else "")
        shots = {
            "stories": base + "/",
            "story": f"{base}/stories/{story['id']}",
            "article": f"{base}/articles/{story['articles'][1]}",
        }
        for name, url in shots.items():
            page.goto(url)
            path = DOCS_IMG / f"{name}-{suffix}.png"
            page.screenshot(path=str(path))
            assert path.stat().st_size > 5_000
            # Nothing wider than the screen: the page never scrolls sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= w
            if name == "story":
                page.locator("#disputes").screenshot(path=str(DOCS_IMG / f"figures-{suffix}.png"))
        page.close()
