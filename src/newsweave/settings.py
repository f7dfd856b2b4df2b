"""Settings, resolved once: defaults, then the environment, then CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DB_ENV = "NEWSWEAVE_DB"
ALLOW_PRIVATE_ENV = "NEWSWEAVE_ALLOW_PRIVATE"


def resolve_db_path(flag: str | Path | None = None) -> Path:
    """`--db PATH`, else `$NEWSWEAVE_DB`, else the per-user data directory."""
    if flag:
        return Path(flag).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("newsweave")) / "newsweave.db"


@dataclass(frozen=True)
class FetchOptions:
    """How URLs are fetched. Private addresses are refused unless allowed, so a feed cannot
    make newsweave probe the reader's own network."""

    timeout: float = 15.0
    max_bytes: int = 10 * 1024 * 1024
    allow_private: bool = False
    user_agent: str = "newsweave/0.1 (+offline news reader)"

    @classmethod
    def from_env(cls) -> FetchOptions:
        allow = os.environ.get(ALLOW_PRIVATE_ENV, "").lower() in {"1", "true", "yes"}
        return cls(allow_private=allow)


@dataclass(frozen=True)
class IngestOptions:
    max_file_bytes: int = 10 * 1024 * 1024
    fetch_links: bool = False
    fetch: FetchOptions = FetchOptions()
