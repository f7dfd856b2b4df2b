"""Weaving whatever order the articles come in: the same copies and stories found."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from newsweave import weave
from newsweave.pipeline import add_sources
from newsweave.store import Store
from newsweave.store import stories as story_store
from newsweave.weave.halves import halves_past_strays
from newsweave.weave.signals import DAY_KEY, Signals
from newsweave.weave.similarity import _pair_time, joining_figures_apart
from weave_helpers import add_and_weave, story_of

# An agency text of eight sentences; a site that kept its first half and one that kept its
# second half share no sentence with each other, only with the whole.
WIRE = [
    "The river Talmen burst its banks near the town of Ostrel on Sunday night after three days of heavy rain.",
    "Emergency services evacuated more than four hundred residents from low streets along the eastern bank.",
    "Mayor Ilse Varga said the water had reached the first floor of houses in the old market quarter.",
    "Two bridges linking Ostrel with the villages of Brenn and Solva were closed to all traffic overnight.",
    "The regional weather office expects the rain to ease on Tuesday but warned of further flooding downstream.",
    "Farmers in the Talmen valley said whole fields of winter wheat had been lost under the brown water.",
    "The army sent two hundred soldiers with boats and sandbags to help protect the hospital in Ostrel.",
    "Insurers estimate the damage in the valley at several million euros, the regional chamber said.",
]


def _text(title: str, sentences: list[str]) -> str:
    return title + "\n\n" + "\n\n".join(sentences) + "\n"


def test_halves_of_a_wire_text_stored_before_it_join_its_origin_group(
    any_store: Store, tmp_path: Path
) -> None:
    ids = add_and_weave(
        any_store,
        tmp_path / "in",
        {
            "first.txt": _text("Floods in Ostrel", WIRE[:4]),
            "second.txt": _text("Talmen valley flooding", WIRE[4:]),
            "wire.txt": _text("River Talmen floods Ostrel", WIRE),
        },
    )
    origins = {name: story_store.origin_of(any_store, i) for name, i in ids.items()}
    # Neither half copies the other: only the whole text shows they are one.
    assert origins["second.txt"].copy_of is None
    assert origins["wire.txt"].copy_of in {ids["first.txt"], ids["second.txt"]}
    # The earliest stored names the group, as when the whole text comes first.
    assert {o.origin_group for o in origins.values()} == {ids["first.txt"]}


def _signals(article_id: str, names: dict[str, int], day: str) -> Signals:
    return Signals(
        article_id=article_id,
        rowid=hash(article_id) % 1000,
        vector=np.zeros(3, dtype=np.float32),
        terms={},
        names=names,
        display={},
        day=day,
        sentences=[],
        when="",
    )


def test_figures_tell_two_decisions_apart_whichever_was_stored_first() -> None:
    # The later decision cuts to 3.25% "from 3.5%": its reports repeat the earlier rate, the
    # earlier decision's reports never name the later one.
    earlier = {"karvala bank": 1, "#3.5%": 1, "#0.25": 1}
    later = {"karvala bank": 1, "#3.25%": 1, "#3.5%": 1, "#0.25": 1}
    earlier_story = dict.fromkeys(earlier, 3)
    later_story = dict.fromkeys(later, 3)
    forward = joining_figures_apart(
        _signals("later", later, "2025-10-17"), earlier_story, {"2025-09-12"}
    )
    backward = joining_figures_apart(
        _signals("earlier", earlier, "2025-09-12"), later_story, {"2025-10-17"}
    )
    assert forward > 0
    assert backward == pytest.approx(forward)


NIEUWS = """Zware aardbeving treft Karvala, twaalf doden

Een aardbeving met een kracht van 6,4 heeft dinsdagochtend de regio Karvala getroffen. Daarbij kwamen zeker 12 mensen om het leven en raakten tientallen mensen gewond, zei gouverneur Anna Velt.

De beving vond plaats op een diepte van tien kilometer, ten noorden van de stad Ostrel, meldde het nationale seismologische instituut.

Volgens Velt zoeken reddingswerkers in Ostrel en twee nabijgelegen dorpen naar overlevenden onder het puin van ingestorte huizen.
"""

NEWS = """Strong earthquake hits Karvala, killing 12

A magnitude 6.4 earthquake struck the Karvala region on Tuesday morning, killing at least 12 people and injuring dozens, governor Anna Velt said.

The quake struck at a depth of ten kilometres north of the town of Ostrel, the national seismology institute said.

Velt said rescue teams in Ostrel and two nearby villages were searching for survivors under the rubble of collapsed homes.
"""


class _Unplaced:
    """An embedder trained on English that places texts at random (cosines near 0): as far
    apart as the English model puts one story told in two languages."""

    name, dim, unrelated, languages = "unplaced", 64, 0.0, frozenset({"en"})

    def encode(self, texts: Any) -> np.ndarray:
        rows = [
            np.random.default_rng(len(t) * 7919 + sum(map(ord, t))).normal(size=64) for t in texts
        ]
        matrix = np.array(rows, dtype=np.float32).reshape(len(rows), 64)
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_a_story_in_another_language_finds_its_english_reports_stored_after_it(
    any_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The vectors never put the two side by side: only the names they share can.
    monkeypatch.setattr(weave.Weaver, "_neighbour_stories", lambda self, *a: [])
    feed = tmp_path / "feed.jsonl"
    rows = [
        {"text": NIEUWS, "url": "https://example.nl/karvala", "published": "2025-03-04"},
        {"text": NEWS, "url": "https://example.com/karvala", "published": "2025-03-04"},
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    dutch, english = (r.id for r in add_sources(any_store, [str(feed)]))
    weaver = weave.Weaver(any_store, _Unplaced())  # type: ignore[arg-type]
    weaver.weave([dutch])
    weaver.weave([english])
    assert story_of(any_store, dutch) == story_of(any_store, english)


def test_a_story_of_pages_without_headlines_is_titled_from_their_text(
    store: Store, tmp_path: Path
) -> None:
    # Pages saved as plain text often carry no headline; the story is titled as their article
    # lists title them (from the first sentence), not left "(untitled)".
    text = (
        "The harbour board of Lindqvist voted on Tuesday to close the old ferry pier after"
        " engineers found cracks in three of its pylons.\n\n"
        "Ferries will dock at the northern quay until repairs are finished next spring, the"
        " board said.\n"
    )
    ids = add_and_weave(store, tmp_path / "in", {"pier.txt": text})
    story = story_of(store, ids["pier.txt"])
    title = store.conn.execute("SELECT title FROM stories WHERE id = ?", (story,)).fetchone()[0]
    assert title and title.startswith("The harbour board of Lindqvist voted")


def test_a_stray_member_does_not_hide_two_events_from_the_split() -> None:
    # Two tight events of three members each, and one member alike to nothing: average
    # linkage's top cut parts the stray from the rest, and a cut that leaves one member alone
    # was never tested, so the two events stayed one story.
    sim = np.full((7, 7), 0.1)
    sim[:3, :3] = sim[3:6, 3:6] = 0.6
    sim[6, :] = sim[:, 6] = 0.02
    sim[6, 4] = sim[4, 6] = 0.08  # the stray is a little more like the second event
    np.fill_diagonal(sim, 1.0)
    two = halves_past_strays(sim, anchor=1, enough=lambda side: int(side.sum()) >= 2, least=4)
    assert two is not None
    assert two.first.tolist() == [True] * 3 + [False] * 4
    assert two.second.tolist() == [False] * 3 + [True] * 4
    assert two.core.tolist() == [True] * 6 + [False]
    # Too few members left once the strays are set aside: no cut.
    assert halves_past_strays(sim, 1, lambda side: int(side.sum()) >= 4, least=4) is None


def test_members_published_weeks_apart_are_less_alike_than_the_same_week() -> None:
    # What splitting compares: two reports five weeks apart, one naming the other's day, are
    # weeks apart all the same (a recalled day is not a report of it).
    september = _signals("sep", {"karvala bank": 1}, "2025-09-12")
    october = _signals("oct", {"karvala bank": 1, DAY_KEY + "2025-09-12": 1}, "2025-10-17")
    same_week = _signals("sep2", {"karvala bank": 1}, "2025-09-15")
    undated = replace(_signals("undated", {"karvala bank": 1}, "2025-10-17"), day=None)
    assert _pair_time(september, same_week) == 1.0
    assert _pair_time(september, october) < 0.8
    assert _pair_time(september, undated) == 1.0
