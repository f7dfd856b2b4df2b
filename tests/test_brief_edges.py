"""The brief's rough edges (issue 10), each on invented text: who may be said to give a figure,
one timeline entry per sentence, dates as people say them, what is a place or an organisation,
and which sentences may open a summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from newsweave.analyze import analysis_text, analyze
from newsweave.analyze.timeml import readable, span
from newsweave.brief import Brief, brief_html, brief_json, brief_markdown, build_brief
from newsweave.ingest import text_article
from newsweave.pipeline import build_article

REF = date(2024, 10, 24)


def _brief(*texts: str, ref: date = REF) -> Brief:
    articles = [build_article(text_article(t, f"article{i}.txt")) for i, t in enumerate(texts)]
    analyses = {a.id: analyze(analysis_text(a.title, a.body), ref) for a in articles}
    return build_brief("0123456789abcdef", "A story", articles, analyses)


# -- dates as people say them ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2024-10-23", "23 Oct 2024"),
        ("2024-10-22TEV", "22 Oct 2024, evening"),
        ("2024-W42-WE", "weekend of 19–20 Oct 2024"),
        ("2024-W42", "week of 14–20 Oct 2024"),
        ("2024-W44", "week of 28 Oct – 3 Nov 2024"),
        ("2025-W01", "week of 30 Dec 2024 – 5 Jan 2025"),
        ("2024-10", "Oct 2024"),
        ("2024-Q3", "third quarter of 2024"),
        ("2024-SU", "summer 2024"),
        ("2024-WI", "winter 2024–25"),
        ("2024", "2024"),
        ("199", "the 1990s"),
        ("20", "the 21st century"),
        ("PRESENT_REF", "now"),
    ],
)
def test_every_timeml_value_reads_as_people_say_it(value: str, shown: str) -> None:
    assert readable(value) == shown


def test_a_value_that_is_no_date_is_shown_as_it_is() -> None:
    assert span("2024-13") is None and readable("2024-13") == "2024-13"
    assert span("2024-W42-WE") == (date(2024, 10, 19), date(2024, 10, 20))


def test_the_timeline_shows_readable_dates_and_json_keeps_the_timeml_value() -> None:
    brief = _brief(
        "Harbour pilots said the ferry had been held in port over the weekend while divers "
        "checked its hull."
    )
    weekend = [e for e in brief.timeline if e.date.endswith("-WE")]
    assert weekend and weekend[0].label == "weekend of 19–20 Oct 2024"
    markdown, html = brief_markdown(brief), brief_html(brief)
    assert "weekend of 19–20 Oct 2024" in markdown and "weekend of 19–20 Oct 2024" in html
    assert "-WE" not in markdown and "-WE" not in html
    assert {e["date"] for e in brief_json(brief)["timeline"]} >= {"2024-W42-WE"}


# -- one timeline entry per sentence -----------------------------------------------------------


def test_a_sentence_with_two_dates_is_one_entry_at_its_most_precise_date() -> None:
    brief = _brief(
        "The harbour master said on Wednesday that the dredger had worked the channel since "
        "early October. The old quay was in use from 1921-1948, records show."
    )
    texts = [e.text for e in brief.timeline]
    assert len(texts) == len(set(texts)), brief.timeline
    dredger = [e for e in brief.timeline if "dredger" in e.text]
    assert [(e.date, e.precision) for e in dredger] == [("2024-10-23", "day")]
    quay = [e for e in brief.timeline if "quay" in e.text]
    assert [e.date for e in quay] == ["1921"]


def test_a_coarser_date_still_cites_an_article_whose_sentence_is_shown_elsewhere() -> None:
    brief = _brief(
        "The harbour master said on Wednesday that the dredger had worked the channel since "
        "early October.",
        "Dredging of the channel began in early October, the port authority said.",
    )
    month = [e for e in brief.timeline if e.date == "2024-10"]
    assert month and len(month[0].articles) == 2
    assert "Dredging" in month[0].text


# -- who says a figure -------------------------------------------------------------------------


def test_a_country_is_not_among_those_who_said_a_figure() -> None:
    brief = _brief(
        "Portugal said that 3,000 engineers had been sent to the dam site near Seville. Maria "
        "Costa, the project director, said 3,000 engineers were now working on the site.",
        "Jorge Pina, a union official, said that 5,000 engineers had been sent to the dam site "
        "near Seville.",
    )
    said = {f.value: f.said_by for d in brief.disputes for f in d.figures}
    assert said == {3000: ["Maria Costa"], 5000: ["Jorge Pina"]}


# -- places and organisations ------------------------------------------------------------------

FLOOD = (
    "Trains between Dunmore and Tarnbury were suspended after the storm. The River Oona burst "
    "its banks near Dunmore on Sunday.\n\n"
    "Romanian Naval Support in Moldova's Fight Against Floods\n\n"
    "The harbour wall failed on Tuesday, Tullaghshire county council said on Wednesday. The "
    "North has sent pumps, said Aoife Byrne, a council spokeswoman.",
    "Ferries to Moldova were cancelled on Monday, Harbour Lines said. The US is committed to "
    "supporting Moldova, as you've seen with our most recent ODP announcements, said Sean Daly, "
    "a spokesman for Harbour Lines.",
)


def test_places_and_organisations_go_by_their_head_words_and_context() -> None:
    brief = _brief(*FLOOD)
    places = {n.name for n in brief.places}
    organizations = {n.name for n in brief.organizations}
    # "River X" is a river, "… council" a body, a town listed "between" a place and it a town.
    assert {"River Oona", "Tarnbury", "Dunmore", "Moldova"} <= places
    assert "Tullaghshire county council" in organizations
    assert not {"River Oona", "Tarnbury", "Moldova"} & organizations
    assert "Tullaghshire county council" not in places


def test_a_direction_a_subheading_or_a_bare_acronym_names_nothing() -> None:
    brief = _brief(*FLOOD)
    named = {n.name for n in [*brief.places, *brief.organizations]}
    assert "North" not in named  # "the North has sent": a direction word alone
    assert not {"Romanian Naval Support", "Fight Against Floods"} & named  # only in a subheading
    assert "ODP" not in named  # once, never spelt out, never spoken of as a body


def test_an_acronym_spoken_of_as_a_body_stays() -> None:
    brief = _brief(
        "The ODP said on Monday that ferries to Moldova would resume.",
        "Ferries to Moldova will resume on Tuesday, Harbour Lines said.",
    )
    assert "ODP" in {n.name for n in brief.organizations}


def test_a_nationality_the_model_once_reads_as_a_place_is_no_place() -> None:
    from newsweave.analyze import Analysis, Entity
    from newsweave.analyze.entities import _named

    text = "Moldovan officials met Moldovan farmers. Aid reached the Moldovan side in Tarnbury."
    article = build_article(text_article(text, "a.txt"))
    body = analysis_text(article.title, article.body)

    def at(word: str, nth: int, kind: str) -> Entity:
        start = [i for i in range(len(body)) if body.startswith(word, i)][nth]
        return Entity(word, start, start + len(word), kind)

    entities = [
        at("Moldovan", 0, "GROUP"),
        at("Moldovan", 1, "GROUP"),
        at("Moldovan", 2, "PLACE"),
        at("Tarnbury", 0, "PLACE"),
    ]
    places, organizations = _named([article], {article.id: Analysis(entities=entities)}, [])
    assert [p.name for p in places] == ["Tarnbury"] and organizations == []


# -- what may open a summary -------------------------------------------------------------------


def test_a_summary_has_no_heading_and_no_sentence_from_inside_a_quotation() -> None:
    brief = _brief(
        "The harbour council said 300 boats were damaged in the storm on Monday night.\n"
        "Harbour repairs begin after the worst storm damage in decades\n"
        '"We moved every boat we could. The water rose faster than anyone expected and the '
        'harbour wall gave way. We will rebuild the wall," said Jo Bell, the harbour master.\n'
        "Fishermen from three villages joined the clean-up on Tuesday morning.\n"
        "The council will meet on Friday to discuss the cost of the repairs."
    )
    summary = [c.text for c in brief.summary]
    assert summary[0].startswith("The harbour council said 300 boats")
    assert not any(t.startswith("Harbour repairs begin") for t in summary)
    assert not any("water rose faster" in t for t in summary)
    assert "Fishermen from three villages joined the clean-up on Tuesday morning." in summary


def test_analyze_text_says_each_date_as_people_do(cli: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "ferry.txt"
    path.write_text("The ferry was held in port over the weekend.", encoding="utf-8")
    result = cli("analyze", str(path), "--date", "2024-10-24", "--format", "text")
    assert result.exit_code == 0
    assert "2024-W42-WE" in result.stdout and "weekend of 19–20 Oct 2024" in result.stdout


def test_a_role_given_with_a_possessive_is_the_role_alone() -> None:
    brief = _brief(
        "The ferry company said the harbour would reopen. Its chief executive, Maura Quill, "
        "said repairs would take a week."
    )
    roles = {p.name: p.role for p in brief.people}
    assert roles.get("Maura Quill") == "chief executive", roles
