"""HTML extraction quality on ../shared/data/article-extraction, scored as that benchmark does.

For each page: 4-word shingles of the `\\w+` tokens of the extracted body and of the gold
`articleBody`; precision and recall per page, averaged over pages; F1 of the averages.
Prints the figure for trafilatura alone and for newsweave (ingest + clean).

    python benchmarks/extraction.py [--data ../shared/data/article-extraction]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "article-extraction"


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


def page_scores(predicted: str, gold: str) -> tuple[float, float]:
    p, g = shingles(predicted), shingles(gold)
    if not p and not g:
        return 1.0, 1.0
    tp = len(p & g)
    precision = tp / len(p) if p else 0.0
    recall = tp / len(g) if g else 0.0
    return precision, recall


def load_pages(data: Path) -> list[tuple[str, str, str | None]]:
    truth = json.loads((data / "ground-truth.json").read_text())
    pages = []
    for key, item in sorted(truth.items()):
        html = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        pages.append((html, item["articleBody"], item.get("url")))
    return pages


def score(
    pages: list[tuple[str, str, str | None]], extract: Callable[[str, str | None], str]
) -> dict[str, float]:
    precisions, recalls = [], []
    for html, gold, url in pages:
        p, r = page_scores(extract(html, url), gold)
        precisions.append(p)
        recalls.append(r)
    precision = sum(precisions) / len(precisions)
    recall = sum(recalls) / len(recalls)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pages": len(pages), "precision": precision, "recall": recall, "f1": f1}


def newsweave_extract(html: str, url: str | None) -> str:
    from newsweave.clean import clean
    from newsweave.errors import IngestError
    from newsweave.ingest import _html_article

    try:
        raw = _html_article(html, url or "page", url)
    except IngestError:
        return ""
    return "\n".join(clean(raw).paragraphs)


def trafilatura_extract(html: str, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--baseline", action="store_true", help="Also score trafilatura alone.")
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data}: no such folder (the shared evaluation data)")
    pages = load_pages(args.data)
    runs = [("newsweave", newsweave_extract)]
    if args.baseline:
        runs.insert(0, ("trafilatura defaults", trafilatura_extract))
    for name, fn in runs:
        s = score(pages, fn)
        print(
            f"{name:22} pages={s['pages']} precision={s['precision']:.4f} recall={s['recall']:.4f} F1={s['f1']:.4f}"
        )


if __name__ == "__main__":
    main()
