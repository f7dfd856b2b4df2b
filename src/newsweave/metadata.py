"""Stage 3, metadata: the outlet and language of a cleaned article, from what it carries.

The outlet comes from, in order: what the input declared (an HTML page's site name, a feed's
title, a JSON field), the URL's domain, and the text's own words about itself ("X reports,
citing ...", "X sources have reported"). Outlets the text merely cites ("The Guardian wrote")
are not its source.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from newsweave.bylines import _OUTLET_WORDS, _ROLE_WORDS
from newsweave.language_model import classify
from newsweave.models import CleanArticle

# Display names of outlets whose domain does not spell their name.
_KNOWN_DOMAINS = {
    "nytimes.com": "The New York Times",
    "washingtonpost.com": "The Washington Post",
    "theguardian.com": "The Guardian",
    "bbc.co.uk": "BBC",
    "bbc.com": "BBC",
    "apnews.com": "AP News",
    "reuters.com": "Reuters",
    "aljazeera.com": "Al Jazeera",
    "wsj.com": "The Wall Street Journal",
    "ft.com": "Financial Times",
    "economist.com": "The Economist",
    "bloomberg.com": "Bloomberg",
    "npr.org": "NPR",
    "foxnews.com": "Fox News",
    "nbcnews.com": "NBC News",
    "cbsnews.com": "CBS News",
    "abcnews.go.com": "ABC News",
    "politico.com": "Politico",
    "kyivindependent.com": "The Kyiv Independent",
    "pravda.com.ua": "Ukrainska Pravda",
    "yna.co.kr": "Yonhap",
    "koreaherald.com": "The Korea Herald",
    "koreatimes.co.kr": "The Korea Times",
    "dw.com": "DW",
    "france24.com": "France 24",
    "euronews.com": "Euronews",
}
_WIRE_NAMES = {
    "Reuters",
    "AP",
    "AFP",
    "Bloomberg",
    "Yonhap",
    "Interfax",
    "TASS",
    "Xinhua",
    "UNIAN",
    "Ukrinform",
}
_SECOND_LEVEL = {"co", "com", "or", "ne", "go", "ac", "org", "net", "gov", "edu"}

_NAME = r"([A-Z][\w.&-]*(?:[ -][A-Z][\w.&-]*){0,3})"
# A dateline's place and date, every word capitalised or a number: "KYIV, Oct 23 ",
# "Mannheim, Germany ", "WASHINGTON " (not "Weitz, an Academy Award (R) -").
_DATELINE_PLACE = r"^[A-Z][\w.'/-]*(?:,?[ ](?:[A-Z][\w.'/-]*|\d{1,4}(?:st|nd|rd|th)?,?))*,?\s*"
# (pattern, whether the name must look like an outlet's). A wire dateline, "CITY (Name) -",
# names the outlet by position alone.
_SELF_PATTERNS = (
    (re.compile(_DATELINE_PLACE + r"\((?=\w\w)" + _NAME + r"\)\s*[-—–]", re.MULTILINE), False),
    (re.compile(_NAME + r",? reports?,? citing\b"), True),
    (
        re.compile(
            _NAME
            + r" sources (?:have )?(?:repeatedly |several times )?(?:reported|report|said|say|told)\b"
        ),
        True,
    ),
    (
        re.compile(r"\b(?:told|reported to|in an interview with) " + _NAME + r"'s correspondent\b"),
        True,
    ),
)


def outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return None
    labels = host.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        if candidate in _KNOWN_DOMAINS:
            return _KNOWN_DOMAINS[candidate]
    # The registrable label: "www3.nhk.or.jp" → "nhk", "www.example.com" → "example".
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        label = labels[-3]
    elif len(labels) >= 2:
        label = labels[-2]
    else:
        return None
    if len(label) <= 4:
        return label.upper()
    return " ".join(part.capitalize() for part in label.split("-") if part)


def _looks_like_outlet(name: str) -> bool:
    if name in _WIRE_NAMES or name.split()[-1].lower() in _OUTLET_WORDS:
        return True
    # Outlet names carry a domain (Example.NET) or an acronym (BBC News, ABC-Local); plain
    # capitalised words before "sources" are usually nationalities or agencies.
    return bool(re.search(r"\.[A-Za-z]{2,}$|\b[A-Z]{2,}\b|[A-Z]{2,}-", name))


def outlet_from_text(paragraphs: list[str]) -> str | None:
    text = "\n".join(paragraphs[:40])
    for pattern, strict in _SELF_PATTERNS:
        for match in pattern.finditer(text):
            name = match.group(1).strip(" .-")
            name = re.sub(r"^(?:The|According|As|And|But|Meanwhile|Earlier|Later)\s+", "", name)
            if name and (not strict or _looks_like_outlet(name)):
                return name
    return None


_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"([A-Z][\w.&'-]*(?: [A-Z][\w.&'-]*){0,4})",
    re.IGNORECASE,
)


def outlet_from_copyright(lines: list[str]) -> str | None:
    """ "© 2024 Bay Gazette. All rights reserved." names the page's own outlet."""
    for line in lines:
        match = _COPYRIGHT.match(line.strip())
        # "© Reuters" alone is usually a photo credit; a footer carries a year or the rights.
        footer = re.search(r"\d{4}|rights reserved", line, re.IGNORECASE)
        if match and footer:
            name = re.sub(r"\s+(?:All|Ltd|Inc|LLC)\b.*$", "", match.group(1)).strip(" .")
            if name:
                return name
    return None


def infer_source(article: CleanArticle) -> str | None:
    return infer_source_how(article)[0]


def infer_source_how(article: CleanArticle) -> tuple[str | None, str | None]:
    """The outlet and where it came from (None: the input declared it, or none was found)."""
    raw = article.raw
    if raw.source:
        return raw.source, None
    removed = [r.text for r in article.removed]
    found: list[tuple[str | None, str]] = [
        (outlet_from_url(raw.url), "url"),
        (outlet_from_dateline(article.paragraphs), "source_dateline"),
        (outlet_from_byline(article.paragraphs + removed), "byline"),
        (outlet_from_text(article.paragraphs), "text"),
        # The cleaner keeps a copyright line that signs the article off as its last line.
        (outlet_from_copyright(removed + article.paragraphs[-1:]), "copyright"),
    ]
    for name, how in found:
        if name:
            return name, how
    return None, None


def outlet_from_dateline(paragraphs: list[str]) -> str | None:
    """ "KYIV, Oct 23 (Reuters) -", "WASHINGTON (AP) —": the wire in a lead's dateline."""
    for para in paragraphs[:3]:
        match = _SELF_PATTERNS[0][0].match(para)
        if match:
            return match.group(1).strip(" .-")
    return None


_BYLINE = re.compile(
    r"^By\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}(?:\s+and\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})?"
    r"\s*(?:,|\||—|–|-|\bfor\b|\bof\b)\s*(?:the\s+)?" + _NAME + r"\.?$"
)


def outlet_from_byline(lines: list[str]) -> str | None:
    """ "By Jane Doe, Vell Valley Courier": an outlet-like name after a byline's author."""
    for line in lines[:6]:
        match = _BYLINE.match(line.strip())
        if not match:
            continue
        name = match.group(1).strip(" .")
        if _looks_like_outlet(name) and not set(name.lower().split()) & _ROLE_WORDS:
            return name
    return None


def detect_language(article: CleanArticle) -> str | None:
    if article.raw.language:
        return article.raw.language.split("-")[0].lower()
    # A thousand characters identify the language as well as the whole text, at a third the cost.
    sample = " ".join(article.paragraphs)[:1000]
    if len(sample.split()) < 3:
        return None
    language, _score = classify(sample)
    return language
