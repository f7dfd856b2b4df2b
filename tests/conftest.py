from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import pgcluster
from newsweave.cli import app
from newsweave.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; tests skip when it is absent, except in CI where it must exist."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing in CI")
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture(autouse=True, scope="session")
def _cache_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Caches (the unpacked language-id model, language_model.py) in the session's temporary
    directory, not the user's."""
    from newsweave.language_model import CACHE_ENV

    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = before


@pytest.fixture
def seeds_dir() -> Path:
    return shared_path("seeds")


@pytest.fixture
def seeds_gold() -> dict[str, Any]:
    return json.loads(shared_path("eval", "seeds-gold.json").read_text())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "newsweave.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store.open(db_path)
    yield s
    s.close()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pgcluster.Cluster]:
    """A PostgreSQL server for the session: `$NEWSWEAVE_TEST_PG`, else a throwaway cluster.
    Without PostgreSQL binaries the PostgreSQL tests skip, except in CI where they must run."""
    url = os.environ.get(pgcluster.TEST_PG_ENV)
    if url:
        cluster = pgcluster.Cluster(url)
    else:
        bin_dir = pgcluster.find_bin()
        if bin_dir is None:
            if os.environ.get("CI") == "true":
                pytest.fail("no PostgreSQL with pgvector in CI (make install brings pgserver)")
            pytest.skip("no PostgreSQL binaries with pgvector (pip install pgserver)")
        cluster = pgcluster.start(bin_dir)
    try:
        cluster.make_template()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, db_path: Path) -> str:
    """Where a store lives, once per backend: a SQLite file's path, then a new PostgreSQL
    database's URL."""
    if request.param == "sqlite":
        return str(db_path)
    cluster: pgcluster.Cluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


@pytest.fixture
def any_store(any_db: str) -> Iterator[Store]:
    """A store on each backend in turn (test modules of store/ name it `store`)."""
    s = Store.open(any_db)
    yield s
    s.close()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def json_lines(self) -> list[Any]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def cli_on(db: Path | str) -> Callable[..., CliResult]:
    """`newsweave --db DB …` run in this process."""
    runner = CliRunner()

    def run(*args: str) -> CliResult:
        result = runner.invoke(app, ["--db", str(db), *args], catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def cli(db_path: Path) -> Callable[..., CliResult]:
    return cli_on(db_path)


@pytest.fixture
def any_cli(any_db: str) -> Callable[..., CliResult]:
    """The command line on the store of `any_db` (each backend in turn)."""
    return cli_on(any_db)


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class LocalServer:
    """A real HTTP server on 127.0.0.1 serving canned routes."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                route = routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                if route.delay:
                    threading.Event().wait(route.delay)
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    s = LocalServer()
    yield s
    s.close()


# The web tests' store (the seeds and the demo story), registered here so that one session
# builds it once for every test module.
from web_helpers import reader_store  # noqa: E402, F401
