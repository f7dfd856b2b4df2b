"""Floors on the real dev set (benchmarks/live.py), when its page cache is on this machine.

The page texts are not in the repository (see benchmarks/live/README.md), so without the cache
the test skips, also under CI: it guards tuning done where the cache exists.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import live

COPY_PRECISION_FLOOR = 0.99  # measured 1.00
# measured 11/12 (sentence-key candidates, reworded chains, the nearest aligned outside the
# model's language; 3/12 before)
COPY_RECALL_FLOOR = 0.9
STORY_PRECISION_FLOOR = 0.97  # measured 1.00 (0.844 before time counted across stories)
STORY_F1_FLOOR = 0.94  # measured 0.963 (0.802 before same-week halves stayed whole)
# measured 0.944 (0.888 when events were the stories); single-event folds 0 and 2 unchanged
EVENT_F1_FLOOR = 0.92
# of 47 hand-labelled key figures; measured 46 (45 before stories in other languages were found
# by name, 36 before their pages were read for figures, 29 before the lead rules)
FIGURES_FLOOR = 44


def _cached() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The labelled pages and their texts; skips when the cache lacks any."""
    pages = live.load_labels()
    folder = live.cache_dir()
    texts = live.load_texts(folder) if folder.is_dir() else {}
    if any(p["id"] not in texts for p in pages):
        pytest.skip(f"the live page cache is not in {folder}")
    return pages, texts


def test_live_dev_set_floors() -> None:
    pages, texts = _cached()
    result = live.evaluate(pages, texts, 3)["all"]
    assert result["copy"]["P"] >= COPY_PRECISION_FLOOR, result["copy"]
    assert result["copy"]["R"] >= COPY_RECALL_FLOOR, result["copy"]
    assert result["story"]["P"] >= STORY_PRECISION_FLOOR, result["story"]
    assert result["story"]["F1"] >= STORY_F1_FLOOR, result["story"]
    assert result["figures"]["found"] >= FIGURES_FLOOR, result["figures"]
    assert result["event"]["F1"] >= EVENT_F1_FLOOR, result["event"]


# The labels file lists pages grouped by story, as no feed does; reversed, each story's pages
# come latest first and the decisions of one year come newest first. Measured 0.975 and 0.954
# (0.943 and 0.870 before splitting counted the weeks between members and looked past a stray
# page, and before a page with no clear event joined the one most pages report).
REVERSED_STORY_F1_FLOOR = 0.95
REVERSED_EVENT_F1_FLOOR = 0.93


def test_live_dev_set_floors_in_reversed_order() -> None:
    pages, texts = _cached()
    result = live.evaluate(live.ordered(pages, "reversed"), texts, 3)["all"]
    assert result["story"]["P"] >= STORY_PRECISION_FLOOR, result["story"]
    assert result["story"]["F1"] >= REVERSED_STORY_F1_FLOOR, result["story"]
    assert result["event"]["F1"] >= REVERSED_EVENT_F1_FLOOR, result["event"]
