"""The CLI end to end on a real SQLite file: JSON shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult
from newsweave.store import Store

Cli = Callable[..., CliResult]
ARTICLE = (
    "Harbour budget approved after long debate\n\n"
    "The city council approved the new harbour budget on Monday after a long debate.\n"
    "The budget includes funds for dredging the channel and repairing the old pier.\n"
    "Council members said the repairs would begin in spring and take about two years.\n"
    "Advertisement\n"
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE)
    (folder / "b.txt").write_text(
        "Library opens downtown\n\nA new public library opened downtown on Saturday with a "
        "reading room for children.\nThe library was paid for by the council and a local trust.\n"
    )
    return folder


def test_add_json_reports_each_article_and_readding_is_unchanged(cli: Cli, corpus: Path) -> None:
    first = cli("add", str(corpus), "--format", "json")
    assert first.exit_code == 0
    rows = first.json_lines()
    assert [r["status"] for r in rows] == ["added", "added"]
    assert set(rows[0]) == {"origin", "id", "status", "error"}
    again = cli("add", str(corpus), "--format", "json").json_lines()
    assert [r["status"] for r in again] == ["unchanged", "unchanged"]


def test_add_bad_inputs_exit_nonzero_with_one_line_each(
    cli: Cli, corpus: Path, tmp_path: Path
) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = cli("add", str(corpus / "a.txt"), str(tmp_path / "empty.txt"), "/no/such/file.txt")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error {tmp_path / 'empty.txt'}: empty file, no text to read",
        "error /no/such/file.txt: no such file or folder",
    ]
    assert "Traceback" not in result.stdout + result.stderr
    assert "added 1, unchanged 0, failed 2" in result.stdout
    assert len(cli("list", "--format", "json").json()) == 1


def test_list_json_shape(cli: Cli, corpus: Path) -> None:
    cli("add", str(corpus))
    rows = cli("list", "--format", "json").json()
    assert {tuple(sorted(r)) for r in rows} == {
        ("id", "origin", "published", "source", "title", "words")
    }
    assert {r["title"] for r in rows} == {
        "Harbour budget approved after long debate",
        "Library opens downtown",
    }


def test_show_json_shape_and_prefix_ids(cli: Cli, corpus: Path) -> None:
    cli("add", str(corpus))
    article_id = next(
        r["id"] for r in cli("list", "-f", "json").json() if r["title"].startswith("Harbour")
    )
    shown = cli("show", article_id[:6], "--format", "json").json()
    assert set(shown) >= {
        "id", "origin", "title", "source", "url", "published", "language", "body", "removed",
        "summary", "stats", "details", "related_titles", "similar",
    }  # fmt: skip
    assert shown["id"] == article_id
    assert set(shown["stats"]) == {"words", "reading_minutes", "read_count"}
    assert set(shown["details"]) == {
        "external_id",
        "category",
        "created",
        "updated",
        "added",
        "last_read",
    }
    assert shown["removed"] == [{"text": "Advertisement", "reason": "advert block"}]
    assert shown["language"] == "en"
    assert shown["similar"] and set(shown["similar"][0]) == {"id", "title", "score"}


def test_show_text_with_removed(cli: Cli, corpus: Path) -> None:
    cli("add", str(corpus))
    article_id = cli("list", "-f", "json").json()[0]["id"]
    result = cli("show", article_id, "--removed")
    assert result.exit_code == 0
    assert (
        "Summary" in result.stdout and "Statistics" in result.stdout and "Details" in result.stdout
    )


def test_show_unknown_id_is_one_line_error(db_path: Path) -> None:
    Store.open(db_path).close()  # an empty store: a missing one is an error of its own
    result = subprocess.run(
        [sys.executable, "-m", "newsweave", "--db", str(db_path), "show", "abcdef"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == "error abcdef: no article with this id"


def test_read_increments_count_and_sets_last_read(cli: Cli, corpus: Path) -> None:
    cli("add", str(corpus))
    article_id = cli("list", "-f", "json").json()[0]["id"]
    assert cli("read", article_id[:5]).exit_code == 0
    cli("read", article_id[:5])
    shown = cli("show", article_id, "-f", "json").json()
    assert shown["stats"]["read_count"] == 2
    assert shown["details"]["last_read"]


def test_search_json_with_highlight(cli: Cli, corpus: Path) -> None:
    cli("add", str(corpus))
    hits = cli("search", "library", "--format", "json").json()
    assert len(hits) == 1 and "<mark>library</mark>" in hits[0]["snippet"].lower()
    assert "«library»" in cli("search", "library").stdout.lower()
    assert cli("search", "nothing-matches-this").stdout.strip() == "no matches"


def test_demo_loads_the_bundled_story(cli: Cli) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.stderr
    assert "6 added" in result.stdout
    assert "Summary" in result.stdout and "Removed" in result.stdout
    assert "0 added" in cli("demo").stdout


@pytest.mark.slow
def test_kill_9_during_add_leaves_a_sound_store(tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(3000):
        (folder / f"{i:05d}.txt").write_text(
            f"Council story number {i}\n\nThe council met on day {i} to discuss item {i * 7}. "
            f"Members argued about budget line {i * 13} for an hour.\n"
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsweave", "--db", str(db_path), "add", str(folder), "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    reported: list[str] = []
    deadline = time.monotonic() + 120
    while len(reported) < 300 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        row = json.loads(line)
        if row["status"] == "added":
            reported.append(row["id"])
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(reported) >= 300
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {r[0] for r in conn.execute("SELECT id FROM articles")}
    assert set(reported) <= stored
    fts_rows = conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
    assert fts_rows == len(stored)
    conn.close()


def test_bad_batch_loses_nothing_already_stored(cli: Cli, corpus: Path, tmp_path: Path) -> None:
    cli("add", str(corpus))
    before = cli("list", "-f", "json").json()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "binary.bin").write_bytes(b"\x00\x01\x02" * 100)
    (bad / "broken.rss").write_text("<rss><channel><item>")
    (bad / "empty.html").write_text("")
    result = cli("add", str(bad), str(corpus / "a.txt"), "--format", "json")
    assert result.exit_code == 1
    statuses = sorted(r["status"] for r in result.json_lines())
    assert statuses == ["error", "error", "error", "unchanged"]
    assert cli("list", "-f", "json").json() == before


def test_list_on_an_empty_store_says_how_to_start(cli: Cli, db_path: Path) -> None:
    Store.open(db_path).close()
    assert "no articles yet" in cli("list").stdout
    assert cli("list", "-f", "json").json() == []


def test_piping_into_a_closed_reader_is_quiet(db_path: Path, corpus: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "newsweave", "--db", str(db_path), "add", str(corpus)],
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        f"{sys.executable} -m newsweave --db {db_path} search council -f json | head -c 10",
        shell=True, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "Traceback" not in result.stderr


def test_demo_ends_with_the_story_brief(cli: Cli) -> None:
    result = cli("demo")
    assert "The story brief" in result.stdout
    assert "Disputed figures" in result.stdout and "Timeline" in result.stdout


# What a light command must not load: the model runtime, the NLP and extraction libraries, and
# (for listing and searching) even numpy. Start-up is paid by every command.
HEAVY = (
    "numpy",
    "scipy",
    "datasketch",
    "spacy",
    "onnxruntime",
    "trafilatura",
    "usearch",
    "ftfy",
    "ray",
)
_PROBE = """
import sys
from newsweave.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
print(" ".join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("command", [["--help"], ["list"], ["search", "harbour"]])
def test_light_commands_import_no_heavy_library(
    cli: Cli, corpus: Path, db_path: Path, command: list[str]
) -> None:
    cli("add", str(corpus))
    args = command if command == ["--help"] else ["--db", str(db_path), *command]
    probe = _PROBE.format(heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip()
    assert done.stderr.strip().splitlines()[-1:] in ([], [""]), done.stderr


# What `newsweave --help` (and a mistyped command line) must not load: rich at all (typer's
# rich help alone imported rich.markdown, markdown_it and pygments), dateutil, the store. (Typer
# builds its pydantic validators to report a bad value, so a usage error may load pydantic.)
_HELP_ABSENT = (
    *HEAVY, "rich", "markdown_it", "pygments", "dateutil", "platformdirs", "sqlite3",
    "newsweave.store", "newsweave.models", "newsweave.provenance",
)  # fmt: skip
_HELP_PROBE = """
import sys
from newsweave.cli import main
sys.argv = ["newsweave", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
loaded = {{m.split(".")[0] if not m.startswith("newsweave.") else m for m in sys.modules}}
print("loaded:", *sorted(loaded & set({absent!r})), file=sys.stderr)
"""


@pytest.mark.parametrize("command", [["--help"], ["frob"], ["search", "x", "--limit", "x"]])
def test_help_and_usage_errors_import_neither_rich_nor_the_store(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _HELP_PROBE.format(absent=_HELP_ABSENT), *command],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() or "Error:" in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "loaded:", done.stderr


@pytest.mark.slow
def test_ctrl_c_during_weaving_reports_the_batches_that_landed(
    tmp_path: Path, db_path: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    # Twenty batches of 32, each long enough to embed that weaving outlasts the polling below
    # (with ten short ones, a fast weave could finish between two polls).
    for i in range(640):
        (folder / f"{i:05d}.txt").write_text(
            f"Ferry timetable change number {i}\n\nThe harbour office moved sailing {i} to pier "
            f"{i % 9} on day {i}. Passengers on route {i * 3} were told to arrive early. "
            f"Crews for vessel {i % 13} will rotate at noon, and freight for depot {i % 7} waits "
            f"until the evening tide, the office said in a notice posted at gate {i % 5}.\n"
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsweave", "--db", str(db_path), "add", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    woven = 0
    while woven < 32 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        try:
            with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1) as conn:
                woven = conn.execute("SELECT count(*) FROM story_members").fetchone()[0]
        except sqlite3.OperationalError:  # not created yet, or busy
            continue
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    with sqlite3.connect(db_path) as conn:
        landed = conn.execute("SELECT count(*) FROM story_members").fetchone()[0]
        pending = conn.execute("SELECT count(*) FROM weave_queue").fetchone()[0]
    stored = landed // 32
    assert landed == 32 * stored and stored >= 1 and landed + pending == 640
    done = "batch 1" if stored == 1 else f"batches 1–{stored}"
    assert stderr.strip().splitlines()[-2:] == [
        "interrupted",
        f"  weaving: {done} of 20 stored ({landed} articles woven); batch {stored + 1} not "
        "stored; `newsweave weave` weaves the rest",
    ], stderr


_TYPER_ONLY = (
    "import sys; from newsweave.cli import app; app(sys.argv[1:], prog_name='python -m newsweave')"
)


@pytest.mark.parametrize(
    "command",
    [
        ["search", "harbour"],
        ["search", "harbour", "-n", "1", "--format", "json"],
        ["search", "nothing-like-this"],
        ["search", "harbour", "--limit", "x"],  # typer's error, through typer
        ["similar", "{id}", "-f", "json"],
        ["similar", "{id}", "--limit", "1"],
        ["similar", "ffffffff"],
        ["similar"],
    ],
)
def test_quick_search_and_similar_answer_as_typer_does(
    cli: Cli, corpus: Path, db_path: Path, command: list[str]
) -> None:
    added = cli("add", str(corpus), "--format", "json").json_lines()
    args = ["--db", str(db_path), *(a.replace("{id}", added[0]["id"][:8]) for a in command)]
    quick = subprocess.run(
        [sys.executable, "-m", "newsweave", *args], capture_output=True, text=True, check=False
    )
    typer_only = subprocess.run(
        [sys.executable, "-c", _TYPER_ONLY, *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if quick.returncode == 1 and quick.stderr.startswith("error "):
        # A NewsweaveError: main() prints it in one line; typer alone shows the traceback.
        assert typer_only.returncode == 1 and quick.stderr.strip().splitlines()[-1][6:] in (
            typer_only.stderr
        )
    else:
        assert (quick.returncode, quick.stdout, quick.stderr) == (
            typer_only.returncode, typer_only.stdout, typer_only.stderr,
        )  # fmt: skip
    assert quick.stdout or quick.stderr


_MAIN_PROBE = """
import sys
from newsweave.cli import main
sys.argv = ["newsweave", *sys.argv[1:]]
main()
print(" ".join(m for m in {absent!r} if m in sys.modules), file=sys.stderr)
"""
# Beyond HEAVY: typer itself and its pydantic validators (the quick path in cli/__init__.py),
# tqdm (usearch's progress bars), urllib.request (usearch's downloads), the weaver, logging,
# and rich: piped results are written plainly (cli/common.py `styled`).
_SIMILAR_ABSENT = (
    "rich", "scipy", "spacy", "onnxruntime", "trafilatura", "ftfy", "pydantic", "tqdm", "lxml",
    "urllib.request", "http.client", "newsweave.weave.stories", "typer", "newsweave.cli.commands",
    "logging",
)  # fmt: skip


@pytest.mark.parametrize(
    ("command", "absent"),
    [
        (
            ["search", "harbour"],
            (*HEAVY, "rich", "pydantic", "typer", "newsweave.cli.commands", "logging"),
        ),
        (["similar", "{id}"], _SIMILAR_ABSENT),
    ],
)
def test_search_and_similar_load_only_what_they_use(
    cli: Cli, corpus: Path, db_path: Path, command: list[str], absent: tuple[str, ...]
) -> None:
    added = cli("add", str(corpus), "--format", "json").json_lines()
    args = ["--db", str(db_path), *(a.replace("{id}", added[0]["id"][:8]) for a in command)]
    done = subprocess.run(
        [sys.executable, "-c", _MAIN_PROBE.format(absent=absent), *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip()
    assert done.stderr.strip().splitlines()[-1:] in ([], [""]), done.stderr
