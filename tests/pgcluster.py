"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary directory, a postmaster
listening on a Unix socket only there, stopped by its PID and deleted at the end.

The binaries (PostgreSQL 16 with pgvector) come from the `pgserver` wheel (a dev dependency),
else from a Debian `postgresql-NN` with `postgresql-NN-pgvector`. PostgreSQL refuses to run as
root, so under root the cluster runs as `nobody` through `setpriv` (util-linux, on every Debian
machine), with its directory handed to that user.

`$NEWSWEAVE_TEST_PG` (a postgresql:// URL of a superuser on a running server) replaces all of
this: the tests then make their databases there.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

TEST_PG_ENV = "NEWSWEAVE_TEST_PG"


def find_bin() -> Path | None:
    """A directory holding initdb and postgres, next to a pgvector extension."""
    candidates = []
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        candidates.append(Path(spec.origin).parent / "pginstall" / "bin")
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for bin_dir in candidates:
        if not (bin_dir / "initdb").exists():
            continue
        share = [bin_dir.parent / "share", Path("/usr/share/postgresql") / bin_dir.parent.name]
        if any(
            (s / "extension" / "vector.control").exists()
            or (s / "postgresql" / "extension" / "vector.control").exists()
            for s in share
        ):
            return bin_dir
    return None


class Cluster:
    """A running server and a way to make a fresh database on it."""

    def __init__(self, admin_url: str, template: str | None = None) -> None:
        self.admin_url = admin_url
        self.template = template
        self.pid: int | None = None
        self.root: Path | None = None

    def url(self, database: str) -> str:
        base, _, query = self.admin_url.partition("?")
        base = base.rsplit("/", 1)[0]
        return f"{base}/{database}" + (f"?{query}" if query else "")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self) -> str:
        """A new, empty (or migrated-template) database's URL."""
        name = f"nw_{uuid.uuid4().hex[:12]}"
        template = f" TEMPLATE {self.template}" if self.template else ""
        self._admin(f"CREATE DATABASE {name}{template}")
        return self.url(name)

    def make_template(self) -> None:
        """A database migrated once, copied for each test (CREATE DATABASE … TEMPLATE), so each
        test does not pay for the migrations."""
        from newsweave.store import Store

        name = f"nw_template_{uuid.uuid4().hex[:8]}"
        self._admin(f"CREATE DATABASE {name}")
        Store.open(self.url(name)).close()
        self.template = name

    def stop(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGINT)  # fast shutdown
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    done, _ = os.waitpid(self.pid, os.WNOHANG)
                except ChildProcessError:
                    break
                if done:
                    break
                time.sleep(0.05)
            self.pid = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None


def start(bin_dir: Path) -> Cluster:
    root = Path(tempfile.mkdtemp(prefix="nw-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        prefix = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}"]
        prefix += ["--clear-groups", "--"]
    data = root / "data"
    env = {**os.environ, "LC_ALL": "C", "HOME": str(root)}
    subprocess.run(
        [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
         "--encoding=UTF8", "--no-sync"],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    log = (root / "log").open("wb")
    proc = subprocess.Popen(
        [*prefix, str(bin_dir / "postgres"), "-D", str(data), "-k", str(root),
         "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
         "-c", "full_page_writes=off", "-c", "max_connections=200"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    cluster = Cluster(f"postgresql://postgres@/postgres?host={root}")
    cluster.pid = proc.pid  # setpriv execs postgres: this is the postmaster's own PID
    cluster.root = root
    deadline = time.monotonic() + 60
    while not (root / ".s.PGSQL.5432").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            cluster.stop()
            raise RuntimeError(f"PostgreSQL did not start: {(root / 'log').read_text()[-2000:]}")
        time.sleep(0.05)
    import psycopg

    while True:  # the socket exists a moment before the server accepts connections
        try:
            psycopg.connect(cluster.admin_url, connect_timeout=5).close()
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                cluster.stop()
                raise
            time.sleep(0.05)
    return cluster
