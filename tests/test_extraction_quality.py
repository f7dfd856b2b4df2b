"""Quality floor: HTML extraction + cleaning on ../shared/data/article-extraction.

Scored as benchmarks/extraction.py prints it (4-word shingles, per-page precision and recall
averaged over pages). Measured 0.9655; the floor leaves room only for platform noise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import shared_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from extraction import load_pages, newsweave_extract, score

F1_FLOOR = 0.96


@pytest.mark.slow
def test_extraction_f1_floor() -> None:
    pages = load_pages(shared_path("data", "article-extraction"))
    result = score(pages, newsweave_extract)
    assert result["pages"] == 181
    assert result["f1"] >= F1_FLOOR, result
