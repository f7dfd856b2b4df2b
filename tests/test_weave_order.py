"""Weaving whatever order the articles come in: the same copies and stories found."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newsweave import weave
from newsweave.pipeline import add_sources
from newsweave.store import Store
from newsweave.store import stories as story_store
from newsweave.weave.signals import Signals
from newsweave.weave.similarity import joining_figures_apart

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


def _add(store: Store, folder: Path, files: dict[str, str]) -> dict[str, str]:
    """Add the files in this order and weave them; the article id of each file name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    ids = {Path(r.origin).name: r.id for r in add_sources(store, paths) if r.id}
    weave.Weaver(store).weave()
    return ids


def test_halves_of_a_wire_text_stored_before_it_join_its_origin_group(
    any_store: Store, tmp_path: Path
) -> None:
    ids = _add(
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
