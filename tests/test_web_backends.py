"""The web reader over a PostgreSQL store answers as it does over a SQLite one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from newsweave.demo import corpus_files
from newsweave.pipeline import add_sources, weave_pending
from newsweave.store import Store
from web_helpers import running_server


def _read(db: str) -> dict[str, Any]:
    with Store.open(db) as store:
        assert all(
            r.status == "added" for r in add_sources(store, [str(p) for p in corpus_files()])
        )
        weave_pending(store)
    with running_server(db) as base:
        stories = httpx.get(f"{base}/api/stories").json()["stories"]
        hits = httpx.get(f"{base}/api/search", params={"q": "dam"}).json()["hits"]
        page = httpx.get(f"{base}/stories/{stories[0]['id']}")
        first = stories[0]["articles"][0]
        read = httpx.post(f"{base}/api/articles/{first}/read", headers={"Origin": base})
    return {
        "stories": sorted(sorted(s["articles"]) for s in stories),
        "hits": {h["id"] for h in hits},
        "marked": all("<mark>" in h["snippet"] for h in hits),
        "page": page.status_code,
        "read": read.status_code,
    }


def test_web_reader_on_postgres_shows_what_it_shows_on_sqlite(
    tmp_path: Path, pg_cluster: Any
) -> None:
    on_sqlite = _read(str(tmp_path / "store.db"))
    on_postgres = _read(pg_cluster.new_database())
    assert on_postgres == on_sqlite
    assert on_postgres["stories"] and on_postgres["hits"] and on_postgres["marked"]
    assert (on_postgres["page"], on_postgres["read"]) == (200, 200)
