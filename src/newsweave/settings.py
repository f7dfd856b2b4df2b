"""Settings, resolved once: defaults, then the environment, then CLI flags."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from newsweave.errors import SettingError

DB_ENV = "NEWSWEAVE_DB"
ALLOW_PRIVATE_ENV = "NEWSWEAVE_ALLOW_PRIVATE"
MAX_BYTES_ENV = "NEWSWEAVE_MAX_BYTES"
MAX_BYTES_FLAG = "--max-bytes"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}  # fmt: skip
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.I)


def parse_size(value: str, name: str) -> int:
    """`50MB`, `50m`, `2g`, `512k` or a number of bytes; units are powers of 1024."""
    match = _SIZE.fullmatch(value)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS or float(match.group(1)) <= 0:
        raise SettingError(f"{name} {value!r}: not a size (use e.g. 50MB, 512KB or 1GB)")
    return int(float(match.group(1)) * _UNITS[unit])


def resolve_max_bytes(flag: str | None = None) -> int:
    """The size cap for one input: `--max-bytes`, else `$NEWSWEAVE_MAX_BYTES`, else 10 MB."""
    if flag:
        return parse_size(flag, MAX_BYTES_FLAG)
    env = os.environ.get(MAX_BYTES_ENV)
    if env and env.strip():
        return parse_size(env, MAX_BYTES_ENV)
    return DEFAULT_MAX_BYTES


def format_size(size: float) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:.0f} bytes"


def too_large(size: float, cap: int, what: str = "") -> str:
    """The problem of an input over the size cap, saying how to raise the cap."""
    return (
        f"too large{what} ({format_size(size)}; the cap is {format_size(cap)}: raise it with "
        f"{MAX_BYTES_FLAG} or ${MAX_BYTES_ENV})"
    )


def is_database_url(target: str | Path) -> bool:
    """A PostgreSQL URL (`postgresql://…` or `postgres://…`) rather than a SQLite file's path."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def resolve_db_path(flag: str | Path | None = None) -> Path | str:
    """`--db PATH|URL`, else `$NEWSWEAVE_DB`, else the per-user data directory. A path is a
    SQLite file; a `postgresql://` URL is kept as it is."""
    for given in (flag, os.environ.get(DB_ENV)):
        if given and is_database_url(str(given)):
            return str(given)
        if given:
            return Path(given).expanduser()
    import platformdirs  # only for the default path: it costs `--help` and `--db` calls ~7 ms

    return Path(platformdirs.user_data_dir("newsweave")) / "newsweave.db"


@dataclass(frozen=True)
class FetchOptions:
    """How URLs are fetched. Private addresses are refused unless allowed, so a feed cannot
    make newsweave probe the reader's own network."""

    timeout: float = 15.0
    max_bytes: int = DEFAULT_MAX_BYTES
    allow_private: bool = False
    user_agent: str = "newsweave/0.1 (+offline news reader)"

    @classmethod
    def from_env(cls) -> FetchOptions:
        allow = os.environ.get(ALLOW_PRIVATE_ENV, "").lower() in {"1", "true", "yes"}
        return cls(allow_private=allow, max_bytes=resolve_max_bytes())


@dataclass(frozen=True)
class IngestOptions:
    max_file_bytes: int = DEFAULT_MAX_BYTES
    fetch_links: bool = False
    fetch: FetchOptions = FetchOptions()

    @classmethod
    def resolve(
        cls,
        max_bytes: str | None = None,
        allow_private: bool = False,
        fetch_links: bool = False,
    ) -> IngestOptions:
        """Defaults, then the environment, then the CLI flags given here; one size cap for
        files and downloads alike."""
        env = FetchOptions.from_env()
        cap = resolve_max_bytes(max_bytes)
        fetch = replace(env, allow_private=allow_private or env.allow_private, max_bytes=cap)
        return cls(max_file_bytes=cap, fetch_links=fetch_links, fetch=fetch)
