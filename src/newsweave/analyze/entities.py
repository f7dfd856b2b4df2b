"""Names: entities and roles in one parsed text, and across a story's articles the people,
places and organisations they name, aliases and acronyms merged."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from newsweave.analyze.model import Analysis, Entity, Role, _unique, analysis_text
from newsweave.models import Article

_PLACE_PREPOSITIONS = {
    "in",
    "to",
    "from",
    "near",
    "at",
    "into",
    "outside",
    "towards",
    "toward",
    "via",
}

_ENTITY_TYPES = {
    "PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE",
    "NORP": "GROUP",
}  # fmt: skip


def _roles(doc: Any) -> list[Role]:
    """Roles from the parse: an apposition after the name ("Jane Roe, Deputy Press Secretary"),
    a title before it ("Defense Secretary John Doe"), or the name as the apposition of a role
    ("the head of the Centre …, John Doe"); then roles stated in a clause after the name; then
    names the model missed, shown by an apposition."""
    out = []
    people = [e for e in doc.ents if e.label_ == "PERSON"]
    for ent in people:
        role = _parsed_role(doc, ent)
        if role:
            out.append(Role(ent.text, ent.start_char, ent.end_char, ent.text, role))
    out += _shared_roles(doc, people, out)
    # "X, who is the head of Y,", "X, who heads Y,", "X, 62, a former anchor,", "X is the chief
    # executive of Y": roles the parse does not hang on the name.
    for ent in doc.ents:
        if ent.label_ != "PERSON" or any(r.start == ent.start_char for r in out):
            continue
        role = _stated_role(doc, ent)
        if role and ROLE_WORDS.search(role):
            out.append(Role(ent.text, ent.start_char, ent.end_char, ent.text, role.strip()))
    # The small model misses some names; "Firstname Lastname, the head of X," still shows one,
    # and so does "Lee, a reporter," when Lee is someone's name elsewhere in the text.
    full_names = {e.text for e in doc.ents if e.label_ == "PERSON" and " " in e.text}
    surnames = {w for e in doc.ents if e.label_ == "PERSON" for w in e.text.split()}
    for match in _APPOSITION.finditer(doc.text):
        if any(r.start <= match.start() < r.end for r in out):
            continue
        name = match.group(1)
        if " " not in name and name not in surnames:
            continue
        role = match.group(2).strip()
        if ROLE_WORDS.search(role):
            out.append(Role(name, match.start(1), match.end(1), _full_name(name, full_names), role))
    return out


# Nouns that relate a person to another rather than give a role: "his colleague Jo Roe" has
# the role of the person he is a colleague of.
_RELATION_NOUNS = {"colleague", "fellow", "counterpart", "partner"}


def _shared_roles(doc: Any, people: list[Any], found: list[Role]) -> list[Role]:
    """A role given once for names joined by "and": a plural role noun covers them all
    ("lawmakers Jo Roe and Al Poe", "Jo Roe and Al Poe, both senators," "two senators, Jo Roe
    and Al Poe"), each taking it in the singular; and "Jo Roe, a senator, and her colleague Al
    Poe" gives Al Poe Jo Roe's role. A singular title ("Senator Jo Roe and Al Poe") is the
    first name's alone."""
    parsed = {r.start: r for r in found}
    roles = dict(parsed)
    by_root = {e.root.i: e for e in people}
    for ent in people:
        role = parsed.get(ent.start_char)
        span = _role_span(doc, ent) if role else None
        if role is None or span is None:
            continue
        head = span.root
        if head.tag_ in {"NNS", "NNPS"}:
            # The plural must be the role noun itself, not a word a misparse made the head
            # ("the career sacks leader").
            shared = _singular(span) if ROLE_WORDS.fullmatch(head.lemma_) else ""
            others = [by_root[c.i] for c in ent.root.conjuncts if c.i in by_root]
        elif head.lemma_.lower() not in _RELATION_NOUNS:
            shared = role.role
            # "her colleague Al Poe": the name is the apposition of a noun joined to this one.
            others = [
                by_root[a.i]
                for c in ent.root.conjuncts
                if c.lemma_.lower() in _RELATION_NOUNS
                for a in c.children
                if a.dep_ == "appos" and a.i in by_root
            ]
        else:
            continue
        # Only a role noun is shared: a box score's "Jo Roe (12 points) and Al Poe" is not one.
        if not others or not shared or not ROLE_WORDS.search(shared):
            continue
        roles[ent.start_char] = Role(role.name, role.start, role.end, role.text, shared)
        for other in others:
            # A role of the other's own stays, unless it only relates them ("his colleague").
            if other.start_char in parsed and _role_head(doc, other) not in _RELATION_NOUNS:
                continue
            roles[other.start_char] = Role(
                other.text, other.start_char, other.end_char, other.text, shared
            )
    found[:] = [roles[r.start] for r in found]
    return [r for start, r in roles.items() if start not in parsed]


def _role_head(doc: Any, ent: Any) -> str | None:
    span = _role_span(doc, ent)
    return str(span.root.lemma_).lower() if span is not None else None


def _singular(span: Any) -> str:
    """ "both senators" → "senator", "Opposition lawmakers" → "Opposition lawmaker"."""
    head = span.root
    if not head.lemma_ or head.lemma_.lower() == head.lower_:
        return ""
    lemma = str(head.lemma_)
    lemma = lemma[:1].upper() + lemma[1:] if head.text[:1].isupper() else lemma.lower()
    # The quantifiers before it ("both", "two", "the") go with the plural.
    first = next(
        (t for t in span if t.i >= head.i or t.dep_ not in {"det", "nummod", "predet"}), head
    )
    text = str(span.doc.text)
    role = text[first.idx : head.idx] + lemma + text[head.idx + len(head.text) : span.end_char]
    return role.strip(" ,;:-–—")


def _full_name(word: str, full_names: set[str]) -> str:
    """The one fuller name a lone name is part of ("Roe, a lawyer," after "Jane Roe"): the role
    given at a later, shorter mention is that person's. Two candidates leave it as it is."""
    if " " in word:
        return word
    owners = {n for n in full_names if word in n.split()}
    return owners.pop() if len(owners) == 1 else word


def _role_span(doc: Any, ent: Any) -> Any:
    """The words the parse hangs on a name as its role, or None."""
    root = ent.root
    appos = [c for c in root.children if c.dep_ == "appos" and c.i > ent.end - 1]
    titles = [c for c in root.children if c.dep_ in {"compound", "amod"} and c.i < ent.start]
    if appos:
        return doc[appos[0].left_edge.i : appos[0].right_edge.i + 1]
    if titles:
        return doc[min(t.left_edge.i for t in titles) : ent.start]
    if root.dep_ == "appos" and root.head.i < ent.start:
        head = root.head
        # Climb out of "of the Centre for ..." to the role noun ("head") it belongs to.
        while head.dep_ in {"pobj", "prep"} and head.head.i < head.i:
            head = head.head
        return doc[head.left_edge.i : ent.start]
    return None


def _parsed_role(doc: Any, ent: Any) -> str | None:
    role_span = _role_span(doc, ent)
    if role_span is None or "\n" in role_span.text:
        return None
    if any(t.tag_ in {"VBZ", "VBD", "VBP"} for t in role_span):
        return None  # a clause (a headline's "Town, dam spillway fails as ..."), not a role
    words = [t for t in role_span if not t.is_punct and t.lower_ not in {"the", "a", "an"}]
    if (
        not words
        or words[0].tag_ in {"VBG", "VBN"}
        or not any(t.pos_ in {"NOUN", "PROPN"} for t in words)
    ):
        return None  # "Responding to a call by ...", "Ethiopian-flagged": not a role
    if all(t.ent_type_ in {"DATE", "TIME"} for t in words):
        return None  # "Yesterday John Doe ..."
    role = role_span.text.strip(" ,;:-–—")
    if re.search(r"[()\[\]]", role):
        return None  # a dateline's "(Agency)", not a role
    role = re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.IGNORECASE)
    if len(role) < 3 or not re.search(r"[a-z]", role) or len(role.split()) > 14:
        return None
    return role


_WHO_IS = re.compile(
    r",\s+who\s+(?:is|was|serves as|served as)\s+(?:the\s+|a\s+|an\s+)?([^,.;()\n]{3,90}?)[,.]"
)
_WHO_LEADS = re.compile(r",\s+who\s+(heads|leads|chairs|runs)\s+([^,.;()\n]{3,80}?)[,.]")
_AGED = re.compile(r",\s+\d{1,3},\s+(?:the\s+|a\s+|an\s+)([^,.;()\n]{3,90}?),")
_COPULA = re.compile(r"\s+(?:is|was)\s+(?:the|a|an)\s+([^,.;()\n]{3,90}?)[,.]")
# "X, who heads Y" → "head of Y"
_LEADING_VERBS = {"heads": "head", "leads": "leader", "chairs": "chair", "runs": "head"}


def _stated_role(doc: Any, ent: Any) -> str | None:
    rest = doc.text[ent.end_char : ent.end_char + 120]
    who = _WHO_IS.match(rest)
    if who:
        return who.group(1)
    leads = _WHO_LEADS.match(rest)
    if leads:
        return f"{_LEADING_VERBS[leads.group(1)]} of {leads.group(2)}"
    aged = _AGED.match(rest)
    if aged:
        return aged.group(1)
    copula = _COPULA.match(rest)
    if copula and doc[ent.start].is_sent_start:  # the name opens the sentence
        return copula.group(1)
    return None


_APPOSITION = re.compile(
    r"\b([A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){0,2}),[ \t]+(?:the\s+|a\s+|an\s+)?([^,.;()\n]{3,90}?),\s"
)

ROLE_WORDS = re.compile(
    r"\b(?:head|chief|president|minister|secretary|spokes(?:person|man|woman)|director|leader|"
    r"chairman|chair|commander|general|ambassador|representative|envoy|governor|mayor|lawmaker|"
    r"senator|official|adviser|advisor|coordinator|analyst|professor|editor|founder|ceo|"
    r"chancellor|premier|king|queen|prince|judge|prosecutor|deputy|member|officer|expert|"
    r"reporter|journalist|correspondent|lawyer|attorney|researcher|scientist|economist|"
    r"activist|author|writer|candidate|nominee|manager|executive|chairwoman|strategist|anchor|"
    r"host|presenter|commentator|columnist)\b",
    re.IGNORECASE,
)


def _entities(doc: Any) -> list[Entity]:
    found = []
    for ent in doc.ents:
        kind = _ENTITY_TYPES.get(ent.label_)
        if kind is None:
            continue
        before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
        # The small model reads some unfamiliar cities as people ("moved to Vladivostok").
        if kind == "PERSON" and len(ent) == 1 and before in _PLACE_PREPOSITIONS:
            kind = "PLACE"
        text = re.sub(r"^the\s+", "", ent.text, flags=re.IGNORECASE)
        start = ent.end_char - len(text)
        text = re.sub(r"'s$", "", text)
        found.append(Entity(text, start, start + len(text), kind))
    return found


@dataclass
class Named:
    name: str
    aliases: list[str]
    articles: list[str]
    role: str | None = None


# Subjects that name nobody: a speaker given only as one of these is left unnamed.
_PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "this", "that", "who", "which"}

# Common names for the same country or body that no rule can derive from the words themselves:
# the official and the short names news wires use for the countries and bodies most in the news.
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

# Words that make a name a body or a place, not a person ("Harbour Water", "Mill Road"): the
# common heads of company, institution and street names.
_NOT_PERSON_WORDS = re.compile(
    r"\b(?:Water|Dam|River|Council|Company|Bank|Party|Ministry|Office|Agency|Road|Street|Rail|"
    r"Railway|Airport|University|School|Hospital|Group|House|Court|News|Times|Post|Radio|Police|"
    r"Army|Navy|Corporation|Inc|Ltd|Club|Fund|Foundation|Association|Union|Committee|"
    r"Department|Service|City|County|State|Lake|Bridge|Centre|Center|Institute|Airlines?)\b"
)


def _people(articles: list[Article], analyses: dict[str, Analysis]) -> list[Named]:
    """People merged by surname ("Doe" is "John Doe"), with the role most often given."""
    mentions: dict[str, list[tuple[str, str]]] = defaultdict(list)  # key → (form, article)
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    # The small model calls some places and companies people (a water company, a town); a name
    # tagged otherwise more often than as a person is not one.
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
            # "Its chief executive, Jo Roe": the role is chief executive, whoever "its" was.
            role_text = re.sub(r"^(?:its|his|her|their|our)\s+", "", role.role, flags=re.I)
            roles[_person_key(role.name)][role_text] += 1
    _merge_lone_names(mentions, roles)
    out = []
    for key, forms in mentions.items():
        person = _person(key, forms, roles, kinds)
        if person:
            out.append(person)
    out.sort(key=lambda p: (-len(p.articles), p.name))
    return out


def _merge_lone_names(
    mentions: dict[str, list[tuple[str, str]]], roles: dict[str, Counter[str]]
) -> None:
    """A one-word name joins the one fuller name it starts or ends: "Doe" is "John Doe", "Lee"
    is "Lee Minjun" (family name first). "Kim" beside two Kims stays apart."""
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


def _person(
    key: str,
    forms: list[tuple[str, str]],
    roles: dict[str, Counter[str]],
    kinds: dict[str, Counter[str]],
) -> Named | None:
    """One person under their fullest name, or None when the name is not a person's."""
    names = Counter(form for form, _ in forms)
    canonical = max(names, key=lambda n: (len(_name_words(n)), names[n]))
    if len(_name_words(canonical)) < 2 and not roles.get(key):
        return None  # a lone first name or a stray capitalised word, not a person we can name
    tagged = sum((kinds[n.lower()] for n in names), Counter())
    if tagged["PERSON"] < tagged["ORG"] + tagged["PLACE"]:
        return None
    if _NOT_PERSON_WORDS.search(canonical) or canonical.isupper():
        return None  # "Harbour Water" (a company), a dateline's "LONDON"
    return Named(
        name=canonical,
        aliases=sorted(n for n in names if n != canonical),
        articles=_unique(a for _, a in forms),
        role=roles[key].most_common(1)[0][0] if roles.get(key) else None,
    )


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
        """A speaker as the brief names them: the person inside a longer subject ("John Doe,
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
    mentions put it ("North Korea" the country, not the organisation), each mention read by
    its own words and context first (`_mention_kind`); a person's surname read as a place,
    names seen only in a Title Case headline or subheading ("Flood Waters Rise"), a direction
    word or a demonym alone ("North", "Ukrainian") and an acronym nothing shows to be a body
    are left out."""
    surnames = {_person_key(n) for p in people for n in [p.name, *p.aliases]}
    groups = _merged_groups(_place_mentions(articles, analyses))
    places: list[Named] = []
    organizations: list[Named] = []
    for key, forms in groups.items():
        cited = _unique(m.article for m in forms if m.article)
        if not cited or key.lower() in surnames:
            continue
        if _bare_acronym(forms):
            continue
        names = Counter(m.form for m in forms if m.article)
        canonical = ALIASES.get(max(names, key=names.__getitem__).lower()) or max(
            names, key=lambda n: (names[n], len(n))
        )
        if canonical.isupper() and len(canonical) > 4 and canonical.title() == key.title():
            canonical = canonical.title()
        kinds = Counter(m.kind for m in forms if m.article)
        target = places if kinds["PLACE"] >= kinds["ORG"] else organizations
        target.append(Named(canonical, sorted(n for n in names if n != canonical), cited))
    for named in (places, organizations):
        named.sort(key=lambda n: (-len(n.articles), n.name))
    return places, organizations


@dataclass(frozen=True)
class _Mention:
    """A mention of a place or organisation; `article` is "" when it is only in a heading."""

    form: str
    kind: str
    article: str
    # Shown to be a body by its context: "the X", "X's", "X said" (see `_bare_acronym`).
    as_body: bool = False


# Words that alone point somewhere but name no place ("the North has sent ...").
_DIRECTIONS = re.compile(
    r"(?:north|south|east|west|northern|southern|eastern|western|north-?east|north-?west|"
    r"south-?east|south-?west|central|upper|lower|inner|outer)",
    re.IGNORECASE,
)
# The head word of a body's name: last ("Vellshire county council", "Harbour Rail"), or first
# with "of"/"for" after it ("Ministry of Defence", "Centre for Countering Disinformation").
_BODY_HEADS = re.compile(
    r"(?:council|company|ministry|office|agency|department|service|committee|commission|"
    r"authority|party|bank|group|association|institute|university|college|school|"
    r"hospital|police|army|navy|court|rail|railways?|airlines?|corporation|inc|ltd|plc|club|"
    r"fund|foundation|federation|league|board|bureau|directorate|parliament|assembly|"
    r"government|cabinet|news|times|post|radio|courier|herald|gazette|press|television|tv|"
    r"centre|center|organi[sz]ation|alliance|coalition|brigade|battalion|regiment|forces)",
    re.IGNORECASE,
)
_BODY_OF = re.compile(rf"^{_BODY_HEADS.pattern}\s+(?:of|for)\s", re.IGNORECASE)
# The head word of a place's name: last ("Harlow Dam", "Kursk Region") or, in the names English
# puts it first in, first ("River Vell", "Lake Orm", "Mount Fell").
_PLACE_LAST = re.compile(
    r"(?:river|lake|sea|ocean|bay|gulf|strait|channel|valley|mountains?|hills?|islands?|isles?|"
    r"coast|peninsula|region|oblast|province|prefecture|district|county|territory|"
    r"village|town|city|road|street|avenue|lane|square|bridge|dam|reservoir|harbour|harbor|"
    r"port|airport|station|park|forest|desert|plain|basin|delta|falls|pass|heights)",
    re.IGNORECASE,
)
_PLACE_FIRST = re.compile(
    r"(?:river|lake|mount|mt\.?|cape|gulf|bay|isle|port|fort|glen|loch)\s", re.IGNORECASE
)
# Words before a name that make it somewhere: "in", "to the", "between".
_PLACE_BEFORE = re.compile(
    r"\b(?:in|into|to|from|near|towards?|across|throughout|outside|between|via)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_BODY_CONTEXT_AFTER = re.compile(
    r"^(?:['’]s\b|\s+(?:said|says|say|announced|reported|confirmed|denied|has|have|had|is|"
    r"was|will|would|chief|spokes\w+|official|officials|director|head)\b)"
)


def _mention_kind(form: str, kind: str, before: str, places: set[str]) -> str | None:
    """A mention's type by its own words and context, where they decide; else the model's.
    None: not a place or organisation at all (a direction word alone)."""
    words = form.split()
    if _DIRECTIONS.fullmatch(form):
        return None
    if _BODY_HEADS.fullmatch(words[-1]) or _BODY_OF.match(form):
        return "ORG"
    if len(words) > 1 and (_PLACE_LAST.fullmatch(words[-1]) or _PLACE_FIRST.match(form)):
        return "PLACE"
    if "-" in form and form.rsplit("-", 1)[1] in places:
        return "PLACE"  # "Indo-Pacific", where "Pacific" is a place
    if kind == "ORG" and len(words) == 1 and not form.isupper() and _PLACE_BEFORE.search(before):
        return "PLACE"  # "trains between Marrowick and Castlebury", "in the Indo-Pacific"
    return kind


def _bare_acronym(forms: list[_Mention]) -> bool:
    """An acronym seen once, never spelt out, and never spoken of as a body ("our most recent
    PDA announcements"): nothing shows it is an organisation."""
    cited = [m for m in forms if m.article]
    acronym = all(re.fullmatch(r"[A-Z][A-Z.&]{1,5}", m.form) for m in cited)
    if not acronym or any(m.form.lower() in ALIASES for m in cited):
        return False
    return len(cited) < 2 and not any(m.as_body for m in cited)


def _place_mentions(articles: list[Article], analyses: dict[str, Analysis]) -> list[_Mention]:
    outlets = {a.source.lower() for a in articles if a.source}
    # Nationalities and groups the model reads as a place in one sentence ("Ukrainian
    # partners") and as what they are in others; and the story's places, by name.
    groups = {e.text for a in analyses.values() for e in a.entities if e.type == "GROUP"}
    places = {e.text for a in analyses.values() for e in a.entities if e.type == "PLACE"}
    mentions: list[_Mention] = []
    for article in articles:
        raw = analysis_text(article.title, article.body)
        headings = _heading_spans(raw, article.title)
        text = raw.lower()
        # Pieces of an outlet's name ("BBC" of "BBC-World", "NET" of "Example.NET").
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
            if _part_of_a_title(entity, raw) or entity.text in groups:
                continue
            after = raw[entity.end : entity.end + 20]
            before = raw[max(0, entity.start - 30) : entity.start]
            kind = _mention_kind(entity.text, entity.type, _coordinated(before), places)
            if kind is None:
                continue
            in_heading = any(s <= entity.start < e for s, e in headings)
            as_body = bool(re.search(r"\bthe\s+$", before, re.IGNORECASE)) or bool(
                _BODY_CONTEXT_AFTER.match(after)
            )
            mentions.append(_Mention(entity.text, kind, "" if in_heading else article.id, as_body))
    return mentions


def _coordinated(before: str) -> str:
    """The words before a name, read past a name it is listed with: in "between Marrowick
    and Castlebury", Castlebury has Marrowick's "between"."""
    listed = re.search(r"([A-Z][\w-]+(?:\s+[A-Z][\w-]+)*)\s*(?:,|and|or)\s*(?:the\s+)?$", before)
    return before[: listed.start()] if listed else before


def _heading_spans(raw: str, title: str | None) -> list[tuple[int, int]]:
    """The headline and subheadings of an article's text: lines in Title Case with no closing
    punctuation ("Aid Convoy Reaches the Valley")."""
    spans = []
    offset = 0
    for index, line in enumerate(raw.split("\n")):
        stripped = line.strip()
        closed = re.search(r"[.!?:;\"”’)]$", stripped) and not (index == 0 and title)
        if stripped and _title_case(stripped) and not closed:
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return spans


def _part_of_a_title(entity: Entity, raw: str) -> bool:
    if ROLE_WORDS.fullmatch(entity.text.split()[-1]):
        return True  # a title read as a body ("Permanent Representative")
    if re.search(r"\b[A-Z][\w.-]* of (?:the )?$", raw[max(0, entity.start - 40) : entity.start]):
        return True  # the tail of a longer name the model split ("Secretary of Defense")
    following = raw[entity.end : entity.end + 20].split()
    return bool(following and ROLE_WORDS.fullmatch(following[0]))  # "Defense Secretary"


def _merged_groups(mentions: list[_Mention]) -> dict[str, list[_Mention]]:
    """Mentions grouped by name, aliases, datelines and acronyms joined to their long form."""
    groups: dict[str, list[_Mention]] = defaultdict(list)
    for mention in mentions:
        groups[_alias_key(mention.form)].append(mention)
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
    return groups


def _title_case(line: str) -> bool:
    words = [w for w in line.split() if len(w) > 3 and w[:1].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _alias_key(name: str) -> str:
    cleaned = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    alias = ALIASES.get(cleaned.lower())
    return (alias or cleaned).upper() if (alias or cleaned).isupper() else (alias or cleaned)


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper())
