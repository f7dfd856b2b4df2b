"""Numbers as news writes them: figures, number words, scales, fractions and qualifiers."""

from __future__ import annotations

import re

from newsweave.text import english_figure

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "a": 1, "an": 1, "half": 0.5, "dozen": 12, "dozens": 24, "hundreds": 200, "thousands": 2000, "millions": 2_000_000,
    "billions": 2_000_000_000,
}  # fmt: skip

_SCALES = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000, "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "tn": 1_000_000_000_000,
}  # fmt: skip

_QUALIFIERS = [
    "at least", "at most", "more than", "less than", "fewer than", "up to", "as many as",
    "as few as", "almost", "nearly", "about", "around", "approximately", "roughly", "some",
    "over", "under", "just over", "just under", "close to", "an estimated", "estimated",
    "upwards of", "in excess of", "no fewer than", "no more than", "another", "only",
]  # fmt: skip

_QUALIFIER = re.compile(
    r"(?:"
    + "|".join(sorted((re.escape(q) for q in _QUALIFIERS), key=len, reverse=True))
    + r")\s+$",
    re.IGNORECASE,
)

# Spelled-out numbers; "m", "k", "bn", "tn" count only glued to a figure ("$2bn"), never alone.
_NUMBER_WORDS = "|".join(
    sorted(list(_UNITS) + [s for s in _SCALES if len(s) > 2], key=len, reverse=True)
)

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d*\.?\d+"

_SCALE_WORDS = r"(?:hundred|thousand|million|billion|trillion|bn|tn|mn|m|k)"

# Figures may follow a currency code glued to them ("US$5", "PS2.7m", "HK$216,925").
_NUMBER = re.compile(
    rf"(?:(?<![\w.])|(?<=[A-Z=$]))(?:[$€£]\s?)?(?:{_DIGITS})(?:\s?(?i:{_SCALE_WORDS})\b)*"
    rf"|\b(?i:(?:{_NUMBER_WORDS})(?:[\s-]+(?:and\s+)?(?:{_NUMBER_WORDS}))*)\b"
)


def parse_number(text: str, language: str | None = None) -> float | None:
    """ "3,000" → 3000; "1.2 million" → 1_200_000; "ten thousand" → 10000; "half a million" →
    500000; "$2bn" → 2e9. None when the text holds no number. With the language of a text that
    writes a decimal comma, "3.000" → 3000 and "7,5" → 7.5."""
    text = english_figure(text, language)
    cleaned = text.lower().replace("$", "").replace("€", "").replace("£", "").strip()
    cleaned = re.sub(r"(?<=\d)[,\s](?=\d{3}\b)", "", cleaned)
    match = re.fullmatch(r"(\d*\.?\d+)((?:\s*[a-z]+)*)", cleaned)
    if match:
        value = float(match.group(1))
        for scale in match.group(2).split():
            if scale not in _SCALES:
                return None
            value *= _SCALES[scale]
        return value
    words = [w for w in re.split(r"[\s-]+", cleaned) if w and w != "and"]
    if len(words) > 1 and words[0] in {"a", "an"}:
        words = words[1:]  # "a dozen", "a million"
    if not words or any(w not in _UNITS and w not in _SCALES for w in words):
        return None
    if all(w in {"a", "an"} for w in words):
        return None
    total = 0.0
    current = 0.0
    for word in words:
        if word in _UNITS:
            unit = float(_UNITS[word])
            # "half a million": the article only marks the scale that follows.
            if word in {"a", "an"} and current:
                continue
            current = current + unit if current >= 1 or not current else current * unit
        else:
            scale = float(_SCALES[word])
            current = (current or 1.0) * scale
            if scale >= 1000:
                total += current
                current = 0.0
    value = total + current
    return value or None


_PARTS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5,
    "fifths": 5, "sixth": 6, "sixths": 6, "eighth": 8, "eighths": 8, "tenth": 10, "tenths": 10,
}  # fmt: skip

_FRACTION = re.compile(
    r"\b(?:(a|one)\s+(half|third|quarter|fifth|sixth|eighth|tenth)(?=\s+of\b)"
    r"|(two|three|four|five|seven|nine)[\s-](thirds|quarters|fifths|sixths|eighths|tenths)"
    r"|(\d{1,3})\s?[/⁄]\s?(\d{1,4})(?=\s+of\b))",
    re.IGNORECASE,
)


def _fraction_value(match: re.Match[str]) -> float:
    if match.group(2):
        return 1 / _PARTS[match.group(2).lower()]
    if match.group(4):
        return (parse_number(match.group(3)) or 1) / _PARTS[match.group(4).lower()]
    return int(match.group(5)) / int(match.group(6))


def _trailing_scale(body: str) -> float | None:
    match = re.search(
        r"\s?(hundred|thousand|million|billion|trillion|bn|tn|mn|m|k)\s*$", body, re.IGNORECASE
    )
    return float(_SCALES[match.group(1).lower()]) if match else None


_LEADING_QUALIFIER = re.compile(
    r"(" + "|".join(sorted((re.escape(q) for q in _QUALIFIERS), key=len, reverse=True)) + r")\s+",
    re.IGNORECASE,
)
