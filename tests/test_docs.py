"""Every CLI command is documented, and the README starts with the two commands."""

from __future__ import annotations

from pathlib import Path

from newsweave.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    return [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]


def test_every_command_is_documented() -> None:
    docs = (ROOT / "README.md").read_text() + (ROOT / "docs" / "cli.md").read_text()
    commands = _commands()
    assert set(commands) >= {"add", "list", "show", "read", "search", "demo"}
    for name in commands:
        assert f"newsweave {name}" in docs or f"newsweave [--db PATH] {name}" in docs, name


def test_readme_starts_with_demo_and_test() -> None:
    readme = (ROOT / "README.md").read_text()
    first_code = readme.split("```")[1]
    assert [line.strip() for line in first_code.strip().splitlines()] == ["make demo", "make test"]


def test_json_shapes_are_documented() -> None:
    doc = (ROOT / "docs" / "json.md").read_text()
    for key in ("related_titles", "similar", "removed", "reading_minutes", "last_read", "status"):
        assert key in doc


def test_every_long_option_is_documented() -> None:
    import typer

    doc = (ROOT / "docs" / "cli.md").read_text()
    group = typer.main.get_command(app)
    commands = [group, *getattr(group, "commands", {}).values()]
    options = {o for c in commands for p in c.params for o in getattr(p, "opts", [])}
    assert "--max-bytes" in options
    assert sorted(o for o in options if o.startswith("--") and o not in doc) == []
