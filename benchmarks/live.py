"""Stories from real news pages: other languages, syndicated and updated copies, near-miss events.

The hand labels (benchmarks/live/labels.json) name each page by its address and the query that
found it in the stored-pages corpus of the search tool, with its published day, its language, its
story, its event and its copy group (pages carrying one agency text: republished, cut, padded,
or the next update of it). The page texts are not kept in the repository (their licences do not
allow it): they are read from a cache directory, `$NEWSWEAVE_LIVE_CACHE` or
/tmp/newsweave-live-cache, of `*.txt` files holding blocks that each start with a line
`=== <page id>` (benchmarks/live/README.md says how the cache is made). Without the cache the
script says so and exits 0.

Every page is added through `add_sources` (a JSON Lines file: text, url, published day; the
language is detected by the pipeline) into a temporary store and woven. Scores, for all pages and
for each fold (stories dealt round-robin into folds, so a rule tuned on some folds can be checked
on the others):

  story B³ P/R/F1   predicted story against the labelled story
  event B³ F1       predicted event (the events inside each woven story, weave/events.py, as
                    `newsweave story` shows them) against the labelled event
  copy pairs P/R    pairs sharing an origin group against pairs sharing a labelled copy group
  other languages   non-English pages that share a story with a page of their labelled story
  figures in brief  hand-labelled key figures of each event (labels.json "figures") that the
                    brief of the event's story lists, as a key or a disputed figure, with the
                    same value and kind of unit (% , percentage points, magnitude, storeys, or
                    a count of something); the event's story is the woven story holding most of
                    its pages. "analysable": figures some English page states (pages in other
                    languages are read for figures with a unit only, plain_quantities.py)

Order: the pages are added in the labels file's order by default, which is grouped by story, as
no feed is; incremental weaving depends on the order, so the file order alone overstates it.
`--order reversed` adds them last to first, `--order shuffle:N` in a random order with seed N.
`--orders K` weaves the file order, the reversed one and shuffles 1..K, prints the "all" row of
each on all pages and on each fold, then the mean and the minimum over the orders of story
P/R/F1, event F1 and copy R.

    python benchmarks/live.py [--folds 3] [--json] [--show] [--show-figures]
        [--order file|reversed|shuffle:N] [--orders K]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from newsweave.analyze import Analyzer
from newsweave.brief import brief_json
from newsweave.pipeline import add_sources, brief_story
from newsweave.store import Store
from newsweave.store.stories import get_story, story_events
from newsweave.weave import Weaver
from stories import bcubed

LABELS = Path(__file__).resolve().parent / "live" / "labels.json"
DEFAULT_CACHE = Path("/tmp/newsweave-live-cache")
_BLOCK = re.compile(r"^=== (\S+)[ \t]*\n", re.M)


def cache_dir() -> Path:
    return Path(os.environ.get("NEWSWEAVE_LIVE_CACHE") or DEFAULT_CACHE)


def load_texts(folder: Path) -> dict[str, str]:
    """Page id → text, from every `=== id` block of the cache's .txt files."""
    texts: dict[str, str] = {}
    for path in sorted(folder.glob("*.txt")):
        parts = _BLOCK.split(path.read_text(encoding="utf-8"))
        for pid, text in zip(parts[1::2], parts[2::2], strict=True):
            texts[pid] = text.strip("\n")
    return texts


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["pages"]
    return pages


def load_figures(path: Path = LABELS) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8")).get("figures", [])
    return figures


def ordered(pages: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    """The pages in the order `order` names: file, reversed or shuffle:N (seed N)."""
    if order == "file":
        return list(pages)
    if order == "reversed":
        return pages[::-1]
    kind, _, seed = order.partition(":")
    if kind == "shuffle" and seed.lstrip("-").isdigit():
        out = list(pages)
        random.Random(int(seed)).shuffle(out)
        return out
    raise SystemExit(f"live: unknown order {order!r} (file, reversed or shuffle:N)")


def folds_of(pages: list[dict[str, Any]], k: int) -> dict[str, int]:
    """Story → fold, dealt round-robin over the sorted story names."""
    stories = sorted({p["story"] for p in pages})
    return {s: i % k for i, s in enumerate(stories)}


def weave(pages: list[dict[str, Any]], texts: dict[str, str], workdir: Path) -> dict[str, Any]:
    """Add and weave the pages; each page's story and origin group, and the seconds taken."""
    feed = workdir / "pages.jsonl"
    with feed.open("w", encoding="utf-8") as out:
        for p in pages:
            row = {"text": texts[p["id"]], "url": p["url"], "published": p["published"]}
            # ASCII escapes keep a line separator inside a text (U+2028) from splitting its line.
            out.write(json.dumps({k: v for k, v in row.items() if v}) + "\n")
    started = time.perf_counter()
    with Store.open(workdir / "live.db") as store:
        results = list(add_sources(store, [str(feed)]))
        Weaver(store).weave()
        elapsed = time.perf_counter() - started
        story = dict(store.conn.execute("SELECT article_id, story_id FROM story_members"))
        group = dict(store.conn.execute("SELECT article_id, origin_group FROM origins"))
        language = dict(store.conn.execute("SELECT id, language FROM articles"))
        event = {
            a: f"{s}/{n}"
            for s in set(story.values())
            for n, e in enumerate(story_events(store, get_story(store, s)))
            for a in e.articles
        }
        analyzer = Analyzer()
        briefed = time.perf_counter()
        figures = {s: _brief_figures(store, s, analyzer) for s in set(story.values())}
        brief_seconds = time.perf_counter() - briefed
    ids = [r.id for r in results]
    failed = [f"{p['id']}: {r.error}" for p, r in zip(pages, results, strict=False) if not r.id]
    if len(ids) != len(pages) or failed:
        raise SystemExit(f"live: {len(pages)} pages gave {len(ids)} results; failed {failed[:3]}")
    return {
        "story": [story.get(i, f"missing-{n}") if i else f"missing-{n}" for n, i in enumerate(ids)],
        "event": [event.get(i, f"missing-{n}") if i else f"missing-{n}" for n, i in enumerate(ids)],
        "group": [group.get(i, f"alone-{n}") if i else f"alone-{n}" for n, i in enumerate(ids)],
        "language": [language.get(i) if i else None for i in ids],
        "figures": figures,
        "seconds": elapsed,
        "brief_seconds": brief_seconds,
    }


def _brief_figures(store: Store, story_id: str, analyzer: Analyzer) -> list[tuple[float, str]]:
    """(value, unit) of every figure the story's brief lists: key figures and disputed ones."""
    brief = brief_json(brief_story(store, story_id, analyzer=analyzer))
    listed = [*brief.get("figures", []), *(f for d in brief["disputes"] for f in d["figures"])]
    return [(float(f["value"]), f["unit"] or "") for f in listed]


# Units a labelled figure's kind accepts; "count" is any counted noun.
_KINDS = {
    "%": {"%"},
    "percentage points": {"percentage points"},
    "magnitude": {"magnitude"},
    "storeys": {"storeys", "floors"},
}
_NOT_COUNTS = {u for units in _KINDS.values() for u in units} | {"$", "€", "£", ""}


def _same_figure(gold: dict[str, Any], value: float, unit: str) -> bool:
    if abs(value - float(gold["value"])) > 1e-6 * max(1.0, abs(value)):
        return False
    kind = _KINDS.get(gold["unit"])
    return unit in kind if kind is not None else unit not in _NOT_COUNTS


def _figure_in_brief(
    pages: list[dict[str, Any]], woven: dict[str, Any], figure: dict[str, Any], idx: Sequence[int]
) -> tuple[str, bool, bool]:
    """The story holding most of the figure's event (ties: the one its pages are in), whether
    that story's brief lists the figure, and whether some English page states it."""
    at = {p["id"]: i for i, p in enumerate(pages)}
    members = [i for i in idx if pages[i]["event"] == figure["event"]]
    stated = Counter(woven["story"][at[p]] for p in figure["pages"])
    held = Counter(woven["story"][i] for i in members)
    story = max(held, key=lambda s: (held[s], stated[s]))
    hit = any(_same_figure(figure, v, u) for v, u in woven["figures"].get(story, []))
    english = any(pages[at[p]]["language"] == "en" for p in figure["pages"])
    return story, hit, english


def score_figures(
    pages: list[dict[str, Any]], woven: dict[str, Any], gold: list[dict[str, Any]], idx: list[int]
) -> dict[str, int]:
    """Labelled figures of the events in `idx` that their story's brief lists."""
    events = {pages[i]["event"] for i in idx}
    found = total = analysable = found_analysable = 0
    for figure in gold:
        if figure["event"] not in events:
            continue
        _, hit, english = _figure_in_brief(pages, woven, figure, idx)
        total += 1
        found += hit
        analysable += english
        found_analysable += hit and english
    return {
        "found": found,
        "total": total,
        "analysable_found": found_analysable,
        "analysable": analysable,
    }


def show_figures(pages: list[dict[str, Any]], woven: dict[str, Any]) -> None:
    """Each labelled figure the brief misses: its pages (language, woven story) and what the
    brief of its event's story lists instead, for reading the misses."""
    at = {p["id"]: i for i, p in enumerate(pages)}
    for figure in load_figures():
        story, hit, english = _figure_in_brief(pages, woven, figure, range(len(pages)))
        if hit:
            continue
        listed = woven["figures"].get(story, [])
        print(
            f"missed {figure['value']} {figure['unit']} ({figure['what']}) of {figure['event']}"
            f"{'' if english else ' [not analysable]'}; story {story[:8]}"
        )
        for pid in figure["pages"]:
            i = at[pid]
            mark = "" if woven["story"][i] == story else f" in story {woven['story'][i][:8]}"
            print(f"    {pid:<28} {pages[i]['language']}{mark}")
        print("    brief lists: " + ", ".join(f"{v:g} {u}".strip() for v, u in listed))


def pairs(labels: Sequence[Hashable | None], idx: Sequence[int]) -> set[tuple[int, int]]:
    members: dict[Hashable, list[int]] = defaultdict(list)
    for i in idx:
        if labels[i] is not None:
            members[labels[i]].append(i)
    return {pair for group in members.values() for pair in combinations(sorted(group), 2)}


def score(pages: list[dict[str, Any]], woven: dict[str, Any], idx: list[int]) -> dict[str, Any]:
    pred = [woven["story"][i] for i in idx]
    sp, sr, sf = bcubed(pred, [pages[i]["story"] for i in idx])
    ep, er, ef = bcubed([woven["event"][i] for i in idx], [pages[i]["event"] for i in idx])
    gold_pairs = pairs([p["copy_group"] for p in pages], idx)
    found_pairs = pairs(woven["group"], idx)
    hit = len(gold_pairs & found_pairs)
    foreign = [i for i in idx if pages[i]["language"] != "en"]
    joined = sum(
        any(
            j != i
            and pages[j]["story"] == pages[i]["story"]
            and woven["story"][j] == woven["story"][i]
            for j in range(len(pages))
        )
        for i in foreign
        if sum(p["story"] == pages[i]["story"] for p in pages) > 1
    )
    joinable = sum(1 for i in foreign if sum(p["story"] == pages[i]["story"] for p in pages) > 1)
    return {
        "pages": len(idx),
        "stories": len({pages[i]["story"] for i in idx}),
        "story": {"P": sp, "R": sr, "F1": sf},
        "event": {"P": ep, "R": er, "F1": ef},
        "copy": {
            "found": hit,
            "gold": len(gold_pairs),
            "links": len(found_pairs),
            "P": hit / len(found_pairs) if found_pairs else 1.0,
            "R": hit / len(gold_pairs) if gold_pairs else 1.0,
        },
        "foreign": {"joined": joined, "joinable": joinable},
        "figures": score_figures(pages, woven, load_figures(), idx),
    }


def evaluate(pages: list[dict[str, Any]], texts: dict[str, str], k: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        woven = weave(pages, texts, Path(tmp))
    fold = folds_of(pages, k)
    out: dict[str, Any] = {
        "seconds": woven["seconds"],
        "brief_seconds": woven["brief_seconds"],
        "all": score(pages, woven, list(range(len(pages)))),
    }
    for f in range(k):
        out[f"fold{f}"] = score(
            pages, woven, [i for i, p in enumerate(pages) if fold[p["story"]] == f]
        )
    out["woven"] = woven
    return out


def show(pages: list[dict[str, Any]], woven: dict[str, Any]) -> None:
    """Each predicted story with its pages' labels, for reading the errors."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(woven["story"]):
        members[s].append(i)
    for s, idx in sorted(members.items(), key=lambda kv: -len(kv[1])):
        print(f"story {s[:8]} ({len(idx)})")
        for i in idx:
            p = pages[i]
            print(
                f"    {p['id']:<28} {woven['language'][i] or '?':<3} {p['story']:<20} {p['event']:<18}"
                f" copy={p['copy_group'] or '-'} group={str(woven['group'][i])[:8]}"
                f" event={woven['event'][i].rpartition('/')[2]}"
            )


_SUMMARY = {
    "story P": ("story", "P"),
    "story R": ("story", "R"),
    "story F1": ("story", "F1"),
    "event F1": ("event", "F1"),
    "copy R": ("copy", "R"),
}


def summarise_orders(
    pages: list[dict[str, Any]], texts: dict[str, str], shuffles: int, k: int, as_json: bool
) -> None:
    """Weave the pages in the file order, reversed and `shuffles` seeded shuffles; the scores
    of each on all pages and on each of `k` folds, and their mean and minimum over the orders."""
    rows: dict[str, dict[str, Any]] = {}
    fold = folds_of(pages, k)
    for order in ["file", "reversed", *(f"shuffle:{n}" for n in range(1, shuffles + 1))]:
        run = ordered(pages, order)
        with tempfile.TemporaryDirectory() as tmp:
            woven = weave(run, texts, Path(tmp))
        rows[order] = {"all": score(run, woven, list(range(len(run))))}
        for f in range(k):
            idx = [i for i, p in enumerate(run) if fold[p["story"]] == f]
            rows[order][f"fold{f}"] = score(run, woven, idx)
        if not as_json:
            _print_order(order, rows[order])
    summary = {
        stat: {
            subset: {
                name: f([rows[o][subset][a][b] for o in rows]) for name, (a, b) in _SUMMARY.items()
            }
            for subset in rows["file"]
        }
        for stat, f in (("mean", lambda v: sum(v) / len(v)), ("min", min))
    }
    if as_json:
        print(json.dumps({"orders": rows, **summary}, indent=2))
        return
    for stat, subsets in summary.items():
        for subset, values in subsets.items():
            print(
                f"{stat:<10} {subset:<6} " + " ".join(f"{values[name]:>8.3f}" for name in _SUMMARY)
            )


def _print_order(order: str, subsets: dict[str, dict[str, Any]]) -> None:
    if order == "file":
        names = " ".join(f"{name:>8}" for name in _SUMMARY)
        print(f"{'order':<10} {'subset':<6} {names}  foreign joined")
    for subset, s in subsets.items():
        values = " ".join(f"{s[a][b]:>8.3f}" for a, b in _SUMMARY.values())
        c, f = s["copy"], s["foreign"]
        print(
            f"{order:<10} {subset:<6} {values}  {f['joined']}/{f['joinable']}"
            f"  (copy {c['found']}/{c['gold']})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show", action="store_true", help="print every woven story")
    parser.add_argument(
        "--show-figures", action="store_true", help="print each labelled figure the brief misses"
    )
    parser.add_argument(
        "--order", default="file", help="file (default), reversed or shuffle:N (seed N)"
    )
    parser.add_argument(
        "--orders",
        type=int,
        metavar="K",
        help="weave file order, reversed and K shuffles; print each and their mean and min",
    )
    args = parser.parse_args()
    pages = ordered(load_labels(), args.order)
    folder = cache_dir()
    texts = load_texts(folder) if folder.is_dir() else {}
    missing = [p["id"] for p in pages if p["id"] not in texts]
    if missing:
        print(
            f"live: skipped, {len(missing)} of {len(pages)} page texts are not in {folder} "
            f"(first: {missing[0]}); see benchmarks/live/README.md to build the cache"
        )
        return
    if args.orders is not None:
        summarise_orders(pages, texts, args.orders, args.folds, args.json)
        return
    result = evaluate(pages, texts, args.folds)
    woven = result.pop("woven")
    if args.json:
        print(json.dumps(result, indent=2))
        return
    languages = sorted({p["language"] for p in pages})
    print(
        f"{len(pages)} pages, {len({p['story'] for p in pages})} stories, "
        f"{len({p['event'] for p in pages})} events, {len(languages)} languages "
        f"({', '.join(languages)}); add + weave {result['seconds']:.1f} s,"
        f" briefs {result['brief_seconds']:.1f} s"
    )
    print(
        f"{'subset':<7} {'pages':>5} {'story P':>7} {'R':>6} {'F1':>6} {'event F1':>8}"
        f" {'copy P':>7} {'copy R':>7} {'foreign joined':>14} {'figures':>8} {'(analysable)':>12}"
    )
    for key, s in result.items():
        if key in {"seconds", "brief_seconds"}:
            continue
        c, f, g = s["copy"], s["foreign"], s["figures"]
        print(
            f"{key:<7} {s['pages']:>5} {s['story']['P']:7.3f} {s['story']['R']:6.3f}"
            f" {s['story']['F1']:6.3f} {s['event']['F1']:8.3f}"
            f" {c['P']:7.3f} {c['R']:7.3f} {f['joined']:>8}/{f['joinable']:<5}"
            f" {g['found']:>4}/{g['total']:<3} {g['analysable_found']:>6}/{g['analysable']:<5}"
            f"  (copy {c['found']}/{c['gold']} gold, {c['links']} links)"
        )
    if args.show:
        show(pages, woven)
    if args.show_figures:
        show_figures(pages, woven)


if __name__ == "__main__":
    main()
