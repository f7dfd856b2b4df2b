"""Weave: give every stored article its origin group and its story, incrementally.

  stories.py     the Weaver: scoring, joining, merging, splitting, describing a story
  signals.py     what weaving knows about one article (vector, words, names, day, sentences)
  similarity.py  how alike two articles or two stories are
  events.py      the events inside one story, computed when the story is read
  dedupe.py      copies and rewrites: MinHash LSH and sentence alignment
  embed.py       article texts to vectors
  storage.py     what the Weaver needs from storage (the store implements it: store/stories.py)

No module here touches the store: `Weaver(store)` reads and writes only through `store.stories`.
The reads of woven stories (`list_stories`, `get_story`, `similar` …) are in store/stories.py.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsweave.models import Origin, Story
    from newsweave.weave.signals import Signals, names_in, terms_in
    from newsweave.weave.similarity import calibrate, conflict, time_factor
    from newsweave.weave.stories import Weaver, WeaveReport, explain

# Importing one module of the package (store/stories.py needs embed.py's model table, the CLI's
# `similar` needs no weaver) must not import the weaver, scipy's splitting and the rest: the
# names below load with their module on first use.
_HOME = {
    "Origin": "newsweave.models",
    "Story": "newsweave.models",
    "Signals": "newsweave.weave.signals",
    "names_in": "newsweave.weave.signals",
    "terms_in": "newsweave.weave.signals",
    "calibrate": "newsweave.weave.similarity",
    "conflict": "newsweave.weave.similarity",
    "time_factor": "newsweave.weave.similarity",
    "Weaver": "newsweave.weave.stories",
    "WeaveReport": "newsweave.weave.stories",
    "explain": "newsweave.weave.stories",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'newsweave.weave' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "Origin",
    "Signals",
    "Story",
    "WeaveReport",
    "Weaver",
    "calibrate",
    "conflict",
    "explain",
    "names_in",
    "terms_in",
    "time_factor",
]
