"""Ingest throughput through the whole pipeline (read, decode, extract, clean, summarise, store).

Corpora, built in a temporary folder from ../shared/data/article-extraction:
  * text: N plain-text files, each a gold `articleBody` of that benchmark under a headline,
    made distinct by a numbered closing line (so every file is a new article);
  * html: the benchmark's 181 real HTML pages.
Each run adds into a fresh SQLite file and prints articles per second.

    python benchmarks/ingest_throughput.py [--text-files 1000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

from newsweave.pipeline import add_sources
from newsweave.store import Store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "article-extraction"


def build_corpora(root: Path, text_files: int) -> tuple[Path, Path]:
    truth = json.loads((DATA / "ground-truth.json").read_text())
    bodies = [item["articleBody"] for _, item in sorted(truth.items())]
    text_dir, html_dir = root / "text", root / "html"
    text_dir.mkdir()
    html_dir.mkdir()
    for i in range(text_files):
        body = bodies[i % len(bodies)]
        (text_dir / f"{i:05d}.txt").write_text(
            f"Benchmark article number {i}\n\n{body}\nEdition {i}.\n"
        )
    for key in sorted(truth):
        html = gzip.decompress((DATA / "html" / f"{key}.html.gz").read_bytes())
        (html_dir / f"{key}.html").write_bytes(html)
    return text_dir, html_dir


def run(folder: Path, db: Path) -> tuple[int, int, float]:
    with Store.open(db) as store:
        start = time.perf_counter()
        results = list(add_sources(store, [str(folder)]))
        elapsed = time.perf_counter() - start
    added = sum(r.status == "added" for r in results)
    return len(results), added, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--text-files", type=int, default=1000)
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA}: no such folder (the shared evaluation data)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        text_dir, html_dir = build_corpora(root, args.text_files)
        for name, folder in (("text files", text_dir), ("HTML pages", html_dir)):
            total, added, elapsed = run(folder, root / f"{folder.name}.db")
            print(
                f"{name:11} corpus={total:5d} added={added:5d} time={elapsed:6.2f}s "
                f"throughput={total / elapsed:7.1f} articles/s"
            )


if __name__ == "__main__":
    main()
