"""Bylines: the credit lines above a story ("By Jane Doe", "THE ASSOCIATED PRESS"), known by
their shape. Kept apart from metadata.py so that cleaning, which must not load the language
model metadata.py imports, can tell a byline from a headline."""

from __future__ import annotations

import re

_OUTLET_WORDS = {
    "courier", "post", "times", "herald", "news", "journal", "gazette", "tribune", "telegraph",
    "guardian", "independent", "observer", "chronicle", "daily", "weekly", "express", "mirror",
    "press", "radio", "tv", "television", "agency", "media", "review", "standard", "inquirer",
    "record", "bulletin", "dispatch", "insider", "wire", "today", "online", "broadcasting",
}  # fmt: skip

_ROLE_WORDS = {"writer", "correspondent", "editor", "reporter", "staff", "contributor", "columnist"}

# Words of an agency's or a desk's name, beside _OUTLET_WORDS: what an all-capitals credit
# line ("THE ASSOCIATED PRESS", "AGENCE FRANCE-PRESSE", "UNITED NEWS SERVICE") is made of.
_AGENCY_WORDS = _OUTLET_WORDS | {
    "associated", "united", "international", "national", "service", "services", "agence",
    "presse", "france-presse", "wires", "bureau", "desk", "network", "correspondents",
}  # fmt: skip
_CONNECTORS = {"the", "of", "and", "&", "for", "de", "du", "la", "di", "der", "des"}
_BY = re.compile(r"^by\s+(?:[A-Z][\w.'’-]*|staff\b)", re.IGNORECASE)
# A credit names people or a desk: "By Jane Doe", "By JANE DOE and JOHN ROE, Associated Press".
_BY_WORDS = 10


def is_byline(line: str) -> bool:
    """Whether a line is a credit, not a headline: "By Jane Doe", "Reuters staff", "THE
    ASSOCIATED PRESS", "AFP". Judged by shape: a "By" and capitalised names; a short line
    ending in a staff role; or a short all-capitals line that is one word or made of the words
    agency names are made of. Not a list of outlets: an unknown agency reads as one."""
    text = line.strip().strip("|·•—–-").strip()
    words = text.split()
    if not words or re.search(r"\d", text):
        return False
    if _BY.match(text) and len(words) <= _BY_WORDS and not re.search(r"[.!?]$", text):
        # Every name word capitalised ("By the numbers" is a headline, "By Jane Doe" is not).
        names = [w for w in words[1:] if w.casefold().strip(",") not in _CONNECTORS]
        return all(w[:1].isupper() or w.casefold().strip(",") in _ROLE_WORDS for w in names)
    bare = [w.strip(",.&'’-").casefold() for w in words]
    if (
        len(words) <= 4
        and bare[-1] in _ROLE_WORDS
        and all(
            w[:1].isupper() or b in _ROLE_WORDS or b in _CONNECTORS
            for w, b in zip(words, bare, strict=True)
        )
    ):
        return True  # "Reuters staff", "AFP Staff Writer", "Jane Doe, Staff Reporter"
    letters = re.sub(r"[^\w]", "", text)
    if not letters.isalpha() or not text.isupper() or len(words) > 5:
        return False
    if len(words) == 1:
        return True  # "AP", "REUTERS": a lone capitalised word is a tag, never a headline
    # Half its words or more are agency words, the rest a place or an acronym ("UNITED NEWS
    # OF INDIA", "PTI NEWS SERVICE"); an all-capitals headline says something ("ECB CUTS RATES").
    named = [b for b in bare if b not in _CONNECTORS]
    return bool(named) and 2 * sum(b in _AGENCY_WORDS for b in named) >= len(named)
