"""The story brief: every statement traceable to a cited article; the CLI forms."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newsweave import demo
from newsweave.analyze.numbers import _NUMBER, parse_number
from newsweave.brief import brief_html, brief_json, brief_markdown, source_text
from newsweave.pipeline import add_sources, brief_story
from newsweave.store import Store
from newsweave.store.stories import list_stories
from newsweave.weave import Weaver


def _norm(text: str) -> str:
    return " ".join(text.split())


def _story(store: Store, sources: list[str]) -> str:
    list(add_sources(store, sources))
    Weaver(store).weave()
    stories = list_stories(store)
    return max(stories, key=lambda s: len(s.articles)).id


def _check_traceable(store: Store, data: dict[str, Any]) -> None:
    """Every number and name in the brief is in a sentence of an article it cites."""
    texts = {i: _norm(source_text(store.get(i))) for i in data["articles"]}

    def in_cited(fragment: str, articles: list[str]) -> bool:
        return any(_norm(fragment) in texts[a] for a in articles)

    def name_in_cited(name: str, articles: list[str], aliases: list[str] = []) -> bool:  # noqa: B006
        forms = [name, *aliases, name.split()[-1]]
        return any(in_cited(form, articles) for form in forms)

    for item in data["summary"]:
        assert item["articles"] and in_cited(item["text"], item["articles"]), item
    for dispute in data["disputes"]:
        for figure in dispute["figures"]:
            assert figure["evidence"], figure
            for sentence in figure["evidence"]:
                assert in_cited(sentence, figure["articles"]), sentence
            values = {
                parse_number(m.group(0))
                for sentence in figure["evidence"]
                for m in _NUMBER.finditer(sentence)
            }
            assert figure["value"] in values, (figure, values)
            for name in figure["said_by"]:
                assert name_in_cited(name, figure["articles"]), (name, figure)
        for stance in dispute["denials"] + dispute["positions"]:
            for sentence in stance["evidence"]:
                assert in_cited(sentence, stance["articles"]), sentence
    for quote in data["quotes"]:
        for variant in quote["variants"]:
            assert in_cited(variant, quote["articles"]), variant
        if quote["speaker"]:
            assert name_in_cited(quote["speaker"], data["articles"]), quote
    for entry in data["timeline"]:
        assert in_cited(entry["text"], entry["articles"]), entry
    for kind in ("people", "places", "organizations"):
        for named in data[kind]:
            assert name_in_cited(named["name"], named["articles"], named["aliases"]), named
            if named.get("role"):
                assert in_cited(named["role"], data["articles"]), named


def test_the_seed_brief_is_traceable(seeds_dir: Path, store: Store) -> None:
    story = _story(store, [str(seeds_dir)])
    data = brief_json(brief_story(store, story))
    assert 4 <= len(data["summary"]) <= 8
    assert data["disputes"] and data["quotes"] and data["timeline"] and data["people"]
    _check_traceable(store, data)


def test_the_demo_brief_is_traceable(store: Store) -> None:
    story = _story(store, [str(p) for p in demo.corpus_files()])
    data = brief_json(brief_story(store, story))
    assert data["summary"]
    _check_traceable(store, data)


def test_the_seed_brief_finds_the_disputed_troop_figures(seeds_dir: Path, store: Store) -> None:
    story = _story(store, [str(seeds_dir)])
    data = brief_json(brief_story(store, story))
    values = {f["value"] for d in data["disputes"] for f in d["figures"]}
    assert {3000, 10000, 11000} <= values
    kirby = [f for d in data["disputes"] for f in d["figures"] if f["value"] == 3000]
    assert any("Kirby" in name for f in kirby for name in f["said_by"])


def test_since_reports_only_what_is_new(store: Store, tmp_path: Path) -> None:
    files = list(demo.corpus_files())
    story = _story(store, [str(p) for p in files[:-2]])
    later = "9999-01-01"
    assert brief_story(store, story, since=later).since_last_read.new_articles == []
    first = brief_story(store, story, since="2000-01-01").since_last_read
    assert set(first.new_articles) == set(brief_story(store, story).articles)


def test_since_reports_a_disputed_figure_the_new_articles_changed(store: Store) -> None:
    files = list(demo.corpus_files())
    later = [p for p in files if "4,500" in p.read_text(encoding="utf-8")]
    assert later and len(later) < len(files)
    first = _story(store, [str(p) for p in files if p not in later])
    since = max(store.get(a).details.added or "" for a in brief_story(store, first).articles)
    time.sleep(1.1)  # "added" is kept to the second
    story = _story(store, [str(p) for p in later])
    changes = brief_story(store, story, since=since).since_last_read.changed_figures
    change = next(c for c in changes if any("4,500" in f for f in c.now))
    assert not any("4,500" in f for f in change.before)
    assert change.articles and set(change.articles) <= {
        a for a in brief_story(store, story).articles if (store.get(a).details.added or "") > since
    }


@pytest.mark.parametrize("form", ["json", "md", "html"])
def test_cli_brief_forms(cli: Callable[..., Any], seeds_dir: Path, form: str) -> None:
    assert cli("add", str(seeds_dir)).exit_code == 0
    story = cli("stories", "--format", "json").json()[0]["id"]
    result = cli("brief", story, "--format", form)
    assert result.exit_code == 0
    if form == "json":
        data = result.json()
        assert set(data) >= {
            "summary", "disputes", "quotes", "timeline", "people", "places", "organizations",
            "sources", "since_last_read",
        }  # fmt: skip
    elif form == "md":
        assert "| figure | said by | articles |" in result.stdout
        assert "## Timeline" in result.stdout
    else:
        assert "<table>" in result.stdout and "</table>" in result.stdout
        assert result.stdout.startswith("<!doctype html>")


def test_markdown_and_html_render_the_same_brief(seeds_dir: Path, store: Store) -> None:
    story = _story(store, [str(seeds_dir)])
    result = brief_story(store, story)
    markdown, html = brief_markdown(result), brief_html(result)
    for entry in result.timeline:
        assert entry.label in markdown and entry.label in html


def test_seed_brief_against_the_gold(
    seeds_dir: Path, seeds_gold: dict[str, Any], store: Store
) -> None:
    """Today's levels, pinned so they only go up (see benchmarks/brief_seeds.py). People with
    roles are at 12/14, short of the issue's 90%: the text calls one of the two lawmakers "a
    reporter" and gives the other no role at all."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import brief_seeds

    short = {r.id: Path(r.origin).name[:3] for r in add_sources(store, [str(seeds_dir)]) if r.id}
    Weaver(store).weave()
    story = max(list_stories(store), key=lambda s: len(s.articles)).id
    result = brief_seeds.score(brief_json(brief_story(store, story)), seeds_gold, short)
    assert result["timeline dates (with articles)"] == (9, 9)
    assert result["people found"] == (14, 14)
    assert result["  people with their role"][0] >= 12
    assert result["dispute figures found"] == (6, 6)
    assert result["  figures with every article"] == (6, 6)
    assert result["quotes found"] == (3, 3)
    assert result["  quotes with the speaker"] == (3, 3)
    assert result["denials (speaker found)"] == (2, 2)
    assert result["positions (stance and a speaker)"] == (2, 2)
    assert result["  figures with every speaker"] == (6, 6)
    assert result["  quotes with every article"] == (3, 3)


def test_figures_count_the_same_thing_when_their_words_or_phrases_agree() -> None:
    from newsweave.brief.disputes import _subjects

    subjects = _subjects(
        {
            ("deaths", "service member deaths"),
            ("losses", "Chilean losses"),
            ("soldiers", "Ukrainian soldiers"),
            ("fighters", "Ukrainian fighters"),
            ("soldiers", "Russian soldiers"),
        }
    )
    assert subjects[("deaths", "service member deaths")] == subjects[("losses", "Chilean losses")]
    assert (
        subjects[("soldiers", "Ukrainian soldiers")] == subjects[("fighters", "Ukrainian fighters")]
    )
    assert (
        subjects[("soldiers", "Ukrainian soldiers")] != subjects[("soldiers", "Russian soldiers")]
    )


def test_a_figure_far_off_the_others_counts_something_else() -> None:
    from newsweave.analyze import Quantity
    from newsweave.brief.disputes import _same_scale

    items = [
        (Quantity(str(v), 0, 1, v, None, "soldiers"), f"a{i}")
        for i, v in enumerate([18, 3000, 10000, 11000, 1_200_000])
    ]
    assert sorted(q.value for q, _ in _same_scale(items)) == [3000, 10000, 11000]


def test_a_company_or_a_town_the_model_calls_a_person_is_not_in_people(
    store: Store, tmp_path: Path
) -> None:
    """The demo corpus: the small model tags "Harlow Water" (a company) and "Marrowick" (a
    town) as people in places; the brief keeps them out of people."""
    story = _story(store, [str(p) for p in demo.corpus_files()])
    names = {p.name for p in brief_story(store, story).people}
    assert "Harlow Water" not in names and not any("Marrowick" in n for n in names)
    assert {"Ravi Castell", "Lena Hart"} <= names


def test_figures_in_unrelated_claims_are_not_a_dispute() -> None:
    from newsweave.brief import Figure
    from newsweave.brief.disputes import _rivals

    def figure(value: float, sentence: str, said_by: list[str]) -> Figure:
        return Figure(value, None, "pirates", said_by, [f"a{value}"], [sentence])

    rivals = _rivals(
        [
            figure(23, "The Indian navy said it had captured 23 Somali pirates.", ["navy"]),
            figure(26, "Officials said 26 Somali pirates were captured by the navy.", ["police"]),
            figure(40, "Forty pirates sang sea shanties at the harbour festival.", ["organisers"]),
        ]
    )
    assert sorted(f.value for f in rivals) == [23, 26]


def test_figures_nobody_gives_are_not_a_dispute_unless_set_against_each_other() -> None:
    from newsweave.brief import Figure
    from newsweave.brief.disputes import _rivals

    def figure(value: float, sentence: str) -> Figure:
        return Figure(value, None, "yards", [], [f"a{value}"], [sentence])

    season = [
        figure(498, "Since Week 11, Thomas has 498 rushing yards."),
        figure(548, "He has 548 rushing yards this season."),
    ]
    assert _rivals(season) == []
    contrast = "Losses were put at 500 yards, though the coach said it was over 300 yards."
    assert len(_rivals([figure(500, contrast), figure(300, contrast)])) == 2


def test_a_warm_brief_reuses_the_stored_vectors(seeds_dir: Path, store: Store) -> None:
    story = _story(store, [str(seeds_dir)])
    first = brief_json(brief_story(store, story))
    stored = store.conn.execute("SELECT count(*) FROM text_vectors").fetchone()[0]
    assert stored > 0
    assert brief_json(brief_story(store, story)) == first
    assert store.conn.execute("SELECT count(*) FROM text_vectors").fetchone()[0] == stored
