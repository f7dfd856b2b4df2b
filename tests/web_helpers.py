"""A real newsweave server on 127.0.0.1 for the web tests, and headless Chromium."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from newsweave.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(db_path: Path | str, **options: Any) -> Iterator[str]:
    """uvicorn serving the app on a free loopback port, in a thread; yields the base URL."""
    port = free_port()
    app = create_app(db_path, **options)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI (make browser installs it)")
        pytest.skip("Debian chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class PageWatch:
    """Dialogs, console errors and uncaught exceptions seen by one page."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@dataclass(frozen=True)
class ReaderStore:
    """A store holding the seeds and the demo story, built once per test session."""

    path: Path
    seed_ids: list[str]
    demo_ids: list[str]

    def copy(self, target: Path) -> Path:
        """A private copy for a test that writes (so the others see the store as built)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.path) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return target


def reader_db(request: pytest.FixtureRequest, reader_store: ReaderStore, folder: Path) -> str:
    """A private copy of the reader store on the backend `request.param` names: a SQLite
    file, or a new PostgreSQL database filled by `copy-store`."""
    if request.param == "sqlite":
        return str(reader_store.copy(folder / "reader.db"))
    from newsweave.store.transfer import copy_store

    url: str = request.getfixturevalue("pg_cluster").new_database()
    copy_store(reader_store.path, url)
    return url


def reader_server_fixture(name: str, **options: Any) -> Any:
    """A module fixture: the app serving a private copy of the reader store, once on each
    backend; yields the base URL."""

    @pytest.fixture(scope="module", params=["sqlite", "postgresql"])
    def served(
        request: pytest.FixtureRequest,
        reader_store: ReaderStore,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Iterator[str]:
        db = reader_db(request, reader_store, tmp_path_factory.mktemp(name))
        with running_server(db, **options) as url:
            yield url

    return served


def _add(db: Path, *sources: str) -> list[str]:
    from typer.testing import CliRunner

    from newsweave.cli import app

    result = CliRunner().invoke(app, ["--db", str(db), "add", "--format", "json", *sources])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return [r["id"] for r in rows if r["id"]]


@pytest.fixture(scope="session")
def reader_store(tmp_path_factory: pytest.TempPathFactory) -> ReaderStore:
    from conftest import shared_path
    from newsweave.demo import corpus_files

    db = tmp_path_factory.mktemp("reader") / "newsweave.db"
    seeds = _add(db, str(shared_path("seeds")))
    demo = _add(db, *(str(p) for p in corpus_files()))
    return ReaderStore(db, seeds, demo)


def api_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error of an API response, checked to have the app's one shape and `status`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"]
    return dict(body["error"])
