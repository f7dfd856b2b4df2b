"""The `serve` command's refusals, and the demo pointing at the reader."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def test_serve_off_loopback_without_a_token_refuses(db_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NEWSWEAVE_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "newsweave", "--db", str(db_path), "serve", "--host", "0.0.0.0"],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "--host 0.0.0.0" in result.stderr and "token" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # one message (wrapped at most once)


def test_demo_ends_with_the_serve_command_for_its_story(
    cli: Callable[..., Any], db_path: Path
) -> None:
    out = cli("demo").stdout
    last = "\n".join(out.strip().splitlines()[-2:])
    match = re.search(r"newsweave --db (\S+) serve\n.*/stories/([0-9a-f]{16})$", last)
    assert match, last
    assert Path(match.group(1)) == db_path
    stories = cli("stories", "--format", "json").json()
    assert match.group(2) in {s["id"] for s in stories}
