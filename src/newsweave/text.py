"""Text helpers shared by the stages: decoding bytes, splitting sentences, counting words."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field

from newsweave.errors import IngestError
from newsweave.models import Removal

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


# The removal-log reason for bytes of a UTF-8 file that were not UTF-8 and became U+FFFD.
INVALID_UTF8 = "invalid UTF-8 bytes replaced"


@dataclass(frozen=True)
class Decoded:
    """Decoded text, and what decoding had to change (for the article's removal log)."""

    text: str
    notes: list[Removal] = field(default_factory=list)


def decode(data: bytes, origin: str) -> str:
    """Bytes in any common encoding (or a mix of two) to Unicode text, as it is."""
    return decode_text(data, origin).text


def decode_text(data: bytes, origin: str) -> Decoded:
    """Bytes in any common encoding (or a mix of two) to Unicode text, as it is.

    UTF-8 is tried first because it almost never decodes wrong text by accident. A file that is
    mostly UTF-8 stays UTF-8: a line written in a legacy code page is decoded as that code page
    (files pasted together), and any other bytes that are not UTF-8 become U+FFFD, noted for the
    removal log, rather than making the whole file a guess at another charset. Only a file with
    (almost) no UTF-8 in it goes to charset detection.
    """
    if not data.strip():
        raise IngestError(origin, "empty file, no text to read")
    if looks_binary(data):
        raise IngestError(origin, "binary file, not text or HTML")
    notes: list[Removal] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            good, bad = _utf8_counts(data)
            if good and bad <= good:
                text, replaced = _decode_mostly_utf8(data)
                if replaced:
                    notes.append(_replacement_note(text, replaced))
            else:
                text = _decode_detected(data, origin)
    if not text.strip():
        raise IngestError(origin, "empty file, no text to read")
    return Decoded(text, notes)


def _utf8_counts(data: bytes) -> tuple[int, int]:
    """(characters that are valid multi-byte UTF-8, bytes that are not UTF-8)."""
    text = data.decode("utf-8", errors="surrogateescape")
    bad = sum(1 for c in text if "\udc80" <= c <= "\udcff")
    good = sum(1 for c in text if c > "\x7f" and not "\udc80" <= c <= "\udcff")
    return good, bad


def _decode_mostly_utf8(data: bytes) -> tuple[str, int]:
    """Line by line: UTF-8; else the line's legacy code page when it reads as one; else UTF-8
    with U+FFFD for each bad byte. Returns the text and how many bytes were replaced."""
    out: list[str] = []
    replaced = 0
    for line in data.split(b"\n"):
        try:
            out.append(line.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            pass
        legacy = _legacy_line(line)
        if legacy is not None:
            out.append(legacy)
            continue
        escaped = line.decode("utf-8", errors="surrogateescape")
        replaced += sum(1 for c in escaped if "\udc80" <= c <= "\udcff")
        out.append(line.decode("utf-8", errors="replace"))
    text = "\n".join(out)
    return (text[1:] if text.startswith("\ufeff") else text), replaced


# Non-ASCII characters a legacy-code-page line holds outside words.
_LEGACY_PUNCTUATION = frozenset("‘’“”–—…€£«»°·§©®")


def _legacy_line(line: bytes) -> str | None:
    """The line in Windows-1252 when it reads as text written in it: no UTF-8 in the line, and
    every non-ASCII character a letter inside a word ("Deuxième") or typographic punctuation.
    Stray bytes ("\\xff\\xfe" between spaces, a cut-off UTF-8 sequence) do not read so."""
    good, _ = _utf8_counts(line)
    if good:
        return None
    try:
        text = line.decode("cp1252")
    except UnicodeDecodeError:
        return None
    for match in re.finditer(r"[^\x00-\x7f]+", text):
        run = match.group(0)
        if all(c in _LEGACY_PUNCTUATION for c in run):
            continue
        before = text[match.start() - 1 : match.start()]
        after = text[match.end() : match.end() + 1]
        if len(run) > 2 or not run.isalpha() or not (before.isalpha() or after.isalpha()):
            return None
    return text


def _replacement_note(text: str, replaced: int) -> Removal:
    snippets = []
    for line in text.split("\n"):
        at = line.find("\ufffd")
        if at >= 0:
            snippets.append(line[max(0, at - 30) : at + 30].strip())
        if len(snippets) == 3:
            break
    what = f"{replaced} byte{'s' if replaced != 1 else ''} not UTF-8, shown as \ufffd"
    return Removal(f"{what}: " + " … ".join(snippets), INVALID_UTF8)


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


# Languages that write a decimal comma and group thousands with a point or a space: "3.000"
# is three thousand and "7,5" seven and a half in German, Italian, Portuguese, Hungarian …
DECIMAL_COMMA = frozenset(
    "de it pt es fr nl hu tr sl hr sr bs pl cs sk ro da sv no nb nn fi et lv lt el ru uk bg be id"
    " vi".split()
)


def english_figure(figure: str, language: str | None) -> str:
    """A figure as English writes it: in a decimal-comma language "3.000" → "3000" and
    "7,5" → "7.5" (and Swiss "780'000" → "780000"); any other text comes back as it is."""
    if not language or language.split("-")[0].lower() not in DECIMAL_COMMA:
        return figure
    grouped = re.sub(r"(?<=\d)[.\s\u00a0\u202f'’](?=\d{3}(?!\d))", "", figure)
    return re.sub(r"(?<=\d),(?=\d)", ".", grouped)
