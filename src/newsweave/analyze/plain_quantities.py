"""Figures in a text no installed model reads, by their units alone.

Without a model nothing says what a bare number counts, so only figures whose unit says what
they are become quantities: percent, percentage points and basis points (as percentage points,
as the English reader gives them), money, an earthquake's magnitude, and counts of dead,
injured, missing and people. Symbols are the same in every language ("%", "€", "$", "£"); the
words are in lexicon.py, per language. A number is read as its language writes it ("3.000"
three thousand, "7,5" seven and a half, in a decimal-comma language).

What is not read is left out, never guessed: a bare number, a figure whose noun is not in the
table, two figures joined by "bis", "und" or "-" (a range, or a list whose first figure takes the
second's unit), a magnitude with no word for an earthquake near it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from newsweave.analyze.lexicon import LEXICONS, Lexicon
from newsweave.analyze.model import Quantity
from newsweave.analyze.numbers import parse_number
from newsweave.analyze.quantities import PERCENTAGE_POINTS
from newsweave.text import DECIMAL_COMMA

# A decimal comma with points or spaces grouping thousands ("1.411", "1 411", "10,75"); a point
# before one or two digits is a decimal point however the language writes ("magnitudo 6.8").
# Swiss German, French and Italian group with an apostrophe ("780'000").
_NUMBER_COMMA = (
    r"(?<![\d.,])(?<!\d['’])"
    r"(?:\d{1,3}(?:[.\u00a0\u202f '’]\d{3})+(?:,\d+)?|\d+(?:,\d+|\.\d{1,2})?)"
    r"(?!\d|[.,'’]\d)"
)
_NUMBER_POINT = r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d|[.,]\d)"

# Written the same way in every language.
_SYMBOLS = {"US$": "$", "$": "$", "€": "€", "£": "£", "USD": "$", "EUR": "€", "GBP": "£"}
_MAGNITUDE = "magnitude"
# How far from a magnitude a word for an earthquake may be (a sentence or two).
_QUAKE_REACH = 300


@dataclass(frozen=True)
class _Reader:
    number: re.Pattern[str]
    scale: re.Pattern[str] | None
    scales: dict[str, float]
    of: re.Pattern[str] | None
    after: list[tuple[re.Pattern[str], str]]  # pattern → unit, in the order tried
    counted: list[tuple[re.Pattern[str], str]]
    currency_before: re.Pattern[str]
    percent_before: re.Pattern[str] | None
    points_after_percent: re.Pattern[str] | None
    magnitude_before: re.Pattern[str] | None
    magnitude_after: re.Pattern[str] | None
    quake: re.Pattern[str] | None
    qualifier: re.Pattern[str] | None
    qualifiers: dict[str, str]
    joined: re.Pattern[str]
    share: re.Pattern[str] | None
    shares: dict[str, float]
    lang: str = ""
    # A number and a scale word ending just before a number: "12 mil " of "12 mil 53".
    before_scale: re.Pattern[str] | None = None


def plain_quantities(text: str, language: str | None) -> list[Quantity]:
    """The figures with a unit in `text`, read with the words of `language` (see the module's
    docstring): value, qualifier, unit, offsets into `text`."""
    lang = (language or "").split("-")[0].lower()
    reader = _reader(lang)
    out: list[Quantity] = []
    for match in reader.number.finditer(text):
        quantity = _read(reader, text, match, lang)
        if quantity is None:
            continue
        before = max(0, quantity.start - 24)
        joined = reader.joined.search(text[before : quantity.start])
        # A first figure with a unit of its own ("yüzde 2 ve yüzde 3") is a figure apart.
        if joined and not any(q.end == before + joined.end(1) for q in out):
            # "2 bis 3 Prozent", "3,40 und 3,65 Prozent", "zwischen 2 und 3 Prozent": the
            # unit is the first figure's too, and a range is not told from a list here.
            continue
        out.append(quantity)
    return sorted(out + _point_shares(reader, text), key=lambda q: q.start)


def _point_shares(reader: _Reader, text: str) -> list[Quantity]:
    """ "een kwart procentpunt", "einen halben Prozentpunkt": that share of a point."""
    if reader.share is None:
        return []
    out = []
    for match in reader.share.finditer(text):
        share = match.group(1)
        value = next(
            v for pattern, v in reader.shares.items() if re.fullmatch(pattern, share, re.I)
        )
        out.append(
            Quantity(
                match.group(0),
                match.start(),
                match.end(),
                value,
                _qualifier(reader, text, match.start()),
                PERCENTAGE_POINTS,
                PERCENTAGE_POINTS,
            )
        )
    return out


def _read(reader: _Reader, text: str, match: re.Match[str], lang: str) -> Quantity | None:
    value = parse_number(match.group(0), lang)
    if value is None:
        return None
    if _after_a_comma(text, match):
        return None
    start, end = match.start(), match.end()
    before = text[max(0, start - 40) : start]
    scale = reader.scale.match(text, end) if reader.scale else None
    rest = scale.end() if scale else end
    of = reader.of.match(text, rest) if scale and reader.of else None
    rest = of.end() if of else rest
    factor = _scale_value(reader, scale.group(1)) if scale else 1.0
    unit = thing = None
    percent_before = reader.percent_before.search(before) if reader.percent_before else None
    currency_before = reader.currency_before.search(before)
    magnitude_before = reader.magnitude_before.search(before) if reader.magnitude_before else None
    if percent_before and not scale:
        start -= len(percent_before.group(0))
        suffix = re.match(r"['’]\w+", text[rest:])  # Turkish "%2,5'e", "yüzde 50'ye"
        points = reader.points_after_percent
        written = points.match(text, rest + (suffix.end() if suffix else 0)) if points else None
        if written:
            unit, end = PERCENTAGE_POINTS, written.end()
        else:
            unit, end = "%", rest + (suffix.end() if suffix else 0)
    elif currency_before:
        start -= len(currency_before.group(0))
        unit, end, value = _SYMBOLS[currency_before.group(1)], rest, value * factor
    elif magnitude_before and not scale and _a_magnitude(reader, text, start, value):
        start -= len(magnitude_before.group(0))
        unit = thing = _MAGNITUDE
    else:
        found = _after(reader, text, rest, value, scale is not None, start)
        if found is None:
            return None
        unit, thing, end, value = found[0], found[1], found[2], found[3] * factor
    if unit is None:
        return None
    if start == match.start():
        compound = _compound(reader, text, start, value)
        if compound is None:
            return None
        start, value = compound
        if unit in ("%", PERCENTAGE_POINTS) and _negative(text, start):
            start, value = start - 1, -value
    return Quantity(
        text[start:end], start, end, value, _qualifier(reader, text, start), unit, thing
    )


def _compound(reader: _Reader, text: str, start: int, value: float) -> tuple[int, float] | None:
    """ "12 mil 53 heridos", "20 bin 426 kişi", "1 milyon 200 bin": a figure written in parts
    by scale; the number before the unit is only its last part. None when the first part is no
    digit ("mil 522", "deux mille 300"): a number word may stand before the scale, and is not
    read here."""
    if reader.before_scale is None:
        return start, value
    while found := reader.before_scale.search(text[max(0, start - 40) : start]):
        scale = _scale_value(reader, found.group(2))
        # "2 Mio. 300 Menschen": an abbreviation's point may end a sentence; no parts there.
        if scale <= value or found.group(2).endswith("."):
            break
        head = parse_number(found.group(1), reader.lang) if found.group(1) else None
        if head is None:
            return None
        start, value = max(0, start - 40) + found.start(), head * scale + value
    return start, value


def _after_a_comma(text: str, match: re.Match[str]) -> bool:
    """ "kommt auf 11, 5 Prozent": one or two digits after a short number and a comma are a
    decimal written with a space, or the last of a list sharing the unit; either way the
    number alone is not the figure."""
    if not re.fullmatch(r"\d{1,2}", match.group(0)):
        return False
    return (
        re.search(r"(?<![\d.,])\d{1,3},\s$", text[max(0, match.start() - 6) : match.start()])
        is not None
    )


def _negative(text: str, start: int) -> bool:
    """ "(-0,1 Prozent)", "−0,5 %": a minus sign against the number, not a dash between words or
    figures ("2-3 %", "Stärke 8,3 - 200 000 Tote")."""
    return start >= 1 and text[start - 1] in "-−" and (start == 1 or text[start - 2] in " \t\n([")


def _after(
    reader: _Reader, text: str, at: int, value: float, scaled: bool, start: int
) -> tuple[str, str | None, int, float] | None:
    """The unit written after a number: (unit, thing, where it ends, value in that unit)."""
    for pattern, unit in reader.after:
        written = pattern.match(text, at)
        if not written:
            continue
        if unit == "bp":
            return (None if scaled else (PERCENTAGE_POINTS, PERCENTAGE_POINTS, written.end(),
                                         value / 100))  # fmt: skip
        if unit == PERCENTAGE_POINTS:
            return None if scaled else (unit, unit, written.end(), value)
        if unit == "%":
            return None if scaled else (unit, None, written.end(), value)
        return unit, None, written.end(), value  # money
    if reader.magnitude_after and not scaled:
        written = reader.magnitude_after.match(text, at)
        if written and _a_magnitude(reader, text, start, value):
            return _MAGNITUDE, _MAGNITUDE, written.end(), value
    for pattern, unit in reader.counted:
        written = pattern.match(text, at)
        # A count of people is whole, unless a scale makes it so ("1,2 Millionen Menschen").
        if written and (scaled or value == int(value)):
            return unit, unit, written.end(), value
    return None


def _a_magnitude(reader: _Reader, text: str, start: int, value: float) -> bool:
    """A magnitude is between 1 and 10 and is given of an earthquake named near it."""
    if reader.quake is None or not 1 <= value < 10:
        return False
    window = text[max(0, start - _QUAKE_REACH) : start + _QUAKE_REACH]
    return reader.quake.search(window) is not None


def _qualifier(reader: _Reader, text: str, start: int) -> str | None:
    if reader.qualifier is None:
        return None
    found = reader.qualifier.search(text[max(0, start - 30) : start])
    if not found:
        return None
    phrase = found.group(1).lower()
    return next(
        (
            english
            for pattern, english in reader.qualifiers.items()
            if re.fullmatch(pattern, phrase, re.IGNORECASE)
        ),
        None,
    )


def _scale_value(reader: _Reader, word: str) -> float:
    return next(
        (v for pattern, v in reader.scales.items() if re.fullmatch(pattern, word, re.I)), 1.0
    )


def _either(before: str, words: tuple[str, ...], after: str) -> re.Pattern[str] | None:
    """Any of the words between `before` and `after`, case aside; None for a language that has
    none of them."""
    if not words:
        return None
    return re.compile(before + "(?:" + _alternatives(words) + ")" + after, re.I)


def _alternatives(patterns: list[str] | tuple[str, ...]) -> str:
    # Longest first, so "mil millones" is tried before "mil" and "Prozentpunkte" before "Prozent".
    return "|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True))


@functools.cache
def _reader(lang: str) -> _Reader:
    lexicon = LEXICONS.get(lang, Lexicon())
    number = _NUMBER_COMMA if lang in DECIMAL_COMMA else _NUMBER_POINT
    gap = r"\s*-?\s*"  # "2,5%", "2,5 %", "0,25 %-Punkte", "75-Basispunkte"
    end = r"(?!\w)"
    after: list[tuple[re.Pattern[str], str]] = []
    for patterns, unit in (
        ([*lexicon.basis_points, r"(?-i:bps?)"], "bp"),
        (list(lexicon.points), PERCENTAGE_POINTS),
        ([*lexicon.percent, "%"], "%"),
    ):
        if patterns:
            after.append((re.compile(gap + f"(?:{_alternatives(patterns)}){end}", re.I), unit))
    money = dict(lexicon.currencies)
    money.update({re.escape(s): v for s, v in _SYMBOLS.items()})
    for symbol in sorted(set(money.values())):
        words = [w for w, s in money.items() if s == symbol]
        # A symbol needs no word boundary after it ("5 €,"); a word does.
        after.append((re.compile(r"\s*(?:" + _alternatives(words) + r")(?!\w)", re.I), symbol))
    symbols = _alternatives([re.escape(s) for s in _SYMBOLS])
    scale = (
        re.compile(r"\s+(" + _alternatives(list(lexicon.scales)) + r")(?!\w)", re.I)
        if lexicon.scales
        else None
    )
    joins = _alternatives([r"-", r"–", r"—", *lexicon.joins])
    return _Reader(
        number=re.compile(number),
        scale=scale,
        scales=lexicon.scales,
        of=re.compile(r"\s+(?:" + lexicon.of + r")(?=[\s\w])", re.I) if lexicon.of else None,
        after=after,
        # Nouns are matched as written: German capitalises them ("250 Tote", not "tote Fische").
        counted=[
            (re.compile(r"\s+(?:" + pattern + r")(?!\w)"), unit)
            for pattern, unit in sorted(lexicon.counted.items(), key=lambda kv: -len(kv[0]))
        ],
        currency_before=re.compile(r"(?<![\w$])(" + symbols + r")\s?$"),
        percent_before=_either(r"(?<!\w)", lexicon.percent_before, r"\s?$"),
        points_after_percent=_either(r"\s+", lexicon.points_after_percent, r"(?!\w)"),
        magnitude_before=_either(r"(?<!\w)", lexicon.magnitude_before, r"\s+$"),
        magnitude_after=_either(r"\s*", lexicon.magnitude_after, r"(?!\w)"),
        quake=re.compile(_alternatives(lexicon.quake), re.I) if lexicon.quake else None,
        qualifier=(
            re.compile(r"(?<!\w)(" + _alternatives(list(lexicon.qualifiers)) + r")\s+$", re.I)
            if lexicon.qualifiers
            else None
        ),
        qualifiers=lexicon.qualifiers,
        joined=re.compile(r"(" + number + r")\s*(?:" + joins + r")\s*$", re.I),
        share=(
            re.compile(
                r"(?<!\w)("
                + _alternatives(list(lexicon.point_shares))
                + r")\s*-?\s*(?:"
                + _alternatives([*lexicon.points, lexicon.point])
                + r")(?!\w)",
                re.I,
            )
            if lexicon.point_shares and lexicon.point
            else None
        ),
        shares=lexicon.point_shares,
        lang=lang,
        before_scale=(
            re.compile(
                r"(?<!\w)(?:("
                + number
                + r")\s+)?("
                + _alternatives(list(lexicon.scales))
                + r")\s+$",
                re.I,
            )
            if lexicon.scales
            else None
        ),
    )
