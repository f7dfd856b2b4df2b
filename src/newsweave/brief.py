"""Brief: one story told from all its sources, every statement pointing at the articles behind it.

Built from each member's analysis (analyze.py, cached in the store):

- summary     sentences grouped across articles by shared content words; the groups most
              articles carry, earliest first in the article, redundancy removed; each sentence
              cites every article in its group
- disputes    figures counting the same thing (counted nouns close in meaning) that disagree,
              each with who said it (the attribution around it) and where; denials and
              confirmation stances beside them
- quotes      each quotation once, its speaker, the articles carrying it and its wordings
- timeline    dated expressions (day, week, month or year), with the sentence they date
- people      names merged by surname, with roles from appositions; places and organisations
              with acronyms and common aliases merged
- sources     per article, what no other article in the story carries
- since       what is new since a date (or the last read of any article in the story)
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from newsweave.analyze import (
    ROLE_WORDS,
    Analysis,
    Analyzer,
    Quantity,
    analysis_text,
    analyze_stored,
)
from newsweave.models import Article
from newsweave.safety import markdown_inline as _md
from newsweave.safety import markdown_inline_html, split_table_row
from newsweave.store import Store
from newsweave.text import STOPWORDS, tokens
from newsweave.weave import get_story

_PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "this", "that", "who", "which"}
SAME_INFORMATION = 0.45  # cosine of content words for two sentences to carry the same information
SAME_QUOTE = 0.5
MIN_SUMMARY, MAX_SUMMARY = 4, 8

# Common names for the same country or body that no rule can derive from the words themselves.
ALIASES = {
    "dprk": "North Korea", "democratic people's republic of korea": "North Korea",
    "rok": "South Korea", "republic of korea": "South Korea",
    "us": "United States", "u.s.": "United States", "usa": "United States", "america": "United States",
    "uk": "United Kingdom", "britain": "United Kingdom", "great britain": "United Kingdom",
    "russian federation": "Russia", "prc": "China", "people's republic of china": "China",
    "eu": "European Union", "un": "United Nations", "u.n.": "United Nations",
    "pentagon": "Department of Defense", "dod": "Department of Defense",
    "defense department": "Department of Defense", "us department of defense": "Department of Defense",
    "u.s. department of defense": "Department of Defense",
}  # fmt: skip
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


@dataclass
class Cited:
    text: str
    articles: list[str]


@dataclass
class Figure:
    value: float
    qualifier: str | None
    unit: str | None
    said_by: list[str]
    articles: list[str]
    evidence: list[str]


@dataclass
class Stance:
    stance: str
    said_by: list[str]
    articles: list[str]
    evidence: list[str]


@dataclass
class Dispute:
    subject: str
    figures: list[Figure] = field(default_factory=list)
    denials: list[Stance] = field(default_factory=list)
    positions: list[Stance] = field(default_factory=list)


@dataclass
class QuoteEntry:
    speaker: str | None
    text: str
    articles: list[str]
    variants: list[str]


@dataclass
class TimelineEntry:
    date: str
    precision: str
    text: str
    articles: list[str]


@dataclass
class Named:
    name: str
    aliases: list[str]
    articles: list[str]
    role: str | None = None


@dataclass
class SourceNote:
    article: str
    source: str | None
    title: str | None
    adds: list[str]


@dataclass
class FigureChange:
    """A disputed subject whose figures new articles changed: what was known, what is now."""

    subject: str
    before: list[str]
    now: list[str]
    articles: list[str]  # the new articles behind the change


@dataclass
class SinceLastRead:
    since: str | None
    # True when `since` is the reader's last read: new articles are then the unread members.
    per_article: bool = False
    new_articles: list[str] = field(default_factory=list)
    new_figures: list[Figure] = field(default_factory=list)
    new_quotes: list[QuoteEntry] = field(default_factory=list)
    changed_figures: list[FigureChange] = field(default_factory=list)


@dataclass
class Brief:
    story: str
    title: str | None
    articles: list[str]
    summary: list[Cited]
    disputes: list[Dispute]
    quotes: list[QuoteEntry]
    timeline: list[TimelineEntry]
    people: list[Named]
    places: list[Named]
    organizations: list[Named]
    sources: list[SourceNote]
    since_last_read: SinceLastRead


@dataclass
class _Sentence:
    article: str
    index: int
    text: str
    start: int
    end: int
    words: Counter[str]


# -- helpers ----------------------------------------------------------------------------------


def _words(text: str) -> Counter[str]:
    return Counter(w for w in tokens(text) if w not in STOPWORDS and len(w) > 1)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    shared = a.keys() & b.keys()
    if not shared:
        return 0.0
    dot = sum(a[w] * b[w] for w in shared)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _sentence_at(sentences: list[_Sentence], article: str, offset: int) -> _Sentence | None:
    for s in sentences:
        if s.article == article and s.start <= offset < s.end:
            return s
    return None


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


# -- the brief --------------------------------------------------------------------------------


def build_brief(
    store: Store, story_id: str, since: str | None = None, analyzer: Analyzer | None = None
) -> Brief:
    story = get_story(store, story_id)
    articles = [store.get(i) for i in story.articles]
    analyzer = analyzer or _lazy_analyzer(store, story.articles)
    analyses = {a.id: analyze_stored(store, a.id, analyzer) for a in articles}
    sentences = _sentences(articles, analyses)
    groups = _group(sentences)
    people = _people(articles, analyses)
    speaker_name = _speaker_resolver(people)
    quotes = _quotes(analyses, speaker_name)
    disputes = _disputes(articles, analyses, sentences, speaker_name, _cached_encoder(store))
    places, organizations = _named(articles, analyses, people)
    return Brief(
        story=story.id,
        title=story.title,
        articles=story.articles,
        summary=_summary(groups),
        disputes=disputes,
        quotes=quotes,
        timeline=_timeline(analyses, sentences),
        people=people,
        places=places,
        organizations=organizations,
        sources=_sources(articles, groups, disputes, quotes),
        since_last_read=_since(store, articles, since, disputes, quotes),
    )


def _lazy_analyzer(store: Store, ids: list[str]) -> Analyzer | None:
    """The spaCy model only when some article has no cached analysis (a warm brief skips it)."""
    from newsweave.analyze import ANALYSIS_VERSION, reference_date

    for article_id in ids:
        row = store.conn.execute(
            "SELECT version, reference FROM article_analysis WHERE article_id = ?", (article_id,)
        ).fetchone()
        if (
            row is None
            or row[0] != ANALYSIS_VERSION
            or row[1] != reference_date(store, article_id).isoformat()
        ):
            return Analyzer()
    return None


def _sentences(articles: list[Article], analyses: dict[str, Analysis]) -> list[_Sentence]:
    out = []
    for article in articles:
        for index, span in enumerate(analyses[article.id].sentences):
            if index == 0 and article.title and span.text == article.title:
                continue  # the headline is not a statement
            out.append(
                _Sentence(article.id, index, span.text, span.start, span.end, _words(span.text))
            )
    return out


def _group(sentences: list[_Sentence]) -> list[list[_Sentence]]:
    """Sentences carrying the same information, across articles (greedy, via an inverted index)."""
    groups: list[list[_Sentence]] = []
    index: dict[str, set[int]] = defaultdict(set)
    for sentence in sentences:
        candidates: Counter[int] = Counter()
        for word in sentence.words:
            for g in index.get(word, ()):
                candidates[g] += 1
        best, best_score = None, 0.0
        for g, shared in candidates.most_common(20):
            if shared < 2:
                break
            score = _cosine(sentence.words, groups[g][0].words)
            if score > best_score:
                best, best_score = g, score
        if best is not None and best_score >= SAME_INFORMATION:
            groups[best].append(sentence)
        else:
            groups.append([sentence])
            best = len(groups) - 1
        for word in sentence.words:
            index[word].add(best)
    return groups


def _summary(groups: list[list[_Sentence]]) -> list[Cited]:
    def weight(group: list[_Sentence]) -> float:
        support = len({s.article for s in group})
        lead = min(s.index for s in group)
        return support + 1.0 / (1 + lead)

    ranked = sorted(groups, key=weight, reverse=True)
    chosen: list[list[_Sentence]] = []
    for group in ranked:
        if len(chosen) >= MAX_SUMMARY:
            break
        # A summary sentence must stand alone: not "He added ..." (whose "he" the reader cannot
        # know) nor half a quotation cut at a sentence break.
        standalone = [s for s in group if _stands_alone(s.text)]
        if not standalone:
            continue
        representative = min(standalone, key=lambda s: (s.index, len(s.text)))
        if len(representative.words) < 4:
            continue
        if any(_cosine(representative.words, other[0].words) >= 0.3 for other in chosen):
            continue
        if len(chosen) >= MIN_SUMMARY and len({s.article for s in group}) < 2:
            break
        chosen.append([representative, *[s for s in group if s is not representative]])
    return [Cited(g[0].text, _unique(s.article for s in g)) for g in chosen]


_LEADING_PRONOUN = re.compile(
    r"(?:[\"“]\s*)?(?:he|she|they|it|this|these|those|his|her|their|its|we|our|i)\b",
    re.IGNORECASE,
)


_TRAILING_PRONOUN = re.compile(r"[,”\"]\s*(?:he|she|they)\s+\w+\.?$", re.IGNORECASE)


def _stands_alone(text: str) -> bool:
    straight = text.count('"') % 2 == 0
    curly = text.count("“") == text.count("”")
    pronoun = _LEADING_PRONOUN.match(text) or _TRAILING_PRONOUN.search(text)
    return straight and curly and not pronoun


# Words that make a name a body or a place, not a person ("Harlow Water", "Castlebury Road").
_NOT_PERSON_WORDS = re.compile(
    r"\b(?:Water|Dam|River|Council|Company|Bank|Party|Ministry|Office|Agency|Road|Street|Rail|"
    r"Railway|Airport|University|School|Hospital|Group|House|Court|News|Times|Post|Radio|Police|"
    r"Army|Navy|Corporation|Inc|Ltd|Club|Fund|Foundation|Association|Union|Committee|"
    r"Department|Service|City|County|State|Lake|Bridge|Centre|Center|Institute|Airlines?)\b"
)


def _people(articles: list[Article], analyses: dict[str, Analysis]) -> list[Named]:
    """People merged by surname ("Kirby" is "John Kirby"), with the role most often given."""
    mentions: dict[str, list[tuple[str, str]]] = defaultdict(list)  # key → (form, article)
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    # The small model calls some places and companies people ("Harlow Water"); a name tagged
    # otherwise more often than as a person is not one.
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for analysis in analyses.values():
        for entity in analysis.entities:
            kinds[entity.text.lower()][entity.type] += 1
    for article in articles:
        analysis = analyses[article.id]
        for entity in analysis.entities:
            if entity.type == "PERSON":
                mentions[_person_key(entity.text)].append((entity.text, article.id))
        for role in analysis.roles:
            roles[_person_key(role.name)][role.role] += 1
    # A one-word name joins the one fuller name it starts or ends: "Kirby" is "John Kirby",
    # "Park" is "Park Sunwon" (family name first). "Kim" beside two Kims stays apart.
    full = {k: v for k, v in mentions.items() if any(len(_name_words(f)) > 1 for f, _ in v)}
    for key in [k for k in mentions if k not in full]:
        word = key.lower()
        owners = [
            k
            for k, forms in full.items()
            if any(_name_words(f)[0].lower() == word or _name_words(f)[-1].lower() == word
                   for f, _ in forms if len(_name_words(f)) > 1)
        ]  # fmt: skip
        if len(owners) == 1:
            mentions[owners[0]].extend(mentions.pop(key))
            roles[owners[0]].update(roles.pop(key, Counter()))
    out = []
    for key, forms in mentions.items():
        names = Counter(form for form, _ in forms)
        canonical = max(names, key=lambda n: (len(_name_words(n)), names[n]))
        if len(_name_words(canonical)) < 2 and not roles.get(key):
            continue  # a lone first name or a stray capitalised word, not a person we can name
        tagged = sum((kinds[n.lower()] for n in names), Counter())
        if tagged["PERSON"] < tagged["ORG"] + tagged["PLACE"]:
            continue
        if _NOT_PERSON_WORDS.search(canonical) or canonical.isupper():
            continue  # "Harlow Water", a dateline's "MARROWICK"
        out.append(
            Named(
                name=canonical,
                aliases=sorted(n for n in names if n != canonical),
                articles=_unique(a for _, a in forms),
                role=roles[key].most_common(1)[0][0] if roles.get(key) else None,
            )
        )
    out.sort(key=lambda p: (-len(p.articles), p.name))
    return out


_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def _name_words(name: str) -> list[str]:
    """A name's words less initials ("J.") and generational suffixes ("III", "Jr.")."""
    words = re.sub(r"['’]s$", "", name).split()
    return [
        w
        for w in words
        if w.lower().strip(".,") not in _SUFFIXES and not re.fullmatch(r"[A-Z]\.?", w)
    ]


def _person_key(name: str) -> str:
    words = _name_words(name) or name.split()
    return words[-1].lower() if words else name.lower()


def _speaker_resolver(people: list[Named]) -> Any:
    by_key = {_person_key(p.name): p.name for p in people}
    for p in people:
        for alias in p.aliases:
            by_key.setdefault(_person_key(alias), p.name)

    full_names = [
        (n, _person_key(n)) for n in sorted({p.name for p in people}, key=len, reverse=True)
    ]
    known: dict[str | None, str | None] = {}

    def resolve(speaker: str | None) -> str | None:
        """A speaker as the brief names them: the person inside a longer subject ("John Kirby,
        the coordinator for ...") by their full name; else the subject's head words; never a
        bare pronoun."""
        if speaker not in known:
            known[speaker] = _resolve(speaker)
        return known[speaker]

    def _resolve(speaker: str | None) -> str | None:
        if not speaker:
            return None
        words = {w.lower().strip(",") for w in speaker.split()}
        for name, key in full_names:
            if name in speaker or key in words:
                return name
        head = re.split(r"[,:;(]", speaker)[0].strip()
        head = re.sub(r"^(?:the|a|an)\s+", "", head, flags=re.IGNORECASE)
        if not head or head.lower() in _PRONOUNS or len(head.split()) > 6:
            return None
        if head.lower() in ALIASES:
            return ALIASES[head.lower()]
        return by_key.get(_person_key(head), head)

    return resolve


def _named(
    articles: list[Article], analyses: dict[str, Analysis], people: list[Named]
) -> tuple[list[Named], list[Named]]:
    """Places and organisations, aliases and acronyms merged. A name goes where most of its
    mentions put it ("North Korea" the country, not the organisation); a person's surname read
    as a place, and names seen only in a Title Case headline ("North Korea Sends"), are left
    out."""
    surnames = {_person_key(n) for p in people for n in [p.name, *p.aliases]}
    outlets = {a.source.lower() for a in articles if a.source}
    mentions: list[tuple[str, str, str]] = []  # (form, type, article)
    for article in articles:
        headline = len(article.title or "") if _title_case(article.title or "") else 0
        raw = analysis_text(article.title, article.body)
        text = raw.lower()
        # Pieces of an outlet's name ("RBC" of "RBC-Ukraine", "NET" of "Censor.NET").
        inside_outlet = [
            (m.start(), m.end()) for o in outlets for m in re.finditer(re.escape(o), text)
        ]
        for entity in analyses[article.id].entities:
            if entity.type not in {"PLACE", "ORG"}:
                continue
            if any(
                s <= entity.start and entity.end <= e and (entity.start, entity.end) != (s, e)
                for s, e in inside_outlet
            ):
                continue
            if ROLE_WORDS.fullmatch(entity.text.split()[-1]):
                continue  # a title read as a body ("Permanent Representative")
            if re.search(
                r"\b[A-Z][\w.-]* of (?:the )?$", raw[max(0, entity.start - 40) : entity.start]
            ):
                continue  # the tail of a longer name the model split ("Secretary of Defense")
            following = raw[entity.end : entity.end + 20].split()
            if following and ROLE_WORDS.fullmatch(following[0]):
                continue  # part of a title ("Defense Secretary")
            if entity.type in {"PLACE", "ORG"}:
                mentions.append(
                    (entity.text, entity.type, article.id if entity.start >= headline else "")
                )
    groups: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for form, kind, article_id in mentions:
        groups[_alias_key(form)].append((form, kind, article_id))
    # A dateline's "WASHINGTON" is Washington.
    for key in [k for k in groups if k.isupper() and len(k) > 4]:
        if key.title() in groups:
            groups[key.title()].extend(groups.pop(key))
    # Acronyms join their long form ("NIS" and "National Intelligence Service").
    keys = list(groups)
    for key in keys:
        if key.isupper() or (len(key) <= 6 and " " not in key):
            for other in keys:
                if (
                    other != key
                    and other in groups
                    and key in groups
                    and _initials(other) == key.replace(".", "").upper()
                ):
                    groups[other].extend(groups.pop(key))
                    break
    places: list[Named] = []
    organizations: list[Named] = []
    for key, forms in groups.items():
        cited = _unique(a for _, _, a in forms if a)
        if not cited or key.lower() in surnames:
            continue
        names = Counter(f for f, _, a in forms if a)
        canonical = ALIASES.get(max(names, key=names.__getitem__).lower()) or max(
            names, key=lambda n: (names[n], len(n))
        )
        if canonical.isupper() and len(canonical) > 4 and canonical.title() == key.title():
            canonical = canonical.title()
        kinds = Counter(k for _, k, a in forms if a)
        target = places if kinds["PLACE"] >= kinds["ORG"] else organizations
        target.append(Named(canonical, sorted(n for n in names if n != canonical), cited))
    for named in (places, organizations):
        named.sort(key=lambda n: (-len(n.articles), n.name))
    return places, organizations


def _title_case(line: str) -> bool:
    words = [w for w in line.split() if len(w) > 3 and w[:1].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _alias_key(name: str) -> str:
    cleaned = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    alias = ALIASES.get(cleaned.lower())
    return (alias or cleaned).upper() if (alias or cleaned).isupper() else (alias or cleaned)


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper())


def _quotes(analyses: dict[str, Analysis], speaker_name: Any) -> list[QuoteEntry]:
    entries: list[tuple[QuoteEntry, Counter[str]]] = []
    for article_id, analysis in analyses.items():
        for quote in analysis.quotes:
            if quote.text[:1] not in {'"', "“"}:
                continue  # reported speech is a claim, not a quotation
            content = " ".join(quote.content.split())  # a quotation may run over paragraphs
            words = _words(content)
            if len(tokens(content)) < 3 or not words:
                continue
            speaker = speaker_name(quote.speaker)
            match = next((e for e, w in entries if _cosine(words, w) >= SAME_QUOTE), None)
            if match:
                match.articles = _unique([*match.articles, article_id])
                if content not in match.variants:
                    match.variants.append(content)
                if match.speaker is None:
                    match.speaker = speaker
            else:
                entries.append(
                    (QuoteEntry(speaker, quote.content, [article_id], [quote.content]), words)
                )
    return [e for e, _ in entries]


def _timeline(analyses: dict[str, Analysis], sentences: list[_Sentence]) -> list[TimelineEntry]:
    entries: dict[tuple[str, str], TimelineEntry] = {}
    for article_id, analysis in analyses.items():
        for mention in analysis.dates:
            if mention.precision not in {"day", "week", "month", "quarter", "year"}:
                continue
            sentence = _sentence_at(sentences, article_id, mention.start)
            if sentence is None:
                continue
            # A timeline is by day: "Wednesday evening" (2024-10-23TEV) is 2024-10-23.
            key = (mention.value.split("T")[0], mention.precision)
            if key in entries:
                entries[key].articles = _unique([*entries[key].articles, article_id])
            else:
                entries[key] = TimelineEntry(key[0], mention.precision, sentence.text, [article_id])
    return sorted(entries.values(), key=lambda e: e.date)


def _disputes(
    articles: list[Article],
    analyses: dict[str, Analysis],
    sentences: list[_Sentence],
    speaker_name: Any,
    encode: Encode | None = None,
) -> list[Dispute]:
    # A span giving two values (a range "3,000 to 5,000", a score "88-72") is one claim, not
    # two rival figures: it stays out.
    spans = {a.id: Counter(q.start for q in analyses[a.id].quantities) for a in articles}
    found: list[tuple[Quantity, str]] = [
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
    subjects = _subjects({(q.unit or "", q.thing or q.unit or "") for q, _ in found}, encode)
    by_subject: dict[str, list[tuple[Quantity, str]]] = defaultdict(list)
    for q, article_id in found:
        by_subject[subjects[(q.unit or "", q.thing or q.unit or "")]].append((q, article_id))
    disputes = []
    for subject, items in by_subject.items():
        figures: dict[float, Figure] = {}
        qualifiers: dict[float, Counter[str | None]] = defaultdict(Counter)
        for q, article_id in _same_scale(items):
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
        rivals = _rivals(list(figures.values()), encode)
        if len(rivals) < 2:
            continue
        dispute = Dispute(
            subject=f"how many {subject}", figures=sorted(rivals, key=lambda f: f.value)
        )
        disputes.append(dispute)
    disputes.sort(key=lambda d: -sum(len(f.articles) for f in d.figures))
    if disputes:
        # A denial in a story denies the story's main claim ("Pyongyang denied it").
        disputes[0].denials = _stances(analyses, sentences, speaker_name, _DENIAL, "denied")
    positions = _positions(analyses, sentences, speaker_name)
    if positions:
        disputes.append(Dispute(subject="whether it is confirmed", positions=positions))
    return disputes


Encode = Callable[[Sequence[str]], "npt.NDArray[np.float32]"]


def _encode(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    from newsweave.embed import get_embedder

    return get_embedder().encode(texts)


def _cached_encoder(store: Store) -> Encode:
    """The embedding model behind the store's `text_vectors` cache: each short text is encoded
    once per model, so a warm brief runs no model at all."""
    from newsweave.embed import get_embedder, model_name

    def encode(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        name = model_name()
        keys = [hashlib.sha1(f"{name}\0{t}".encode()).hexdigest() for t in texts]
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                store.conn.execute(
                    f"SELECT key, vector FROM text_vectors WHERE key IN ({marks})", chunk
                ).fetchall()
            )
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            fresh = get_embedder().encode([texts[i] for i in missing])
            with store.conn:
                store.conn.executemany(
                    "INSERT OR REPLACE INTO text_vectors (key, vector) VALUES (?, ?)",
                    [
                        (keys[i], fresh[n].astype(np.float32).tobytes())
                        for n, i in enumerate(missing)
                    ],
                )
            for n, i in enumerate(missing):
                found[keys[i]] = fresh[n].astype(np.float32).tobytes()
        if not keys:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([np.frombuffer(found[k], dtype=np.float32) for k in keys])

    return encode


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
SAME_THING = 0.8  # ... of two counted phrases ("North Korean fighters", "North Korean soldiers")
# A figure this many times off the story's typical figure for its subject counts something
# else ("18 soldiers escaped", "an army of 1.2 million soldiers"), not a rival estimate.
OTHER_SCALE = 20.0


def _subjects(
    things: set[tuple[str, str]], encode: Encode | None = None
) -> dict[tuple[str, str], str]:
    """Counted things meaning the same (unit, phrase) map to one subject: casualty words
    together; else nouns or phrases close in the embedding model, unless their names disagree
    ("Ukrainian soldiers" are not "Russian soldiers")."""
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
    # other ("500,000 ..., though Austin had said over 300,000"); else they count different
    # things ("Miller averages 15.5 points, Iguodala 14.9").
    for t, i in at.items():
        close[i, i] = bool(_CONTRAST.search(t))
    groups: list[list[int]] = []
    for i in range(len(figures)):
        mine = [at[t] for t in shown[i]]
        linked = [
            g
            for g in groups
            if any(close[a, b] for j in g for a in mine for b in (at[t] for t in shown[j]))
        ]
        merged = [i] + [j for g in linked for j in g]
        groups = [g for g in groups if g not in linked] + [merged]

    # A dispute is between people: at least two of its figures are attributed to someone, or
    # one sentence sets two of them against each other. A season's statistics, which nobody
    # "says", are not a dispute.
    def contested(g: list[int]) -> list[int]:
        if sum(1 for j in g if figures[j].said_by) >= 2:
            return g
        # Else only the figures one sentence sets against each other.
        shared = Counter(t for j in g for t in set(figures[j].evidence))
        for t, n in shared.items():
            if n >= 2 and _CONTRAST.search(t):
                return [j for j in g if t in figures[j].evidence]
        return []

    valid = [c for c in (contested(g) for g in groups) if len(c) >= 2]
    if not valid:
        return []
    best = max(valid, key=lambda g: (len(g), sum(len(figures[j].articles) for j in g)))
    return [figures[j] for j in sorted(best)]


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
    that is an organisation, the person voicing it. In "Park said that Cho told lawmakers that
    10,000 ...", Park passes the figure on and Cho gave it; in "Singh said the Department
    believes 10,000 ...", the figure is the Department's, given by Singh."""
    persons = {speaker_name(e.text) for e in analysis.entities if e.type == "PERSON"}
    known = {e.text for e in analysis.entities} | persons
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
    before the verb ("..., but Pyongyang denied it"); else, for a sentence opening with a
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


def _sources(
    articles: list[Article],
    groups: list[list[_Sentence]],
    disputes: list[Dispute],
    quotes: list[QuoteEntry],
) -> list[SourceNote]:
    out = []
    for article in articles:
        adds = [
            g[0].text
            for g in groups
            if {s.article for s in g} == {article.id}
            and len(g[0].words) >= 6
            and _stands_alone(g[0].text)
        ]
        figures = [
            _figure_text(f) for d in disputes for f in d.figures if f.articles == [article.id]
        ]
        only_quotes = [q.text for q in quotes if q.articles == [article.id]]
        notes = [
            *(f"figure: {f}" for f in figures),
            *(f"quote: {q}" for q in only_quotes[:2]),
            *adds[:3],
        ]
        title = article.title or article.title_from_text
        out.append(SourceNote(article.id, article.source, title, notes))
    return out


def _since(
    store: Store,
    articles: list[Article],
    since: str | None,
    disputes: list[Dispute],
    quotes: list[QuoteEntry],
) -> SinceLastRead:
    per_article = since is None
    if since is None:
        reads = [a.details.last_read for a in articles if a.details.last_read]
        since = max(reads) if reads else None
    if since is None:
        return SinceLastRead(None)
    if per_article:
        new = _unread(articles)
    else:
        new = [a.id for a in articles if (a.details.added or "") > since]
    fresh = set(new)
    changed = []
    for dispute in disputes:
        before = [f for f in dispute.figures if set(f.articles) - fresh]
        if before and len(before) < len(dispute.figures):
            changed.append(
                FigureChange(
                    subject=dispute.subject,
                    before=[_figure_text(f) for f in before],
                    now=[_figure_text(f) for f in dispute.figures],
                    articles=_unique(
                        a for f in dispute.figures if f not in before for a in f.articles
                    ),
                )
            )
    return SinceLastRead(
        since=since,
        per_article=per_article,
        new_articles=new,
        new_figures=[
            f for d in disputes for f in d.figures if f.articles and set(f.articles) <= fresh
        ],
        new_quotes=[q for q in quotes if set(q.articles) <= fresh],
        changed_figures=changed,
    )


def _unread(articles: list[Article]) -> list[str]:
    """The members this reader has not read (here or, by an export's record, elsewhere): new to
    them however long ago they were added, while reading one member leaves the others new."""
    return [a.id for a in articles if not a.details.last_read]


def source_text(article: Article) -> str:
    return analysis_text(article.title, article.body)


# -- output -----------------------------------------------------------------------------------


def brief_json(brief: Brief) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(brief)


def _figure_text(f: Figure) -> str:
    value = f"{f.value:,.0f}" if f.value == int(f.value) else f"{f.value:,}"
    if f.qualifier == "more":  # "1,500 more troops": an increase, not a total
        return " ".join(x for x in (value, "more", f.unit) if x)
    return " ".join(x for x in (f.qualifier, value, f.unit) if x)


def brief_markdown(brief: Brief) -> str:
    short = {a: a[:8] for a in brief.articles}

    def cite(ids: list[str]) -> str:
        return " ".join(f"[{short.get(i, i[:8])}]" for i in ids)

    lines = [
        f"# {_md(brief.title) or 'Story ' + brief.story}",
        "",
        f"Story `{brief.story}` · {len(brief.articles)} "
        + ("article" if len(brief.articles) == 1 else "articles"),
        "",
    ]
    lines += ["## Summary", ""]
    lines += [f"- {_md(c.text)} {cite(c.articles)}" for c in brief.summary]
    if brief.disputes:
        lines += ["", "## Disputed figures", ""]
        for d in brief.disputes:
            lines += [f"### {_md(d.subject)}", ""]
            if d.figures:
                lines += ["| figure | said by | articles |", "| --- | --- | --- |"]
                lines += [
                    f"| {_md(_figure_text(f))} | {_md(', '.join(f.said_by)) or '—'} | {cite(f.articles)} |"
                    for f in d.figures
                ]
                lines.append("")
            for s in [*d.denials, *d.positions]:
                lines.append(
                    f"- **{_md(s.stance)}**: {_md(', '.join(s.said_by)) or 'unattributed'} {cite(s.articles)}"
                )
            lines.append("")
    if brief.quotes:
        lines += ["## Quotes", ""]
        lines += [
            f"- {_md(q.speaker) or 'unattributed'}: “{_md(q.text)}” {cite(q.articles)}"
            for q in brief.quotes
        ]
        lines.append("")
    if brief.timeline:
        lines += ["## Timeline", ""]
        lines += [
            f"- **{_md(e.date)}** ({_md(e.precision)}): {_md(e.text)} {cite(e.articles)}"
            for e in brief.timeline
        ]
        lines.append("")
    for heading, items in (
        ("People", brief.people),
        ("Places", brief.places),
        ("Organisations", brief.organizations),
    ):
        if items:
            lines += [f"## {heading}", ""]
            for n in items:
                extra = f", {_md(n.role)}" if n.role else ""
                aka = f" (also: {_md(', '.join(n.aliases))})" if n.aliases else ""
                lines.append(f"- {_md(n.name)}{extra}{aka} {cite(n.articles)}")
            lines.append("")
    lines += ["## What each source adds", ""]
    for note in brief.sources:
        lines.append(
            f"- [{short[note.article]}] {_md(note.source) or '(outlet not named)'}: {_md(note.title)}"
        )
        alone = "the story's only source" if len(brief.sources) == 1 else None
        lines += [f"  - {_md(a)}" for a in note.adds] or [
            f"  - {alone or 'nothing the others do not have'}"
        ]
    since = brief.since_last_read
    if since.since:
        heading = f"your last read ({since.since[:16]})" if since.per_article else since.since
        lines += ["", f"## Since {_md(heading)}", ""]
        label = "not read yet" if since.per_article else "new articles"
        lines.append(f"- {label}: {cite(since.new_articles) or 'none'}")
        lines += [
            f"- new figure: {_md(_figure_text(f))} {cite(f.articles)}" for f in since.new_figures
        ]
        lines += [
            f"- changed: {_md(c.subject)}: {_md('; '.join(c.before))} → {_md('; '.join(c.now))} "
            f"{cite(c.articles)}"
            for c in since.changed_figures
        ]
        lines += [f"- new quote: “{_md(q.text)}” {cite(q.articles)}" for q in since.new_quotes]
    return "\n".join(lines).rstrip() + "\n"


def brief_html(brief: Brief) -> str:
    """A standalone page: the markdown's content with tables and lists as HTML."""
    from html import escape

    out = ["<!doctype html><html><head><meta charset='utf-8'>", f"<title>{escape(brief.title or brief.story)}</title>",
           "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}"
           "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem}"
           ".cite{color:#666;font-size:.85em}</style></head><body>"]  # fmt: skip
    open_tags: list[str] = []  # the lists and table being written, innermost last

    def close_to(depth: int) -> None:
        while len(open_tags) > depth:
            out.append(f"</{open_tags.pop()}>")

    for line in brief_markdown(brief).splitlines():
        if line.startswith("| ---"):
            continue
        # The article text in the Markdown is escaped: only the brief's own markup converts.
        text = markdown_inline_html(line)
        if line.startswith("| "):
            if open_tags != ["table"]:
                close_to(0)
                out.append("<table>")
                open_tags.append("table")
            cells = [markdown_inline_html(c) for c in split_table_row(line)]
            tag = "th" if cells[0] == "figure" else "td"
            out.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
        elif line.startswith(("- ", "  - ")):
            depth = 2 if line.startswith("  - ") else 1
            if open_tags[:1] == ["table"]:
                close_to(0)
            close_to(depth)
            while len(open_tags) < depth:
                out.append("<ul>")
                open_tags.append("ul")
            out.append(f"<li>{text[2 * depth :]}</li>")
        else:
            close_to(0)
            if line.startswith("# "):
                out.append(f"<h1>{text[2:]}</h1>")
            elif line.startswith("## "):
                out.append(f"<h2>{text[3:]}</h2>")
            elif line.startswith("### "):
                out.append(f"<h3>{text[4:]}</h3>")
            elif line.strip():
                out.append(f"<p>{text}</p>")
    close_to(0)
    out.append("</body></html>")
    return "\n".join(x for x in out if x)
