"""Stage 4, summarize: a short extractive summary and reading statistics for one article.

Sentences are scored by how many of the article's frequent content words they carry, with a
bonus for coming early (news puts the point first); near-duplicate sentences are skipped so a
summary never says the same thing twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from newsweave.models import Stats
from newsweave.text import STOPWORDS, count_words, reading_minutes, split_sentences, tokens


@dataclass(frozen=True)
class SummaryOptions:
    max_sentences: int = 3
    min_sentence_words: int = 6
    max_sentence_words: int = 60
    redundancy_jaccard: float = 0.5


def summarize(paragraphs: list[str], opts: SummaryOptions | None = None) -> str:
    opts = opts or SummaryOptions()
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    if not sentences:
        return ""
    words_of = [[t for t in tokens(s) if t not in STOPWORDS and len(t) > 1] for s in sentences]
    freq = Counter(w for words in words_of for w in set(words))
    top = max(freq.values(), default=1)
    candidates = []
    for index, (sentence, words) in enumerate(zip(sentences, words_of, strict=True)):
        length = len(sentence.split())
        if not opts.min_sentence_words <= length <= opts.max_sentence_words:
            continue
        weight = sum(freq[w] / top for w in set(words)) / (len(set(words)) ** 0.5 or 1)
        position = 1.0 / (1 + index * 0.15)
        candidates.append((weight * (0.6 + 0.4 * position), index))
    if not candidates:
        return sentences[0]
    wanted = 2 if len(sentences) < 8 else opts.max_sentences
    chosen: list[int] = []
    for _score, index in sorted(candidates, reverse=True):
        if any(
            _jaccard(set(words_of[index]), set(words_of[c])) > opts.redundancy_jaccard
            for c in chosen
        ):
            continue
        chosen.append(index)
        if len(chosen) == wanted:
            break
    return " ".join(sentences[i] for i in sorted(chosen))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def statistics(paragraphs: list[str], read_count: int) -> Stats:
    words = sum(count_words(p) for p in paragraphs)
    return Stats(words=words, reading_minutes=reading_minutes(words), read_count=read_count)
