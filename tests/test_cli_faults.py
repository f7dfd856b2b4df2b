"""The command line as a new user meets it: a mistyped --db, the size cap flag, help output."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CliResult
from newsweave.cli import app
from newsweave.settings import DEFAULT_MAX_BYTES, MAX_BYTES_ENV, IngestOptions

Cli = Callable[..., CliResult]
READ_ONLY = [["list"], ["stories"], ["search", "x"], ["show", "ab"], ["story", "ab"],
             ["similar", "ab"], ["read", "ab"], ["brief", "ab"], ["weave"]]  # fmt: skip


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed entry point in a process of its own, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "newsweave", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: c[0])
def test_read_only_commands_never_create_a_database(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "mistyped" / "dir" / "x.db"
    result = run_cli("--db", str(db), *command)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error {db}: no such database")
    assert len(result.stderr.strip().splitlines()) == 1  # one line, no traceback
    assert not (tmp_path / "mistyped").exists()


def test_add_creates_the_database_and_its_folder(tmp_path: Path) -> None:
    db = tmp_path / "new" / "x.db"
    article = tmp_path / "a.txt"
    article.write_text(
        "Flood warning\n\nThe river rose overnight and the council opened a shelter.\n"
    )
    result = CliRunner().invoke(app, ["--db", str(db), "add", str(article)])
    assert result.exit_code == 0, result.stderr
    assert db.exists()


def test_add_max_bytes_flag_raises_the_cap_and_the_error_says_how(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Long read\n\n" + "The river rose again overnight, residents said. " * 300)
    refused = cli("add", str(path), "--max-bytes", "8KB")
    assert refused.exit_code == 1
    assert "the cap is 8 KB: raise it with --max-bytes or $NEWSWEAVE_MAX_BYTES" in refused.stderr
    added = cli("add", str(path), "--max-bytes", "1MB", "--format", "json")
    assert added.exit_code == 0, added.stderr
    assert added.json_lines()[0]["status"] == "added"


def test_add_rejects_a_size_it_cannot_read(tmp_path: Path) -> None:
    result = run_cli("--db", str(tmp_path / "x.db"), "add", str(tmp_path), "--max-bytes", "lots")
    assert result.returncode == 1
    assert result.stderr.startswith("error --max-bytes 'lots': not a size")


def test_size_cap_setting_defaults_then_environment_then_flag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MAX_BYTES_ENV, raising=False)
    assert IngestOptions.resolve().max_file_bytes == DEFAULT_MAX_BYTES
    monkeypatch.setenv(MAX_BYTES_ENV, "50MB")
    env = IngestOptions.resolve()
    assert env.max_file_bytes == env.fetch.max_bytes == 50 * 1024 * 1024
    assert IngestOptions.resolve(max_bytes="2g").max_file_bytes == 2 * 1024**3


COMMANDS = ["add", "list", "show", "read", "search", "stories", "story", "similar", "weave",
            "brief", "analyze", "demo"]  # fmt: skip


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_flags_without_a_value(command: str | None) -> None:
    result = CliRunner().invoke(app, [command, "--help"] if command else ["--help"])
    assert result.exit_code == 0
    assert "--help" in result.stdout
    assert "<bool>" not in result.stdout
