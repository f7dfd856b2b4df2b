"""The command line: `newsweave [--db PATH] COMMAND`. Each command mirrors a Python call.

`main` is the entry point. The plainest `search` and `similar` command lines are answered here
without typer (cli/common.py runs them); every other command line goes to the typer app in
cli/commands.py, imported only then. `from newsweave.cli import app` (and any other name of
cli/commands.py) still works: such names are looked up there on first use.
"""

from __future__ import annotations

import os
import sys

# numpy's OpenBLAS starts a thread per core, and each thread spins for a while after every call
# waiting for the next. newsweave's products are small (a vector against a few thousand), so
# the extra threads add nothing, and on a box whose cores the embedding model already uses they
# take CPU from it and from the command's own thread: one thread cut a CLI `similar` call at
# 100k from ~270 to ~170 ms of CPU and `add` + weave by ~7% (docs/performance.md, sixth round).
# Set before anything imports numpy; a value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from collections.abc import Callable
from typing import Any

from newsweave.cli import common
from newsweave.cli.common import Format, err, notes, state
from newsweave.errors import NewsweaveError
from newsweave.safety import terminal as escape

# `search` and `similar` are what a reader types most, and typer's start-up was paid by each:
# importing it and building the app (~40 ms), then a pydantic validator for every parameter of
# the command (~60 ms of CPU). Their plainest forms are read here and the same command
# functions called; anything else (--help, -v, a value typer would refuse, an unknown flag)
# goes through typer, which handles it as always. tests/test_cli.py runs both ways and compares.
_QUICK: dict[str, tuple[Callable[[str, Format, int], None], int]] = {
    "search": (common.search, 20),
    "similar": (common.similar, 5),
}
_QUICK_FORMATS = {"--format", "-f"}
_QUICK_LIMITS = {"--limit", "-n"}


def _quick(argv: list[str]) -> bool:
    """Run `[--db PATH|URL] search|similar VALUE [-f text|json] [-n N]` without typer; False (and
    nothing done) for any other command line."""
    args = list(argv)
    db: str | None = None
    if len(args) >= 2 and args[0] == "--db" and not args[1].startswith("-"):
        db, args = args[1], args[2:]
    if not args or args[0] not in _QUICK:
        return False
    command, default_limit = _QUICK[args[0]]
    rest = args[1:]
    value: str | None = None
    format, limit = Format.text, default_limit
    at = 0
    while at < len(rest):
        arg = rest[at]
        following = rest[at + 1] if at + 1 < len(rest) else None
        if arg in _QUICK_FORMATS and following in {f.value for f in Format}:
            format, at = Format(following), at + 2
        elif arg in _QUICK_LIMITS and following is not None and following.isdigit():
            limit, at = int(following), at + 2
        elif arg.startswith("-") or value is not None:
            return False
        else:
            value, at = arg, at + 1
    if value is None:
        return False
    state.db = db
    # No `-v` here, so logging is left unconfigured (and unimported, ~8 ms): Python's
    # last-resort handler prints a warning as `log_to_stderr(False)` would, the bare message
    # on stderr, and drops anything below it.
    command(value, format, limit)
    return True


def main() -> None:
    try:
        if not _quick(sys.argv[1:]):
            from newsweave.cli.commands import app

            app()
    except NewsweaveError as exc:
        err().print(f"[red]error[/red] {escape(str(exc))}{notes(exc)}")
        sys.exit(1)
    except KeyboardInterrupt as exc:
        err().print(f"interrupted{notes(exc)}")
        sys.exit(130)
    except BrokenPipeError:
        # The reader closed the pipe (`newsweave list | head`): not an error worth a message.
        sys.stderr.close()
        sys.exit(0)


def __getattr__(name: str) -> Any:
    """`newsweave.cli.app`, `newsweave.cli.render_list` …: the typer app and its commands, from
    cli/commands.py, imported on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    # import_module, not `from newsweave.cli import commands`: that looks the name up here first.
    from importlib import import_module

    try:
        return getattr(import_module("newsweave.cli.commands"), name)
    except AttributeError:
        raise AttributeError(f"module 'newsweave.cli' has no attribute {name!r}") from None
