"""Text helpers shared by the stages: decoding bytes, splitting sentences, counting words."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata

from newsweave.errors import IngestError

WORDS_PER_MINUTE = 230

# File signatures of formats that are certainly not text, checked before any decoding.
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x7fELF",
    b"\x00\x00\x01\x00",
    b"RIFF",
    b"OggS",
    b"ID3",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"SQLite format 3",
)
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def looks_binary(data: bytes) -> bool:
    if data.startswith(_BINARY_MAGIC):
        return True
    head = data[:8192]
    if b"\x00" in head:
        # UTF-16 text has NULs too; a BOM says it is text.
        return not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    controls = sum(1 for b in head if b in _CONTROL)
    return controls > len(head) * 0.05


def decode(data: bytes, origin: str) -> str:
    """Bytes in any common encoding (or a mix of two) to Unicode text, as it is.

    UTF-8 is tried first because it almost never decodes wrong text by accident; a file whose
    lines are partly UTF-8 and partly a legacy code page is decoded line by line; anything else
    goes to charset detection.
    """
    if not data.strip():
        raise IngestError(origin, "empty file, no text to read")
    if looks_binary(data):
        raise IngestError(origin, "binary file, not text or HTML")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_mixed(data) or _decode_detected(data, origin)
    if not text.strip():
        raise IngestError(origin, "empty file, no text to read")
    return text


def normalize_text(text: str) -> str:
    """Repair mojibake (text decoded with the wrong code page somewhere upstream), straighten
    curly quotes so quotes match across outlets, and use plain newlines."""
    if not text.isascii():
        # ftfy is slow on long texts, so it runs only where its own badness test sees mojibake.
        # (Imported here: the store's readers use this module's tokens, not its repairs.)
        import ftfy

        if ftfy.badness.is_bad(text):
            text = ftfy.fix_text(text, normalization="NFC")
        text = unicodedata.normalize("NFC", text)
        for curly, straight in _STRAIGHT_QUOTES:
            if curly in text:
                text = text.replace(curly, straight)
    return text.replace("\r\n", "\n").replace("\r", "\n")


_STRAIGHT_QUOTES = [
    ("\u2018", "'"), ("\u2019", "'"), ("\u201a", "'"), ("\u201b", "'"), ("\u2032", "'"),
    ("\u201c", '"'), ("\u201d", '"'), ("\u201e", '"'), ("\u201f", '"'), ("\u2033", '"'),
]  # fmt: skip


def _decode_mixed(data: bytes) -> str | None:
    lines = data.split(b"\n")
    utf8_non_ascii = 0
    out: list[str] = []
    for line in lines:
        try:
            decoded = line.decode("utf-8")
            if not line.isascii():
                utf8_non_ascii += 1
        except UnicodeDecodeError:
            decoded = line.decode("cp1252", errors="replace")
        out.append(decoded)
    # Only a file that really holds UTF-8 lines is "mixed"; otherwise let detection decide.
    return "\n".join(out) if utf8_non_ascii else None


def _decode_detected(data: bytes, origin: str) -> str:
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise IngestError(origin, "cannot tell the text encoding; save the file as UTF-8")
    # Detection cannot tell the Latin code pages apart on short texts; Windows-1252 is by far
    # the most common of them, so it wins whenever it decodes the bytes cleanly.
    if best.encoding in _LATIN_FAMILY:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return str(best)


_LATIN_FAMILY = {
    "cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_3", "iso8859_4",
    "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16",
    "mac_roman", "mac_latin2", "cp850", "cp437",
}  # fmt: skip


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = word_set(
    """
    a an the and or but of to in on at by for with from as is are was were be been being it its
    this that these those he she they we you i his her their our your my me him them us not no
    will would can could may might should shall has have had do does did so if then than there
    here also just about into over after before more most some any all which who whom whose what
    when where why how said says say told
    """
)

_ABBREVIATIONS = word_set(
    """
    mr mrs ms dr prof st gen sen rep gov lt col capt sgt maj adm jr sr inc ltd co corp no vs etc
    al jan feb mar apr jun jul aug sep sept oct nov dec mt ft approx dept est fig vol pp rev hon
    pres
    """
)
_BOUNDARY = re.compile(r"[.!?]+[\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9])")
_LAST_TOKEN = re.compile(r"(\S+)$")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences with rules for the usual abbreviations.

    A regex splitter is about a hundred times faster than pysbd or spaCy here, and the summary
    only needs boundaries that are right in the common cases.
    """
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        before = text[start : match.start() + 1]
        token_match = _LAST_TOKEN.search(before)
        token = token_match.group(1) if token_match else ""
        bare = token.rstrip(".").lstrip("\"'(").lower()
        if text[match.start()] == "." and (
            bare in _ABBREVIATIONS
            or (len(bare) == 1 and bare.isalpha())
            or re.fullmatch(r"(?:[a-z]\.)+[a-z]", bare)
        ):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def count_words(text: str) -> int:
    return len(text.split())


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fingerprint(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form, for spotting repeats."""
    folded = text.casefold()
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return _NON_WORD.sub(" ", folded).strip()


def tokens(text: str) -> list[str]:
    return fingerprint(text).split()


def content_id(title: str | None, body: str) -> str:
    """A stable id: the same title and body text always give the same 16 hex digits."""
    canonical = fingerprint(title or "") + "\n" + fingerprint(body)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
