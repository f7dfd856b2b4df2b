"""Generality check: how often each rule fires on documents no rule was written for.

Runs clean and analyze over the ECB+ texts (772 news documents, plain text; benchmarks/ecbplus.py)
and over the dev pages of article-extraction (181 HTML pages, through trafilatura as ingest does),
and prints side by side, per 1,000 words of input: each cleaning removal reason's removals and
words removed, quantities found; and the share of people (full names) a document names without
giving a role. A rule that fires far more often on the unseen texts than on the dev pages is
fitted to the dev pages, or meets a shape it was not meant for: look at its removals
(`--show REASON`).

    python benchmarks/generality.py [--limit N] [--show REASON]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ecbplus import ECBPLUS, load
from extraction import DEFAULT_DATA, load_pages
from newsweave.analyze import Analyzer
from newsweave.clean import clean
from newsweave.errors import IngestError
from newsweave.ingest import html_article
from newsweave.models import RawArticle


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def measure(
    raws: list[RawArticle], analyzer: Analyzer, show: str | None = None
) -> dict[str, object]:
    words = 0
    removals: Counter[str] = Counter()
    removed_words: Counter[str] = Counter()
    quantities = people = roleless = 0
    examples: list[str] = []
    for raw in raws:
        words += _words(raw.text)
        cleaned = clean(raw)
        for r in cleaned.removed:
            removals[r.reason] += 1
            removed_words[r.reason] += _words(r.text)
            if show and r.reason.startswith(show) and len(examples) < 15:
                examples.append(f"{raw.origin[:24]}: {r.text[:140]}")
        analysis = analyzer.analyze("\n".join(cleaned.paragraphs))
        quantities += len(analysis.quantities)
        names = {e.text for e in analysis.entities if e.type == "PERSON" and " " in e.text}
        with_role = {r.name for r in analysis.roles}
        surnames_with_role = {r.name.split()[-1] for r in analysis.roles}
        people += len(names)
        roleless += sum(
            1 for n in names if n not in with_role and n.split()[-1] not in surnames_with_role
        )
    return {
        "documents": len(raws), "words": words, "removals": removals,
        "removed_words": removed_words, "quantities": quantities, "people": people,
        "roleless": roleless, "examples": examples,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="At most N documents of each set.")
    parser.add_argument("--show", help="List removals of this reason (prefix) in both sets.")
    args = parser.parse_args()
    if not ECBPLUS.exists() or not DEFAULT_DATA.exists():
        sys.exit(f"{ECBPLUS} or {DEFAULT_DATA}: no such folder (the shared evaluation data)")
    started = time.perf_counter()
    docs = load()[: args.limit] if args.limit else load()
    unseen = [RawArticle(origin=d.name, kind="text", text=d.text) for d in docs]
    dev: list[RawArticle] = []
    for page in load_pages(DEFAULT_DATA)[: args.limit] if args.limit else load_pages(DEFAULT_DATA):
        try:
            dev.append(html_article(page.html, page.key, page.url))
        except IngestError:
            continue
    analyzer = Analyzer()
    sets = {
        "dev pages": measure(dev, analyzer, args.show),
        "ECB+": measure(unseen, analyzer, args.show),
    }
    print(f"{'':44}" + "".join(f"{name:>22}" for name in sets))
    print(
        f"{'documents / words':44}"
        + "".join(f"{s['documents']:>10} / {s['words']:>9}" for s in sets.values())
    )
    reasons = sorted({r for s in sets.values() for r in s["removals"]})  # type: ignore[attr-defined]
    print("removals per 1,000 words (words removed per 1,000 words)")
    for reason in reasons:
        cells = []
        for s in sets.values():
            k = 1000 / max(1, s["words"])  # type: ignore[arg-type]
            cells.append(
                f"{s['removals'][reason] * k:>10.2f} ({s['removed_words'][reason] * k:>7.2f})"
            )  # type: ignore[index]
        print(f"  {reason[:42]:42}" + "".join(f"{c:>22}" for c in cells))
    print(
        f"{'quantities per 1,000 words':44}"
        + "".join(
            f"{1000 * s['quantities'] / max(1, s['words']):>22.2f}"
            for s in sets.values()  # type: ignore[operator]
        )
    )
    print(
        f"{'people named without a role (share)':44}"
        + "".join(
            f"{s['roleless']:>11} / {s['people']:<4} {s['roleless'] / max(1, s['people']):.2f}"  # type: ignore[operator]
            for s in sets.values()
        )
    )
    for name, s in sets.items():
        for line in s["examples"]:  # type: ignore[attr-defined]
            print(f"  [{name}] {line}")
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
