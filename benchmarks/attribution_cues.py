"""Which verbs and nouns PolNeAR's annotators take as attribution cues, and which nouns name a
source: the source of quotes.py's `_STANCE`, `_SPEECH_NOUNS` and `_SOURCE_NOUNS`.

Reads the PolNeAR *train* split only (840 documents; the dev split that
benchmarks/attribution.py scores is not read).

- Source nouns: for every lower-case common noun that is a verb's subject, how often it heads a
  gold source. Prints those seen at least `--noun-count` times that head a source at least
  `--noun-rate` of the time, as the sorted list `_SOURCE_NOUNS` holds.
- Stance verbs: for every verb whose subject can hold a stance (a named person or organisation,
  a personal pronoun or one of those source nouns: `quotes._speaking_subject`), how often it
  heads a gold cue. Prints, for the verbs quotes.py does not list as speech, those seen at least
  `--min-count` times that are a cue at least `--min-rate` of the time, as the sorted list
  `_STANCE` holds, then the listed verbs that are rarely a cue.
- Speech nouns: for every noun with a holder and a complement ("her claim that ...", "his
  praise for ...": `quotes._noun_speech`), how often it heads a gold cue; printed with the same
  thresholds as the verbs, as the sorted list `_SPEECH_NOUNS` holds.

The tables in quotes.py are these lists as printed with the defaults; the thresholds were chosen
by the mean F1 over the dev split's 5 folds (benchmarks/attribution.py).

    python benchmarks/attribution_cues.py [--min-count 3] [--min-rate 0.3]
        [--noun-count 5] [--noun-rate 0.4]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from attribution import POLNEAR
from newsweave.analyze import quotes
from newsweave.analyze.model import load_model


def spans(ann: Path, role: str) -> list[tuple[int, int]]:
    out = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2 and fields[1].startswith(role + " "):
            numbers = [int(x) for x in fields[1].replace(";", " ").split()[1:]]
            out.append((min(numbers), max(numbers)))
    return out


def _heads(doc: Any, found: list[tuple[int, int]]) -> set[int]:
    """The token of each span whose head lies outside it."""
    heads = set()
    for start, end in found:
        inside = [t for t in doc if start <= t.idx < end]
        top = [t for t in inside if not (start <= t.head.idx < end) or t.head.i == t.i]
        if top:
            heads.add(top[0].i)
    return heads


def counts(split: str = "train") -> tuple[Counter[str], ...]:
    """Per verb lemma: how often it has a stance-holding subject, and how often it then heads a
    gold cue (the cue's token whose head lies outside the cue); per subject noun lemma, how often
    it is a verb's subject, and how often it then heads a gold source; per speech noun lemma with
    a holder and a complement, how often it is seen, and how often it then heads a gold cue."""
    nlp = load_model()
    seen: Counter[str] = Counter()
    cue: Counter[str] = Counter()
    subject: Counter[str] = Counter()
    source: Counter[str] = Counter()
    noun_seen: Counter[str] = Counter()
    noun_cue: Counter[str] = Counter()
    paths = sorted((POLNEAR / split / "text").glob("*.txt"))
    anns = [sorted((POLNEAR / split / "attributions").glob(p.stem + "_*.ann")) for p in paths]
    kept = [(p, a[0]) for p, a in zip(paths, anns, strict=True) if a]
    texts = (p.read_text(encoding="utf-8") for p, _ in kept)
    for (_, ann), doc in zip(kept, nlp.pipe(texts, batch_size=16), strict=True):
        heads = _heads(doc, spans(ann, "Cue"))
        sources = _heads(doc, spans(ann, "Source"))
        for token in doc:
            if (
                token.dep_ == "nsubj"
                and token.pos_ == "NOUN"
                and token.is_lower
                and token.head.pos_ == "VERB"
            ):
                subject[token.lemma_.lower()] += 1
                source[token.lemma_.lower()] += token.i in sources
            if token.pos_ == "NOUN" and quotes._noun_speech(token) is not None:
                noun_seen[token.lemma_.lower()] += 1
                noun_cue[token.lemma_.lower()] += token.i in heads
            if token.pos_ != "VERB":
                continue
            subjects = quotes._speech_subjects(token)
            if not subjects or not quotes._speaking_subject(subjects[0]):
                continue
            lemma = token.lemma_.lower()
            seen[lemma] += 1
            cue[lemma] += token.i in heads
    return seen, cue, subject, source, noun_seen, noun_cue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--min-rate", type=float, default=0.3)
    parser.add_argument("--noun-count", type=int, default=5)
    parser.add_argument("--noun-rate", type=float, default=0.4)
    args = parser.parse_args()
    seen, cue, subject, source, noun_seen, noun_cue = counts()
    nouns = sorted(
        lemma
        for lemma, n in subject.items()
        if n >= args.noun_count and source[lemma] / n >= args.noun_rate
    )
    print(
        f"{len(nouns)} subject nouns, a source ≥ {args.noun_rate:.0%} of ≥ {args.noun_count} times:"
    )
    print(nouns)
    speech_nouns = sorted(
        lemma
        for lemma, n in noun_seen.items()
        if n >= args.min_count and noun_cue[lemma] / n >= args.min_rate and lemma.isalpha()
    )
    print(
        f"{len(speech_nouns)} nouns with a holder and a complement (`quotes._noun_speech`), a cue "
        f"≥ {args.min_rate:.0%} of ≥ {args.min_count} times:"
    )
    print(speech_nouns)
    listed = quotes._SPEECH | quotes._OBJECT_SPEECH | quotes._INTENT
    # Verbs of being and having are cues only with a speech noun ("his view is that ...").
    new = sorted(
        lemma
        for lemma, n in seen.items()
        if n >= args.min_count
        and cue[lemma] / n >= args.min_rate
        and lemma not in listed
        and lemma.isalpha()
        and lemma not in {"be", "have"}
    )
    print(f"{len(new)} verbs, a cue ≥ {args.min_rate:.0%} of ≥ {args.min_count} times:")
    print(new)
    rare = sorted(
        (cue[lemma] / seen[lemma], lemma, seen[lemma])
        for lemma in listed
        if seen[lemma] >= 10 and cue[lemma] / seen[lemma] < 0.2
    )
    print("listed verbs rarely a cue (rate, lemma, count):", rare)


if __name__ == "__main__":
    main()
