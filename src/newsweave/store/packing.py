"""Binary forms of what weaving stores per article and per story: one BLOB each, read with a few
`bytes.split` and `numpy.frombuffer` calls instead of parsing JSON (the weaver reads thousands
of signals per batch; JSON decoding was most of that).

A blob is a version byte, a part count, the length of each part (uint32) and the parts. Strings
are UTF-8 joined by NUL (keys: words, names and numbers never hold one; `pack_signals` refuses a
key that does) and numbers little-endian arrays aligned with their keys. No SQL here, so
any backend of store/ stores the same bytes.
"""

from __future__ import annotations

import struct

import numpy as np

from newsweave.weave.embed import Vectors
from newsweave.weave.profiles import StoryProfile

SIGNALS_VERSION = 1
PROFILE_VERSION = 1
_SEP = "\0"


def _frame(version: int, parts: list[bytes]) -> bytes:
    head = struct.pack(f"<BB{len(parts)}I", version, len(parts), *(len(p) for p in parts))
    return head + b"".join(parts)


def _unframe(blob: bytes, version: int) -> list[bytes]:
    found, count = blob[0], blob[1]
    if found != version:
        raise ValueError(f"packed form version {found}, expected {version}")
    lengths = struct.unpack_from(f"<{count}I", blob, 2)
    parts = []
    at = 2 + 4 * count
    for length in lengths:
        parts.append(blob[at : at + length])
        at += length
    return parts


def _keys(keys: list[str]) -> bytes:
    if any(_SEP in k for k in keys):
        raise ValueError("a key holds a NUL character")
    return _SEP.join(keys).encode("utf-8")


def _unkeys(part: bytes) -> list[str]:
    return part.decode("utf-8").split(_SEP) if part else []


def _numbers(values: list[int] | list[float], dtype: str) -> bytes:
    return np.asarray(values, dtype=dtype).tobytes()


def _unnumbers(part: bytes, dtype: str) -> list[float] | list[int]:
    values: list[float] | list[int] = np.frombuffer(part, dtype=dtype).tolist()
    return values


# -- signals ------------------------------------------------------------------------------------


def pack_signals(
    terms: dict[str, int],
    names: dict[str, int],
    display: dict[str, str],
    lead: frozenset[str],
    sentences: list[list[str]],
) -> bytes:
    """Term and name counts, each name's display form and lead flag, the sentence sets."""
    term_keys, name_keys = list(terms), list(names)
    return _frame(
        SIGNALS_VERSION,
        [
            _keys(term_keys),
            _numbers([terms[k] for k in term_keys], "<u4"),
            _keys(name_keys),
            _numbers([names[k] for k in name_keys], "<u4"),
            _keys([display.get(k, k) for k in name_keys]),
            bytes(int(k in lead) for k in name_keys),
            # Sentence sets are content words (`text.tokens`: no spaces, no newlines).
            "\n".join(" ".join(words) for words in sentences).encode("utf-8"),
        ],
    )


def unpack_signals(
    blob: bytes,
) -> tuple[dict[str, int], dict[str, int], dict[str, str], frozenset[str], list[list[str]]]:
    parts = _unframe(blob, SIGNALS_VERSION)
    term_keys, name_keys = _unkeys(parts[0]), _unkeys(parts[2])
    terms = dict(zip(term_keys, _unnumbers(parts[1], "<u4"), strict=True))
    names = dict(zip(name_keys, _unnumbers(parts[3], "<u4"), strict=True))
    display = dict(zip(name_keys, _unkeys(parts[4]), strict=True))
    lead = frozenset(k for k, flag in zip(name_keys, parts[5], strict=True) if flag)
    text = parts[6].decode("utf-8")
    sentences = [line.split(" ") for line in text.split("\n")] if text else []
    return terms, names, display, lead, sentences  # type: ignore[return-value]


def unpack_name_keys(blob: bytes) -> list[str]:
    """The name keys of packed signals alone, in their order (`unpack_signals` reads all)."""
    return _unkeys(_unframe(blob, SIGNALS_VERSION)[2])


# -- story profiles -----------------------------------------------------------------------------


def pack_profile(profile: StoryProfile) -> bytes:
    term_keys = list(profile.terms)
    name_keys = list(profile.names) + [k for k in profile.carried if k not in profile.names]
    return _frame(
        PROFILE_VERSION,
        [
            np.asarray(profile.vector, dtype="<f4").tobytes(),
            _keys(term_keys),
            _numbers([profile.terms[k] for k in term_keys], "<f4"),
            _keys(name_keys),
            _numbers([profile.names.get(k, 0.0) for k in name_keys], "<f4"),
            _numbers([profile.carried.get(k, 0) for k in name_keys], "<u4"),
            struct.pack("<II3d", profile.count, profile.built_at, *profile.self_dots),
            _keys(sorted(profile.days)),
        ],
    )


def unpack_profile(blob: bytes, size: int) -> StoryProfile:
    parts = _unframe(blob, PROFILE_VERSION)
    vector: Vectors = np.frombuffer(parts[0], dtype="<f4").astype(np.float32)
    term_keys, name_keys = _unkeys(parts[1]), _unkeys(parts[3])
    carried = zip(name_keys, _unnumbers(parts[5], "<u4"), strict=True)
    count, built_at, v, t, n = struct.unpack("<II3d", parts[6])
    return StoryProfile(
        vector=vector,
        terms=dict(zip(term_keys, _unnumbers(parts[2], "<f4"), strict=True)),
        names=dict(zip(name_keys, _unnumbers(parts[4], "<f4"), strict=True)),
        carried={k: int(c) for k, c in carried if c},
        count=count,
        size=size,
        self_dots=(v, t, n),
        days=set(_unkeys(parts[7])),
        built_at=built_at,
    )
