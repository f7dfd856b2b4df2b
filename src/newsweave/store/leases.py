"""Leases: one holder of a named job per store, kept in the store itself.

A file lock would outlive a crash on some filesystems and say nothing about which process holds
it; a row with an expiry time cannot block anyone for longer than its time to live, and a holder
on this machine whose process is gone gives its lease up at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsweave.errors import StoreError


class LeaseBusy(StoreError):
    """Someone else holds the lease and did not let go in time."""

    code = "lease_busy"


# socket and uuid are imported in the two functions that need them, which run only when a
# process weaves: every command opens the store, and they cost it ~6 ms of start-up.


def _holder_id() -> str:
    import socket
    import uuid

    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _holder_alive(holder: str) -> bool:
    """False only when the holder is a process of this machine that no longer exists."""
    import socket

    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Lease:
    """A held lease; `renew()` during long work, `release()` (or leave the `with`) when done."""

    name: str
    holder: str
    ttl: float
    _write: Callable[[str, tuple[object, ...]], int]

    def renew(self) -> None:
        changed = self._write(
            "UPDATE leases SET expires = ? WHERE name = ? AND holder = ?",
            (time.time() + self.ttl, self.name, self.holder),
        )
        if not changed:
            raise StoreError(f"lease {self.name!r} was lost (it expired and was taken over)")

    def release(self) -> None:
        self._write("DELETE FROM leases WHERE name = ? AND holder = ?", (self.name, self.holder))


def try_acquire(
    write: Callable[[str, tuple[object, ...]], int],
    read: Callable[[str, tuple[object, ...]], Any],
    name: str,
    ttl: float,
) -> Lease | None:
    """Take the lease if it is free, expired, or held by a dead process of this machine.

    `write` runs one statement in its own immediate transaction and returns the rows changed;
    `read` returns one row. The take-over is a conditional UPDATE/INSERT, so two processes
    racing for an expired lease cannot both win.
    """
    holder = _holder_id()
    now = time.time()
    row = read("SELECT holder, expires FROM leases WHERE name = ?", (name,))
    if row is None:
        taken = write(
            "INSERT OR IGNORE INTO leases (name, holder, expires) VALUES (?, ?, ?)",
            (name, holder, now + ttl),
        )
    elif row["expires"] < now or not _holder_alive(row["holder"]):
        taken = write(
            "UPDATE leases SET holder = ?, expires = ? WHERE name = ? AND holder = ?",
            (holder, now + ttl, name, row["holder"]),
        )
    else:
        taken = 0
    return Lease(name, holder, ttl, write) if taken else None
