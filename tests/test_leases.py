from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from newsweave.errors import StoreError
from newsweave.store import LeaseBusy, Store


@pytest.fixture
def store(any_store: Store) -> Store:
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return any_store


def _hold(db_path: str, name: str, seconds: float, log: str) -> None:
    with Store.open(db_path) as store, store.lease(name, ttl=30):
        with Path(log).open("a") as f:
            f.write(f"start {os.getpid()} {time.monotonic()}\n")
        time.sleep(seconds)
        with Path(log).open("a") as f:
            f.write(f"end {os.getpid()} {time.monotonic()}\n")


def test_lease_lets_one_process_in_at_a_time(any_db: str, tmp_path: Path) -> None:
    Store.open(any_db).close()
    log = tmp_path / "log"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_hold, args=(any_db, "weave", 0.4, str(log))) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    events = [line.split()[0] for line in log.read_text().splitlines()]
    # Held one at a time: every start is followed by its own end before the next start.
    assert events == ["start", "end"] * 3


def test_lease_busy_names_the_job_when_wait_runs_out(store: Store, any_db: str) -> None:
    other = Store.open(any_db)
    try:
        with (
            store.lease("refresh"),
            pytest.raises(LeaseBusy, match="refresh is already running"),
            other.lease("refresh", wait=0.2),
        ):
            pass
        with other.lease("refresh", wait=0.2):
            pass
    finally:
        other.close()


def test_lease_of_a_killed_process_is_taken_over(store: Store, any_db: str) -> None:
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=_hold, args=(any_db, "weave", 60, os.devnull))
    child.start()
    deadline = time.monotonic() + 20
    while store.conn.execute("SELECT count(*) FROM leases").fetchone()[0] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child.kill()
    child.join()
    start = time.monotonic()
    with store.lease("weave", wait=5):
        pass
    assert time.monotonic() - start < 5


def test_expired_lease_is_taken_over_and_renew_reports_the_loss(store: Store, any_db: str) -> None:
    other = Store.open(any_db)
    try:
        with store.lease("weave", ttl=0.1) as first:
            time.sleep(0.2)
            with other.lease("weave", wait=1), pytest.raises(StoreError, match="was lost"):
                first.renew()
    finally:
        other.close()
