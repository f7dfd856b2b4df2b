from __future__ import annotations

import pytest

from newsweave.errors import IngestError
from newsweave.text import (
    content_id,
    count_words,
    decode,
    looks_binary,
    normalize_text,
    reading_minutes,
    split_sentences,
)


def test_decode_utf8_and_straightens_curly_quotes() -> None:
    text = decode("He said “yes” — it’s done.".encode(), "f")
    assert normalize_text(text) == 'He said "yes" — it\'s done.'


def test_decode_legacy_code_page() -> None:
    text = "Café crème in Zürich costs 5 €, señor."
    assert decode(text.encode("cp1252"), "f") == text


def test_decode_mixed_encodings_line_by_line() -> None:
    data = "Première ligne en UTF-8.\n".encode() + "Deuxième ligne en cp1252.\n".encode("cp1252")
    assert decode(data, "f") == "Première ligne en UTF-8.\nDeuxième ligne en cp1252.\n"


def test_decode_repairs_mojibake() -> None:
    broken = "The minister’s plan".encode().decode("cp1252")
    assert normalize_text(decode(broken.encode("utf-8"), "f")) == "The minister's plan"


def test_decode_utf16_with_bom() -> None:
    assert decode("Hello, world.".encode("utf-16"), "f") == "Hello, world."


@pytest.mark.parametrize("data", [b"", b"   \n\t\n"])
def test_decode_rejects_empty(data: bytes) -> None:
    with pytest.raises(IngestError, match="f: empty file"):
        decode(data, "f")


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n\x00\x00", bytes(range(256)) * 4]
)
def test_decode_rejects_binary(data: bytes) -> None:
    assert looks_binary(data)
    with pytest.raises(IngestError, match="binary file"):
        decode(data, "f")


def test_split_sentences_keeps_abbreviations_together() -> None:
    text = (
        "Mr. Smith met Dr. Jones in the U.S. capital on Oct. 24. They talked. "
        '"It went well." Then J. Doe left at 5 p.m. yesterday!'
    )
    assert split_sentences(text) == [
        "Mr. Smith met Dr. Jones in the U.S. capital on Oct. 24.",
        "They talked.",
        '"It went well."',
        "Then J. Doe left at 5 p.m. yesterday!",
    ]


def test_word_count_and_reading_time() -> None:
    assert count_words("one two  three\nfour") == 4
    assert reading_minutes(0) == 0
    assert reading_minutes(1) == 1
    assert reading_minutes(231) == 2


def test_content_id_is_stable_and_ignores_spacing_and_case() -> None:
    a = content_id("Title", "Body text here.")
    assert a == content_id("title", "Body   text  here")
    assert a != content_id("Title", "Other body.")
    assert len(a) == 16
