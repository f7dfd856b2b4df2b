"""Stage 2, clean: split a raw article into paragraphs and take out everything that is not
the article, recording each removal with its reason.

The rules are general shapes of page chrome, not strings of particular sites:
  1. language switchers and navigation lines,
  2. photo captions and credits,
  3. a date line among the first lines ("Date: 2024-10-23", "23 October 2024", "23. Oktober
     2024"), kept as the published date; the title repeated in the body (and, for plain text,
     promoting a headline to title, never a byline such as "THE ASSOCIATED PRESS"),
  4. advert blocks: the marker line ("Sponsored", "Advertisement") with the widget's headings
     around it and the off-topic paragraphs after it,
  5. "related / read more" link lists,
  6. repeated paragraphs and repeated runs of paragraphs, exact and near-exact.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

from newsweave.bylines import is_byline
from newsweave.models import CleanArticle, RawArticle, Removal
from newsweave.text import STOPWORDS, fingerprint, split_sentences, tokens, word_set
from newsweave.timestamps import normalize_date

LANGUAGE_SWITCHER = "language switcher"
NAVIGATION = "navigation"
CAPTION = "photo caption or credit"
TITLE_REPEAT = "title repeated in body"
ADVERT = "advert block"
RELATED = "related-links list"
PROMOTION = "outlet self-promotion"
REPEAT = "repeated paragraph"
DATELINE = "dateline (kept as the published date)"
# "date 2025-03": a date line that names no day, so no published date can be kept from it.
DATELINE_NO_DAY = "date line without a day"
BYLINE_TITLE = "byline given as the title"


@dataclass(frozen=True)
class CleanOptions:
    # Paragraphs of at least this many tokens are compared for near-exact repeats.
    near_repeat_min_tokens: int = 12
    near_repeat_jaccard: float = 0.8
    # Share of a paragraph's content words found elsewhere in the article below which a
    # paragraph next to an advert marker counts as part of the advert.
    off_topic_overlap: float = 0.3
    max_headline_words: int = 25


_LANG_CODES = word_set(
    """
    aa ab af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da
    de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li
    ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os
    pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te
    tg th ti tk tl tn to tr ts tt tw ty ua ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    eng ukr rus deu ger fra fre spa esp ita pol por chi zho jpn kor ara tur
    english українська українською русский русском deutsch français español italiano polski
    português 中文 日本語 한국어 العربية türkçe nederlands cymraeg gaeilge
    """
)
_NAV_SEPARATORS = re.compile(r"\s(?:\||›|»|>|/|•|·)\s")
_NAV_PHRASES = re.compile(
    r"^(?:skip to (?:main )?content|share(?: this(?: article| story)?)?(?: on \w+)?|tweet|"
    r"print|email|menu|home|search|log ?in|sign ?in|sign up|subscribe(?: now)?|"
    r"show more|load more|back to top|"
    r"cookies? (?:policy|settings)|"
    r"privacy policy|terms of (?:use|service)|comments?(?: \(\d+\))?|listen to (?:this )?article|"
    r"\d+ min(?:ute)?s? read)$",
    re.IGNORECASE,
)
# A notice of the outlet's rights or channels. Among a page's chrome it is the site's footer; as
# the last line, straight after the article's closing sentence, it is the article's own sign-off
# ("Copyright 2019 Bay News. All rights reserved.", "Follow Bay News on Twitter."), which the
# published article carries and which is kept (see _sign_off).
_NOTICE = re.compile(
    r"^(?:follow us(?: on \w+)?|all rights reserved\.?|copyright .{0,60}|© .{0,80})$",
    re.IGNORECASE,
)
_CAPTION_START = re.compile(
    r"^(?:photo|image|picture|pic|photograph|illustration|video|file photo|caption|credit|"
    r"photo credit|image credit|source of photo|illustrative (?:photo|image)|фото)s?\s*(?:[:|—–-]|by\b)",
    re.IGNORECASE,
)
# A trailing credit names a picture: a photo agency, or a news agency marked as the picture's
# source ("AP Photo/…", "Reuters/…", "Photo: AFP"). A wire's name alone in brackets is as often
# an acronym being introduced ("the … Agency (EPA)") or a link's source tag, which are text.
_CREDIT_END = re.compile(
    r"[(\[](?:(?:photo|image|picture|file photo|credit)s?\s*(?::|by)?\s*\S|"
    r"(?:getty(?: images)?|shutterstock|istock(?:photo)?|alamy)\b|"
    r"(?:ap|reuters|afp|epa|pa(?: media)?|bloomberg|xinhua|tass|ria novosti)"
    r"(?:\s*photo|\s*images|\s*/|\s*via\b|\s*file\b))"
    r"[^)\]]{0,80}[)\]]\.?$",
    re.IGNORECASE,
)
# A marker stands alone, ends its line ("X Sponsored", "Story continues below advertisement")
# or opens it with a sponsor's name ("Sponsored by X"), so a subheading about advertising is
# not one.
_AD_END = (
    r"(?:sponsored(?: content| post| stories)?|advertisement|advertising|ad|promoted(?: content)?|"
    r"paid (?:post|content|partner(?:ship)?)|partner content|ad choices)"
)
_AD_START = r"(?:(?:sponsored|promoted|presented|paid for) by|advertisement|sponsored content)"
_AD_MARKER = re.compile(
    rf"^(?:{_AD_START}\b.{{0,40}}|(?:.{{0,40}}\s)?{_AD_END}[.:]?)$", re.IGNORECASE
)
_RELATED_HEADER = re.compile(
    r"^(?:related(?: articles| stories| news| coverage| reading| links)?|read (?:more|also|next)"
    r"(?: on this (?:story|topic))?|more (?:on|from|about) (?:this|the)(?: story| topic)?|"
    r"you (?:may|might) (?:also )?like|recommended(?: for you| stories| reading)?|"
    r"see also|also read|similar (?:readings?|articles|stories)|more stories|top stories|"
    r"most (?:read|popular))\s*:?\s*(?:\(\d+ items?\))?$",
    re.IGNORECASE,
)
# "Read also: <another article's title>" dropped into the middle of a text.
_INLINE_RELATED = re.compile(
    r"^(?:read (?:also|more|next)|see also|also read|related|more on this|watch|listen)\s*[:>|—–-]\s*\S",
    re.IGNORECASE,
)
# An outlet promoting itself: its channels, apps and newsletters.
_PROMO = re.compile(
    r"^(?:subscribe to|join|follow)(?: us on)? (?:our |the )?(?:\w+ ){0,3}"
    r"(?:telegram|whatsapp|viber|youtube|facebook|instagram|twitter|x|tiktok|newsletters?|"
    r"channel|podcast|app)\b",
    re.IGNORECASE,
)
_TAGS_LINE = re.compile(r"^(?:tags?|topics?|keywords?)\s*:\s*\S", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;…][\"')\]]*$")


def clean(raw: RawArticle, opts: CleanOptions | None = None) -> CleanArticle:
    """Return the article's title and paragraphs with chrome removed, and what was removed."""
    opts = opts or CleanOptions()
    paragraphs = split_paragraphs(raw.text)
    removed: list[Removal] = list(raw.removed)

    kept: list[str] = []
    for index, para in enumerate(paragraphs):
        reason = _line_chrome(para)
        if reason in _SIGN_OFF_REASONS and _sign_off(paragraphs, index):
            reason = None
        if reason:
            removed.append(Removal(para, reason))
        else:
            kept.append(para)

    published = None
    # The text's language is guessed (from the whole text) only for a line that could be a
    # date in another language, and once: guessed for every line of the window, it took a
    # third of the CPU of ingesting and cleaning (634 guesses for 200 texts; now 8).
    guesses: list[str | None] = []

    def guess() -> str | None:
        if not guesses:
            guesses.append(_language_hint(raw.text))
        return guesses[0]

    for index, para in enumerate(kept[:_DATELINE_WINDOW]):
        found = date_line(para, raw.language or guess)
        if found:
            removed.append(Removal(found.line, DATELINE if found.day else DATELINE_NO_DAY))
            if found.rest:
                kept[index] = (
                    found.rest
                )  # "date 2025-03-29 Quake toll tops 1,000": the headline stays
            else:
                del kept[index]
            published = found.day
            break

    title = raw.title
    if title and is_byline(title):
        removed.append(Removal(title, BYLINE_TITLE))
        title = None
    promotable = title is None and raw.kind in {"text", "export", "jsonl"} and len(kept) > 1
    # A credit above the headline ("THE ASSOCIATED PRESS", "By Jane Doe") is passed over; it is
    # never the title itself.
    first = next((i for i, p in enumerate(kept[:_BYLINE_WINDOW]) if not is_byline(p)), None)
    if (
        promotable
        and first is not None
        and first + 1 < len(kept)
        and _reads_as_headline(kept[first], opts)
    ):
        title = kept.pop(first)
    if title:
        kept = _drop_title_repeats(kept, title, removed)
    kept = _drop_adverts(kept, removed, opts)
    kept = _drop_related_lists(kept, removed)
    kept = _drop_repeats(kept, removed, opts)
    return CleanArticle(raw=raw, title=title, paragraphs=kept, removed=removed, published=published)


# A text's language, or a function that guesses it (asked only when a line needs it).
Language = str | Callable[[], str | None] | None

# A dateline sits among the first lines: above or below the headline, beside a byline.
_DATELINE_WINDOW = 4
_DATELINE_PREFIX = re.compile(
    r"^(?:(?:last\s+)?updated|published|posted|first published|date)\s*(?:on|at)?\s*:?\s*",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


# Bylines sit above the headline in plain text: the first lines looked past for it.
_BYLINE_WINDOW = 2
# An ISO date or month, with a time: "2024-10-23", "2024-10-23T14:05:00Z", "2025-03".
_ISO = re.compile(
    r"((?:19|20)\d\d)-(\d\d)(?:-(\d\d)(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?)?"
)
# A labelled ISO date opening a line that goes on ("date 2025-03-29 Quake toll rises"): the
# label says the date is metadata, so it leaves the line and the rest stays.
_LABELLED_ISO = re.compile(
    r"^(?:(?:last\s+)?updated|published|posted|first published|date)\s*(?:on|at)?\s*:?\s*"
    + _ISO.pattern
    + r"(?=\s|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateLine:
    line: str  # what leaves the body: the whole line, or its labelled date
    day: str | None  # the published date (ISO), None when the line names no day
    rest: str  # what stays of the line ("" when it was nothing but the date)


def date_line(line: str, language: Language = None) -> DateLine | None:
    """A line opening an article that is a date: nothing but a date in any form `dateline`
    reads, or a labelled ISO date followed by the headline or the lead."""
    text = line.strip()
    labelled = _LABELLED_ISO.match(text)
    alone = _ISO.fullmatch(_DATELINE_PREFIX.sub("", text).strip(" .|-–—"))
    match = labelled or alone
    if match:
        month, day = match.group(2), match.group(3)
        rest = text[match.end() :].lstrip(" .|-–—:") if labelled else ""
        if not 1 <= int(month) <= 12:
            return None
        if day is None:
            return DateLine(text[: match.end()].strip(), None, rest)
        iso = dateline(match.group(0)[match.start(1) - match.start() :])
        return DateLine(text[: match.end()].strip(), iso, rest) if iso else None
    value = dateline(text, language)
    return DateLine(text, value, "") if value else None


def dateline(line: str, language: Language = None) -> str | None:
    """The ISO date of a line that is nothing but a date ("May 3, 2013", "Updated: 17 Aug 2011
    10:04 GMT", "2024-10-23T14:05:00Z", and in the article's language "23. Oktober 2024"),
    else None. A year is required: "Monday" alone is not a dateline. The language may be a
    function that guesses it, asked only for a line that could be a date in another one."""
    text = _DATELINE_PREFIX.sub("", line.strip()).strip(" .|-–—")
    if len(text.split()) > 9 or not _YEAR.search(text):
        return None
    if _ISO.fullmatch(text) and text.count("-") >= 2:
        return normalize_date(text.replace("Z", ""))
    if not re.search(r"[^\W\d_]", text):
        return None
    text = re.sub(r"\b(\d{1,2}):\s+(\d{2})\b", r"\1:\2", text)  # "7: 35" from tokenised text
    text = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\b", r"\1", text)
    return normalize_date(text) or _foreign_date(text, language)


# dateparser settings for a date line in another language: day, month and year all written.
_FOREIGN_SETTINGS = {"REQUIRE_PARTS": ["day", "month", "year"], "STRICT_PARSING": True}
_FOREIGN_WORDS = 6


def _foreign_date(text: str, language: Language) -> str | None:
    """ "23. Oktober 2024", "23 de outubro de 2024": a date in the text's language, read by
    dateparser (told the language: guessing it among all costs 70 ms a line, knowing it 1 ms)."""
    if not language or len(text.split()) > _FOREIGN_WORDS:
        return None
    if not re.search(r"\b\d{1,2}\b", text):
        return None  # a day must be written
    if callable(language):
        language = language()
    if not language or language == "en":
        return None
    import dateparser
    from dateparser.data import language_order

    if language not in language_order:
        return None
    parsed = dateparser.parse(text, languages=[language], settings=_FOREIGN_SETTINGS)
    if parsed is None:
        return None
    return str(parsed.strftime("%Y-%m-%dT%H:%M" if re.search(r"\d:\d\d", text) else "%Y-%m-%d"))


def _language_hint(text: str) -> str | None:
    """The language of a text that declares none, for reading its date line: a guess from its
    first thousand characters (metadata.detect_language makes the stored one later)."""
    sample = text[:1000]
    if len(sample.split()) < 3:
        return None
    from newsweave.language_model import classify

    language, _score = classify(sample)
    return language


def split_paragraphs(text: str) -> list[str]:
    """One paragraph per line, except that hard-wrapped blocks (lines broken at a fixed width
    inside blank-line separated paragraphs) are joined back together."""
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    if _is_hard_wrapped(blocks):
        return [" ".join(b.split()) for b in blocks]
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if line]


def _is_hard_wrapped(blocks: list[str]) -> bool:
    inner = [
        line.strip() for block in blocks for line in block.strip().split("\n")[:-1] if line.strip()
    ]
    if len(inner) < 3:
        return False
    widths = sorted(len(line) for line in inner)
    median = widths[len(widths) // 2]
    open_ended = sum(1 for line in inner if not _SENTENCE_END.search(line))
    return 40 <= median <= 100 and open_ended > 0.6 * len(inner)


def _line_chrome(para: str) -> str | None:
    words = para.split()
    if 2 <= len(words) <= 12 and all(
        w.strip("|/·•,").casefold() in _LANG_CODES for w in words if w.strip("|/·•,")
    ):
        return LANGUAGE_SWITCHER
    if len(words) <= 12 and (_NAV_PHRASES.match(para.strip()) or _NOTICE.match(para.strip())):
        return NAVIGATION
    if len(words) <= 25 and _INLINE_RELATED.match(para):
        return RELATED
    if len(words) <= 25 and _PROMO.match(para):
        return PROMOTION
    if len(words) <= 20 and _TAGS_LINE.match(para):
        return NAVIGATION
    # A line opening with "|" is a table row as trafilatura writes tables, not a menu; a date
    # written with spaced slashes ("Posted: 05 / 02 / 2013") is left to the dateline rule.
    if (
        len(words) <= 20
        and len(_NAV_SEPARATORS.findall(para)) >= 2
        and not _SENTENCE_END.search(para)
        and not para.startswith("|")
        and not (re.search(r"\d\s/\s\d", para) and dateline(para))
    ):
        return NAVIGATION
    if _is_caption(para):
        return CAPTION
    return None


_SIGN_OFF_REASONS = {NAVIGATION, PROMOTION}
# A sign-off ends like a sentence or a credit; one ending in a colon announced something the
# page showed after it (a video, a form), so it belongs to that, not to the article.
_SIGN_OFF_END = re.compile(r"(?:[.!?…][\"')\]]*|[^\W\d_]|\))$")


def _sign_off(paragraphs: list[str], index: int) -> bool:
    """The article's last line is a notice (rights, channels) straight after a sentence."""
    para = paragraphs[index]
    if index != len(paragraphs) - 1 or index == 0:
        return False
    if not (_NOTICE.match(para.strip()) or _PROMO.match(para)):
        return False
    previous = paragraphs[index - 1]
    # After the closing sentence, or after the wire's closing credit, a line in brackets:
    # "(Reporting by …; Editing by …)".
    closes = bool(_SENTENCE_END.search(previous)) and not previous.endswith(":")
    credit = previous.startswith("(") and previous.endswith(")")
    return (closes or credit) and bool(_SIGN_OFF_END.search(para))


def _is_caption(para: str) -> bool:
    if len(para.split()) > 60:
        return False
    return bool(_CAPTION_START.match(para) or _CREDIT_END.search(para))


def _reads_as_headline(line: str, opts: CleanOptions) -> bool:
    words = line.split()
    if not 2 <= len(words) <= opts.max_headline_words:
        return False
    if line.endswith(".") and not line.endswith(("..", "Jr.", "Inc.")):
        return False
    return line[0].isupper() or line[0].isdigit() or line[0] in "\"'"


def _drop_title_repeats(paragraphs: list[str], title: str, removed: list[Removal]) -> list[str]:
    title_fp = fingerprint(title)
    if not title_fp:
        return paragraphs
    out: list[str] = []
    for para in paragraphs:
        para_fp = fingerprint(para)
        if para_fp == title_fp:
            removed.append(Removal(para, TITLE_REPEAT))
            continue
        if para_fp.startswith(title_fp + " ") and para.startswith(title[: max(1, len(title) // 2)]):
            # A page's headline glued to the next line (often a photo caption).
            rest = para[len(title) :].lstrip(" :|-–—")
            removed.append(Removal(para[: len(para) - len(rest)].strip(), TITLE_REPEAT))
            if _is_caption(rest):
                removed.append(Removal(rest, CAPTION))
                continue
            para = rest
        out.append(para)
    return out


def _stem(word: str) -> str:
    # Enough folding for "repairs" to meet "repairing"; a full stemmer would cost more than
    # the topic test needs.
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _content_words(text: str) -> list[str]:
    return [_stem(t) for t in tokens(text) if t not in STOPWORDS and not t.isdigit() and len(t) > 2]


def _overlap(para: str, vocabulary: Counter[str]) -> float:
    words = _content_words(para)
    if not words:
        return 0.0
    return sum(1 for w in words if vocabulary[w] > 0) / len(words)


def _is_heading_like(para: str) -> bool:
    return len(para.split()) <= 15 and not _SENTENCE_END.search(para)


def _heading_run(paragraphs: list[str], indices: range) -> list[int]:
    run: list[int] = []
    for i in indices:
        if not _is_heading_like(paragraphs[i]):
            break
        run.append(i)
    return run


def _drop_adverts(paragraphs: list[str], removed: list[Removal], opts: CleanOptions) -> list[str]:
    markers = [i for i, p in enumerate(paragraphs) if len(p.split()) <= 8 and _AD_MARKER.match(p)]
    if not markers:
        return paragraphs
    drop: set[int] = set()
    for marker in markers:
        block = {marker}

        def off_topic(
            index: int, threshold: float = opts.off_topic_overlap, block: set[int] = block
        ) -> bool:
            # Judged against the article's own words: everything but the advert found so far
            # and the paragraph in question.
            vocabulary = Counter(
                w
                for i, p in enumerate(paragraphs)
                if i not in block and i != index
                for w in set(_content_words(p))
            )
            return _overlap(paragraphs[index], vocabulary) < threshold

        # Advert widgets put their headline on both sides of the sponsor line; a headline on
        # one side only belongs to the advert if it is off the article's topic.
        after_lines = _heading_run(paragraphs, range(marker + 1, min(len(paragraphs), marker + 4)))
        before_lines = _heading_run(paragraphs, range(marker - 1, max(-1, marker - 3), -1))
        after_fps = {fingerprint(paragraphs[i]) for i in after_lines}
        before_fps = {fingerprint(paragraphs[i]) for i in before_lines}
        after = marker + 1
        for i in after_lines:
            if fingerprint(paragraphs[i]) not in before_fps and not off_topic(i):
                break
            block.add(i)
            after = i + 1
        for i in before_lines:
            if fingerprint(paragraphs[i]) not in after_fps and not off_topic(i):
                break
            block.add(i)
        # The advert's own text: its first paragraph if off-topic, and a second one only if it
        # is even further off (adverts are short; a long run of "off-topic" text is more
        # likely the article changing subject).
        threshold = opts.off_topic_overlap
        for _ in range(2):
            if after >= len(paragraphs) or not off_topic(after, threshold):
                break
            block.add(after)
            after += 1
            threshold /= 2
        drop.update(block)
    for i in sorted(drop):
        removed.append(Removal(paragraphs[i], ADVERT))
    return [p for i, p in enumerate(paragraphs) if i not in drop]


def _drop_related_lists(paragraphs: list[str], removed: list[Removal]) -> list[str]:
    drop: set[int] = set()
    for i, para in enumerate(paragraphs):
        if not _RELATED_HEADER.match(para.strip()):
            continue
        j = i + 1
        while j < len(paragraphs) and _is_heading_like(paragraphs[j]) and j - i <= 12:
            j += 1
        # A header alone with no list under it may be a real subheading mid-article.
        if j - i >= 2 or i == len(paragraphs) - 1:
            drop.update(range(i, j))
    for i in sorted(drop):
        removed.append(Removal(paragraphs[i], RELATED))
    return [p for i, p in enumerate(paragraphs) if i not in drop]


def _near_same(a: str, b: str, words_a: set[str], words_b: set[str], opts: CleanOptions) -> bool:
    small, large = sorted((len(words_a), len(words_b)))
    if small < opts.near_repeat_jaccard * large:
        return False
    if len(words_a & words_b) < opts.near_repeat_jaccard * len(words_a | words_b):
        return False
    # Two lines alike but for their numbers ("2 cups …", "3 cups …") say different things.
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.9


# A line found this often is a part of the article's structure (the question put to each
# interviewee, the heading of each recipe), not a paragraph printed twice.
_STRUCTURE_REPEATS = 3


# A paragraph printed twice by a broken page or export is prose: a run of words. Lines that
# are lists, labels or captions (a recipe's ingredients with their amounts, a tweet's "— name
# (@handle) date" line) recur in real articles.
_PROSE_REPEAT_TOKENS = 8
_LIST_NUMBER_SHARE = 0.2


def _prose(words: list[str]) -> bool:
    numbers = sum(w.isdigit() for w in words)
    return len(words) >= _PROSE_REPEAT_TOKENS and numbers < _LIST_NUMBER_SHARE * len(words)


def _slots(words: list[str]) -> list[tuple[int, int, int, int]]:
    """The line with each of its words in turn left blank ("Vote for * on the last page"), as
    keys of what comes before and after the blank, in time linear in the line's length."""
    before = [0]
    for word in words:
        before.append(hash((before[-1], word)))
    after = [0]
    for word in reversed(words):
        after.append(hash((after[-1], word)))
    after.reverse()
    n = len(words)
    return [(n, i, before[i], after[i + 1]) for i in range(n)]


def _drop_repeats(paragraphs: list[str], removed: list[Removal], opts: CleanOptions) -> list[str]:
    seen_exact: set[str] = set()
    seen_near: list[tuple[str, set[str]]] = []
    counts = Counter(fingerprint(p) for p in paragraphs)
    # A line written once per item of a list with one word filled in ("Vote for Anna on the
    # last page!", "… for Maria …") is the list's structure too, and two items may share the
    # word: the pair is then two items, not a paragraph printed twice.
    # Counted only once a page has a repeat at all, as most have none.
    templates: Counter[tuple[int, int, int, int]] | None = None

    def templated(words: list[str]) -> bool:
        nonlocal templates
        if templates is None:
            templates = Counter()
            for fp, count in counts.items():
                for slot in _slots(fp.split()):
                    templates[slot] += count
        return any(templates[slot] >= _STRUCTURE_REPEATS for slot in _slots(words))

    out: list[str] = []
    for para in paragraphs:
        fp = fingerprint(para)
        words = fp.split()
        if not _prose(words) or counts[fp] >= _STRUCTURE_REPEATS:
            out.append(para)
            continue
        if fp in seen_exact:
            if templated(words):
                out.append(para)
            else:
                removed.append(Removal(para, REPEAT))
            continue
        if len(words) >= opts.near_repeat_min_tokens:
            word_set = set(words)
            same = next(
                (o for o, o_set in seen_near if _near_same(fp, o, word_set, o_set, opts)), None
            )
            if same is not None and templated(words):
                same = None
            if same is not None and len(out) > 1 and same == fingerprint(out[0]):
                # The opening paragraph reworded further down is the page's summary above the
                # article restating a paragraph of it: the copy in the article's flow stays.
                removed.append(Removal(out.pop(0), REPEAT + " (near-exact)"))
            elif same is not None:
                removed.append(Removal(para, REPEAT + " (near-exact)"))
                continue
            seen_near.append((fp, word_set))
        seen_exact.add(fp)
        out.append(para)
    return out


# An article has running prose: at least one sentence of several words. A body of short lines
# and no sentence at all (a directory listing, a login form's labels, a table of contents) is
# not one; a single headline-like line is kept, as real one-line articles exist.
PROSE_SENTENCE_WORDS = 6
LIST_PARAGRAPHS = 3
# Titles of error and sign-in pages, whose few lines are about the page, not news. A body of
# more than WALL_WORDS words under such a title is read as an article after all.
_WALL_TITLE = re.compile(
    r"(?:error\s*)?(?:\d{3}\b[\s:-]*)?(?:page\s+)?(?:not\s+found|forbidden|access\s+denied|"
    r"unauthori[sz]ed|internal\s+server\s+error|bad\s+gateway|service\s+unavailable|"
    r"gateway\s+time-?out|(?:sign|log)\s*(?:in|on)(?:\s+(?:to|required)\b.*)?|"
    r"subscribe\s+to\s+(?:continue|read)\b.*|(?:this\s+)?page\s+(?:is\s+)?"
    r"(?:unavailable|not\s+available)|error|\d{3})[\s.!]*"
    r"(?:\s[-|:–—]\s.*)?",  # a site name after a separator: "Page not found | The Courier"
    re.IGNORECASE,
)
WALL_WORDS = 60
# A sentence of at least 12 characters ending in an ideographic full stop, of text without spaces.
_UNSPACED_SENTENCE = re.compile(r"[^\s\x00-\x7f]{12,}[。！？]")
_CHARS_PER_WORD = 2


def prose_words(paragraphs: list[str]) -> int:
    """Words in sentences of running prose: at least PROSE_SENTENCE_WORDS words, ending like a
    sentence or followed by another sentence in the paragraph."""
    prose = 0
    for para in paragraphs:
        if _UNSPACED_SENTENCE.search(para):
            # Chinese and Japanese write no spaces: count a sentence by its characters.
            prose += len(para) // _CHARS_PER_WORD
            continue
        sentences = split_sentences(para)
        for sentence in sentences:
            count = len(sentence.split())
            if count >= PROSE_SENTENCE_WORDS and (
                len(sentences) > 1 or _SENTENCE_END.search(sentence)
            ):
                prose += count
    return prose


def lacks_article_text(title: str | None, paragraphs: list[str]) -> str | None:
    """Why a cleaned article is a page with no article text, or None when it is an article."""
    words = sum(len(p.split()) for p in paragraphs)
    if title and _WALL_TITLE.fullmatch(title.strip()) and words <= WALL_WORDS:
        return f"an error or sign-in page: {title.strip()!r}"
    if len(paragraphs) >= LIST_PARAGRAPHS and not prose_words(paragraphs):
        return f"{len(paragraphs)} short lines and not one sentence"
    return None
