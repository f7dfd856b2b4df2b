"""Floors on the real dev set (benchmarks/live.py), when its page cache is on this machine.

The page texts are not in the repository (see benchmarks/live/README.md), so without the cache
the test skips, also under CI: it guards tuning done where the cache exists.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import live

COPY_PRECISION_FLOOR = 0.99  # measured 1.00
# measured 3/12: 4/12 with ordered chains, one pair of which (two dpa texts, a new lead and a
# cut) was found through the search tool's "date 2025-09-01" prefix both carried, a date line
# that now leaves the body (issue 14, class 4).
COPY_RECALL_FLOOR = 0.25
STORY_PRECISION_FLOOR = 0.6  # measured 0.668
STORY_F1_FLOOR = 0.55  # measured 0.586
FIGURES_FLOOR = 25  # of 47 hand-labelled key figures; measured 27 (8 before key figures)


def test_live_dev_set_floors() -> None:
    pages = live.load_labels()
    folder = live.cache_dir()
    texts = live.load_texts(folder) if folder.is_dir() else {}
    if any(p["id"] not in texts for p in pages):
        pytest.skip(f"the live page cache is not in {folder}")
    result = live.evaluate(pages, texts, 3)["all"]
    assert result["copy"]["P"] >= COPY_PRECISION_FLOOR, result["copy"]
    assert result["copy"]["R"] >= COPY_RECALL_FLOOR, result["copy"]
    assert result["story"]["P"] >= STORY_PRECISION_FLOOR, result["story"]
    assert result["story"]["F1"] >= STORY_F1_FLOOR, result["story"]
    assert result["figures"]["found"] >= FIGURES_FLOOR, result["figures"]
