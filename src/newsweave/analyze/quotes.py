"""Quotations and reported speech in a parsed text, each with its speaker: the attribution
beside it ("X said", "said X", "according to X"), a pronoun standing for the last named speaker."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from typing import Any

from newsweave.analyze.model import Entity, Quote, Span

# Speech verbs by stem; each matches its inflections ("warn", "warned", "warning").
_CUES = (
    "say", "says", "said", "saying", "told", "tell", "tells", "according to", "add", "stated",
    "noted", "warn", "claim", "announc", "report", "wrote", "writ", "insist", "argu", "explain",
    "confirm", "den", "ask", "stress", "emphasi", "assess", "believ", "call", "describ", "dubb",
    "declar", "tweet", "remark", "respond", "repl", "comment", "predict", "acknowledg", "admit",
    "urg", "vow", "pledg", "promis", "threaten", "accus", "caution", "conclud",
)  # fmt: skip

# Straight or curly double quotes, or the doubled single quotes some archives use (''...'').
# A "”" opening a line or following a space before a capital is an opening mark typed wrong.
_QUOTE_SPAN = re.compile(
    r"(?:[\"“]|(?<!\S)”(?=[A-Z]))([^\"“”]{2,}?)[\"”]|''((?:(?!'').){2,}?)''", re.DOTALL
)


def _quotes(
    text: str, sentences: list[Span], entities: list[Entity]
) -> tuple[list[Quote], set[int]]:
    """Quotations with their attribution, and the starts of those whose speaker is only the
    nearest name (no attribution right beside them)."""
    people = [e for e in entities if e.type in {"PERSON", "ORG"}]
    out: list[Quote] = []
    weak: set[int] = set()
    for match in _QUOTE_SPAN.finditer(text):
        content = (match.group(1) or match.group(2)).strip()
        if len(content.split()) < 3:
            continue  # a scare-quoted phrase, not a quotation
        sentence = next((s for s in sentences if s.start <= match.start() < s.end), None)
        window_start = sentence.start if sentence else max(0, match.start() - 200)
        window_end = max(sentence.end if sentence else match.end(), match.end())
        # The attribution may follow the closing quote in the next sentence fragment.
        window_end = min(len(text), max(window_end, match.end() + 80))
        # ... but never beyond its paragraph.
        window_start = max(window_start, text.rfind("\n", 0, match.start()) + 1)
        paragraph_end = text.find("\n", match.end())
        if paragraph_end >= 0:
            window_end = min(window_end, paragraph_end)
        # Every quotation in the window is blanked: a name inside one is not a speaker.
        context = _QUOTE_SPAN.sub(lambda m: " " * len(m.group(0)), text[window_start:window_end])
        adjacent = _adjacent(context, window_start, match.start(), match.end(), people)
        transcript = re.match(r"([A-Z][A-Z.'’-]+(?:[ \t]+[A-Z][A-Z.'’-]+){0,2}):\s", content)
        if transcript and adjacent is None:
            # A quoted transcript line ('"WALLACE: Let's start ...'): the name before the colon.
            at = match.start() + 1 + match.group(0)[1:].find(transcript.group(1))
            adjacent = (transcript.group(1), ":", (at, at + len(transcript.group(1))))
        if adjacent is None:
            weak.add(match.start())
        speaker, cue, where = adjacent or _attribution(context, window_start, people)
        out.append(Quote(match.group(0), match.start(), match.end(), speaker, cue, content, *where))
    return _rejoined(text, out, weak), weak


# What may stand between the two halves of a quotation broken by its attribution:
# '"...," she said. "..."', '"...," said Jane Roe, a spokeswoman who has run the port since
# 2019. "..."': the attribution, however long its description, and no other quotation.
_BREAK = re.compile(r"[\s,.;:!?—–-]*(?:[^\s\"“”]+\s+){0,40}?[^\s\"“”]+[.,:;]\s*$")


def _rejoined(text: str, quotes: list[Quote], weak: set[int]) -> list[Quote]:
    """A quotation broken by its attribution is one quotation: a quotation with no attribution
    of its own right after one whose attribution stands between them, in the same paragraph,
    is its continuation, said by the same speaker."""
    out: list[Quote] = []
    for q in quotes:
        last = out[-1] if out else None
        if (
            last is not None
            and q.start in weak
            and last.start not in weak
            and last.speaker_start >= last.end
            and last.speaker_end <= q.start
            and _BREAK.fullmatch(text[last.end : q.start])
            and "\n" not in text[last.end : q.start]
        ):
            weak.discard(q.start)
            out[-1] = Quote(
                text[last.start : q.end], last.start, q.end, last.speaker, last.cue,
                f"{last.content} {q.content}", last.speaker_start, last.speaker_end,
            )  # fmt: skip
            continue
        out.append(q)
    return out


_TRANSCRIPT = re.compile(
    r"^[ \t]*((?:[A-Z][A-Za-z.'’-]*)(?:[ \t]+[A-Z][A-Za-z.'’-]*){0,3}):[ \t]+(\S.*)$", re.MULTILINE
)


_LABELS = {
    "photo", "image", "credit", "source", "update", "note", "editor's note", "read more", "watch",
    "correction", "clarification", "related", "advertisement",
}  # fmt: skip


def _transcript(text: str, quoted: list[Quote]) -> list[Quote]:
    """Interview and debate transcripts: "WALLACE: Let's start ..." is Wallace speaking."""
    out = []
    for match in _TRANSCRIPT.finditer(text):
        name = match.group(1)
        if name.lower() in _LABELS or name.split()[0].lower() in {"the", "a", "an"}:
            continue  # an editor's label or a section title ("The Latest: ..."), not a speaker
        start, end = match.start(2), match.end(2)
        if any(q.start <= start < q.end for q in quoted):
            continue
        out.append(
            Quote(
                match.group(2), start, end, name, ":", match.group(2), match.start(1), match.end(1)
            )
        )
    return out


_SPEECH = {
    "say", "tell", "add", "state", "note", "warn", "claim", "announce", "report", "write",
    "insist", "argue", "explain", "confirm", "deny", "ask", "stress", "emphasise", "emphasize",
    "assess", "believe", "suggest", "acknowledge", "admit", "predict", "declare", "allege",
    "contend", "maintain", "promise", "vow", "think", "estimate", "accuse", "urge",
    "reveal", "indicate", "describe", "call", "mock", "criticize", "criticise", "praise",
    "respond", "reply", "tweet", "agree", "recall", "complain", "concede", "question",
    "know", "feel", "hope", "fear", "expect", "doubt", "worry", "wonder", "realize", "realise",
    "understand", "hear", "learn", "show", "find", "charge", "pledge", "threaten",
    "propose", "demand", "recommend", "testify", "conclude", "observe", "mention", "remark",
    "signal", "imply", "hint", "assert", "boast", "joke", "speculate", "guess", "figure",
    "inform", "brief", "notify", "assure", "caution",
}  # fmt: skip

# Verbs of saying proper, for which a stray "that" clause is taken as what was said.
_SAYING = {
    "say",
    "tell",
    "add",
    "state",
    "claim",
    "announce",
    "report",
    "warn",
    "insist",
    "confirm",
    "explain",
    "inform",
    "brief",
}

# Verbs whose object is what was said (any cue may take one, `_verb_speech`): "called X a
# liar", "cited the polls", "called for a recount", "criticised the plan".
_OBJECT_SPEECH = {
    "call", "cite", "criticize", "criticise", "attack", "blast", "slam", "describe", "mention",
    "praise", "mock", "question", "accuse", "blame", "condemn", "dismiss", "tout", "demand",
    "propose", "recommend", "urge", "support", "oppose", "reject", "deny", "announce",
    "acknowledge", "admit", "reveal", "predict", "promise", "pledge", "defend", "applaud",
    "note", "discuss", "highlight", "stress", "emphasize", "emphasise", "reiterate", "express",
    # stances taken in public: what is admired, feared, endorsed or disputed is the content
    "admire", "fear", "debate", "understate", "overstate", "advocate", "favor", "favour",
    "welcome", "endorse", "champion", "compare", "liken", "dispute", "challenge", "embrace",
    "decry", "denounce", "lament", "hail", "downplay", "ridicule",
}  # fmt: skip

# Stances taken in public that news reports as attributions ("Roe bemoaned the cuts", "Doe
# declined to comment", "he pointed to the polls"), each only with a subject that can hold a
# stance (`_speaking_subject`): the verbs such a subject heads a PolNeAR cue with at least 30% of
# ≥ 3 times in its train split, as benchmarks/attribution_cues.py prints them ("hop" and
# "retweete" are the model's lemmas).
_STANCE = frozenset({
    "acquiesce", "address", "administer", "adopt", "aim", "align", "allude", "anger", "answer",
    "anticipate", "apologize", "appear", "appoint", "approve", "assail", "attribute", "back",
    "balk", "bank", "bar", "bash", "bemoan", "block", "boo", "brag", "brand", "bristle",
    "broadcast", "brush", "calculate", "cast", "characterize", "cheer", "chide", "chime",
    "circulate", "clarify", "coin", "comment", "compromise", "congratulate", "continue",
    "contradict", "contrast", "counter", "crack", "credit", "decide", "decline", "deem", "deride",
    "detail", "devote", "disavow", "disclose", "discount", "dislike", "disparage", "distance",
    "distribute", "document", "double", "draft", "dub", "dwell", "echo", "elaborate", "email",
    "encourage", "envision", "escalate", "experience", "explore", "expose", "eye", "fire", "focus",
    "forecast", "forward", "frame", "grapple", "hammer", "headline", "hire", "hit", "hop",
    "identify", "implore", "insult", "interject", "introduce", "invoke", "issue", "knock",
    "lambast", "lash", "laud", "launch", "lay", "lecture", "light", "list", "lobby", "mislead",
    "misstate", "monitor", "mount", "muse", "name", "nominate", "notice", "offer", "order",
    "outline", "overturn", "paint", "pander", "peg", "pen", "persuade", "pile", "pivot", "plead",
    "point", "polarize", "ponder", "portray", "posit", "position", "post", "preach", "prefer",
    "present", "press", "pressure", "proclaim", "project", "promote", "pronounce", "protest",
    "publish", "pump", "push", "quip", "quote", "rail", "rat", "ratchet", "react", "reaffirm", "reassure",
    "rebuff", "rebuke", "rebut", "recite", "recognize", "record", "recount", "refer", "reference",
    "reflect", "refrain", "regard", "release", "relish", "remember", "remind", "renew", "repeat",
    "request", "resist", "rethink", "retweete", "revere", "revise", "rip", "root", "rule", "seek",
    "seem", "sentence", "share", "shout", "side", "sign", "sing", "single", "snag", "sound",
    "spar", "spot", "sum", "surprise", "suspect", "swear", "swing", "tack", "talk", "thank",
    "tick", "toss", "trade", "trash", "trip", "trouble", "trumpet", "underscore", "unleash",
    "unveil", "utter", "veer", "veto", "view", "voice", "vouch", "waffle", "whip", "withhold",
    "yell",
})  # fmt: skip

# Verbs whose content is an infinitive ("promised to cut taxes", "vowed to fight on").
_INTENT = {
    "promise",
    "vow",
    "pledge",
    "threaten",
    "refuse",
    "want",
    "plan",
    "intend",
    "hope",
    "urge",
    "ask",
    "call",
}


def _last_speaker(quotes: list[Quote], people: list[Entity], before: int) -> str | None:
    """Who "he" or "she" at `before` most likely is: the last person speaking in their own voice,
    not someone a person quotes (in "Roe said ... though Doe had said ...", a following
    "She added" is Roe); else the last person named."""
    persons = [e for e in people if e.type == "PERSON"]
    surnames = {e.text.split()[-1]: e.text for e in persons}

    def person(q: Quote) -> str | None:
        names = [e.text for e in persons if q.speaker_start <= e.start < q.speaker_end]
        if names:
            return names[-1]
        words = (q.speaker or "").split()
        return surnames.get(words[-1]) if words else None

    top = [
        (q, name)
        for q in quotes
        if 0 <= q.speaker_start < before
        and (name := person(q))
        and not any(p.start <= q.speaker_start < p.end and person(p) for p in quotes if p is not q)
    ]
    if top:
        return max(top, key=lambda t: t[0].speaker_start)[1]
    earlier = [e for e in persons if e.end <= before]
    return earlier[-1].text if earlier else None


# "She added, ", "He went on to say that, " right before a quotation.
_PRONOUN_LEAD = re.compile(r"\b(he|she)\b([^.!?\"“”]{0,40})$", re.IGNORECASE)


def _pronoun_quotes(text: str, quotes: list[Quote], entities: list[Entity]) -> list[Quote]:
    """A quotation introduced by a pronoun ("She added, "We believe ...") with no speaker yet
    gets the one `_last_speaker` finds."""
    out: list[Quote] = []
    for q in quotes:
        pronoun = text[q.speaker_start : q.speaker_end].lower() if q.speaker_start >= 0 else ""
        if q.speaker is None and pronoun in {"he", "she"}:
            name = _last_speaker(out, entities, q.start)
            if name:
                q = Quote(q.text, q.start, q.end, name, q.cue, q.content, q.speaker_start,
                          q.speaker_end)  # fmt: skip
        elif q.speaker is None:
            window = max(0, q.start - 60)
            lead = _PRONOUN_LEAD.search(text[window : q.start])
            cue = _CUE_RE.search(lead.group(2)) if lead else None
            name = _last_speaker(out, entities, q.start) if lead and cue else None
            if lead and cue and name:
                begin = window + lead.start(1)
                q = Quote(q.text, q.start, q.end, name, cue.group(1).lower(), q.content,
                          begin, begin + len(lead.group(1)))  # fmt: skip
        out.append(q)
    return out


def _reported(
    doc: Any,
    quoted: list[Quote],
    entities: list[Entity],
    weak: AbstractSet[int] = frozenset(),
    guesses: dict[int, tuple[str, str, int, int]] | None = None,
) -> list[Quote]:
    """Reported speech: "X said (that) ...", "..., X said", "according to X, ...".

    The speaker is the verb's subject, the content its clausal complement; a pronoun speaker is
    the last person named before it. Content already inside a quotation is left to the quote.
    """
    people = [e for e in entities if e.type == "PERSON"]
    guesses = {} if guesses is None else guesses
    out: list[Quote] = []
    cues: list[tuple[int, bool]] = []  # each one's cue offset; whether its subject is named
    for token in doc:
        found = _speech_at(doc, token)
        if found is None:
            continue
        speaker, content, rest_from, rest_to = found
        if content.i == token.i:
            continue
        span_tokens = _content_tokens(doc, token, speaker, content, rest_from, rest_to)
        if not span_tokens:
            continue
        start = span_tokens[0].idx
        last = span_tokens[-1]
        end = last.idx + len(last.text)
        inside = [q for q in quoted if q.start <= start < q.end or start <= q.start < end]
        speaker_end = speaker.right_edge.i + 1
        if doc[speaker_end - 1].dep_ == "case":
            speaker_end -= 1  # a holder's "'s" ("Roe's claim") is no part of the name
        speaker_span = doc[speaker.left_edge.i : speaker_end]
        if inside:
            _guess_speakers(token, speaker, speaker_span, inside, weak, guesses)
            continue
        name = speaker_span.text
        if speaker.pos_ == "PRON" and speaker.lower_ in {"he", "she"}:
            name = _last_speaker([*quoted, *out], people, speaker.idx) or name
        cue = "according to" if token.lower_ == "according" else token.text.lower()
        content_text = doc.text[start:end]
        out.append(
            Quote(
                content_text,
                start,
                end,
                name,
                cue,
                content_text,
                speaker_span.start_char,
                speaker_span.end_char,
            )
        )
        named = speaker.pos_ == "PROPN" or speaker_span.root.ent_type_ in _NAMED
        cues.append((token.idx, named))
    return [q for q, cue in zip(out, cues, strict=True) if not _nested(q, cue, out)]


_NAMED = {"PERSON", "ORG", "GPE", "NORP"}


def _nested(q: Quote, cue: tuple[int, bool], out: list[Quote]) -> bool:
    """Whether an attribution is only part of what the one around it reports, by a subject
    with no name: in "Roe said she thinks the plan works" or "Roe said the videos show no
    weapon", Roe is the source. A named subject inside ("Roe said Doe told lawmakers ...")
    keeps its own attribution: a figure it gives is Doe's."""
    at, named = cue
    return not named and any(
        o is not q and o.start <= at < o.end and o.start <= q.start and q.end <= o.end for o in out
    )


# (speaker token, content token, first and end token index of the content, or -1 for the
# content token's subtree)
_Speech = tuple[Any, Any, int, int]


def _speech_at(doc: Any, token: Any) -> _Speech | None:
    """The speech a token introduces: a verb of saying with its subject and what was said, or
    "according to X" with the rest of the sentence."""
    if (
        token.pos_ == "VERB"
        and token.lemma_.lower() in _SPEECH | _OBJECT_SPEECH | _INTENT | _STANCE
    ):
        return _verb_speech(doc, token)
    if token.pos_ == "NOUN" and token.lemma_.lower() in _SPEECH_NOUNS:
        return _noun_speech(token)
    if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
        objects = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
        if not objects:
            # The parser sometimes reads the source as a clause ("according to show
            # insiders"): the last noun before the phrase ends is the source.
            phrase = []
            for t in doc[token.i + 2 : token.sent.end]:
                if t.is_punct:
                    break
                phrase.append(t)
            objects = [t for t in phrase if t.pos_ in {"NOUN", "PROPN"}][-1:]
        if objects:
            return objects[0], token.sent.root, -1, token.sent.end
    return None


# Nouns of saying and stance with their holder ("Roe's claim that ...", "his praise for ..."):
# those `_noun_speech` finds in PolNeAR's train split that head a gold cue at least 30% of ≥ 3
# times, as benchmarks/attribution_cues.py prints them.
_SPEECH_NOUNS = frozenset({
    "announcement", "assertion", "assessment", "attack", "claim", "condemnation", "demand",
    "disagreement", "embrace", "endorsement", "insistence", "passion", "pledge", "post", "praise",
    "promise", "question", "reluctance", "strategy", "suggestion", "talk", "unwillingness",
})  # fmt: skip

_POSSESSIVE = {"his", "her", "their", "my", "our", "your", "its"}


def _noun_speech(token: Any) -> _Speech | None:
    """A speech noun with its holder and what it is about: "Roe's claim that the pier is safe",
    "his praise for the plan": the possessor speaks; what was said is the clause or the
    object of the preposition."""
    holders = [
        c
        for c in token.children
        if c.dep_ == "poss" and (c.lower_ in _POSSESSIVE or _speaking_subject(c))
    ]
    if not holders:
        return None
    for c in token.rights:
        if c.dep_ in {"acl", "ccomp"}:
            return holders[0], c, -1, token.sent.end
        if c.dep_ == "prep" and c.lower_ not in _SETTING:
            objects = [g for g in c.children if g.dep_ in {"pobj", "pcomp"}]
            if objects:
                return holders[0], objects[0], objects[0].left_edge.i, objects[0].right_edge.i + 1
    return None


def _verb_speech(doc: Any, token: Any) -> _Speech | None:
    lemma = token.lemma_.lower()
    passive = _passive_speech(doc, token)
    if passive is not None:
        return passive
    subjects = _speech_subjects(token)
    if not subjects:
        return None
    if lemma in _STANCE and not _speaking_subject(subjects[0]):
        return None  # "The report bemoaned ...": only someone takes a stance
    clauses = _speech_clauses(token)
    if clauses:
        return subjects[0], clauses[0], -1, token.sent.end
    if lemma in _SAYING:
        # The parser sometimes hangs the "that" clause elsewhere ("Roe saying during a
        # briefing that ..."): the clause after the nearest "that" is the content.
        that = next(
            (t for t in doc[token.i + 1 : min(token.sent.end, token.i + 12)] if t.lower_ == "that"),
            None,
        )
        if that is not None and that.i + 1 < token.sent.end:
            return subjects[0], doc[that.i + 1], that.i + 1, token.sent.end
    # "Clinton called half of his supporters 'deplorables'", "Trump cited the polls", "she
    # called for a recount", "he responded with attacks": what was said is the object.
    parts = [
        c
        for c in token.rights
        if c.dep_ in {"dobj", "oprd", "dative"} or (c.dep_ == "prep" and c.lower_ not in _SETTING)
    ]
    if parts and parts[0].dep_ != "dative":
        rest_to = max(t.i for p in parts for t in p.subtree) + 1
        return subjects[0], parts[0], parts[0].left_edge.i, rest_to
    return None


# Prepositions that say where, when or how something was said, not what: "said in an
# interview", "reported from the atoll", "spoke at church", "during the debate".
_SETTING = {
    "in", "at", "from", "during", "into", "after", "before", "since", "until", "near", "inside",
    "outside", "through", "throughout", "across", "within", "amid",
}  # fmt: skip

_HE_SHE = {"he", "she", "they", "i", "we", "who"}

# Common nouns that name someone who speaks, as the subject of a stance (`_STANCE`): "the
# spokesman declined to comment", "critics pounced on the remark", "the poll shows ...". The
# nouns (lower case) a PolNeAR train-split verb's subject is headed by at least 5 times, heading a
# gold source at least 40% of those, as benchmarks/attribution_cues.py prints them ("datum" is
# the model's lemma of "data").
_SOURCE_NOUNS = frozenset({
    "activist", "actor", "actress", "ad", "adviser", "advocate", "agency", "aide", "ally",
    "analysis", "analyst", "article", "attendee", "attorney", "author", "authority", "average",
    "backer", "board", "camp", "campaign", "chairman", "chief", "commentator", "commission",
    "congressman", "contender", "critic", "datum", "diplomat", "director", "district", "economist",
    "editor", "editorial", "email", "employee", "evidence", "executive", "expert", "filing",
    "friend", "general", "governor", "group", "half", "hopeful", "host", "inquiry", "insider",
    "investor", "judge", "lawmaker", "lawsuit", "lawyer", "leader", "leadership", "legislature",
    "letter", "lobbyist", "magazine", "manager", "mayor", "moderator", "narrator", "neurosurgeon",
    "newspaper", "observer", "office", "official", "operative", "organizer", "outlet", "page",
    "panel", "paper", "percent", "percentage", "police", "politician", "poll", "polling",
    "pollster", "progressive", "prosecutor", "quarter", "record", "release", "report", "reporter",
    "representative", "researcher", "review", "runner", "scientist", "secretary", "senator",
    "side", "source", "speaker", "spokesman", "spokeswoman", "statement", "strategist", "study",
    "supporter", "survey", "third", "user", "veteran", "website",
})  # fmt: skip


def _speaking_subject(subject: Any) -> bool:
    """Whether a subject can hold a stance: a named person, organisation, group or country, or
    a personal pronoun."""
    return (
        subject.lower_ in _HE_SHE
        or subject.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"}
        or (subject.pos_ == "NOUN" and subject.lemma_.lower() in _SOURCE_NOUNS)
    )


def _passive_speech(doc: Any, token: Any) -> _Speech | None:
    """A passive with its agent: "the plan was criticised by the mayor", "it was reported by
    the paper that ...": the agent speaks; what was said is the clause, else the subject."""
    agents = [
        g
        for c in token.children
        if c.dep_ == "agent"
        for g in c.children
        if g.dep_ == "pobj" and g.pos_ in {"NOUN", "PROPN", "PRON"}
    ]
    if not agents:
        return None
    clauses = [c for c in token.children if c.dep_ == "ccomp"]
    if clauses:
        return agents[0], clauses[0], -1, token.sent.end
    said = [c for c in token.children if c.dep_ == "nsubjpass" and c.pos_ != "PRON"]
    if said:
        return agents[0], said[0], said[0].left_edge.i, said[0].right_edge.i + 1
    return None


def _speech_subjects(token: Any) -> list[Any]:
    subjects = [c for c in token.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if not subjects and token.dep_ in {"conj", "advcl"} and token.head.pos_ in {"VERB", "AUX"}:
        # "He claimed vast wealth and said it ...", "Trump defended the tweets,
        # saying ...": the first verb's subject.
        subjects = [c for c in token.head.children if c.dep_ in {"nsubj", "nsubjpass"}]
    # A time stamp or headline the parser ran into the sentence ("9:30 p.m.\n\nRoe says ...")
    # is no speaker: a subject in the verb's own paragraph comes first.
    text = token.doc.text
    line_start = text.rfind("\n", 0, token.idx) + 1
    line_end = text.find("\n", token.idx)
    line_end = len(text) if line_end < 0 else line_end
    return sorted(subjects, key=lambda s: not line_start <= s.idx < line_end)


def _speech_clauses(token: Any) -> list[Any]:
    clauses = [c for c in token.children if c.dep_ == "ccomp"]
    if not clauses:  # "promised to cut taxes", "told his aides to find a way"
        clauses = [c for c in token.children if c.dep_ == "xcomp"]
    if (
        not clauses
        and token.dep_ in {"parataxis", "advcl"}
        and token.head.pos_ in {"VERB", "AUX"}
        and not any(
            c.dep_ == "dobj" or (c.dep_ == "prep" and token.dep_ == "advcl") for c in token.rights
        )
    ):
        # "Prices will rise, she said."; but in "Asked about the plan, she said ..." or
        # "Lamenting their luck, they say ..." what the verb takes is its own.
        clauses = [token.head]
    return clauses


def _content_tokens(
    doc: Any, token: Any, speaker: Any, content: Any, rest_from: int, rest_to: int
) -> list[Any]:
    """The words of what was said, within the cue's paragraph, less the speaker and the cue."""
    if content.i == token.sent.root.i and token.lower_ == "according":
        # The rest of the sentence, less the "according to X" phrase.
        left = token.i
        right = max(t.i for t in speaker.subtree)
        span_tokens = [t for t in token.sent if not (left <= t.i <= right) and not t.is_punct]
    elif rest_from >= 0:
        span_tokens = [t for t in doc[rest_from:rest_to] if not t.is_punct]
    else:
        span_tokens = [
            t
            for t in content.subtree
            if t.i != token.i and t.i not in {x.i for x in speaker.subtree}
        ]
    # Within the cue's paragraph, less stray punctuation at the edges (a closing quote
    # mark the parser hung on the next sentence).
    line_start = doc.text.rfind("\n", 0, token.idx) + 1
    line_end = doc.text.find("\n", token.idx)
    line_end = len(doc.text) if line_end < 0 else line_end
    span_tokens = [t for t in span_tokens if line_start <= t.idx < line_end]
    while span_tokens and (span_tokens[0].is_punct or span_tokens[0].is_quote):
        span_tokens.pop(0)
    while span_tokens and (span_tokens[-1].is_punct or span_tokens[-1].is_quote):
        span_tokens.pop()
    return span_tokens


def _guess_speakers(
    token: Any,
    speaker: Any,
    speaker_span: Any,
    inside: list[Quote],
    weak: AbstractSet[int],
    guesses: dict[int, tuple[str, str, int, int]],
) -> None:
    """Content already inside a quotation is left to the quote; a quotation whose speaker was
    only a guess takes this clause's subject, a name or a noun ('Flynn said Trump was "absolutely
    right"', 'the groups said his capital was "less than expected"'), over the nearest name."""
    if speaker.pos_ == "PRON":
        return
    nominal = speaker.pos_ in {"PROPN", "NOUN"} or speaker_span.root.ent_type_ in {"PERSON", "ORG"}
    for q in inside:
        if q.start in weak and (nominal or q.speaker is None):
            guesses[q.start] = (speaker_span.text, token.text.lower(),
                                speaker_span.start_char, speaker_span.end_char)  # fmt: skip


def _stem(lemma: str) -> str:
    """What `_CUE_RE`'s endings go on: "continu" for "continued", "repl" for "replies"."""
    return lemma[:-1] if lemma.endswith(("e", "y")) else lemma


# Beside a quotation, any verb of saying or stance is its cue ('"...," he continued', 'Roe
# retorted: "..."'); stems of four letters or fewer would match too many other words.
_QUOTE_CUES = sorted(
    set(_CUES) | {_stem(v) for v in _SPEECH | _STANCE if len(v) > 3}, key=len, reverse=True
)
_CUE_RE = re.compile(
    r"\b((?:" + "|".join(re.escape(c) for c in _QUOTE_CUES) + r")(?:e|es|ed|d|s|ing|ied|ies|y)?)\b",
    re.IGNORECASE,
)

_PRONOUN_WORDS = r"(?:he|she|they|we|i)"

# Words no speaker's description holds: the phrase after a quotation is then the sentence going on.
_NOT_A_NAME = re.compile(r"\b(?:that|which|who|it|was|is|were|are|has|had|not|to)\b", re.I)

_TITLES = r"(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Prof)\.?\s+)?"

# Words between a speaker and the verb: "Doe did warn", "she later added", "he has said".
_AUX = r"(?:(?:did|does|has|had|have|also|then|later|again|once|\w+ly)\s+){0,2}"


def _adjacent(
    context: str, offset: int, start: int, end: int, people: list[Entity]
) -> tuple[str | None, str | None, tuple[int, int]] | None:
    """The attribution right beside a quotation, the usual news form: '"...," she said',
    '"...," said Mr. Smith', '"...," Smith, a spokesman, said', 'Smith said: "..."'. A
    pronoun's speaker is settled later (`_pronoun_quotes`)."""
    qs, qe = start - offset, end - offset
    # An attribution never reaches across a paragraph break.
    lead = re.match(r"[ \t,.;:!?—–-]*", context[qe:])
    pos = qe + (lead.end() if lead else 0)
    after = context[pos : pos + 120].split("\n")[0]
    pronoun = re.match(rf"({_PRONOUN_WORDS})\s+(?:\w+ly\s+)?{_CUE_RE.pattern}", after, re.I)
    if pronoun:
        where = (offset + pos, offset + pos + len(pronoun.group(1)))
        return None, pronoun.group(2).lower(), where
    cue_first = re.match(rf"{_CUE_RE.pattern}\s+{_TITLES}", after, re.I)
    if cue_first:
        at = offset + pos + cue_first.end()
        named = next((p for p in people if at <= p.start <= at + 2), None)
        if named:
            return named.text, cue_first.group(1).lower(), (named.start, named.end)
    title = re.match(_TITLES, after)
    at = offset + pos + (title.end() if title else 0)
    named = next((p for p in people if at <= p.start <= at + 2), None)
    if named:
        # "Smith said", "Smith, a spokesman for the firm, said"
        rest = context[named.end - offset : named.end - offset + 90]
        cue = re.match(rf"(?:,[^,\"“”]{{1,80}},)?\s*(?:\w+ly\s+)?{_CUE_RE.pattern}", rest, re.I)
        if cue:
            return named.text, cue.group(1).lower(), (named.start, named.end)
    # (a non-breaking space often sits between the quotation and the dash)
    dash = re.match(
        r"[ \t\xa0]*[―—–][ \t\xa0]*([A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*){0,3})", context[qe:]
    )
    if dash:  # a vox-pop's '"..." ― Jane Roe'
        at = offset + qe + dash.start(1)
        return dash.group(1), "―", (at, at + len(dash.group(1)))
    # '"...," the mayor said', '"...," said the New York businessman'
    phrase = re.match(
        rf"((?:the|a|an|one)\s+[\w.'’ -]{{1,50}}?)\s+(?:\w+ly\s+)?{_CUE_RE.pattern}", after, re.I
    )
    if phrase and _NOT_A_NAME.search(phrase.group(1)):
        phrase = None  # '"does not recognise" the claim that it was warned'
    if phrase:
        at = offset + pos
        return phrase.group(1), phrase.group(2).lower(), (at, at + len(phrase.group(1)))
    phrase = re.match(
        rf"{_CUE_RE.pattern}\s+((?:the|a|an|one)\s+[\w.'’ -]{{1,50}}?)(?=[,.;])", after, re.I
    )
    if phrase:
        at = offset + pos + phrase.start(2)
        return phrase.group(2), phrase.group(1).lower(), (at, at + len(phrase.group(2)))
    # A name the model missed: '"...," Smith said'
    bare = re.match(
        rf"({_TITLES}[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){{0,2}})\s+(?:\w+ly\s+)?{_CUE_RE.pattern}",
        after,
    )
    if bare:
        at = offset + pos
        return bare.group(1), bare.group(2).lower(), (at, at + len(bare.group(1)))
    before = context[max(0, qs - 120) : qs].split("\n")[-1]
    intro = re.search(rf"\b({_PRONOUN_WORDS})\s+{_AUX}{_CUE_RE.pattern}[,:]?\s*$", before, re.I)
    if intro:
        at = offset + qs - len(before) + intro.start(1)
        return None, intro.group(2).lower(), (at, at + len(intro.group(1)))
    # "Smith said:", "Smith says of the plan," right before the quotation.
    intro = re.search(
        rf"\s*{_AUX}{_CUE_RE.pattern}(?:\s+(?:of|about)\s+[^,.;:\"“”]{{1,40}})?[,:]?\s*$",
        before,
        re.I,
    )
    if intro:
        cue_at = offset + qs - len(before) + intro.start()
        named = next((p for p in people if 0 <= cue_at - p.end <= 2), None)
        if named:
            return named.text, intro.group(1).lower(), (named.start, named.end)
    return None


def _attribution(
    context: str, offset: int, people: list[Entity]
) -> tuple[str | None, str | None, tuple[int, int]]:
    """Speaker, cue and the speaker's span in the text, from the words around a quotation."""
    nowhere = (-1, -1)
    cues = list(_CUE_RE.finditer(context))
    if not cues:
        return None, None, nowhere
    best: tuple[int, str, str, tuple[int, int]] | None = None
    for cue in cues:
        for person in people:
            if not (offset <= person.start < offset + len(context)):
                continue
            if context[person.start - offset] == " ":
                continue  # named inside the quotation itself (blanked), not its speaker
            # A person is preferred to an organisation at a similar distance.
            distance = abs(person.start - offset - cue.start()) + (
                0 if person.type == "PERSON" else 25
            )
            if distance <= 60 and (best is None or distance < best[0]):
                best = (distance, person.text, cue.group(1).lower(), (person.start, person.end))
        pronoun = re.search(
            r"\b(he|she|they)\s+" + re.escape(cue.group(1)) + r"\b|"
            + re.escape(cue.group(1)) + r"\s+(he|she|they)\b",
            context,
            re.IGNORECASE,
        )  # fmt: skip
        if pronoun and best is None:
            # "..., he said": who "he" is is settled once reported speech is known too
            # (`_pronoun_quotes`); the pronoun's place is kept.
            group = 1 if pronoun.group(1) else 2
            where = (offset + pronoun.start(group), offset + pronoun.end(group))
            return None, cue.group(1).lower(), where
    if best is None:
        # "John Doe has also expressed grave concern ..., calling it 'very serious'": the
        # sentence's subject speaks when no one stands near the cue.
        named = [
            p
            for p in people
            if p.type == "PERSON"
            and offset <= p.start < offset + len(context)
            and context[p.start - offset] != " "  # not inside the (blanked) quotation
        ]
        if named:
            return named[0].text, cues[0].group(1).lower(), (named[0].start, named[0].end)
        return None, cues[0].group(1).lower(), nowhere
    return best[1], best[2], best[3]
