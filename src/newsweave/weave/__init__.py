"""Weave: origin groups and stories (stories.py), copies (dedupe.py), vectors (embed.py)."""

from newsweave.weave.stories import (
    Origin,
    Signals,
    Story,
    Weaver,
    WeaveReport,
    _Idf,
    calibrate,
    conflict,
    get_story,
    list_stories,
    names_in,
    origin_of,
    resolve_story,
    similar,
    vector_cache_path,
)

__all__ = [
    "Origin",
    "Signals",
    "Story",
    "WeaveReport",
    "Weaver",
    "_Idf",
    "calibrate",
    "conflict",
    "get_story",
    "list_stories",
    "names_in",
    "origin_of",
    "resolve_story",
    "similar",
    "vector_cache_path",
]
