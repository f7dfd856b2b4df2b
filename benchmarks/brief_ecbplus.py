"""Every ECB+ story briefed: a check that briefs hold up on news they were not built on.

All 772 ECB+ documents are added as text files and woven; each story is briefed and rendered
as markdown, JSON and HTML. Prints the number of stories, how many briefs failed (with their
tracebacks), the disputes found (ECB+ has no gold for disputes: read them with `--show`), and
the time taken with every article analysed cold.

    python benchmarks/brief_ecbplus.py [--show]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ecbplus
from newsweave.brief import brief_html, brief_json, brief_markdown
from newsweave.brief.render import _figure_text
from newsweave.pipeline import add_sources, brief_story
from newsweave.store import Store
from newsweave.store.stories import list_stories
from newsweave.weave import Weaver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print each dispute's figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "docs"
        root.mkdir()
        for doc in ecbplus.load():
            (root / f"{doc.name}.txt").write_text(doc.text, encoding="utf-8")
        with Store.open(Path(tmp) / "ecbplus.db") as store:
            list(add_sources(store, [str(root)]))
            Weaver(store).weave()
            stories = list_stories(store)
            started = time.perf_counter()
            failed = disputes = 0
            for story in stories:
                try:
                    brief = brief_story(store, story.id)
                    brief_markdown(brief), brief_json(brief), brief_html(brief)
                except Exception:  # every failure is counted and shown, the run goes on
                    failed += 1
                    traceback.print_exc()
                    continue
                for dispute in brief.disputes:
                    disputes += 1
                    if args.show:
                        print(f"{brief.title or story.id}: {dispute.subject}")
                        for f in dispute.figures:
                            print(f"    {_figure_text(f)}  said by {', '.join(f.said_by) or '—'}")
            seconds = time.perf_counter() - started
    print(
        f"ECB+: {len(stories)} stories briefed, {failed} failed, {disputes} disputes, "
        f"{seconds:.0f} s (analysis cold)"
    )


if __name__ == "__main__":
    main()
