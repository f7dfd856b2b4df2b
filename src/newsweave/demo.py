"""The bundled demo story: six fictional outlets on one invented flood (see demo_corpus/README.md)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from newsweave.models import AddResult
from newsweave.store import Store


def corpus_files() -> list[Path]:
    root = Path(str(resources.files("newsweave") / "demo_corpus"))
    return sorted(p for p in root.iterdir() if p.is_file() and p.name != "README.md")


def showcase_id(store: Store, results: list[AddResult]) -> str | None:
    """The article that shows the most kinds of cleaning (then the most removals)."""
    best: tuple[int, int, str] | None = None
    for result in results:
        if result.id is None:
            continue
        removed = store.get(result.id).removed
        kinds = len({r.reason.split(":")[0] for r in removed})
        if best is None or (kinds, len(removed)) > best[:2]:
            best = (kinds, len(removed), result.id)
    return best[2] if best else None
