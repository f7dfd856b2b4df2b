"""What the typer commands (cli/commands.py) and the quick path (cli/__init__.py) share: the consoles,
the store a command opens, how a result is printed, and the `search` and `similar` commands
themselves, which the quick path runs without typer.

Nothing here imports typer, rich or the store at import time: this module is on the way of
every command, and `search` alone should pay for no more than it uses.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import asdict
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from newsweave.safety import terminal as escape
from newsweave.settings import resolve_db_path

if TYPE_CHECKING:
    from rich.console import Console

    from newsweave import models
    from newsweave.store import Store


@cache
def out() -> Console:
    """The console for results. Made on first use: rich.console costs every command ~40 ms of
    start-up, and `--help`, JSON output and typer's own errors print without it."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


@cache
def err() -> Console:
    """The console for errors and progress bars (stderr), made on first use as `out` is."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


class Format(str, Enum):
    text = "text"
    json = "json"


class State:
    db: str | None = None


state = State()


def log_to_stderr(verbose: bool) -> None:
    import logging  # here: `--help` logs nothing, and logging is ~8 ms of start-up

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")


def open_store(create: bool = False) -> Store:
    """The store the command works on. Only commands that add articles (`create=True`) make a
    new database; the others report a missing one, so a mistyped `--db` creates nothing."""
    from newsweave.store import Store

    return Store.open(resolve_db_path(state.db), create=create)


def notes(exc: BaseException) -> str:
    """What was done before the error, as the stage that stopped noted it (`add_note`)."""
    return "".join(f"\n  {escape(note)}" for note in getattr(exc, "__notes__", []))


def dumps(value: Any, indent: int | None = None) -> str:
    import json  # here, as the rest: only JSON output needs it

    return json.dumps(value, ensure_ascii=False, indent=indent)


def print_json(value: Any) -> None:
    sys.stdout.write(dumps(value, indent=2) + "\n")


T = TypeVar("T")


def each(as_json: Callable[[Any], Any]) -> Callable[[list[Any]], list[Any]]:
    return lambda rows: [as_json(row) for row in rows]


def output(
    format: Format,
    result: T,
    as_json: Callable[[T], Any],
    as_text: Callable[[T], None],
    empty: str | None = None,
) -> None:
    """The one way a command prints its result: JSON on stdout, or text (`empty` when the
    result is empty and says what to do)."""
    if format is Format.json:
        print_json(as_json(result))
    elif empty is not None and not result:
        out().print(empty)
    else:
        as_text(result)


def search(query: str, format: Format, limit: int) -> None:
    """`newsweave search`: full-text search over titles and bodies, best matches first."""
    from newsweave.serialize import search_hit_json

    with open_store() as store:
        hits = store.search(query, limit)
    output(format, hits, each(search_hit_json), render_hits, empty="no matches")


def styled() -> bool:
    """Whether results go to a terminal (or colour is forced), where rich styles them. Piped
    output is written plainly, one result a line whatever its length, without rich's ~30 ms
    of start-up: `search` and `similar` are what scripts call most."""
    import os

    return sys.stdout.isatty() or bool(os.environ.get("FORCE_COLOR"))


def render_hits(hits: list[models.SearchHit]) -> None:
    if not styled():
        from newsweave.safety import defuse_text

        for hit in hits:
            title = defuse_text(hit.title or "(untitled)")
            sys.stdout.write(f"{hit.id[:8]}  {title}  {defuse_text(hit.source or '')}\n")
            # Piped output keeps the highlights as visible «marks».
            snippet = re.sub(r"<mark>(.*?)</mark>", r"«\1»", defuse_text(hit.snippet))
            sys.stdout.write(f"    {snippet}\n")
        return
    for hit in hits:
        out().print(
            f"[bold]{hit.id[:8]}[/bold]  {escape(hit.title or '(untitled)')}  [dim]{escape(hit.source or '')}[/dim]"
        )
        snippet = re.sub(r"<mark>(.*?)</mark>", r"[reverse]\1[/reverse]", escape(hit.snippet))
        out().print(f"    {snippet}")


def similar(article_id: str, format: Format, limit: int) -> None:
    """`newsweave similar`: nearest articles by meaning and time, leaving out copies of this one."""
    from newsweave.store.stories import similar as similar_readings

    with open_store() as store:
        full = store.resolve_id(article_id)
        hits = similar_readings(store, full, limit)
    output(format, hits, each(asdict), render_readings, empty="no similar readings yet")


def render_readings(hits: list[models.SimilarArticle], indent: str = "") -> None:
    if not styled():
        from newsweave.safety import defuse_text

        for hit in hits:
            title = defuse_text(hit.title or "(untitled)")
            sys.stdout.write(f"{indent}{hit.id[:8]}  {hit.score:.2f}  {title}\n")
        return
    for hit in hits:
        out().print(f"{indent}{hit.id[:8]}  {hit.score:.2f}  {escape(hit.title or '(untitled)')}")
