"""Weave: give every stored article its origin group and its story, incrementally.

  stories.py     the Weaver: scoring, joining, merging, splitting, describing a story
  signals.py     what weaving knows about one article (vector, words, names, day, sentences)
  similarity.py  how alike two articles or two stories are
  dedupe.py      copies and rewrites: MinHash LSH and sentence alignment
  embed.py       article texts to vectors
  storage.py     what the Weaver needs from storage (the store implements it: store/stories.py)

No module here touches the store: `Weaver(store)` reads and writes only through `store.stories`.
The reads of woven stories (`list_stories`, `get_story`, `similar` …) are in store/stories.py.
"""

from newsweave.models import Origin, Story
from newsweave.weave.signals import Signals, names_in, terms_in
from newsweave.weave.similarity import calibrate, conflict, time_factor
from newsweave.weave.stories import Weaver, WeaveReport, explain

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
