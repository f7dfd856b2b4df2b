"""What a reader sees: new-to-you per article, read counts kept apart from an export's, and
metadata a text and its story give when the input declared none (with where it came from)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from newsweave import demo
from newsweave.brief import brief_markdown
from newsweave.metadata import outlet_from_byline, outlet_from_dateline
from newsweave.pipeline import add_sources, brief_story
from newsweave.provenance import DESCRIBE, FROM_STORY, title_from_first_sentence
from newsweave.store import Store
from newsweave.store.stories import origin_of
from newsweave.weave import Weaver

Cli = Callable[..., Any]


def _demo_story(store: Store) -> tuple[str, list[str]]:
    results = list(add_sources(store, [str(p) for p in demo.corpus_files()]))
    Weaver(store).weave()
    ids = [r.id for r in results if r.id]
    story = origin_of(store, ids[0]).story
    assert story
    members = brief_story(store, story).articles
    assert len(members) >= 4
    return story, members


def test_reading_one_member_leaves_the_unread_ones_new(store: Store) -> None:
    story, members = _demo_story(store)
    unread = [a for a in members if not store.get(a).details.last_read]
    assert len(unread) >= 3
    store.mark_read(unread[0])
    since = brief_story(store, story).since_last_read
    assert since.new_articles == unread[1:]
    assert since.per_article
    text = brief_markdown(brief_story(store, story))
    assert "not read yet: none" not in text and "new articles: none" not in text
    assert f"[{unread[1][:8]}]" in text.split("## Since")[1]


def test_an_explicit_since_date_still_compares_dates(store: Store) -> None:
    story, members = _demo_story(store)
    store.mark_read(members[0])
    since = brief_story(store, story, since="9999-01-01").since_last_read
    assert not since.per_article and since.new_articles == []


def test_first_read_after_importing_an_export_is_the_first(cli: Cli, tmp_path: Path) -> None:
    export = next(p for p in demo.corpus_files() if "Read Count" in p.read_text())
    added = cli("add", str(export), "--format", "json").json_lines()
    article_id = added[0]["id"]
    imported = cli("show", article_id, "--format", "json").json()["stats"]["read_count"]
    assert imported >= 1
    first = cli("read", article_id)
    assert first.exit_code == 0
    assert f"{article_id[:8]} read 1 time " in first.stdout
    assert f"and {imported} before" in first.stdout
    second = cli("read", article_id)
    assert "read 2 times" in second.stdout
    shown = cli("show", article_id)
    assert f"read 2 times (and {imported} before" in " ".join(shown.stdout.split())


# -- metadata the text and the story give ---------------------------------------------------


def test_seed_articles_all_get_a_date_and_a_title_with_where_they_came_from(
    cli: Cli, seeds_dir: Path
) -> None:
    assert cli("add", str(seeds_dir)).exit_code == 0
    rows = cli("list", "--format", "json").json()
    shown = [cli("show", r["id"], "--format", "json").json() for r in rows]
    assert all(a["published"] and (a["title"] or a["title_from_text"]) for a in shown)
    declared = [a for a in shown if "published" not in a["provenance"]]
    assert declared, "some seed declares its date; the others are dated from it"
    reference = min(a["published"][:10] for a in declared)
    for article in shown:
        how = article["provenance"]
        assert set(how.values()) <= set(DESCRIBE)
        if how.get("published") in FROM_STORY:
            gap = abs(date.fromisoformat(article["published"]) - date.fromisoformat(reference))
            assert gap.days <= 3
            text = " ".join(cli("show", article["id"]).stdout.split())
            assert DESCRIBE[how["published"]] in text
        if how.get("title") == "first_sentence":
            assert article["title"] is None  # the article still has no title of its own
            derived = article["title_from_text"].rstrip("…")
            assert " ".join(article["body"][0].split()).startswith(derived)
            assert derived in " ".join(cli("show", article["id"]).stdout.split())


def _jsonl(folder: Path, rows: list[dict[str, str]]) -> Path:
    path = folder / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


LEAD = (
    "The harbour authority of Vellport closed the north pier after a crane collapsed onto "
    "the quay, injuring two dock workers and damaging a cargo ship, officials said."
)


def test_a_weekday_in_an_undated_article_is_resolved_against_its_story(
    cli: Cli, tmp_path: Path
) -> None:
    rows = [
        {"title": "Crane collapses at Vellport harbour", "published": "2024-10-24",
         "body": LEAD + "\n\nInspectors from the port authority began checking the other cranes."},
        {"title": "Vellport pier closed after crane falls",
         "body": "The Vellport harbour authority announced Wednesday that it had closed the north "
                 "pier after a crane collapsed onto the quay, injuring two dock workers.\n\n"
                 "The cargo ship damaged in the collapse will be repaired next Monday."},
        {"title": "Crane accident shuts Vellport pier",
         "body": LEAD + "\n\nThe authority said the cranes were inspected last year."},
    ]  # fmt: skip
    assert cli("add", str(_jsonl(tmp_path, rows))).exit_code == 0
    found = {a["title"]: a for a in cli("list", "--format", "json").json()}
    assert (
        len({cli("show", a["id"], "--format", "json").json()["story"] for a in found.values()}) == 1
    )
    weekday = cli("show", found["Vellport pier closed after crane falls"]["id"], "--format", "json")
    assert (
        weekday.json()["published"] == "2024-10-23"
    )  # the Wednesday before; "next Monday" ignored
    assert weekday.json()["provenance"] == {"published": "story_weekday"}
    plain = cli(
        "show", found["Crane accident shuts Vellport pier"]["id"], "--format", "json"
    ).json()
    assert (plain["published"], plain["provenance"]) == ("2024-10-24", {"published": "story"})


@pytest.mark.parametrize(
    ("line", "outlet"),
    [
        ("KYIV, Oct 23 (Reuters) - Ukraine's air force said on Wednesday", "Reuters"),
        ("WASHINGTON (AP) — The Pentagon said on Tuesday", "AP"),
        ("PARIS, 12 March 2024 (AFP) - Farmers blocked roads", "AFP"),
        ("Weitz, an Academy Award (R) - nominated writer, will direct", None),
        ("He told reporters (AP) - and left", None),
    ],
)
def test_outlet_from_a_wire_dateline(line: str, outlet: str | None) -> None:
    assert outlet_from_dateline([line]) == outlet


@pytest.mark.parametrize(
    ("line", "outlet"),
    [
        ("By Jane Doe, Vell Valley Courier", "Vell Valley Courier"),
        ("By Ann Lee and Bo Kim | Reuters", "Reuters"),
        ("By John Smith, Staff Writer", None),
        ("By the way, the council met", None),
    ],
)
def test_outlet_from_a_byline(line: str, outlet: str | None) -> None:
    assert outlet_from_byline([line]) == outlet


def test_title_from_the_first_sentence_is_cut_at_a_clause() -> None:
    body = [
        "White House officials say at least 3,000 soldiers are now being trained in camps in "
        "the east, possibly to fight abroad, and more may follow. A second sentence."
    ]
    assert title_from_first_sentence(body) == (
        "White House officials say at least 3,000 soldiers are now being trained in camps in "
        "the east…"
    )
    assert title_from_first_sentence(["Short one. Then more text here."]) is None
    assert title_from_first_sentence(["A council approved the budget. Then more."]) == (
        "A council approved the budget"
    )


# -- 80 columns -----------------------------------------------------------------------------


def _run80(db: Path, *args: str) -> str:
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [sys.executable, "-m", "newsweave", "--db", str(db), *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_demo_and_tables_read_well_at_80_columns(tmp_path: Path) -> None:
    db = tmp_path / ("a-rather-long-folder-name-for-the-store-" * 2) / "newsweave.db"
    shown = _run80(db, "demo")
    assert any(str(db) in line for line in shown.splitlines()), "the store path was broken"
    assert any(line.strip() == "Stories" for line in shown.splitlines()), "untitled table"
    listing = _run80(db, "list")
    for line in listing.splitlines()[2:]:
        cells = [c.strip() for c in line.split("│")]
        assert re.fullmatch(r"[0-9a-f]{8}|", cells[0]) and re.fullmatch(
            r"(\d{4}-\d\d-\d\d)?", cells[1]
        )
    story = json.loads(_run80(db, "stories", "--format", "json"))[0]["id"]
    members = _run80(db, "story", story).splitlines()
    header = next(i for i, line in enumerate(members) if line.split()[:2] == ["id", "published"])
    assert all(len(line) <= 80 for line in members)
    assert any(re.match(r"[0-9a-f]{8}  \d{4}-\d\d-\d\d", line) for line in members[header:])
