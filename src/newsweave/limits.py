"""Size caps that hold for what an input expands to, not only for what it weighs on disk.

A gzip file (or a `Content-Encoding: gzip` response) of one megabyte can inflate to a
gigabyte, and an XML document can declare entities that expand a thousandfold; each reader
here stops as soon as the expanded size passes the cap.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterable

# Decompressed in pieces of at most this size, so memory stays near the cap.
_PIECE = 256 * 1024


class TooLarge(Exception):
    """The input expands past the cap; `size` is how far it got before reading stopped."""

    def __init__(self, size: int) -> None:
        super().__init__(f"more than {size} bytes")
        self.size = size


def _inflate(chunks: Iterable[bytes], wbits: int, cap: int) -> bytes:
    decoder = zlib.decompressobj(wbits)
    out = bytearray()
    fed = False  # an empty body is empty, not truncated
    for chunk in chunks:
        data = chunk
        fed = fed or bool(chunk)
        while data or fed:
            piece = decoder.decompress(data, _PIECE)
            out += piece
            if len(out) > cap:
                raise TooLarge(len(out))
            data = decoder.unconsumed_tail
            if decoder.eof:
                rest = decoder.unused_data
                if not rest.startswith(b"\x1f\x8b"):
                    return bytes(out)  # trailing padding after the stream
                # Concatenated gzip members (`cat a.gz b.gz`) are one valid gzip stream.
                decoder = zlib.decompressobj(wbits)
                data = rest
            elif not data and len(piece) < _PIECE:
                break  # this chunk is used up; zlib holds no more output for it
    if fed and not decoder.eof:
        raise EOFError("compressed data ended before the end-of-stream marker")
    return bytes(out)


def gunzip(data: bytes, cap: int) -> bytes:
    """The decompressed bytes of a gzip file, or TooLarge once they pass `cap`."""
    return _inflate([data], 16 + zlib.MAX_WBITS, cap)


def decode_content(chunks: Iterable[bytes], encoding: str, cap: int) -> bytes:
    """An HTTP body read raw and decoded here (gzip, deflate or none), capped after decoding.

    Raises ValueError for an encoding newsweave did not ask for.
    """
    encoding = encoding.strip().lower()
    if encoding in {"", "identity"}:
        out = bytearray()
        for chunk in chunks:
            out += chunk
            if len(out) > cap:
                raise TooLarge(len(out))
        return bytes(out)
    if encoding in {"gzip", "x-gzip"}:
        return _inflate(chunks, 16 + zlib.MAX_WBITS, cap)
    if encoding == "deflate":
        # zlib-wrapped, as RFC 9110 says; some servers send raw deflate instead, told apart by
        # the two-byte zlib header.
        iterator = iter(chunks)
        first = next(iterator, b"")
        wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] * 256 + first[1]) % 31 == 0
        return _inflate(
            itertools.chain([first], iterator), zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS, cap
        )
    raise ValueError(f"unsupported content encoding {encoding!r}")


_ENTITY_DECLARATION = re.compile(rb"<!ENTITY\b", re.IGNORECASE)


def declares_entities(data: bytes) -> bool:
    """Whether an XML document declares its own entities in its DOCTYPE (feeds never need
    to; a billion-laughs document must)."""
    start = data.find(b"<!DOCTYPE", 0, 65536)
    if start < 0:
        return False
    end = data.find(b"]>", start)
    return bool(_ENTITY_DECLARATION.search(data, start, end if end >= 0 else len(data)))
