"""Other languages on invented text: figures as each language writes them, and analysis only
where a model exists (and the brief saying so)."""

from __future__ import annotations

import json
from pathlib import Path

from newsweave.analyze import Analyzer, has_model, parse_number
from newsweave.brief import brief_json
from newsweave.pipeline import add_sources, brief_story
from newsweave.store import Store
from newsweave.store.stories import list_stories
from newsweave.weave import Weaver
from newsweave.weave.signals import names_in

GERMAN = (
    "Der Rat der Zentralbank von Karvala senkt den Leitzins auf 3,25 Prozent. Bei dem Beben in"
    " Ostrel kamen 2.800 Menschen ums Leben, 10.000 Häuser wurden zerstört. Der Sprecher Irun"
    " Dask sagte, die Zahl der Verletzten liege bei 7,5 Tausend."
)


def test_figures_read_as_their_language_writes_them() -> None:
    assert parse_number("3.000", "de") == 3000
    assert parse_number("10.000", "it") == 10000
    assert parse_number("7,5", "pt") == 7.5
    assert parse_number("1 411", "hu") == 1411
    # English, or a language not known, keeps the point as a decimal point.
    assert parse_number("3.000", "en") == 3.0
    assert parse_number("3,000") == 3000


def test_a_german_figure_meets_the_same_english_figure() -> None:
    german, _ = names_in(None, [GERMAN], "de")
    english, _ = names_in(None, ["The rate was cut to 3.25% and 2,800 people died."], "en")
    assert {"#3.25", "#2800"} <= german.keys() & english.keys()
    assert "#10000" in german
    # Read as English, the German figures would be other numbers.
    assert "#3.25" not in names_in(None, [GERMAN], "en")[0]


def test_no_model_no_analysis_but_the_sentences_and_figures() -> None:
    assert has_model("en") and has_model(None) and not has_model("de")
    analyzer = Analyzer()
    german = analyzer.analyze(GERMAN, language="de")
    assert not german.entities and not german.quotes and not german.dates
    # Figures whose unit says what they are are read; "10.000 Häuser" (no noun in the
    # table) and "7,5 Tausend" (no unit) are not.
    assert [(q.value, q.unit) for q in german.quantities] == [(3.25, "%"), (2800, "people")]
    assert len(german.sentences) == 3
    assert german.sentences[0].text.startswith("Der Rat der Zentralbank")
    for span in german.sentences:
        assert GERMAN[span.start : span.end] == span.text
    # The same model on the same text, taken as English, tags German words as names.
    assert analyzer.analyze(GERMAN, language="en").entities


def test_the_brief_says_which_sources_were_not_analysed(store: Store, tmp_path: Path) -> None:
    feed = tmp_path / "two.jsonl"
    english = (
        "The central bank of Karvala cut its key rate to 3.25 percent on Thursday, governor Irun"
        " Dask said at a news conference in Brenn. It was the bank's third cut this year."
    )
    rows = [
        {"title": "Karvala cuts rate to 3.25%", "text": english, "language": "en"},
        {"title": "Karvala senkt Leitzins auf 3,25 Prozent", "text": GERMAN, "language": "de"},
    ]
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    list(add_sources(store, [str(feed)]))
    Weaver(store).weave()
    notes: dict[str, list[str]] = {}
    for story in list_stories(store):
        for source in brief_json(brief_story(store, story.id))["sources"]:
            notes[store.get(source["article"]).language or "?"] = source["adds"]
    assert any(n.startswith("not analysed: written in de") for n in notes["de"])
    assert not any(n.startswith("not analysed") for n in notes["en"])


def test_a_figure_in_a_german_and_an_english_page_is_one_key_figure(
    store: Store, tmp_path: Path
) -> None:
    feed = tmp_path / "two.jsonl"
    english = (
        "The central bank of Karvala cut its key rate by 50 basis points to 3.25 percent on"
        " Thursday, governor Irun Dask said at a news conference in Brenn."
    )
    german = (
        "Die Zentralbank von Karvala senkt den Leitzins um 0,5 Prozentpunkte auf 3,25 Prozent,"
        " teilte Gouverneur Irun Dask am Donnerstag in Brenn mit."
    )
    rows = [
        {"title": "Karvala cuts rate to 3.25%", "text": english, "language": "en"},
        {"title": "Karvala senkt Leitzins auf 3,25 Prozent", "text": german, "language": "de"},
    ]
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    list(add_sources(store, [str(feed)]))
    Weaver(store).weave()
    stories = list_stories(store)
    assert len(stories) == 1
    brief = brief_json(brief_story(store, stories[0].id))
    figures = {(f["value"], f["unit"]): f for f in brief["figures"]}
    for key in [(3.25, "%"), (0.5, "percentage points")]:
        assert len(figures[key]["articles"]) == 2, figures[key]
    notes = [n for s in brief["sources"] for n in s["adds"] if n.startswith("not analysed")]
    assert notes and "figures" in notes[0] and "names, quotes and dates do not" in notes[0]


def test_a_story_of_german_pages_shows_its_figures(store: Store, tmp_path: Path) -> None:
    feed = tmp_path / "de.jsonl"
    rows = [
        {
            "title": "Schweres Erdbeben in Ostrel",
            "text": "Ein Erdbeben der Stärke 6,4 hat die Provinz Ostrel erschüttert. Nach Angaben"
            " der Behörden gab es mindestens 120 Tote und mehr als 400 Verletzte.",
            "language": "de",
        },
        {
            "title": "Erdbeben in Ostrel: mindestens 120 Tote",
            "text": "Bei einem Beben der Stärke 6,4 in der Provinz Ostrel sind mindestens 120"
            " Menschen ums Leben gekommen, wie die Behörden mitteilten.",
            "language": "de",
        },
    ]
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    list(add_sources(store, [str(feed)]))
    Weaver(store).weave()
    listed = set()
    for story in list_stories(store):
        brief = brief_json(brief_story(store, story.id))
        listed |= {(f["value"], f["unit"]) for f in brief["figures"]}
        listed |= {(f["value"], f["unit"]) for d in brief["disputes"] for f in d["figures"]}
    assert {(6.4, "magnitude"), (120, "dead"), (400, "injured")} <= listed
