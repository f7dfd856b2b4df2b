"""Where a dispute is decided: figures counting the same thing that disagree, who gives each,
and the denials and confirmation stances beside them."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from newsweave.analyze import Analysis, Quantity
from newsweave.brief.model import Dispute, Figure, Stance, _Sentence, _sentence_at, _unique
from newsweave.models import Article

_DENIAL = re.compile(
    r"\b(?:den(?:y|ied|ies|ial)|dismiss(?:ed|es)?|reject(?:ed|s)?|refut(?:ed|es)|fake news|"
    r"(?:is|was|are|were) (?:not true|untrue|false|baseless|groundless))\b",
    re.IGNORECASE,
)

_NOT_CONFIRMED = re.compile(
    r"\b(?:not (?:yet )?(?:been )?confirm(?:ed)?|cannot confirm|can't confirm|unconfirmed|could not confirm|has yet to confirm)\b",
    re.IGNORECASE,
)

_CONFIRMED = re.compile(r"\bconfirm(?:ed|s|ation)?\b", re.IGNORECASE)


def _disputes(
    articles: list[Article],
    analyses: dict[str, Analysis],
    sentences: list[_Sentence],
    speaker_name: Any,
    encode: Encode | None = None,
) -> list[Dispute]:
    found = _counted_figures(articles, analyses)
    subjects = _subjects({(q.unit or "", q.thing or q.unit or "") for q, _ in found}, encode)
    by_subject: dict[str, list[tuple[Quantity, str]]] = defaultdict(list)
    for q, article_id in found:
        by_subject[subjects[(q.unit or "", q.thing or q.unit or "")]].append((q, article_id))
    disputes = []
    for subject, items in by_subject.items():
        figures = _figures(_same_scale(items), analyses, sentences, speaker_name)
        rivals = _rivals(figures, encode)
        if len(rivals) < 2:
            continue
        dispute = Dispute(
            subject=f"how many {subject}", figures=sorted(rivals, key=lambda f: f.value)
        )
        disputes.append(dispute)
    disputes.sort(key=lambda d: -sum(len(f.articles) for f in d.figures))
    if disputes:
        # A denial in a story denies the story's main claim ("the ministry denied it").
        disputes[0].denials = _stances(analyses, sentences, speaker_name, _DENIAL, "denied")
    positions = _positions(analyses, sentences, speaker_name)
    if positions:
        disputes.append(Dispute(subject="whether it is confirmed", positions=positions))
    return disputes


def _counted_figures(
    articles: list[Article], analyses: dict[str, Analysis]
) -> list[tuple[Quantity, str]]:
    """The figures that count a thing, with their article: no shares, money, durations,
    small numbers or orders of magnitude."""
    # A span giving two values (a range "3,000 to 5,000", a score "88-72") is one claim, not
    # two rival figures: it stays out.
    spans = {a.id: Counter(q.start for q in analyses[a.id].quantities) for a in articles}
    return [
        (q, a.id)
        for a in articles
        for q in analyses[a.id].quantities
        if spans[a.id][q.start] == 1
        and q.unit
        and q.unit not in {"%", "$", "€", "£"}
        and q.unit not in _DURATIONS
        and q.value >= 10
        and q.qualifier != "several"
    ]


def _figures(
    items: list[tuple[Quantity, str]],
    analyses: dict[str, Analysis],
    sentences: list[_Sentence],
    speaker_name: Any,
) -> list[Figure]:
    """One Figure per value of a subject, with who gives it, where, and the sentences."""
    figures: dict[float, Figure] = {}
    qualifiers: dict[float, Counter[str | None]] = defaultdict(Counter)
    for q, article_id in items:
        qualifiers[q.value][q.qualifier] += 1
        sentence = _sentence_at(sentences, article_id, q.start)
        said_by = _said_by(analyses[article_id], q, speaker_name)
        figure = figures.get(q.value)
        if figure is None:
            figure = figures[q.value] = Figure(q.value, q.qualifier, q.unit, [], [], [])
        figure.said_by = _unique([*figure.said_by, *said_by])
        figure.articles = _unique([*figure.articles, article_id])
        if sentence and sentence.text not in figure.evidence:
            figure.evidence.append(sentence.text)
    for value, figure in figures.items():
        # The wording most mentions use ("10,000", not one outlet's "over 10,000").
        figure.qualifier = max(
            qualifiers[value].items(), key=lambda kv: (kv[1], kv[0] is not None)
        )[0]
    return list(figures.values())


Encode = Callable[[Sequence[str]], "npt.NDArray[np.float32]"]


def _encode(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    from newsweave.weave.embed import get_embedder

    return get_embedder().encode(texts)


# Lengths of time are not counts of a thing ("a 10-year sentence", "two weeks of talks").
_DURATIONS = {"years", "months", "weeks", "days", "hours", "minutes", "seconds", "decades"}

# Words for people killed or lost: a count of "losses" and one of "deaths" answer the same
# question, though the words alone are not close in the embedding space.
_CASUALTIES = {
    "casualties", "casualty", "deaths", "death", "dead", "losses", "loss", "fatalities",
    "killed", "lives", "victims", "toll", "bodies",
}  # fmt: skip

SAME_NOUN = (
    0.8  # embedding cosine of two counted nouns ("soldiers", "troops"; not "sailors", "ships")
)

SAME_THING = 0.8  # ... of two counted phrases ("Dutch fighters", "Dutch soldiers")

# A figure this many times off the story's typical figure for its subject counts something
# else ("18 soldiers escaped", "an army of 1.2 million soldiers"), not a rival estimate.
OTHER_SCALE = 20.0


def _subjects(
    things: set[tuple[str, str]], encode: Encode | None = None
) -> dict[tuple[str, str], str]:
    """Counted things meaning the same (unit, phrase) map to one subject: casualty words
    together; else nouns or phrases close in the embedding model, unless their names disagree
    ("Dutch soldiers" are not "Belgian soldiers")."""
    ordered = sorted(things)
    if not ordered:
        return {}
    encode = encode or _encode
    nouns = encode([u for u, _ in ordered])
    phrases = encode([t for _, t in ordered])
    names = [_names_in(t, u) for u, t in ordered]

    def same(i: int, j: int) -> bool:
        if names[i] and names[j] and not names[i] & names[j]:
            return False
        (ui, _), (uj, _) = ordered[i], ordered[j]
        if ui in _CASUALTIES and uj in _CASUALTIES:
            return True
        return (
            float(nouns[i] @ nouns[j]) >= SAME_NOUN or float(phrases[i] @ phrases[j]) >= SAME_THING
        )

    # Single linkage: each thing joins the first group holding something it means.
    groups: list[list[int]] = []
    for i in range(len(ordered)):
        group = next((g for g in groups if any(same(i, j) for j in g)), None)
        if group is None:
            groups.append([i])
        else:
            group.append(i)
    mapping: dict[tuple[str, str], str] = {}
    for group in groups:
        units = [ordered[i][0] for i in group]
        if all(u in _CASUALTIES for u in units) and len(set(units)) > 1:
            label = "casualties"
        else:
            label = Counter(units).most_common(1)[0][0]
        carried = Counter(n for i in group for n in names[i])
        shared = {n for n, c in carried.items() if c * 2 > len(group)}
        if shared:
            first = ordered[group[0]][1].split()
            label = " ".join(w for w in first if w in shared) + " " + label
        for i in group:
            mapping[ordered[i]] = label
    return mapping


SAME_CLAIM = 0.5  # embedding cosine of two sentences giving rival figures for one claim

_CONTRAST = re.compile(
    r"\b(?:though|although|whereas|however|compared with|compared to|rather than|"
    r"instead of|contrary to|disputed?|contradict\w*)\b",
    re.IGNORECASE,
)

RIVAL_SENTENCES = 4


def _rivals(figures: list[Figure], encode: Encode | None = None) -> list[Figure]:
    """The figures that answer one question: linked when some sentence giving one is close in
    meaning to a sentence giving the other (or is the same sentence). "The navy captured 23
    pirates" and "12 guns were seized" share a story, not a claim. The largest group wins."""
    if len(figures) < 2:
        return figures
    # A few sentences per figure are enough to place it (and keep a big story's brief fast).
    shown = [f.evidence[:RIVAL_SENTENCES] for f in figures]
    texts = _unique(t for evidence in shown for t in evidence)
    vectors = (encode or _encode)(texts)
    at = {t: i for i, t in enumerate(texts)}
    close = vectors @ vectors.T >= SAME_CLAIM
    # Two figures in one sentence are rivals only when the sentence sets them against each
    # other ("500,000 ..., though the minister had said over 300,000"); else they count
    # different things ("Miller averages 15.5 points, Iguodala 14.9").
    for t, i in at.items():
        close[i, i] = bool(_CONTRAST.search(t))
    groups = _linked([[at[t] for t in evidence] for evidence in shown], close)
    valid = [c for c in (_contested(g, figures) for g in groups) if len(c) >= 2]
    if not valid:
        return []
    best = max(valid, key=lambda g: (len(g), sum(len(figures[j].articles) for j in g)))
    return [figures[j] for j in sorted(best)]


def _linked(sentences: list[list[int]], close: npt.NDArray[np.bool_]) -> list[list[int]]:
    """Figures (each given by its sentences' indices) grouped: two are linked when a sentence of
    one is close to a sentence of the other."""
    groups: list[list[int]] = []
    for i in range(len(sentences)):
        mine = sentences[i]
        linked = [
            g for g in groups if any(close[a, b] for j in g for a in mine for b in sentences[j])
        ]
        merged = [i] + [j for g in linked for j in g]
        groups = [g for g in groups if g not in linked] + [merged]
    return groups


def _contested(g: list[int], figures: list[Figure]) -> list[int]:
    """A dispute is between people: at least two of its figures are attributed to someone, or
    one sentence sets two of them against each other. A season's statistics, which nobody
    "says", are not a dispute."""
    if sum(1 for j in g if figures[j].said_by) >= 2:
        return g
    # Else only the figures one sentence sets against each other.
    shared = Counter(t for j in g for t in set(figures[j].evidence))
    for t, n in shared.items():
        if n >= 2 and _CONTRAST.search(t):
            return [j for j in g if t in figures[j].evidence]
    return []


def _names_in(thing: str, unit: str) -> set[str]:
    words = thing.split()
    return (
        {w for w in words[:-1] if w[:1].isupper()}
        if words and words[-1].lower() == unit
        else {w for w in words if w[:1].isupper() and w.lower() != unit}
    )


def _same_scale(items: list[tuple[Quantity, str]]) -> list[tuple[Quantity, str]]:
    """The figures within OTHER_SCALE of the subject's median, each article counting once."""
    per_article = sorted({(q.value, a) for q, a in items})
    if len(per_article) < 3:
        return items
    values = sorted(v for v, _ in per_article)
    median = values[len(values) // 2]
    return [(q, a) for q, a in items if 1 / OTHER_SCALE <= q.value / median <= OTHER_SCALE]


def _said_by(analysis: Analysis, quantity: Quantity, speaker_name: Any) -> list[str]:
    """Who a figure comes from: the innermost attribution around it that names someone (a
    person, an organisation or a country, not a stray subject such as "his agency"), and, when
    that is an organisation, the person voicing it. In "Roe said that Doe told lawmakers that
    10,000 ...", Roe passes the figure on and Doe gave it; in "Roe said the Department
    believes 10,000 ...", the figure is the Department's, given by Roe."""
    persons = {speaker_name(e.text) for e in analysis.entities if e.type == "PERSON"}
    known = _speaking(analysis) | persons
    around = sorted(
        (q for q in analysis.quotes if q.speaker and q.start <= quantity.start < q.end + 1),
        key=lambda q: q.end - q.start,
    )
    speakers: list[str] = []
    for q in around:
        name = speaker_name(q.speaker)
        if name and name in known:
            speakers.append(name)
            if name in persons:
                break
    return _unique(speakers)


def _speaking(analysis: Analysis) -> set[str]:
    """Names that can say a figure: people and organisations. A country or a town ("North
    Korea", tagged a place) is where a figure is about, not who gives it; a name the text tags
    both ways goes by most of its mentions."""
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for entity in analysis.entities:
        kinds[entity.text][entity.type] += 1
    return {
        name
        for name, kind in kinds.items()
        if kind["PERSON"] + kind["ORG"] > kind["PLACE"] + kind["GROUP"]
    }


def _stances(
    analyses: dict[str, Analysis],
    sentences: list[_Sentence],
    speaker_name: Any,
    cue: re.Pattern[str],
    stance: str,
) -> list[Stance]:
    found: dict[str, Stance] = {}
    for sentence in sentences:
        match = cue.search(sentence.text)
        if not match:
            continue
        analysis = analyses[sentence.article]
        speakers = _speakers_of(sentence, sentence.start + match.start(), analysis, speaker_name)
        key = ",".join(speakers) or sentence.article
        entry = found.setdefault(key, Stance(stance, speakers, [], []))
        entry.articles = _unique([*entry.articles, sentence.article])
        entry.evidence.append(sentence.text)
    return list(found.values())


def _speakers_of(
    sentence: _Sentence, cue_at: int, analysis: Analysis, speaker_name: Any
) -> list[str]:
    """Who a stance in a sentence belongs to: the attribution inside it; else the name just
    before the verb ("..., but the ministry denied it"); else, for a sentence opening with a
    pronoun ("His comments were ..."), the last person named before it."""
    speakers = _unique(
        speaker_name(q.speaker)
        for q in analysis.quotes
        if q.speaker and sentence.start <= q.start < sentence.end
    )
    if speakers:
        return speakers
    if re.match(r"(?:he|she|his|her)\b", sentence.text, re.IGNORECASE):
        earlier = [e for e in analysis.entities if e.type == "PERSON" and e.end <= sentence.start]
        if earlier:
            return _unique([speaker_name(earlier[-1].text)])
    named = [
        e
        for e in analysis.entities
        if e.type in {"PERSON", "ORG", "PLACE"} and sentence.start <= e.start and e.end <= cue_at
    ]
    if named:
        return _unique([speaker_name(named[-1].text)])
    return []


def _positions(
    analyses: dict[str, Analysis], sentences: list[_Sentence], speaker_name: Any
) -> list[Stance]:
    """Confirmation stances: "has not yet confirmed" and "confirmed", with who took each."""
    stances: dict[str, Stance] = {}
    for sentence in sentences:
        if _NOT_CONFIRMED.search(sentence.text):
            stance = "not confirmed"
        elif _CONFIRMED.search(sentence.text):
            stance = "confirmed"
        else:
            continue
        cue = _NOT_CONFIRMED.search(sentence.text) or _CONFIRMED.search(sentence.text)
        assert cue is not None
        speakers = _speakers_of(
            sentence, sentence.start + cue.start(), analyses[sentence.article], speaker_name
        )
        entry = stances.setdefault(stance, Stance(stance, [], [], []))
        entry.said_by = _unique([*entry.said_by, *speakers])
        entry.articles = _unique([*entry.articles, sentence.article])
        entry.evidence.append(sentence.text)
    return list(stances.values()) if len(stances) > 1 else []
