"""The store: a SQLite file (WAL, FTS5 over title and body) or a PostgreSQL database (a
tsvector with GIN, pgvector's HNSW), with one set of queries and one numbered migration sequence.

db.py          the connection, migrations, transactions, leases and the article queries
migrations.py  the schema, one numbered step after another (and each step's PostgreSQL form)
dialect.py     what differs between the two engines beyond spelling (search, schema, BEGIN)
pg.py          a psycopg connection taking the queries as sqlite3 takes them
stories.py     every query of weaving (`Store.stories`) and the reads of woven stories
vectors.py     the vector index beside the database, a cache of the vectors SQLite holds;
               on PostgreSQL, pgvector's HNSW index in the database
leases.py      one holder of a named job per store
"""

from newsweave.store.db import Store
from newsweave.store.leases import Lease, LeaseBusy

__all__ = ["Lease", "LeaseBusy", "Store"]
