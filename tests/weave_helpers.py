"""Adding invented texts to a store and weaving them, for the weave's tests."""

from __future__ import annotations

from pathlib import Path

from newsweave import weave
from newsweave.pipeline import add_sources
from newsweave.store import Store


def add_and_weave(store: Store, folder: Path, files: dict[str, str]) -> dict[str, str]:
    """Write the files into `folder`, add them in this order and weave them; the article id of
    each file name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    ids = {Path(r.origin).name: r.id for r in add_sources(store, paths) if r.id}
    weave.Weaver(store).weave()
    return ids


def story_of(store: Store, article_id: str) -> str:
    row = store.conn.execute(
        "SELECT story_id FROM story_members WHERE article_id = ?", (article_id,)
    ).fetchone()
    return str(row[0])
