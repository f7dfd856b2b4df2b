"""Quantities in a parsed text: each figure with its value, qualifier, unit and counted thing."""

from __future__ import annotations

import re
from typing import Any

from newsweave.analyze.model import Quantity
from newsweave.analyze.numbers import (
    _FRACTION,
    _LEADING_QUALIFIER,
    _NUMBER,
    _NUMBER_WORDS,
    _PARTS,
    _QUALIFIER,
    _SCALES,
    _fraction_value,
    _trailing_scale,
    parse_number,
)
from newsweave.analyze.timex import _MONTH_RE

_QUANTITY_LABELS = {"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}


# A rate's change written as a share of a point: "a quarter point", "a quarter-point", "half a
# percentage point", "a quarter of a point", "three-quarters of a point", "1/4 point",
# "half-point". Each is that share of one percentage point.
_POINT_SHARE = re.compile(
    r"\b(?:(?:(?:a|one)\s+)?(half|quarter|third)(?:[\s-]+of)?(?:\s+an?)?"
    r"|(two|three)[\s-](thirds|quarters)(?:\s+of)?(?:\s+an?)?"
    r"|(\d)\s?[/⁄]\s?(\d))"
    r"[\s-]+(?:percentage[\s-]+)?point\b",
    re.IGNORECASE,
)
PERCENTAGE_POINTS = "percentage points"
# "25 basis points", "25bps", "25 bp": hundredths of a percentage point.
_BASIS_POINTS = re.compile(r"\s*-?\s*(?:basis[\s-]+points?|bps?)\b", re.IGNORECASE)
_PERCENT_WORD = re.compile(r"\s*(?:per\s?cent|pct)\b|\s*pc\b", re.IGNORECASE)


def _point_share(match: re.Match[str]) -> float:
    if match.group(1):
        return 1 / _PARTS[match.group(1).lower()]
    if match.group(2):
        return (parse_number(match.group(2)) or 1) / _PARTS[match.group(3).lower()]
    return int(match.group(4)) / int(match.group(5))


def _quantities(doc: Any, text: str) -> list[Quantity]:
    shares = [m for m in _POINT_SHARE.finditer(text) if not m.group(4) or int(m.group(5)) > 0]
    out = [
        Quantity(
            m.group(0),
            m.start(),
            m.end(),
            _point_share(m),
            _qualifier_around(
                text,
                m.group(0),
                m.start(),
                m.end(),
                _split_qualifier(text, m.group(0), m.start())[1],
            ),
            PERCENTAGE_POINTS,
            PERCENTAGE_POINTS,
        )
        for m in shares
    ]
    for start, end in _join_ranges(text, sorted(set(_figure_spans(doc, text)))):
        if any(m.start() < end and start < m.end() for m in shares):
            continue  # the share of a point stands for the whole phrase
        glued_scale = re.match(r"(?:bn|tn|mn|m|k|M)\b", text[end : end + 3])
        if glued_scale and text[end - 1 : end].isdigit():
            end += glued_scale.end()  # spaCy's "4.3" of "4.3M"
        raw = text[start:end]
        if _no_count(doc, text, raw, start, end):
            continue
        body, qualifier = _split_qualifier(text, raw, start)
        numbers = _values(text, raw, body, start, end)
        if not numbers:
            continue
        qualifier = _qualifier_around(text, raw, start, end, qualifier)
        numbers = _plural_range(raw) or numbers
        unit, thing = _unit(doc, raw, start, end, text)
        unit, thing, numbers = _rate_unit(text, raw, end, unit, thing, numbers)
        written = _BASIS_POINTS.match(text, end)
        if unit == PERCENTAGE_POINTS and written:
            end += written.end() - end  # the figure as written: "25 basis points", not "25"
            raw = text[start:end]
        for number in numbers:
            out.append(Quantity(raw, start, end, number, qualifier, unit, thing))
    return sorted(out, key=lambda q: q.start)


# Measures written before the noun they describe ("a 30-storey tower", "a 7.7-magnitude quake").
_MEASURES = {"magnitude": "magnitude", "storey": "storeys", "story": "storeys", "floor": "floors"}
_MEASURE_BEFORE = re.compile(r"\bmagnitude\s+(?:of\s+)?$", re.IGNORECASE)
# Spelled after the figure, or inside the span spaCy gave it ("7.7-magnitude").
_MEASURE_AFTER = re.compile(r"(?<![^\s\d-])\s*-?\s*(magnitude|storey|story|floor)\b", re.IGNORECASE)


def _rate_unit(
    text: str, raw: str, end: int, unit: str | None, thing: str | None, numbers: list[float]
) -> tuple[str | None, str | None, list[float]]:
    """One way of writing each rate figure: "25 basis points" and "25bps" are 0.25 percentage
    points, "0.25 points" too (a fraction of a point is a rate's change: sports and index
    points are whole); "3.25 percent" and "three per cent" are 3.25 %."""
    before = _MEASURE_BEFORE.search(text[max(0, end - len(raw) - 16) : end - len(raw)])
    after = _MEASURE_AFTER.match(text, end) or _MEASURE_AFTER.search(raw)
    if before or after:
        # "a 7.7-magnitude quake", "magnitude 7.7", "a 30-storey tower": the measure is the unit
        name = _MEASURES[after.group(1).lower()] if after else "magnitude"
        return name, name, numbers
    glued = re.search(r"\d\s?(?:bps?)$", raw, re.IGNORECASE)
    if glued or _BASIS_POINTS.match(text, end) or (thing or "").lower().startswith("basis point"):
        return PERCENTAGE_POINTS, PERCENTAGE_POINTS, [n / 100 for n in numbers]
    if unit in {"point", "points"}:
        percentage = (thing or "").lower().startswith("percentage")
        if percentage or all(0 < n < 1 for n in numbers):
            return PERCENTAGE_POINTS, PERCENTAGE_POINTS, numbers
    if unit != "%" and (
        re.search(r"(?:per\s?cent|pct)$", raw, re.IGNORECASE) or _PERCENT_WORD.match(text, end)
    ):
        return "%", None, numbers
    return unit, thing, numbers


def _no_count(doc: Any, text: str, raw: str, start: int, end: int) -> bool:
    """Figures that count nothing: part of a name, a score, the length of something named
    after it, a year."""
    raw = re.sub(r"['’′]s$", "", raw)  # "2022′s"
    end = start + len(raw)
    bare = re.fullmatch(r"\d+", raw) is not None
    before = text[max(0, start - 12) : start]
    if re.search(r"[A-Z]{2,}\s-$", before) and bare:
        return True  # "COVID -19" as tokenised text writes it
    if bare and _names_follow(doc, end):
        return True  # "iPhone 11 Pro", "787 Dreamliner", "two new 737 Max jets"
    if re.fullmatch(r"\d{1,2}[.:]\d\d\s?[ap]\.?m\.?", raw.strip(), re.IGNORECASE):
        return True  # a clock time spaCy took for a quantity ("11.50 am")
    # A range from a figure to itself is a tied score ("at 89-89").
    pair = re.fullmatch(r"(\d+)\s?[-–]\s?(\d+)", raw.strip())
    if pair and pair.group(1) == pair.group(2):
        return True
    # "a five-year $700,000 award", "a two-month contract": the length of the thing named
    # after it describes that thing.
    if re.fullmatch(_NUMBER_WORDS, raw.strip(), re.IGNORECASE) and re.match(
        r"-(?:year|month|week|day|hour|minute)\s+(?:[a-z]|[$€£])", text[end : end + 12]
    ):
        return True
    # "by 2120.", "during 2022's rout": a year after a preposition of time, counting nothing.
    return bool(
        bare
        and re.fullmatch(r"1\d{3}|2\d{3}", raw)
        and re.search(r"\b(?:in|by|since|until|till|during|before|after|from|of)\s$", before, re.I)
        and re.match(r"(?:[.,;:)!?]|\s*$|['’′]s\b|\s+(?:and|or|when|to)\b)", text[end : end + 6])
    )


def _names_follow(doc: Any, end: int) -> bool:
    """A capitalised name right after a bare number, that is not the people it counts
    ("3 Germans")."""
    span = (
        doc.char_span(end, len(doc.text), alignment_mode="expand") if end < len(doc.text) else None
    )
    if span is None or not len(span):
        return False
    nxt = span[0]
    return bool(
        nxt.idx == end + 1
        and nxt.text[:1].isupper()
        # a word, not a unit ("450 Nm") or an acronym
        and len(nxt.text) >= 3
        and nxt.text[1:].islower()
        and nxt.pos_ == "PROPN"
        and nxt.ent_type_ not in {"NORP", "GPE", "LOC", "DATE", "TIME", "MONEY", "QUANTITY"}
        and not nxt.is_sent_start
    )


def _figure_spans(doc: Any, text: str) -> list[tuple[int, int]]:
    """Where the figures are: spaCy's quantity entities, the numbers inside durations, shares,
    and the figures and number words spaCy left out."""
    spans: list[tuple[int, int]] = [
        (e.start_char, e.end_char)
        for e in doc.ents
        if e.label_ in _QUANTITY_LABELS and not _names_a_model(doc, e)
    ]
    # A duration is a quantity ("three years in prison", "every 33 years"); a calendar date
    # is not. spaCy calls both DATE, so the number inside a duration is taken out.
    for ent in doc.ents:
        if ent.label_ in {"DATE", "TIME"}:
            duration = _DURATION.search(ent.text)
            if duration:
                spans.append((ent.start_char + duration.start(1), ent.start_char + duration.end(1)))
    # Shares: "a third of", "two-thirds", "1/16 of".
    for match in _FRACTION.finditer(text):
        # The share replaces whatever spaCy made of it ("two" of "two-thirds").
        spans[:] = [
            (s, e)
            for s, e in spans
            if not (s <= match.start() < e or match.start() <= s < match.end())
        ] + [(match.start(), match.end())]
    # Numbers inside dates, ordinals and names ("Oct. 31", "Big 12") are not quantities; a
    # "DATE" with no date in it ("1520 sq m", "25.5″") and a currency code read as a place
    # ("USD1,700") still hold one.
    taken = [
        (e.start_char, e.end_char)
        for e in doc.ents
        if not (e.label_ in {"DATE", "TIME"} and not _DATE_LIKE.search(e.text))
        and not re.fullmatch(r"[A-Z]{2,3}\$?\d[\d,.]*", e.text)
    ]
    for match in _NUMBER.finditer(text):
        if not _not_a_figure(text, match, spans, taken):
            # Number words and figures spaCy left out ("ten thousand", "half a million").
            spans.append((match.start(), match.end()))
    return spans


def _not_a_figure(
    text: str, match: re.Match[str], spans: list[tuple[int, int]], taken: list[tuple[int, int]]
) -> bool:
    """A number `_NUMBER` found that is no figure to add: already one, or part of a date, a
    clock time, a year or a name."""
    found = match.group(0)
    if parse_number(found) is None or found.lower() in {"a", "an", "one"}:
        return True
    glued_unit = _GLUED_UNIT.match(text, match.end())  # "500mg", "118.5p", "25.5″"
    # Money and measures are quantities whatever entity spaCy put them in ("five-year
    # $700000" as a DATE, "PS8.1bn" as a place, "6kW electric motor" as an organisation).
    money = found[0] in "$€£" or _CURRENCY_CODE.search(
        text[max(0, match.start() - 8) : match.start()]
    )
    if any(s <= match.start() < e or match.start() <= s < match.end() for s, e in spans):
        return True  # already a quantity spaCy found
    if _glued_to_a_name_or_time(text, match, bool(money)):
        return True
    if not (glued_unit or money) and any(
        s <= match.start() < e or match.start() <= s < match.end() for s, e in taken
    ):
        return True
    return bool(
        found[0].isdigit()
        and not glued_unit
        and (
            re.fullmatch(r"(?:19|20)\d\d", found)  # a year
            or re.match(r"\s+[A-Z]", text[match.end() : match.end() + 2])  # "11 Pro"
            or _after_a_name(text, match.start())  # "Galaxy Note 20"
        )
    )


def _glued_to_a_name_or_time(text: str, match: re.Match[str], money: bool) -> bool:
    if text[match.end() : match.end() + 1] in {"/", "⁄"} or text[
        max(0, match.start() - 1) : match.start()
    ] in {"/", "⁄"}:
        return True  # "24/7", "9/11"
    if re.search(r"[A-Z]{1,4}-$", text[max(0, match.start() - 5) : match.start()]):
        return True  # a model name ("AK-47", "F-16", "COVID-19")
    if re.match(r"\s?[ap]\.?m\b|:\d\d", text[match.end() : match.end() + 5], re.I) or (
        text[max(0, match.start() - 1) : match.start()] == ":"
    ):
        return True  # a clock time ("5am", "1.56pm", "4:39")
    # part of a model name ("XC40", "S22", "CO2"), not a currency code
    return text[max(0, match.start() - 1) : match.start()].isalpha() and not money


def _split_qualifier(text: str, raw: str, start: int) -> tuple[str, str | None]:
    """A figure's words less a qualifier inside its span ("about 300"), and the qualifier
    inside it or just before it."""
    inside = _LEADING_QUALIFIER.match(raw)
    if inside:
        return raw[inside.end() :], inside.group(1).lower()
    before = _QUALIFIER.search(text[max(0, start - 30) : start])
    return raw, before.group(0).strip().lower() if before else None


def _values(text: str, raw: str, body: str, start: int, end: int) -> list[float]:
    """The values a figure gives (two for a range), none when it is no count."""
    values = [parse_number(m.group(0)) for m in _NUMBER.finditer(body)]
    numbers = [v for v in values if v is not None]
    if (
        re.search(r"\dm$", raw)
        and not re.search(r"[$€£]", raw)
        and not _CURRENCY_CODE.search(text[max(0, start - 8) : start])
    ):
        numbers = [n / 1e6 for n in numbers]  # "37m (121ft)-long": metres, not millions
    share = _FRACTION.search(text[start : end + 6])
    if share and share.start() < end - start:
        numbers = [_fraction_value(share)]
    elif re.fullmatch(r"\d{1,2}\s?[/⁄]\s?\d{1,2}", body.strip()):
        return []  # "9/11", "24/7": a date or a phrase, not two counts
    if not numbers:
        return []
    half = re.search(r"\bhalf\s+an?\s+(million|billion|thousand)\b", body, re.IGNORECASE)
    if half:
        numbers = [0.5 * _SCALES[half.group(1).lower()]]
    # "$89 to $93 billion", "1 to 2 thousand": the scale at the end counts for every figure.
    scale = _trailing_scale(body)
    if scale and len(numbers) > 1:
        # "$89 to $93 billion": the first figure takes the scale; "$370,000 to $5.5 million"
        # has its own.
        # "$200 to $4 million" runs from $200.
        first, last = numbers[0], numbers[-1] / scale
        if first < 1000 and first < last:
            numbers = [n * scale if n < 1000 else n for n in numbers[:-1]] + numbers[-1:]
    return numbers


def _qualifier_around(
    text: str, raw: str, start: int, end: int, qualifier: str | None
) -> str | None:
    if qualifier is None and re.match(r"\s*more\b", text[end : end + 10], re.IGNORECASE):
        qualifier = "more"  # "1,500 more": an increase, not a total
    vague = (
        re.match(r"(?:several|many|a few|few)\b", raw, re.IGNORECASE)
        or re.search(
            r"\b(?:several|many|a few|tens of|hundreds of|thousands of)\s+$",
            text[max(0, start - 20) : start],
            re.IGNORECASE,
        )
        or re.fullmatch(r"(?:dozens|hundreds|thousands|millions)", raw.strip(), re.IGNORECASE)
    )
    if vague:
        qualifier = "several"  # "several thousand": an order of magnitude, not a figure
    return qualifier


def _plural_range(raw: str) -> list[float] | None:
    """ "hundreds" is 100 to 1,000, "tens of thousands" 10,000 to 100,000."""
    plural = re.match(
        r"(?:(tens|hundreds) of )?(dozens|hundreds|thousands|millions|billions)\b(?! of (?:thousands|millions|billions))",
        " ".join(raw.lower().split()),
    )
    if not plural:
        return None
    low = {"dozens": 12.0, "hundreds": 100.0, "thousands": 1e3, "millions": 1e6,
           "billions": 1e9}[plural.group(2)]  # fmt: skip
    low *= {"tens": 10, "hundreds": 100}.get(plural.group(1) or "", 1)
    return [low] if plural.group(2) == "dozens" else [low, low * 10]


_CURRENCY_CODE = re.compile(
    r"(?:\b(?:US|A|C|HK|NZ|S|AU|R)\$|\$(?:US|A|C|HK|NZ|AU)|"
    r"\b(?:USD|EUR|GBP|JPY|CNY|INR|CHF|RM|Rs\.?|PS|Y=))\s?$"
)

_GLUED_UNIT = re.compile(
    r"(?:mg|kg|g|km|cm|mm|m2|km2|m|mi|ft|lbs?|oz|p|mAh|kWh|MWh|kW|MW|GW|W|V|Hz|GHz|MHz|GB|TB|"
    r"MB|mph|kph|km/h|ml|l|pc)\b|[″′\"](?!s\b)"
)

_DATE_LIKE = re.compile(
    rf"\b(?:{_MONTH_RE}|(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:19|20)\d\d|today|"
    r"yesterday|tomorrow|years?|months?|weeks?|days?|decades?|centur(?:y|ies)|ago|season|"
    r"spring|summer|autumn|fall|winter|quarter|hours?|minutes?|[ap]\.?m\b|noon|night)",
    re.IGNORECASE,
)


def _after_a_name(text: str, start: int) -> bool:
    """A figure right after a capitalised word that is not the sentence's first ("Note 20",
    not "At 118.5p")."""
    before = re.search(r"(\b\w*[A-Z][\w]*)\s+$", text[max(0, start - 20) : start])  # "iPhone 11"
    if before is None:
        return False
    at = start - len(before.group(0))
    preceding = text[max(0, at - 3) : at]
    return not (at == 0 or re.search(r"(?:[.!?][\"”’)]?\s+|\n\s*)$", preceding))


_STREET = re.compile(
    r"\s+(?:[A-Z][\w.]*\s+){0,3}(?:Road|Rd|Street|St|Avenue|Ave|Way|Drive|Dr|Lane|Ln|"
    r"Boulevard|Blvd|Place|Pl|Court|Ct|Terrace|Highway|Hwy)\b\.?"
)


def _names_a_model(doc: Any, ent: Any) -> bool:
    """A bare number that is part of a name ("Galaxy Note 20", "Channel 5", "category 4") or
    of an address ("49 Zorro Ranch Road")."""
    if ent.label_ != "CARDINAL" or not ent.text[:1].isdigit():
        return False
    if _STREET.match(doc.text, ent.end_char):
        return True
    if ent.start == 0:
        return False
    before = doc[ent.start - 1]
    after = doc[ent.end] if ent.end < len(doc) else None
    if before.lower_ in {"category", "level", "stage", "number", "no", "tier", "grade", "phase"}:
        return True  # "a category 4 hurricane" counts nothing
    counts_something = after is not None and after.pos_ in {"NOUN", "ADJ"}
    named = before.pos_ == "PROPN"
    return named and not before.is_sent_start and not counts_something


def _join_ranges(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One span for a range spaCy cut in two ("$89" + "$93 billion", "3 and 5 million"): a
    bare first figure takes the second's scale."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            first = text[out[-1][0] : out[-1][1]]
            between = text[out[-1][1] : start]
            if re.fullmatch(r"\s*(?:to|-|–|and)\s*[$€£]?", between) and re.fullmatch(
                r"[$€£]?\s?[\d.,]+", first.strip()
            ):
                out[-1] = (out[-1][0], end)
                continue
        out.append((start, end))
    return out


_DURATION = re.compile(
    r"\b(\d[\d,.]*|" + _NUMBER_WORDS + r")(?:[\s-]+(?:" + _NUMBER_WORDS + r"))*[\s-]+"
    r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centuries)\b",
    re.IGNORECASE,
)


def _unit(doc: Any, raw: str, start: int, end: int, text: str) -> tuple[str | None, str | None]:
    """The unit, or the counted noun and its phrase: the noun after the number ("3,000 Dutch
    soldiers", "300,000 service member deaths" -> "deaths"), else what the number is
    said to be ("losses to be 500,000", "the death toll rose to 300")."""
    if "%" in raw or re.match(r"\s*(?:per\s?cent\b|pc\b)", text[end : end + 9], re.IGNORECASE):
        return "%", None
    currency = re.search(r"[$€£]", raw)
    if currency:
        return currency.group(0), None
    duration = re.match(
        r"\s*-?\s*(year|month|week|day|hour|minute)s?\b", text[end : end + 12], re.IGNORECASE
    )
    if duration:  # "three 10-year sentences" counts years, not sentences
        return duration.group(1).lower() + "s", None
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None, None
    last = span[-1]
    if len(span) > 1 and last.pos_ == "NOUN" and any(t.like_num for t in span[:-1]):
        return str(last.text).lower(), _phrase(last)  # a measure spaCy took in: "820 kilometres"
    for token in doc[span.end : span.end + 5]:
        if token.pos_ == "NOUN":
            # A compound runs on to its head: "service member deaths" counts deaths.
            while token.dep_ == "compound" and token.head.pos_ == "NOUN" and token.head.i > token.i:
                token = token.head
            return str(token.text).lower(), _phrase(token)
        if token.pos_ not in {"ADJ", "PROPN", "ADV", "NUM"} and token.text != "-":
            break
    casualty = _CASUALTY.match(text, end)
    if casualty:  # "12 dead", "more than 60 injured": the people the word describes
        return casualty.group(1).lower(), casualty.group(1).lower()
    noun = _predicated_noun(span.root)
    if noun is None:
        return None, None
    return str(noun.text).lower(), _phrase(noun)


# Words that stand for the people they describe when no noun follows the count ("12 dead,
# 60 injured and four still missing").
_CASUALTY = re.compile(
    r"\s+(?:(?:still|more|others?|people|were|are)\s+)?"
    r"(dead|injured|wounded|killed|missing|hurt|displaced|homeless|evacuated|trapped)\b",
    re.IGNORECASE,
)


# Nouns that only count what their modifier names: "the death toll" counts deaths.
_COUNT_NOUNS = {"number", "total", "toll", "tally", "count", "figure"}

# Verbs through which a subject takes a number: "X was 45", "X reached 1,200", "X rose to 300".
_REACHING = {"be", "reach", "rise", "climb", "hit", "total", "stand", "top", "exceed", "jump"}
# Verbs that give their object a number with "at": "officials put the death toll at 12".
_PUTTING = {"put", "estimate", "place", "set", "peg"}


def _predicated_noun(number: Any) -> Any:
    while number.dep_ in {"nummod", "quantmod", "compound"} and number.head.pos_ == "NUM":
        number = number.head  # "500,000 (half a million)"
    verb = number.head
    preposition = verb.lower_ if number.dep_ == "pobj" else ""
    if number.dep_ == "pobj" and verb.dep_ == "prep":
        verb = verb.head
    if preposition == "at" and verb.lemma_ in _PUTTING:
        objects = [c for c in verb.children if c.dep_ == "dobj" and c.pos_ == "NOUN"]
        return _counted(objects[0]) if objects else None
    if number.dep_ not in {"attr", "dobj", "pobj"} or verb.lemma_ not in _REACHING:
        return None
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if (
        not any(c.pos_ == "NOUN" for c in subjects)
        and verb.dep_ == "conj"
        and verb.head.lemma_ == verb.lemma_
    ):
        # A second clause that leaves its noun out takes the first's: "the magnitude of the
        # first quake was 7.7 and the second was 6.4".
        subjects = [c for c in verb.head.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if subjects:
        noun = subjects[0]
    elif verb.dep_ == "relcl" and verb.head.pos_ == "NOUN":
        noun = verb.head  # "losses to be 500,000"
    else:
        return None
    return _counted(noun)


def _counted(noun: Any) -> Any:
    """What a noun counts: "the death toll" counts deaths, "the number of dead" the dead."""
    if noun.lemma_ in _COUNT_NOUNS:
        inner = [c for c in noun.children if c.dep_ == "compound" and c.pos_ == "NOUN"] + [
            g for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
        ]
        if inner:
            return inner[0]
    return noun if noun.pos_ == "NOUN" else None


def _phrase(noun: Any) -> str:
    words = [
        c
        for c in noun.lefts
        if c.dep_ in {"amod", "compound", "nmod"} and c.pos_ in {"ADJ", "PROPN", "NOUN"}
    ]
    for child in list(words):
        words.extend(
            t for t in child.subtree if t.i < child.i and t.pos_ in {"ADJ", "PROPN", "NOUN"}
        )
    return " ".join(t.text for t in sorted([*words, noun], key=lambda t: t.i))
