"""What the weaver needs from storage, and nothing more.

Weaving computes; the store keeps. `store/stories.py` implements `StoryStorage` with one named
query per method, so no module of weave/ sees SQL, a connection or the store itself. A store
offers its implementation as `.stories` (`HasStories`), which is what `Weaver(store)` takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from newsweave.models import Article
from newsweave.provenance import MemberDate
from newsweave.weave.embed import Vectors
from newsweave.weave.profiles import StoryProfile
from newsweave.weave.signals import Signals

# An open transaction, opaque here: the weaver gets one from `transaction()` and hands it back to
# the writes that must happen inside it.
Transaction = Any


@dataclass(frozen=True)
class StoryShape:
    """A story's running totals: the sum of its members' vectors, its size and its time span."""

    centroid: Vectors
    size: int
    first_seen: str
    last_updated: str


class NeighbourIndex(Protocol):
    """Approximate nearest neighbours over article vectors, keyed by article rowid."""

    def __len__(self) -> int: ...

    def add(self, key: int, vector: Vectors) -> None: ...

    def search(self, vector: Vectors, count: int) -> list[tuple[int, float]]: ...

    def discard(self, keys: Sequence[int]) -> None: ...

    def save(self) -> None: ...


class StoryStorage(Protocol):
    """Reads and writes of weaving; writes take the transaction they belong to."""

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def vector_index(self, dim: int) -> NeighbourIndex: ...

    # - articles and their signals -

    def pending_ids(self) -> list[str]: ...

    def article(self, article_id: str) -> Article: ...

    def is_woven(self, article_id: str) -> bool: ...

    def rowid_of(self, article_id: str) -> int | None: ...

    def rowids_of(self, article_ids: Sequence[str]) -> dict[str, int]: ...

    def ids_of_rowids(self, rowids: Sequence[int]) -> list[str]: ...

    def title_of(self, article_id: str) -> str | None: ...

    def derived_title_of(self, article_id: str) -> str | None: ...

    def count_signals(self) -> int: ...

    def document_frequencies(self, terms: Sequence[str]) -> dict[str, int]: ...

    def load_signals(self, rowid: int) -> Signals | None: ...

    def load_many_signals(self, rowids: Sequence[int]) -> dict[int, Signals]: ...

    def signal_languages(self, rowids: Sequence[int]) -> dict[int, str | None]: ...

    def bucket_members(self, band: int, key: int) -> list[str]: ...

    def buckets_members(self, keys: Sequence[tuple[int, int]]) -> list[str]: ...

    def sentence_members(self, keys: Sequence[int], limit: int) -> list[str]: ...

    def insert_signals(
        self, tx: Transaction, signals: Signals, model: str, keys: Sequence[tuple[int, int]]
    ) -> None: ...

    # - origins -

    def origin_and_story(self, article_id: str) -> tuple[str, str]: ...

    def origin_groups(self, story_id: str) -> dict[str, str]: ...

    def insert_origin(
        self,
        tx: Transaction,
        article_id: str,
        group: str,
        copy_of: str | None,
        kind: str,
        score: float | None,
    ) -> None: ...

    def origins_and_stories(self, article_ids: Sequence[str]) -> dict[str, tuple[str, str]]: ...

    def unite_origin_groups(self, tx: Transaction, groups: Sequence[str], into: str) -> None: ...

    # - stories -

    def story_exists(self, story_id: str) -> bool: ...

    def story_size(self, story_id: str) -> int | None: ...

    def story_sizes(self, story_ids: Sequence[str]) -> dict[str, int]: ...

    def story_shape(self, story_id: str) -> StoryShape: ...

    def rowids_naming(
        self, names: Sequence[str], first: str, last: str, limit: int
    ) -> list[int]: ...

    def stories_of_rowids(self, rowids: Sequence[int]) -> dict[int, str]: ...

    def recent_member_rowids(self, story_id: str, limit: int) -> list[int]: ...

    def recent_member_rowids_of(
        self, story_ids: Sequence[str], limit: int
    ) -> dict[str, list[int]]: ...

    def member_vectors(self, story_id: str) -> list[tuple[Vectors, str | None]]: ...

    def taken_story_ids(self, ids: Sequence[str]) -> set[str]: ...

    def insert_story(
        self,
        tx: Transaction,
        story_id: str,
        title: str | None,
        first_seen: str,
        last_updated: str,
        centroid: Vectors,
    ) -> None: ...

    def add_member(self, tx: Transaction, article_id: str, story_id: str, score: float) -> None: ...

    def move_members(self, tx: Transaction, article_ids: Sequence[str], story_id: str) -> None: ...

    def grow_story(
        self, tx: Transaction, story_id: str, centroid: Vectors, first_seen: str, last_updated: str
    ) -> None: ...

    def set_story_shape(self, tx: Transaction, story_id: str, shape: StoryShape) -> None: ...

    def fold_story(self, tx: Transaction, other: str, into: str) -> None: ...

    def story_profiles(self, story_ids: Sequence[str]) -> dict[str, StoryProfile]: ...

    def put_story_profiles(
        self, tx: Transaction, profiles: Sequence[tuple[str, StoryProfile]]
    ) -> None: ...

    def drop_story_profiles(self, tx: Transaction, story_ids: Sequence[str]) -> None: ...

    def describe_story(
        self, tx: Transaction, story_id: str, title: str | None, why: dict[str, Any]
    ) -> None: ...

    # - dates from the story -

    def member_dates(self, story_id: str) -> list[MemberDate]: ...

    def set_published_from_story(
        self, tx: Transaction, updates: Sequence[tuple[str, str, str]]
    ) -> None: ...


class HasStories(Protocol):
    """A store: what `Weaver(store)` takes."""

    @property
    def stories(self) -> StoryStorage: ...
