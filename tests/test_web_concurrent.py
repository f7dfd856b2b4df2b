"""`newsweave serve` and `newsweave add` on one store at once: what the CLI adds appears in the
pages, and no reader ever sees "database is locked"."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from newsweave.demo import corpus_files
from web_helpers import ReaderStore, free_port, wait_http

pytestmark = pytest.mark.slow


def _cli(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "newsweave", "--db", str(db), *args]


def test_cli_add_while_serving_shows_up_and_never_locks(
    tmp_path: Path, reader_store: ReaderStore
) -> None:
    db = reader_store.copy(tmp_path / "busy.db")
    # The demo story goes in while the server runs; start from a store without it.
    subprocess.run(
        [sys.executable, "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
         "c.execute('PRAGMA foreign_keys=ON'); ids=sys.argv[2:];"
         "c.executemany('DELETE FROM story_members WHERE article_id=?', [(i,) for i in ids]);"
         "c.executemany('DELETE FROM articles WHERE id=?', [(i,) for i in ids]);"
         "c.execute('DELETE FROM stories WHERE id NOT IN (SELECT story_id FROM story_members)'); c.commit()",
         str(db), *reader_store.demo_ids],
        check=True,
    )  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        _cli(db, "serve", "--port", str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    try:
        wait_http(base + "/")
        seed_story = httpx.get(f"{base}/api/articles/{reader_store.seed_ids[0]}").json()["story"]
        # Its brief is built once before the race, so the readers keep asking during the add.
        httpx.get(f"{base}/stories/{seed_story}", timeout=300).raise_for_status()
        problems: list[str] = []
        served = 0
        stop = threading.Event()

        def read_all_the_time(offset: int) -> None:
            nonlocal served
            urls = [
                "/",
                "/api/stories",
                "/api/search?q=council",
                f"/stories/{seed_story}",
                "/?unread=true",
            ]
            with httpx.Client(base_url=base, timeout=60) as client:
                i = offset
                while not stop.is_set():
                    url = urls[i % len(urls)]
                    if i % 7 == 0:
                        r = client.post(f"/api/articles/{reader_store.seed_ids[i % 5]}/read")
                    else:
                        r = client.get(url)
                    served += 1
                    if r.status_code != 200 or "locked" in r.text.lower():
                        problems.append(f"{url}: {r.status_code} {r.text[:200]}")
                    i += 1

        readers = [threading.Thread(target=read_all_the_time, args=(n,)) for n in range(3)]
        for t in readers:
            t.start()
        try:
            add = subprocess.run(
                _cli(db, "add", *(str(p) for p in corpus_files())),
                capture_output=True,
                text=True,
                timeout=300,
            )
        finally:
            stop.set()
            for t in readers:
                t.join(timeout=60)
        assert add.returncode == 0, add.stderr
        assert "locked" not in (add.stdout + add.stderr).lower()
        assert not problems, problems[:5]
        assert served >= 2 * len(readers)  # the pages kept answering while the CLI wrote

        demo_story = httpx.get(f"{base}/api/articles/{reader_store.demo_ids[0]}").json()["story"]
        assert demo_story
        assert f'href="/stories/{demo_story}"' in httpx.get(base + "/").text
        assert httpx.get(f"{base}/stories/{demo_story}", timeout=120).status_code == 200
    finally:
        server.terminate()
        _, err = server.communicate(timeout=20)
    assert b"locked" not in err.lower()
    assert b"Traceback" not in err
