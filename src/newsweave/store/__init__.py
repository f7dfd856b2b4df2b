"""The SQLite store: one file, WAL, append-only migrations, FTS5 over title and body.

db.py          the connection, migrations, transactions, leases and the article queries
migrations.py  the schema, one numbered step after another
stories.py     every query of weaving (`Store.stories`) and the reads of woven stories
vectors.py     the vector index beside the database, a cache of the vectors SQLite holds
leases.py      one holder of a named job per store
"""

from newsweave.store.db import Store
from newsweave.store.leases import Lease, LeaseBusy

__all__ = ["Lease", "LeaseBusy", "Store"]
