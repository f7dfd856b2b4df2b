"""Errors with one-line messages a user can act on.

Every message names the input it is about, so a batch of a thousand files still tells the reader
which one failed and why. `code` is stable across versions for scripts that match on it.
"""

from __future__ import annotations


class NewsweaveError(Exception):
    code = "newsweave"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class IngestError(NewsweaveError):
    """An input could not be read or turned into an article."""

    code = "ingest"

    def __init__(self, origin: str, problem: str) -> None:
        super().__init__(f"{origin}: {problem}")
        self.origin = origin
        self.problem = problem


class FetchError(IngestError):
    code = "fetch"


class StoreError(NewsweaveError):
    code = "store"


class NotFoundError(NewsweaveError):
    code = "not_found"


class SettingError(NewsweaveError):
    """A setting (flag or environment variable) has a value that cannot be used."""

    code = "setting"
