"""Figures written differently are one figure, and a story's key figures reach its brief,
disputed or not (issue 14, class 5). Invented text throughout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newsweave.analyze import Analyzer
from newsweave.brief import brief_json, brief_markdown
from newsweave.brief.figures import KEY_FIGURES
from newsweave.pipeline import add_sources, brief_story
from newsweave.store import Store
from newsweave.store.stories import list_stories
from newsweave.weave import Weaver


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _figures(analyzer: Analyzer, text: str) -> list[tuple[float, str | None]]:
    return [(round(q.value, 6), q.unit) for q in analyzer.analyze(text).quantities]


@pytest.mark.parametrize(
    "wording",
    [
        "a quarter point",
        "a quarter-point",
        "a quarter of a point",
        "a quarter of a percentage point",
        "1/4 point",
        "25 basis points",
        "25bps",
        "25 bps",
        "0.25 percentage points",
        "0.25 points",
    ],
)
def test_a_quarter_point_is_one_figure_however_written(analyzer: Analyzer, wording: str) -> None:
    text = f"The Vellshire Reserve cut its lending rate by {wording} on Thursday."
    assert _figures(analyzer, text) == [(0.25, "percentage points")]


@pytest.mark.parametrize(
    ("wording", "value"),
    [
        ("half a percentage point", 0.5),
        ("a half-point", 0.5),
        ("50 basis points", 0.5),
        ("three-quarters of a point", 0.75),
        ("two-thirds of a percentage point", round(2 / 3, 6)),
        ("75 basis points", 0.75),
    ],
)
def test_shares_of_a_point_and_basis_points(analyzer: Analyzer, wording: str, value: float) -> None:
    text = f"The Vellshire Reserve raised its lending rate by {wording} on Thursday."
    assert _figures(analyzer, text) == [(value, "percentage points")]


@pytest.mark.parametrize("wording", ["3.25%", "3.25 percent", "3.25 per cent", "3.25 pct"])
def test_a_rate_is_a_percentage_however_written(analyzer: Analyzer, wording: str) -> None:
    text = f"The Vellshire Reserve's lending rate now stands at {wording}."
    assert _figures(analyzer, text) == [(3.25, "%")]


def test_spelled_numbers_are_figures(analyzer: Analyzer) -> None:
    assert _figures(analyzer, "The lending rate is now three percent.") == [(3.0, "%")]
    found = _figures(analyzer, "Six hundred and ninety-four people died in the floods.")
    assert found == [(694.0, "people")]


def test_whole_points_stay_points(analyzer: Analyzer) -> None:
    text = "The Vellmouth Rovers scored 25 points on Saturday."
    assert _figures(analyzer, text) == [(25.0, "points")]


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("A 6.1-magnitude earthquake shook the Vell valley.", "magnitude"),
        ("An earthquake of magnitude 6.1 shook the Vell valley.", "magnitude"),
        ("A 6.1 magnitude earthquake shook the Vell valley.", "magnitude"),
    ],
)
def test_a_measure_written_before_its_noun_is_the_unit(
    analyzer: Analyzer, text: str, unit: str
) -> None:
    assert _figures(analyzer, text) == [(6.1, unit)]


def test_a_tower_is_measured_in_storeys(analyzer: Analyzer) -> None:
    for text in ("A 30-storey tower fell.", "A 30-story tower fell.", "A 30 storey tower fell."):
        assert _figures(analyzer, text) == [(30.0, "storeys")]


RATE_STORY = [
    "Vellshire Reserve cuts rates\n\nThe Vellshire Reserve cut its lending rate by a quarter "
    "point to 3.25% on Thursday, its second cut this year. Governor Ada Brannock said inflation "
    "had fallen faster than the bank expected. Markets had priced in the move for weeks.",
    "Reserve trims lending rate again\n\nThe Vellshire Reserve lowered its lending rate by 25 "
    "basis points to 3.25 percent on Thursday. Governor Ada Brannock told reporters that "
    "inflation had fallen faster than expected. Economists at Vellmouth Bank said a further "
    "cut in the spring was likely.",
    "Vellshire Reserve cuts lending rate to 3.25%\n\nThe Vellshire Reserve cut its lending rate "
    "by 0.25 percentage points to 3.25% on Thursday. Inflation had fallen faster than the bank "
    "expected, Governor Ada Brannock said. The cut takes effect on Monday. Savers will earn "
    "less on their deposits. The Vellmouth dock workers' union, which has 4,200 "
    "members, welcomed the decision.",
]

LAUNCH_STORY = [
    "Vellshire agency launches weather satellite\n\nThe Vellshire Space Agency said its new "
    "weather satellite reached an orbit of 820 kilometres on Tuesday after a launch from the "
    "Brannock coast. The agency said the satellite would send its first pictures within a week.",
    "Weather satellite reaches orbit\n\nA weather satellite launched by the Vellshire Space "
    "Agency from the Brannock coast on Tuesday has reached orbit, the agency said. Its "
    "controllers said the first pictures of the Vell valley were expected within a week.",
]


def _brief(store: Store, tmp_path: Path, texts: list[str]) -> dict[str, Any]:
    paths = []
    for n, text in enumerate(texts):
        path = tmp_path / f"{n}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    list(add_sources(store, paths))
    Weaver(store).weave()
    story = max(list_stories(store), key=lambda s: len(s.articles))
    assert len(story.articles) == len(texts), "the invented reports form one story"
    return brief_json(brief_story(store, story.id))


def test_the_brief_lists_a_figure_once_however_each_source_writes_it(
    store: Store, tmp_path: Path
) -> None:
    data = _brief(store, tmp_path, RATE_STORY)
    figures = {(round(f["value"], 6), f["unit"]): f for f in data["figures"]}
    cut = figures[(0.25, "percentage points")]
    assert len(cut["articles"]) == 3
    assert {"a quarter point", "25 basis points", "0.25"} <= set(cut["wordings"])
    assert len(figures[(3.25, "%")]["articles"]) == 3
    # Each figure is in a sentence of an article it cites.
    texts = {i: " ".join(store.get(i).body) for i in data["articles"]}
    for figure in data["figures"]:
        assert any(any(e in texts[a] for a in figure["articles"]) for e in figure["evidence"])
    # One source's figure outside its lead is a detail, not a key figure.
    assert (4200.0, "members") not in figures
    assert len(data["figures"]) <= KEY_FIGURES
    markdown = brief_markdown(brief_story(store, data["story"]))
    assert "## Key figures" in markdown
    assert "0\\.25 percentage points" in markdown and "3\\.25%" in markdown


def test_a_sources_own_undisputed_figure_is_a_figure_of_the_story(
    store: Store, tmp_path: Path
) -> None:
    data = _brief(store, tmp_path, LAUNCH_STORY)
    assert not [f for d in data["disputes"] for f in d["figures"]]
    orbit = [f for f in data["figures"] if f["value"] == 820]
    assert orbit and orbit[0]["unit"] == "kilometres"
    # Only the first report gives it, in its lead: the source is cited, with its sentence.
    assert len(orbit[0]["articles"]) == 1
    assert "820 kilometres" in orbit[0]["evidence"][0]


WIDTHS = {"desktop": (1280, 860), "phone": (390, 844)}


@pytest.mark.slow
def test_the_story_page_shows_the_key_figures(tmp_path: Path) -> None:
    """The story page's key-figure table, at desktop and phone width, in headless Chromium;
    pictures under the test's temporary folder, for looking at."""
    from web_helpers import PageWatch, chromium, running_server

    db = tmp_path / "figures.db"
    with Store.open(db) as store:
        data = _brief(store, tmp_path, RATE_STORY)
    with running_server(db) as base, chromium() as browser:
        for name, (w, h) in WIDTHS.items():
            page = browser.new_page(viewport={"width": w, "height": h})
            watch = PageWatch(page)
            page.goto(f"{base}/stories/{data['story']}")
            table = page.locator("#figures table.figures")
            assert table.count() == 1
            cells = table.locator("td.figure").all_inner_texts()
            assert "0.25 percentage points" in cells and "3.25%" in cells
            # The ways the sources wrote a figure are its tooltip.
            title = table.locator("td.figure").nth(cells.index("0.25 percentage points"))
            assert "a quarter point" in (title.get_attribute("title") or "")
            assert page.evaluate("document.documentElement.scrollWidth") <= w
            page.screenshot(path=str(tmp_path / f"story-figures-{name}.png"), full_page=True)
            assert not watch.errors, watch.errors
            page.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The flood left 40 dead in the Vell valley.", [(40.0, "dead")]),
        (
            "Officials said more than 60 were injured and 12 still missing.",
            [(60.0, "injured"), (12.0, "missing")],
        ),
        ("Revised figures now put the death toll at around 45.", [(45.0, "death")]),
        ("The survey said the magnitude of the first quake was 6.1 and the second was 5.2.",
         [(6.1, "magnitude"), (5.2, "magnitude")]),
    ],
)  # fmt: skip
def test_what_a_count_counts_when_no_noun_follows_it(
    analyzer: Analyzer, text: str, expected: list[tuple[float, str]]
) -> None:
    assert _figures(analyzer, text) == expected


def test_a_clock_time_is_no_figure(analyzer: Analyzer) -> None:
    text = "The quake of magnitude 6.1 struck at 11.50 am local time, the centre said."
    assert _figures(analyzer, text) == [(6.1, "magnitude")]


BYLINE_STORY = [
    "Vell dam gives way after storms\n\nBy Ada Brannock\n\nVellshire Courier\n\n"
    "Water poured into the Vell valley on Monday morning. Farmers left their fields as the "
    "river rose. The dam, which held back 120 cubic metres of water, broke at dawn, "
    "engineers said. Repairs will take months. The valley's farmers' union asked for help."
]

LIST_STORY = [
    "Vellshire Reserve cuts rates\n\nThe Vellshire Reserve cut its deposit rate to 3.25% on "
    "Thursday. Its lending and overnight rates will be 3.40 and 3.65 percent, respectively. "
    "Between 3,000 and 5,000 savers wrote to the bank before the decision.",
]


def test_a_byline_does_not_take_a_sentence_of_the_lead(store: Store, tmp_path: Path) -> None:
    data = _brief(store, tmp_path, BYLINE_STORY)
    assert (120.0, "metres") in {(f["value"], f["unit"]) for f in data["figures"]}


def test_values_joined_by_and_are_figures_each_but_a_range_is_not(
    store: Store, tmp_path: Path
) -> None:
    data = _brief(store, tmp_path, LIST_STORY)
    listed = {(round(f["value"], 6), f["unit"]) for f in data["figures"]}
    assert {(3.25, "%"), (3.4, "%"), (3.65, "%")} <= listed
    assert not {v for v, _ in listed} & {3000.0, 5000.0}


def test_a_range_after_between_is_one_claim(store: Store, tmp_path: Path) -> None:
    text = (
        "Vell valley floods\n\nOfficials said that between 3,000 and 5,000 homes were flooded "
        "on Monday. The river rose by 4 metres overnight. Schools closed across the valley."
    )
    data = _brief(store, tmp_path, [text])
    assert not {f["value"] for f in data["figures"]} & {3000.0, 5000.0}


def _built(*texts: str) -> dict[str, Any]:
    from newsweave.analyze import analysis_text, analyze
    from newsweave.brief import build_brief
    from newsweave.ingest import text_article
    from newsweave.pipeline import build_article

    articles = [build_article(text_article(t, f"article{i}.txt")) for i, t in enumerate(texts)]
    analyses = {a.id: analyze(analysis_text(a.title, a.body)) for a in articles}
    return brief_json(build_brief("0123456789abcdef", "A story", articles, analyses))


def test_a_figure_in_the_first_sentence_of_a_lead_goes_before_one_deeper_in_a_lead() -> None:
    first = (
        "Storm damage counted in the Vell valley\n\nThe storm crossed the Vell valley on "
        "Monday. Crews worked through the night. By morning they had counted 120 damaged "
        "homes, 45 bridges, 300 cars, 60 boats, 75 barns, 14 schools, 11 clinics, 25 shops, "
        "33 farms, 18 churches and 90 sheds. More rain is due on Friday."
    )
    later = (
        "Vell valley storm\n\nThe storm's toll rose to 52 dead on Tuesday, the valley's "
        "council said. Roads to the coast stayed closed. Schools will open next week."
    )
    listed = [(f["value"], f["unit"]) for f in _built(first, later)["figures"]]
    assert len(listed) == KEY_FIGURES
    assert (52.0, "dead") in listed


def test_a_report_that_opens_with_a_scene_gives_its_news_where_the_headline_says() -> None:
    text = (
        "Vell valley flood death toll rises\n\nIt was just after dawn when Ada Brannock heard "
        "the river. She ran to wake her neighbours. Water filled the lane within minutes. "
        "By noon the valley's lower farms were under water. Officials now put the death toll "
        "at around 14 with more than 30 injured. Rescuers used 25 boats to reach the farms."
    )
    listed = {(f["value"], f["unit"]) for f in _built(text)["figures"]}
    assert {(14.0, "death"), (30.0, "injured")} <= listed
    # Only the sentence giving what the headline names joins the lead.
    assert (25.0, "boats") not in listed


def test_a_figure_in_a_sources_headline_is_listed_beyond_the_others() -> None:
    damage = (
        "Storm damage counted in the Vell valley\n\nCrews counted 120 homes, 45 bridges, 300 "
        "cars, 60 boats, 75 barns, 14 schools, 11 clinics, 25 shops, 33 farms, 18 churches "
        "and 90 sheds damaged on Monday. More rain is due on Friday."
    )
    again = damage.replace("Crews counted", "The council listed").replace("Friday", "Sunday")
    toll = (
        "Vell valley storm leaves 52 dead\n\nThe storm's toll was given by the valley's council "
        "on Tuesday. Roads to the coast stayed closed. Schools will open next week."
    )
    listed = [(f["value"], f["unit"]) for f in _built(damage, again, toll)["figures"]]
    assert len(listed) > KEY_FIGURES
    assert (52.0, "dead") in listed
