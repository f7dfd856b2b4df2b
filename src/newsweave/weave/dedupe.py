"""Dedupe: which articles are copies or rewrites of another, and so share one origin.

Three ways to find candidates, then one test:

- **MinHash LSH** over word 5-shingles finds verbatim and lightly edited copies (a wire story
  reprinted with other chrome). Band keys live in SQLite, so a lookup is an indexed query whatever
  the size of the store. The sketch is computed here in numpy, bit for bit as datasketch's
  ``MinHash(num_perm=64, seed=7, scheme="affine32")`` computes it (the stored keys were made
  that way), without importing datasketch and scipy on every start.
- **Shared sentences**: each sentence's content-word set is keyed too (`sentence_keys`), so a
  text that shares a few whole sentences with a longer one (an excerpt cut short, a wire story
  under a new lead, the next update of it) is put up for alignment even when their shingle sets
  are too far apart for any MinHash band to collide. (The third way, near-identical vectors,
  is the weaver's: weave/stories.py.)
- **Sentence alignment** confirms a candidate and catches rewrites: each sentence of one article is
  matched to its most similar sentence of the other by word overlap. Containment decides, not
  overall similarity: an article most of whose sentences are found in the other is a copy of it,
  cut or padded; when the matched sentences are reworded rather than verbatim it is a rewrite.
  An agency text also survives as the same sentences *in the same order*: a site that put a new
  lead on it and cut its end, an editor who reworded every sentence, or the next update of the
  wire story keeps a long ordered chain of matching sentences, while independent reports of one
  statement match a few sentences in no particular order. A rewrite with no sentence left
  verbatim (a site rewording a wire text line by line) passes on a longer chain alone, whose
  sentences keep most of their words. Quoting one paragraph of a wire story
  does not make an article a copy: both tests count shares of the shorter side's sentences.

Each article belongs to the origin group of what it copies (the earliest stored member gives the
group its name); a story's independent origins are its distinct origin groups.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import numpy.typing as npt

from newsweave.text import STOPWORDS, split_sentences, tokens

NUM_PERM = 64
BANDS = 16  # 16 bands of 4 rows: pairs with Jaccard ≥ ~0.5 collide with high probability
ROWS = NUM_PERM // BANDS
SHINGLE = 5
# A sentence counts as found in the other article when this share of its words recur in its best match.
SENTENCE_MATCH = 0.6
# Shorter sentences (datelines, "He said.") align with anything and prove nothing.
MIN_SENTENCE_WORDS = 6
# Share of the shorter article's sentences that must be found in the other one.
CONTAINMENT = 0.7
MIN_SENTENCES = 3
# Mean overlap of aligned sentences above which the copy is verbatim rather than a rewrite.
VERBATIM = 0.9
# The ordered test: sentences sharing this share of words, matched in the same order, count...
LOOSE_MATCH = 0.5
# ...when there are at least this many of them, they make this share of the shorter side, and
# some of them are verbatim: independent reports of one statement reword every sentence.
MIN_CHAIN = 4
ORDERED = 0.5
MIN_VERBATIM = 2
# ...or, with no verbatim sentence, at least this many carrying this share of words on average.
REWORDED_CHAIN = 5
REWORDED_OVERLAP = 0.65
# Two-sentence texts (an agency flash) are copies only when both sentences are found, in order,
# and mostly verbatim.
SHORT_SENTENCES = 2
SHORT_OVERLAP = 0.75

CopyKind = Literal["copy", "rewrite"]


@cache
def _permutations() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """datasketch's affine32 permutations for seed 7: h -> a*h + b mod 2^32, `a` odd. Drawn on
    first use: numpy.random costs ~9 ms of start-up to commands that import this module
    (`similar`, through the store's story queries) and never hash a text."""
    gen = np.random.RandomState(7)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


Sketch = npt.NDArray[np.uint32]


@dataclass(frozen=True)
class Match:
    """The verdict for one pair: how much of each side is found in the other."""

    kind: CopyKind
    contained: float  # share of the shorter article's sentences found in the longer
    overlap: float  # mean word overlap of the aligned sentences


# Quoted words belong to the speaker, and every outlet at the same briefing carries them: only
# a reporter's own wording shows that one article was made from another.
_QUOTED = re.compile(r'"[^"]{3,}?(?:"|$)')


def sentence_sets(paragraphs: Sequence[str]) -> list[list[str]]:
    """Each sentence as its own (unquoted) content words, the unit of alignment.

    Sentences left with too few words (datelines, "he said", pure quotations) are dropped.
    """
    out: list[list[str]] = []
    for paragraph in paragraphs:
        for sentence in split_sentences(paragraph):
            own = tokens(_QUOTED.sub(" ", sentence))
            words = [w for w in own if w not in STOPWORDS]
            if len(own) >= MIN_SENTENCE_WORDS and words:
                out.append(sorted(set(words)))
    return out


def sentence_keys(sentences: Sequence[list[str]]) -> list[int]:
    """A 64-bit key per distinct sentence set: two articles sharing one share a sentence, word for
    word but for stopwords, quotations, case and order."""
    keys = {
        struct.unpack(
            "<q", hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).digest()
        )[0]
        for words in sentences
    }
    return sorted(keys)


def _fmix32(hv: Sketch) -> Sketch:
    """MurmurHash3's 32-bit finalizer (a bijection), which datasketch applies before permuting."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def minhash(paragraphs: Sequence[str]) -> Sketch:
    """The MinHash of the text's word 5-shingles: per permutation, the least permuted hash."""
    words = tokens(" ".join(paragraphs))
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    # Each shingle's hash is the first four bytes of its SHA-1, little-endian, read in one go.
    sha1 = hashlib.sha1
    digests = b"".join([sha1(s.encode("utf-8")).digest()[:4] for s in shingles])
    hashes = np.frombuffer(digests, dtype="<u4").astype(np.uint32)
    a, b = _permutations()
    permuted: Sketch = _fmix32(hashes.reshape(-1, 1)) * a + b  # wraps: mod 2^32
    least: Sketch = permuted.min(axis=0)
    return least


def band_keys(sketch: Sketch) -> list[tuple[int, int]]:
    """(band, key) pairs: two articles sharing any pair are copy candidates."""
    values = np.asarray(sketch, dtype=np.uint64)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        keys.append((band, struct.unpack("<q", digest)[0]))
    return keys


def align(a: list[list[str]], b: list[list[str]]) -> Match | None:
    """Whether the shorter of two sentence lists is largely found in the longer; None if not."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) < SHORT_SENTENCES:
        return None
    best = _best_matches(a, b)
    found = [share for _, share in best if share >= SENTENCE_MATCH]
    contained = len(found) / len(a)
    chain = _ordered_chain(best)
    ordered = len(chain) / len(a)
    if len(a) < MIN_SENTENCES:
        # Every sentence found, in order, mostly verbatim: an agency flash reprinted.
        if len(chain) < len(a) or sum(chain) / len(chain) < SHORT_OVERLAP:
            return None
    elif not ((contained >= CONTAINMENT and found) or _ordered_copy(chain, ordered)):
        return None
    if contained >= CONTAINMENT and found:
        overlap = sum(found) / len(found)
    else:
        contained, overlap = ordered, sum(chain) / len(chain)
    kind: CopyKind = "copy" if overlap >= VERBATIM and contained >= VERBATIM else "rewrite"
    return Match(kind=kind, contained=contained, overlap=overlap)


def _ordered_copy(chain: list[float], ordered: float) -> bool:
    verbatim = sum(share >= VERBATIM for share in chain)
    if len(chain) >= MIN_CHAIN and ordered >= ORDERED and verbatim >= MIN_VERBATIM:
        return True
    # Reworded throughout (no sentence left verbatim): only a longer chain, carrying most of
    # each sentence's words, shows one text was written from the other.
    return (
        len(chain) >= REWORDED_CHAIN
        and ordered >= ORDERED
        and sum(chain) / len(chain) >= REWORDED_OVERLAP
    )


def _best_matches(a: list[list[str]], b: list[list[str]]) -> list[tuple[int, float]]:
    """For each sentence of `a`: its best match in `b` (index, or -1) and the share of its words there.

    The share is relative to the sentence being looked for, so a padded match still counts.
    """
    index: dict[str, list[int]] = defaultdict(list)
    for j, sentence in enumerate(b):
        for word in sentence:
            index[word].append(j)
    out: list[tuple[int, float]] = []
    for sentence in a:
        counts: dict[int, int] = defaultdict(int)
        for word in sentence:
            for j in index.get(word, ()):
                counts[j] += 1
        if not counts:
            out.append((-1, 0.0))
            continue
        # Ties go to the earlier sentence, so that the order test sees the first occurrence.
        j = max(counts, key=lambda k: (counts[k], -k))
        out.append((j, counts[j] / len(sentence)))
    return out


def _ordered_chain(best: list[tuple[int, float]]) -> list[float]:
    """The shares of the longest run of matches (share ≥ LOOSE_MATCH) whose places in `b` increase.

    Longest strictly increasing subsequence by patience sorting; each sentence of `b` is used once.
    """
    items = [(j, share) for j, share in best if j >= 0 and share >= LOOSE_MATCH]
    tails: list[int] = []  # tails[k]: index into items of the smallest end of a chain of length k+1
    parent: list[int] = [-1] * len(items)
    for n, (j, _share) in enumerate(items):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if items[tails[mid]][0] < j:
                lo = mid + 1
            else:
                hi = mid
        parent[n] = tails[lo - 1] if lo else -1
        if lo == len(tails):
            tails.append(n)
        else:
            tails[lo] = n
    chain: list[float] = []
    n = tails[-1] if tails else -1
    while n >= 0:
        chain.append(items[n][1])
        n = parent[n]
    return chain[::-1]
