"""The cited summary: sentences grouped across articles by shared content words, the groups
most articles carry first, each sentence citing every article in its group."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from newsweave.analyze import Analysis, analysis_text
from newsweave.brief.model import Cited, _cosine, _Sentence, _unique, _words
from newsweave.models import Article

SAME_INFORMATION = 0.45  # cosine of content words for two sentences to carry the same information

MIN_SUMMARY, MAX_SUMMARY = 4, 8


def _sentences(articles: list[Article], analyses: dict[str, Analysis]) -> list[_Sentence]:
    out = []
    for article in articles:
        text = analysis_text(article.title, article.body)
        for index, span in enumerate(analyses[article.id].sentences):
            if index == 0 and article.title and span.text == article.title:
                continue  # the headline is not a statement
            whole = _closed(span.text) and not _inside_quotation(text, span.start)
            out.append(
                _Sentence(
                    article.id, index, span.text, span.start, span.end, _words(span.text), whole
                )
            )
    return out


_CLOSING = re.compile(r"[.!?…][\"”’')\]]*$")


def _closed(sentence: str) -> bool:
    """Ends as a sentence does; a heading or a caption does not."""
    return bool(_CLOSING.search(sentence.strip()))


def _inside_quotation(text: str, start: int) -> bool:
    """Whether `start` falls inside a quotation opened earlier in its paragraph (the second
    sentence of "“We left. The water rose fast. We stayed,” she said.")."""
    before = text[text.rfind("\n", 0, start) + 1 : start]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def _group(sentences: list[_Sentence]) -> list[list[_Sentence]]:
    """Sentences carrying the same information, across articles (greedy, via an inverted index)."""
    groups: list[list[_Sentence]] = []
    index: dict[str, set[int]] = defaultdict(set)
    for sentence in sentences:
        candidates: Counter[int] = Counter()
        for word in sentence.words:
            for g in index.get(word, ()):
                candidates[g] += 1
        best, best_score = None, 0.0
        for g, shared in candidates.most_common(20):
            if shared < 2:
                break
            score = _cosine(sentence.words, groups[g][0].words)
            if score > best_score:
                best, best_score = g, score
        if best is not None and best_score >= SAME_INFORMATION:
            groups[best].append(sentence)
        else:
            groups.append([sentence])
            best = len(groups) - 1
        for word in sentence.words:
            index[word].add(best)
    return groups


def _summary(groups: list[list[_Sentence]]) -> list[Cited]:
    def weight(group: list[_Sentence]) -> float:
        support = len({s.article for s in group})
        lead = min(s.index for s in group)
        return support + 1.0 / (1 + lead)

    ranked = sorted(groups, key=weight, reverse=True)
    chosen: list[list[_Sentence]] = []
    for group in ranked:
        if len(chosen) >= MAX_SUMMARY:
            break
        # A summary sentence must stand alone: not "He added ..." (whose "he" the reader cannot
        # know) nor half a quotation cut at a sentence break.
        standalone = [s for s in group if s.whole and _stands_alone(s.text)]
        if not standalone:
            continue
        representative = min(standalone, key=lambda s: (s.index, len(s.text)))
        if len(representative.words) < 4:
            continue
        if any(_cosine(representative.words, other[0].words) >= 0.3 for other in chosen):
            continue
        if len(chosen) >= MIN_SUMMARY and len({s.article for s in group}) < 2:
            break
        chosen.append([representative, *[s for s in group if s is not representative]])
    return [Cited(g[0].text, _unique(s.article for s in g)) for g in chosen]


_LEADING_PRONOUN = re.compile(
    r"(?:[\"“]\s*)?(?:he|she|they|it|this|these|those|his|her|their|its|we|our|i)\b",
    re.IGNORECASE,
)

_TRAILING_PRONOUN = re.compile(r"[,”\"]\s*(?:he|she|they)\s+\w+\.?$", re.IGNORECASE)


def _stands_alone(text: str) -> bool:
    straight = text.count('"') % 2 == 0
    curly = text.count("“") == text.count("”")
    pronoun = _LEADING_PRONOUN.match(text) or _TRAILING_PRONOUN.search(text)
    return straight and curly and not pronoun
