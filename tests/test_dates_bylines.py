"""Date lines and bylines at the top of plain text, on made-up articles (issue 14, class 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsweave.bylines import is_byline
from newsweave.clean import BYLINE_TITLE, DATELINE, DATELINE_NO_DAY, clean, date_line
from newsweave.models import RawArticle
from newsweave.pipeline import add_sources, build_article
from newsweave.provenance import title_from_first_sentence
from newsweave.store import Store
from newsweave.store.stories import list_stories
from newsweave.weave import Weaver

BODY = [
    "The harbour board of Vellmouth raised its mooring fees by a tenth on Tuesday evening.",
    "Fishermen said the rise would cost each boat several hundred pounds a season.",
    "The board said the money would pay for dredging the channel before the winter storms.",
]


def _raw(lines: list[str], title: str | None = None, kind: str = "text") -> RawArticle:
    return RawArticle(origin="t", kind=kind, text="\n".join(lines), title=title)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("date 2024-10-23", "2024-10-23"),
        ("Date: 2024-10-23", "2024-10-23"),
        ("2024-10-23", "2024-10-23"),
        ("2024-10-23T14:05:00Z", "2024-10-23T14:05:00"),
        ("23 October 2024", "2024-10-23"),
        ("October 23, 2024", "2024-10-23"),
        ("Published: Wednesday 23 October 2024", "2024-10-23"),
    ],
)
def test_a_date_line_is_the_published_date_and_leaves_the_body(line: str, day: str) -> None:
    result = clean(_raw(["Mooring fees rise at Vellmouth", line, *BODY]))
    assert result.published == day
    assert result.title == "Mooring fees rise at Vellmouth"
    assert result.paragraphs == BODY
    assert [(r.reason, r.text) for r in result.removed] == [(DATELINE, line)]


@pytest.mark.parametrize(
    ("line", "language", "day"),
    [
        ("23. Oktober 2024", "de", "2024-10-23"),
        ("23 de outubro de 2024", "pt", "2024-10-23"),
        ("23 ottobre 2024", "it", "2024-10-23"),
        ("2024. október 23.", "hu", "2024-10-23"),
    ],
)
def test_a_date_line_in_the_articles_language(line: str, language: str, day: str) -> None:
    found = date_line(line, language)
    assert found is not None and found.day == day and found.rest == ""
    assert date_line(line, "en") is None  # an English reader does not know the month's name


def test_a_foreign_date_line_is_read_in_the_language_the_text_is_written_in() -> None:
    lead = [
        "Der Stadtrat von Vellmouth hat am Dienstag die Gebühren für den Hafen erhöht.",
        "Die Fischer sagen, dass die Erhöhung jedes Boot mehrere hundert Euro kosten wird.",
        "Der Rat will mit dem Geld die Fahrrinne vor den Winterstürmen ausbaggern lassen.",
    ]
    result = clean(_raw(["23. Oktober 2024", *lead]))
    assert result.published == "2024-10-23"
    assert result.paragraphs == lead


def test_a_labelled_date_opening_a_line_leaves_and_the_headline_stays() -> None:
    result = clean(_raw(["date 2024-10-23 Mooring fees rise at Vellmouth", *BODY]))
    assert result.published == "2024-10-23"
    assert result.title == "Mooring fees rise at Vellmouth"
    assert result.paragraphs == BODY
    assert [(r.reason, r.text) for r in result.removed] == [(DATELINE, "date 2024-10-23")]


def test_a_date_line_without_a_day_leaves_the_body_but_gives_no_published_date() -> None:
    result = clean(_raw(["date 2024-10 " + BODY[0], *BODY[1:]]))
    assert result.published is None
    assert result.paragraphs == BODY
    assert [(r.reason, r.text) for r in result.removed] == [(DATELINE_NO_DAY, "date 2024-10")]


@pytest.mark.parametrize(
    "line",
    [
        "Elections 2024: what the harbour board wants",
        "The 2024-25 season opens at Vellmouth",
        "2024-13-01",
        "Published in 2024 by the harbour board, the plan runs to 300 pages.",
    ],
)
def test_lines_that_merely_hold_a_year_are_not_date_lines(line: str) -> None:
    assert date_line(line) is None


def test_a_declared_published_date_wins_but_the_date_line_still_leaves() -> None:
    raw = RawArticle(
        origin="t", kind="jsonl", text="\n".join(["date 2024-10-22", *BODY]), published="2024-10-23"
    )
    article = build_article(raw)
    assert article.published == "2024-10-23"
    assert article.body == BODY
    assert "published" not in article.provenance
    assert all("2024-10-22" not in s for s in [article.summary or "", *article.body])


def test_a_date_line_becomes_the_articles_date_with_its_provenance() -> None:
    article = build_article(_raw(["date 2024-10-23", *BODY]))
    assert article.published == "2024-10-23"
    assert article.provenance.get("published") == "dateline"
    assert "2024-10-23" not in (article.summary or "")
    assert article.title_from_text is not None and "date" not in article.title_from_text


@pytest.mark.parametrize(
    "line",
    [
        "THE ASSOCIATED PRESS",
        "AGENCE FRANCE-PRESSE",
        "UNITED NEWS OF VELLAND",
        "VELLSHIRE PRESS AGENCY",
        "AP",
        "By Jane Doe",
        "By JANE DOE and JOHN ROE, Vellshire Wire",
        "Reuters staff",
        "Vellshire Wire staff",
        "Jane Doe, Staff Reporter",
    ],
)
def test_bylines_by_shape(line: str) -> None:
    assert is_byline(line)


@pytest.mark.parametrize(
    "line",
    [
        "ECB CUTS RATES AGAIN",
        "QUAKE KILLS 300",
        "By the numbers: the harbour budget",
        "By 2030 the pier will be rebuilt",
        "Staff shortage hits Vellmouth hospital",
        "Mooring fees rise at Vellmouth",
    ],
)
def test_headlines_are_not_bylines(line: str) -> None:
    assert not is_byline(line)


@pytest.mark.parametrize("byline", ["THE ASSOCIATED PRESS", "By Jane Doe", "Vellshire Wire staff"])
def test_a_byline_above_the_headline_is_never_the_title(byline: str) -> None:
    result = clean(_raw([byline, "Mooring fees rise at Vellmouth", *BODY]))
    assert result.title == "Mooring fees rise at Vellmouth"


def test_a_byline_above_the_lead_is_never_the_title_taken_from_the_text() -> None:
    article = build_article(_raw(["THE ASSOCIATED PRESS", *BODY]))
    assert article.title is None
    assert article.title_from_text is not None
    assert article.title_from_text.startswith("The harbour board of Vellmouth")
    assert title_from_first_sentence(["By Jane Doe", *BODY]) == article.title_from_text


def test_a_byline_declared_as_the_title_is_dropped() -> None:
    result = clean(_raw(BODY, title="THE ASSOCIATED PRESS", kind="html"))
    assert result.title is None
    assert (BYLINE_TITLE, "THE ASSOCIATED PRESS") in [(r.reason, r.text) for r in result.removed]


def test_a_story_of_agency_copy_is_not_titled_by_its_byline(tmp_path: Path) -> None:
    paths = []
    for n, credit in enumerate(["THE ASSOCIATED PRESS", "VELLSHIRE PRESS AGENCY"]):
        path = tmp_path / f"{n}.txt"
        path.write_text("\n".join([credit, "date 2024-10-23", *BODY]), encoding="utf-8")
        paths.append(str(path))
    with Store.open(tmp_path / "s.db") as store:
        list(add_sources(store, paths))
        Weaver(store).weave()
        stories = list_stories(store)
        assert len(stories) == 1 and len(stories[0].articles) == 2
        assert stories[0].title is None or not is_byline(stories[0].title)
        for article_id in stories[0].articles:
            article = store.get(article_id)
            assert article.published == "2024-10-23"
            assert article.title is None and article.title_from_text is not None
            assert not is_byline(article.title_from_text)
