"""The seed story's brief scored against ../shared/eval/seeds-gold.json.

Names are compared by surname (case-insensitive), numbers by value, articles by the first three
characters of the seed file name, as the gold's README says. Prints, per block, how much of the
gold the brief has: dispute figures (value; speakers; articles), denials, confirmation stances,
quotes (wording, speaker, articles), timeline dates, people with their roles, and whether anyone
named only in removed text (the advert) got into the brief.

    python benchmarks/brief_seeds.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ecbplus import SHARED
from newsweave.brief import brief_json
from newsweave.pipeline import add_sources, brief_story
from newsweave.store import Store
from newsweave.store.stories import list_stories
from newsweave.text import STOPWORDS, tokens
from newsweave.weave import Weaver

GOLD = SHARED / "eval" / "seeds-gold.json"


def _surname(name: str) -> str:
    return name.replace("’", "'").split()[-1].lower().removesuffix("'s") if name.split() else ""


def _surnames(names: list[str]) -> set[str]:
    out = set()
    for name in names:
        out |= {w.lower().strip(",.") for w in name.split()}
    return out


def _words(text: str) -> set[str]:
    return {w for w in tokens(text) if w not in STOPWORDS}


def score(
    brief: dict[str, Any], gold: dict[str, Any], short: dict[str, str]
) -> dict[str, tuple[int, int]]:
    def arts(ids: list[str]) -> set[str]:
        return {short[i] for i in ids}

    figures = [f for d in brief["disputes"] for f in d["figures"]]
    result: dict[str, tuple[int, int]] = {}
    found = speakers = cited = total = 0
    for dispute in gold["disputes"]:
        for figure in dispute.get("figures", []):
            total += 1
            mine = [f for f in figures if abs(f["value"] - figure["value"]) < 1e-6]
            if not mine:
                continue
            found += 1
            said = _surnames([s for f in mine for s in f["said_by"]])
            speakers += all(_surname(s) in said for s in figure["said_by"])
            cited += set(figure["articles"]) <= arts([a for f in mine for a in f["articles"]])
    result["dispute figures found"] = (found, total)
    result["  figures with every speaker"] = (speakers, total)
    result["  figures with every article"] = (cited, total)
    denials = [d for g in gold["disputes"] for d in g.get("denials", [])]
    mine_denials = [s for d in brief["disputes"] for s in d["denials"]]
    result["denials (speaker found)"] = (
        sum(
            bool(
                _surnames(d["said_by"]) & _surnames([n for s in mine_denials for n in s["said_by"]])
            )
            for d in denials
        ),
        len(denials),
    )
    positions = [p for g in gold["disputes"] for p in g.get("positions", [])]
    mine_positions = [s for d in brief["disputes"] for s in d["positions"]]
    result["positions (stance and a speaker)"] = (
        sum(
            any(
                ("not" in p["position"]) == ("not" in s["stance"])
                and _surnames(p["said_by"]) & _surnames(s["said_by"])
                for s in mine_positions
            )
            for p in positions
        ),
        len(positions),
    )
    q_found = q_speaker = q_articles = 0
    for quote in gold["quotes"]:
        wanted = _words(quote["text"])
        mine = [
            q for q in brief["quotes"]
            if any(len(wanted & _words(v)) >= 0.6 * len(wanted) for v in q["variants"])
        ]  # fmt: skip
        if not mine:
            continue
        q_found += 1
        q_speaker += any(
            q["speaker"] and _surname(quote["speaker"]) in _surnames([q["speaker"]]) for q in mine
        )
        q_articles += set(quote["articles"]) <= arts([a for q in mine for a in q["articles"]])
    result["quotes found"] = (q_found, len(gold["quotes"]))
    result["  quotes with the speaker"] = (q_speaker, len(gold["quotes"]))
    result["  quotes with every article"] = (q_articles, len(gold["quotes"]))
    timeline = {(e["date"], e["precision"]): arts(e["articles"]) for e in brief["timeline"]}
    result["timeline dates (with articles)"] = (
        sum(
            set(e["articles"]) <= timeline.get((e["date"], e["precision"]), set())
            for e in gold["timeline"]
        ),
        len(gold["timeline"]),
    )
    people_found = with_role = 0
    for person in gold["people"].values():
        parts = {w.lower() for w in person["name"].split()}
        mine = [p for p in brief["people"] if parts & _surnames([p["name"], *p["aliases"]])]
        people_found += bool(mine)
        wanted = _words(person["role"])
        with_role += any(
            p["role"] and len(wanted & _words(p["role"])) >= 0.5 * len(wanted) for p in mine
        )
    result["people found"] = (people_found, len(gold["people"]))
    result["  people with their role"] = (with_role, len(gold["people"]))
    return result


def main() -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "seeds.db") as store:
        short = {
            r.id: Path(r.origin).name[:3]
            for r in add_sources(store, [str(SHARED / "seeds")])
            if r.id
        }
        Weaver(store).weave()
        story = max(list_stories(store), key=lambda s: len(s.articles))
        brief = brief_json(brief_story(store, story.id))
        removed = " ".join(r.text for i in short for r in store.get(i).removed)
        bodies = " ".join(" ".join(store.get(i).body) for i in short)
        leaked = [
            p["name"] for p in brief["people"] if p["name"] in removed and p["name"] not in bodies
        ]
    for key, (hit, total) in score(brief, gold, short).items():
        print(f"{key:<34} {hit}/{total}")
    print(f"{'people only in removed text':<34} {len(leaked)} {leaked}")


if __name__ == "__main__":
    main()
