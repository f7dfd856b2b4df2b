"""HTML extraction quality on ../shared/data/article-extraction, scored as that benchmark does.

For each page: 4-word shingles of the `\\w+` tokens of the extracted body and of the gold
`articleBody`; precision and recall per page, averaged over pages; F1 of the averages.
Every figure is printed per fold (pages split by the hash of their id, see folds.py) with the
mean, the spread and the worst fold.

    python benchmarks/extraction.py [--folds 5] [--baseline] [--variants] [--rules]

`--baseline` also scores trafilatura alone (its defaults: the page's own extraction with the
readability/jusText fallbacks); `--variants` scores the pipeline over trafilatura `fast=True`,
with the fallbacks, and with `favor_recall`, and times each; `--rules` prints, for each of the
cleaner's removal reasons, the words it removed per fold and the share of them that were not
in the gold body (the rule's precision).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from folds import fold_of, table

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "article-extraction"


class Page(NamedTuple):
    key: str
    html: str
    gold: str
    url: str | None


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(max(0, len(w) - n + 1))}


def page_scores(predicted: str, gold: str) -> tuple[float, float]:
    p, g = shingles(predicted), shingles(gold)
    if not p and not g:
        return 1.0, 1.0
    tp = len(p & g)
    precision = tp / len(p) if p else 0.0
    recall = tp / len(g) if g else 0.0
    return precision, recall


def load_pages(data: Path) -> list[Page]:
    truth = json.loads((data / "ground-truth.json").read_text())
    pages = []
    for key, item in sorted(truth.items()):
        html = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        pages.append(Page(key, html, item["articleBody"], item.get("url")))
    return pages


Extractor = Callable[[str, str | None], str]


def per_page(pages: list[Page], extract: Extractor) -> list[tuple[str, float, float]]:
    out = []
    for page in pages:
        p, r = page_scores(extract(page.html, page.url), page.gold)
        out.append((page.key, p, r))
    return out


def _aggregate(scores: list[tuple[str, float, float]]) -> dict[str, float]:
    precision = sum(p for _, p, _ in scores) / len(scores)
    recall = sum(r for _, _, r in scores) / len(scores)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pages": len(scores), "precision": precision, "recall": recall, "f1": f1}


def score(pages: list[Page], extract: Extractor) -> dict[str, float]:
    return _aggregate(per_page(pages, extract))


def fold_scores(
    scores: list[tuple[str, float, float]], k: int
) -> list[tuple[str, dict[str, float]]]:
    groups: dict[int, list[tuple[str, float, float]]] = defaultdict(list)
    for row in scores:
        groups[fold_of(row[0], k)].append(row)
    return [(str(i), _aggregate(groups[i])) for i in range(k) if groups[i]]


def pipeline_extract(fast: bool = True, favor_recall: bool = False) -> Extractor:
    from newsweave.clean import clean
    from newsweave.ingest.extract import extract_html
    from newsweave.models import RawArticle
    from newsweave.text import normalize_text

    def extract(html: str, url: str | None) -> str:
        got = extract_html(html, url, fast=fast, favor_recall=favor_recall)
        if got is None:
            return ""
        raw = RawArticle(
            origin=url or "page", kind="html", text=normalize_text(got.text),
            title=normalize_text(got.title) if got.title else None, url=got.url,
        )  # fmt: skip
        return "\n".join(clean(raw).paragraphs)

    return extract


def newsweave_extract(html: str, url: str | None) -> str:
    from newsweave.clean import clean
    from newsweave.errors import IngestError
    from newsweave.ingest import html_article

    try:
        raw = html_article(html, url or "page", url)
    except IngestError:
        return ""
    return "\n".join(clean(raw).paragraphs)


def trafilatura_extract(html: str, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def rule_precision(
    pages: list[Page], k: int, examples: dict[str, list[str]] | None = None
) -> dict[str, dict[int, tuple[int, int]]]:
    """Per removal reason and fold: (words removed, of which in the gold body). A removed word
    counts as gold when a 4-word shingle through it (the whole removal, if shorter) occurs in
    the gold body more often than in the cleaned body: a repeat the gold also repeats was
    wrongly removed, one the gold has once was rightly removed."""
    from collections import Counter

    from newsweave.clean import clean
    from newsweave.errors import IngestError
    from newsweave.ingest import html_article

    out: dict[str, dict[int, tuple[int, int]]] = defaultdict(lambda: defaultdict(lambda: (0, 0)))
    for page in pages:
        try:
            cleaned = clean(html_article(page.html, page.url or "page", page.url))
        except IngestError:
            continue
        gold_words = words(page.gold)
        kept_words = words("\n".join(cleaned.paragraphs))
        fold = fold_of(page.key, k)
        for removal in cleaned.removed:
            w = words(removal.text)
            if not w:
                continue
            n = min(4, len(w))
            gold_grams = Counter(
                tuple(gold_words[i : i + n]) for i in range(len(gold_words) - n + 1)
            )
            kept_grams = Counter(
                tuple(kept_words[i : i + n]) for i in range(len(kept_words) - n + 1)
            )
            in_gold = [False] * len(w)
            for i in range(len(w) - n + 1):
                gram = tuple(w[i : i + n])
                if gold_grams[gram] > kept_grams[gram]:
                    for j in range(i, i + n):
                        in_gold[j] = True
            reason = removal.reason
            removed, gold = out[reason][fold]
            out[reason][fold] = (removed + len(w), gold + sum(in_gold))
            if examples is not None and sum(in_gold):
                examples.setdefault(reason, []).append(
                    f"{page.key[:8]} f{fold}: {removal.text[:150]}"
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--baseline", action="store_true", help="Also score trafilatura alone.")
    parser.add_argument("--variants", action="store_true", help="Pipeline over trafilatura modes.")
    parser.add_argument("--rules", action="store_true", help="Per-rule precision of the cleaner.")
    parser.add_argument(
        "--show-removals", type=int, default=0, help="With --rules: wrong removals."
    )
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data}: no such folder (the shared evaluation data)")
    pages = load_pages(args.data)
    runs: list[tuple[str, Extractor]] = [("newsweave", newsweave_extract)]
    if args.baseline:
        runs.insert(0, ("trafilatura defaults", trafilatura_extract))
    if args.variants:
        runs += [
            ("newsweave, fallbacks", pipeline_extract(fast=False)),
            ("newsweave, favor_recall", pipeline_extract(fast=False, favor_recall=True)),
            ("newsweave, fast+favor_recall", pipeline_extract(fast=True, favor_recall=True)),
        ]
    columns = ["precision", "recall", "f1"]
    variant_folds: dict[str, list[tuple[str, dict[str, float]]]] = {}
    for name, fn in runs:
        started = time.perf_counter()
        scores = per_page(pages, fn)
        seconds = time.perf_counter() - started
        whole = _aggregate(scores)
        print(
            f"{name}: pages={len(pages)} P={whole['precision']:.4f} R={whole['recall']:.4f} "
            f"F1={whole['f1']:.4f} ({1000 * seconds / len(pages):.0f} ms/page)"
        )
        if args.folds > 1:
            variant_folds[name] = fold_scores(scores, args.folds)
            print(table(f"  {name}, {args.folds} folds", variant_folds[name], columns))
    pipeline_modes = [n for n in variant_folds if n.startswith("newsweave")]
    if args.variants and args.folds > 1:
        # The trafilatura mode is a parameter: chosen on K-1 folds, scored on the one left out.
        print("\nmode chosen on the other folds (by mean F1), scored on the fold left out")
        for i in range(args.folds):

            def mean_f1(name: str, i: int = i) -> float:
                rest = [f["f1"] for j, (_, f) in enumerate(variant_folds[name]) if j != i]
                return sum(rest) / len(rest)

            best = max(pipeline_modes, key=mean_f1)
            print(f"  fold {i}: {best:30} F1 {variant_folds[best][i][1]['f1']:.4f}")
    if args.rules:
        k = max(1, args.folds)
        examples: dict[str, list[str]] = {}
        per_rule = rule_precision(pages, k, examples)
        print(
            f"\nper-rule precision (words removed not in the gold body / words removed), {k} folds"
        )
        header = f"{'reason':40} {'words':>6} {'prec':>6}  " + " ".join(
            f"{'f' + str(i):>6}" for i in range(k)
        )
        print(header)
        for reason, by_fold in sorted(
            per_rule.items(), key=lambda kv: -sum(r for r, _ in kv[1].values())
        ):
            removed = sum(r for r, _ in by_fold.values())
            gold = sum(g for _, g in by_fold.values())
            cells = []
            for i in range(k):
                r, g = by_fold.get(i, (0, 0))
                cells.append(f"{(r - g) / r:6.3f}" if r else f"{'-':>6}")
            print(
                f"{reason[:40]:40} {removed:6d} {(removed - gold) / removed:6.3f}  "
                + " ".join(cells)
            )
        if args.show_removals:
            for reason, lines in examples.items():
                print(f"\n{reason}: removals holding gold text")
                for line in lines[: args.show_removals]:
                    print("  " + line)


if __name__ == "__main__":
    main()
