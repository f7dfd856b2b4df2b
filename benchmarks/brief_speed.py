"""Brief time for a 50-article story, cold (articles not yet analysed) and warm (analysis cached).

The story: the five seed articles and 45 rewrites of them (ten per seed, words dropped and
swapped as in duplicates.py, so every text is distinct), added and woven into one story.

    python benchmarks/brief_speed.py
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from duplicates import reword
from ecbplus import SHARED
from newsweave.pipeline import add_sources, brief_story
from newsweave.store import Store
from newsweave.store.stories import list_stories
from newsweave.weave import Weaver


def main() -> None:
    rng = random.Random(3)
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path in seeds:
            text = path.read_text(encoding="utf-8")
            (root / path.name).write_text(text, encoding="utf-8")
            for n in range(9):
                (root / f"{path.stem}-{n}.txt").write_text(reword(text, rng), encoding="utf-8")
        with Store.open(root / "speed.db") as store:
            list(add_sources(store, [str(root)]))
            Weaver(store).weave()
            story = max(list_stories(store), key=lambda s: len(s.articles))
            started = time.perf_counter()
            brief_story(store, story.id)
            cold = time.perf_counter() - started
            times = []
            for _ in range(3):
                started = time.perf_counter()
                brief_story(store, story.id)
                times.append(time.perf_counter() - started)
    print(
        f"story of {len(story.articles)} articles: brief cold {cold:.2f} s (analysis included), "
        f"warm {min(times):.2f} s (best of 3)"
    )


if __name__ == "__main__":
    main()
