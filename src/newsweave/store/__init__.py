"""The SQLite store: one file, WAL, append-only migrations, FTS5 over title and body."""

from newsweave.store.db import Store
from newsweave.store.leases import Lease, LeaseBusy

__all__ = ["Lease", "LeaseBusy", "Store"]
