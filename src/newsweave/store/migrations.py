"""Schema migrations: numbered, append-only. Never edit one that has shipped; add the next."""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE articles (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            origin TEXT NOT NULL,
            title TEXT,
            source TEXT,
            url TEXT,
            published TEXT,
            language TEXT,
            body TEXT NOT NULL,
            summary TEXT NOT NULL,
            words INTEGER NOT NULL,
            reading_minutes INTEGER NOT NULL,
            read_count INTEGER NOT NULL DEFAULT 0,
            external_id TEXT,
            category TEXT,
            created TEXT,
            updated TEXT,
            added TEXT NOT NULL,
            last_read TEXT
        );
        CREATE INDEX articles_published ON articles(published);
        CREATE TABLE removals (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            text TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (article_id, seq)
        );
        CREATE TABLE related_titles (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            title TEXT NOT NULL,
            PRIMARY KEY (article_id, seq)
        );
        CREATE TABLE reads (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            at TEXT NOT NULL
        );
        CREATE INDEX reads_article ON reads(article_id);
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, body, content='articles', content_rowid='rowid',
            tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body);
        END;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, body)
            VALUES ('delete', old.rowid, old.title, old.body);
        END;
        CREATE TRIGGER articles_au AFTER UPDATE OF title, body ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, body)
            VALUES ('delete', old.rowid, old.title, old.body);
            INSERT INTO articles_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body);
        END;
        """,
    ),
]

MIGRATIONS.append(
    (
        2,
        """
        CREATE TABLE article_signals (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            vector BLOB NOT NULL,
            terms TEXT NOT NULL,
            names TEXT NOT NULL,
            day TEXT,
            sentences TEXT NOT NULL
        );
        CREATE TABLE term_df (
            term TEXT PRIMARY KEY,
            df INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE lsh_buckets (
            band INTEGER NOT NULL,
            key INTEGER NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (band, key, article_id)
        ) WITHOUT ROWID;
        CREATE TABLE origins (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            origin_group TEXT NOT NULL,
            copy_of TEXT,
            kind TEXT NOT NULL,
            score REAL
        );
        CREATE INDEX origins_group ON origins(origin_group);
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            title TEXT,
            first_seen TEXT NOT NULL,
            last_updated TEXT NOT NULL,
            size INTEGER NOT NULL,
            centroid BLOB NOT NULL,
            why TEXT NOT NULL
        );
        CREATE TABLE story_members (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            story_id TEXT NOT NULL,
            score REAL
        );
        CREATE INDEX story_members_story ON story_members(story_id);
        CREATE TABLE story_merges (
            old_id TEXT PRIMARY KEY,
            new_id TEXT NOT NULL,
            at TEXT NOT NULL
        );
        """,
    )
)

MIGRATIONS.append(
    (
        3,
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(8))));
        """,
    )
)

MIGRATIONS.append(
    (
        4,
        """
        CREATE TABLE article_analysis (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            reference TEXT NOT NULL,
            analysis TEXT NOT NULL
        );
        """,
    )
)

MIGRATIONS.append(
    (
        5,
        """
        -- Embeddings of short texts the brief compares (counted nouns, evidence sentences),
        -- keyed by a hash of the model's name and the text: a warm brief encodes nothing.
        CREATE TABLE text_vectors (
            key TEXT PRIMARY KEY,
            vector BLOB NOT NULL
        );
        """,
    )
)

MIGRATIONS.append(
    (
        6,
        """
        -- Named leases: at most one holder of a job (weaving, a feed refresh) per store at a
        -- time. A lease that is not renewed expires, so a crashed holder never blocks for good.
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires REAL NOT NULL
        );
        """,
    )
)

MIGRATIONS.append(
    (
        7,
        """
        -- Subscriptions. Times a scheduler compares (next_due) are Unix seconds; times a reader
        -- sees (added, last_fetched) are ISO 8601 like the rest of the store.
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            title TEXT,
            site TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            full_text INTEGER NOT NULL DEFAULT 0,
            every INTEGER,
            feed_interval INTEGER,
            etag TEXT,
            last_modified TEXT,
            added TEXT NOT NULL,
            last_fetched TEXT,
            last_status TEXT,
            last_error TEXT,
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            next_due REAL NOT NULL DEFAULT 0,
            disabled INTEGER NOT NULL DEFAULT 0
        );
        -- One row per entry a feed has carried, keyed by its guid, else its link, else the
        -- content id: a refresh skips entries it has seen without fetching or cleaning them.
        -- article_id is NULL for an entry that gave no article (no text), so it is not retried.
        CREATE TABLE feed_entries (
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            article_id TEXT REFERENCES articles(id) ON DELETE SET NULL,
            seen TEXT NOT NULL,
            PRIMARY KEY (feed_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX feed_entries_article ON feed_entries(article_id);
        -- An entry whose link is already stored (added by hand, or by another feed) is skipped.
        CREATE INDEX articles_url ON articles(url);
        """,
    )
)

MIGRATIONS.append(
    (
        8,
        """
        -- The last visit to a story page, as the added time of the newest article it showed:
        -- "new since you last read" is measured from here, apart from the per-article read
        -- marks that drive unread counts.
        CREATE TABLE story_visits (
            story_id TEXT PRIMARY KEY,
            at TEXT NOT NULL
        );
        -- The story list pages by recency and counts unread members per story.
        CREATE INDEX stories_updated ON stories(last_updated DESC, size DESC, id);
        """,
    )
)

MIGRATIONS.append(
    (
        9,
        """
        -- Where a value the input did not declare came from, per article and field
        -- ('published', 'source', 'title'); no row means the input gave the value itself.
        -- `value` holds a value kept out of the article's own column: a title taken from the
        -- first sentence is shown, but the article still has no title of its own.
        CREATE TABLE provenance (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            how TEXT NOT NULL,
            value TEXT,
            PRIMARY KEY (article_id, field)
        ) WITHOUT ROWID;
        """,
    )
)

MIGRATIONS.append(
    (
        10,
        """
        -- Articles not yet woven, kept by triggers, so that finding them reads a short table
        -- instead of joining every article to its membership.
        CREATE TABLE weave_queue (
            article_rowid INTEGER PRIMARY KEY
        );
        INSERT INTO weave_queue (article_rowid)
            SELECT a.rowid FROM articles a LEFT JOIN story_members m ON m.article_id = a.id
            WHERE m.article_id IS NULL;
        CREATE TRIGGER weave_queue_add AFTER INSERT ON articles BEGIN
            INSERT OR IGNORE INTO weave_queue (article_rowid) VALUES (new.rowid);
        END;
        CREATE TRIGGER weave_queue_done AFTER INSERT ON story_members BEGIN
            DELETE FROM weave_queue
            WHERE article_rowid = (SELECT rowid FROM articles WHERE id = new.article_id);
        END;
        CREATE TRIGGER weave_queue_gone AFTER DELETE ON articles BEGIN
            DELETE FROM weave_queue WHERE article_rowid = old.rowid;
        END;
        -- Vectors stored since the vector index file was last written whole: the index reads
        -- these few rows on open instead of checking every article against the file.
        CREATE TABLE vectors_unsaved (
            article_rowid INTEGER PRIMARY KEY
        );
        CREATE TRIGGER vectors_unsaved_add AFTER INSERT ON article_signals BEGIN
            INSERT OR IGNORE INTO vectors_unsaved (article_rowid)
            SELECT rowid FROM articles WHERE id = new.article_id;
        END;
        CREATE TRIGGER vectors_unsaved_gone AFTER DELETE ON articles BEGIN
            DELETE FROM vectors_unsaved WHERE article_rowid = old.rowid;
        END;
        """,
    )
)

MIGRATIONS.append(
    (
        11,
        """
        -- A story's profile (weave/profiles.py): running sums over its recent members, so that
        -- an article is scored against a story at a cost independent of the story's size; the
        -- blob's layout is in store/packing.py. `size` is the story's size the profile was
        -- made for: a profile whose story has another size is rebuilt from the members.
        CREATE TABLE story_profiles (
            story_id TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
            size INTEGER NOT NULL,
            profile BLOB NOT NULL
        );
        -- An article's term and name counts and sentence sets in one binary blob
        -- (store/packing.py) instead of the JSON of `terms`, `names` and `sentences`, which
        -- rows written from now on leave empty. Rows written before keep their JSON and are
        -- read as they were (`packed` NULL).
        ALTER TABLE article_signals ADD COLUMN packed BLOB;
        """,
    )
)

MIGRATIONS.append(
    (
        12,
        """
        -- One row per distinct sentence of a woven article (weave/dedupe.py `sentence_keys`):
        -- an excerpt or an update of a wire text shares whole sentences with it long after their
        -- shingle sets have drifted too far apart for an LSH band to meet. Articles woven before
        -- this step have no rows; they are still found by their bands and vectors.
        CREATE TABLE sentence_keys (
            key INTEGER NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (key, article_id)
        ) WITHOUT ROWID;
        """,
    )
)
MIGRATIONS.append(
    (
        13,
        """
        -- An article's language (`Signals.language`; '' when none was read) beside its packed
        -- signals: weaving asks for the languages of hundreds of other stories' members per
        -- article (weave/stories.py `_bridge_languages`), and read from `article_signals` each
        -- one walks the row's overflow pages for `packed`, ~0.1 ms, against ~1 µs here. Articles
        -- woven before this step have no row; their language is read from their signals.
        CREATE TABLE signal_languages (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            language TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
    )
)
# The same steps for PostgreSQL, by number: the same tables and columns in its types (BYTEA,
# DOUBLE PRECISION, identity rowids), full-text search as a generated tsvector with a GIN index
# in place of FTS5, triggers as PL/pgSQL functions, and each article vector also as a pgvector
# `embedding` that HNSW indexes (store/vectors.py makes one index per vector size on first use).
# A step SQLite gains must gain its PostgreSQL form here too (tests/test_store.py checks; a
# PostgreSQL store refuses to open while one is missing).
PG_MIGRATIONS: dict[int, str] = {
    1: """
        CREATE TABLE articles (
            rowid BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            origin TEXT NOT NULL,
            title TEXT,
            source TEXT,
            url TEXT,
            published TEXT,
            language TEXT,
            body TEXT NOT NULL,
            summary TEXT NOT NULL,
            words INTEGER NOT NULL,
            reading_minutes INTEGER NOT NULL,
            read_count INTEGER NOT NULL DEFAULT 0,
            external_id TEXT,
            category TEXT,
            created TEXT,
            updated TEXT,
            added TEXT NOT NULL,
            last_read TEXT,
            -- The title weighs more than the body, as FTS5's bm25(5, 1) weighs it on SQLite.
            fts tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('english', coalesce(title, '')), 'A')
                || setweight(to_tsvector('english', body), 'D')
            ) STORED
        );
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_fts ON articles USING gin (fts);
        CREATE TABLE removals (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            text TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (article_id, seq)
        );
        CREATE TABLE related_titles (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            title TEXT NOT NULL,
            PRIMARY KEY (article_id, seq)
        );
        CREATE TABLE reads (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            at TEXT NOT NULL
        );
        CREATE INDEX reads_article ON reads(article_id);
    """,
    2: """
        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE TABLE article_signals (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            vector BYTEA NOT NULL,
            terms TEXT NOT NULL,
            names TEXT NOT NULL,
            day TEXT,
            sentences TEXT NOT NULL,
            embedding vector
        );
        CREATE TABLE term_df (
            term TEXT PRIMARY KEY,
            df INTEGER NOT NULL
        );
        CREATE TABLE lsh_buckets (
            band INTEGER NOT NULL,
            key BIGINT NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (band, key, article_id)
        );
        CREATE TABLE origins (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            origin_group TEXT NOT NULL,
            copy_of TEXT,
            kind TEXT NOT NULL,
            score DOUBLE PRECISION
        );
        CREATE INDEX origins_group ON origins(origin_group);
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            title TEXT,
            first_seen TEXT NOT NULL,
            last_updated TEXT NOT NULL,
            size INTEGER NOT NULL,
            centroid BYTEA NOT NULL,
            why TEXT NOT NULL
        );
        CREATE TABLE story_members (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            story_id TEXT NOT NULL,
            score DOUBLE PRECISION
        );
        CREATE INDEX story_members_story ON story_members(story_id);
        CREATE TABLE story_merges (
            old_id TEXT PRIMARY KEY,
            new_id TEXT NOT NULL,
            at TEXT NOT NULL
        );
    """,
    3: """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT INTO meta (key, value) VALUES ('store_id', substr(md5(random()::text), 1, 16));
    """,
    4: """
        CREATE TABLE article_analysis (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            reference TEXT NOT NULL,
            analysis TEXT NOT NULL
        );
    """,
    5: """
        CREATE TABLE text_vectors (
            key TEXT PRIMARY KEY,
            vector BYTEA NOT NULL
        );
    """,
    6: """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires DOUBLE PRECISION NOT NULL
        );
    """,
    7: """
        CREATE TABLE feeds (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            title TEXT,
            site TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            full_text INTEGER NOT NULL DEFAULT 0,
            every INTEGER,
            feed_interval INTEGER,
            etag TEXT,
            last_modified TEXT,
            added TEXT NOT NULL,
            last_fetched TEXT,
            last_status TEXT,
            last_error TEXT,
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            next_due DOUBLE PRECISION NOT NULL DEFAULT 0,
            disabled INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE feed_entries (
            feed_id BIGINT NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            article_id TEXT REFERENCES articles(id) ON DELETE SET NULL,
            seen TEXT NOT NULL,
            PRIMARY KEY (feed_id, key)
        );
        CREATE INDEX feed_entries_article ON feed_entries(article_id);
        CREATE INDEX articles_url ON articles(url);
    """,
    8: """
        CREATE TABLE story_visits (
            story_id TEXT PRIMARY KEY,
            at TEXT NOT NULL
        );
        CREATE INDEX stories_updated ON stories(last_updated DESC, size DESC, id);
    """,
    9: """
        CREATE TABLE provenance (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            how TEXT NOT NULL,
            value TEXT,
            PRIMARY KEY (article_id, field)
        );
    """,
    # vectors_unsaved exists (the queries are shared) but no trigger fills it: on PostgreSQL the
    # vectors are indexed where they are stored, so nothing is ever waiting to be saved.
    10: """
        CREATE TABLE weave_queue (
            article_rowid BIGINT PRIMARY KEY
        );
        INSERT INTO weave_queue (article_rowid)
            SELECT a.rowid FROM articles a LEFT JOIN story_members m ON m.article_id = a.id
            WHERE m.article_id IS NULL;
        CREATE FUNCTION weave_queue_add() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO weave_queue (article_rowid) VALUES (NEW.rowid) ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$;
        CREATE TRIGGER weave_queue_add AFTER INSERT ON articles
            FOR EACH ROW EXECUTE FUNCTION weave_queue_add();
        CREATE FUNCTION weave_queue_done() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM weave_queue
            WHERE article_rowid = (SELECT rowid FROM articles WHERE id = NEW.article_id);
            RETURN NULL;
        END $$;
        CREATE TRIGGER weave_queue_done AFTER INSERT ON story_members
            FOR EACH ROW EXECUTE FUNCTION weave_queue_done();
        CREATE FUNCTION weave_queue_gone() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM weave_queue WHERE article_rowid = OLD.rowid;
            RETURN NULL;
        END $$;
        CREATE TRIGGER weave_queue_gone AFTER DELETE ON articles
            FOR EACH ROW EXECUTE FUNCTION weave_queue_gone();
        CREATE TABLE vectors_unsaved (
            article_rowid BIGINT PRIMARY KEY
        );
    """,
    # Story profiles and packed signals (see the SQLite step 11).
    11: """
        CREATE TABLE story_profiles (
            story_id TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
            size INTEGER NOT NULL,
            profile BYTEA NOT NULL
        );
        ALTER TABLE article_signals ADD COLUMN packed BYTEA;
    """,
    # Sentence keys (see the SQLite step 12).
    12: """
        CREATE TABLE sentence_keys (
            key BIGINT NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (key, article_id)
        );
    """,
    # Languages apart from the signals (see the SQLite step 13).
    13: """
        CREATE TABLE signal_languages (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            language TEXT NOT NULL
        );
    """,
}
