"""HTML to article text and metadata, through trafilatura."""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
import trafilatura

from newsweave.timestamps import normalize_date


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None
    published: str | None
    sitename: str | None
    url: str | None
    language: str | None


def extract_html(
    html: str, url: str | None = None, *, fast: bool = True, favor_recall: bool = False
) -> Extracted | None:
    """The main text of a page, paragraphs separated by newlines, or None if it has none.

    `fast` and `favor_recall` are trafilatura's; benchmarks/extraction.py --variants compares them.
    """
    # fast=True skips trafilatura's readability/justext fallbacks: on the article-extraction
    # benchmark the fallbacks add no recall (0.979 either way), lose F1 on one fold in five
    # and cost a fifth more time; favor_recall helps one fold and loses on the other four
    # (benchmarks/extraction.py --variants).
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        fast=fast,
        favor_recall=favor_recall,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        output_format="python",
        # The publication date, not the last edit; htmldate's extensive search (every date
        # string in the page) costs a third of the extraction time and found 2 more dates
        # on 181 benchmark pages.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None:
        return None
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (data.get("text") or "").strip()
    if not text:
        return None
    return Extracted(
        text=text,
        title=_clean(data.get("title")),
        published=normalize_date(data.get("date")),
        sitename=_clean(data.get("sitename")),
        url=data.get("url") or url,
        language=data.get("language"),
    )


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"}


def html_fragment_to_text(fragment: str) -> str:
    """Text of a small HTML fragment (a feed entry's content), one line per block element.

    trafilatura is tuned for whole pages and drops short fragments, so feed content is
    flattened directly.
    """
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    for bad in root.xpath("//script|//style|//noscript|//template|//iframe|//object"):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() != "br":
                el.text = "\n" + (el.text or "")
    text = root.text_content()
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


# A paragraph at least this much link text (by characters) is a link, not prose. Real articles
# on ../shared/data/article-extraction keep their prose outside such paragraphs.
MOSTLY_LINKS = 0.85


def only_links(html: str, text: str) -> bool:
    """Whether an extracted page is an index of links (a section front, a directory listing):
    some paragraphs are links, and no sentence of running prose stands outside them."""
    from newsweave.clean import prose_words, split_paragraphs

    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return False
    # Longest first, so a link whose text holds another's is taken whole.
    texts = {" ".join(str(t) for t in a.itertext()) for a in root.iter("a")}
    texts = {" ".join(t.split()) for t in texts}
    anchors = sorted((t for t in texts if len(t) >= 3), key=len, reverse=True)
    links, prose = 0, []
    for para in split_paragraphs(text):
        if _link_share(" ".join(para.split()), anchors) >= MOSTLY_LINKS:
            links += 1
        else:
            prose.append(para)
    return links > 0 and not prose_words(prose)


def _link_share(body: str, anchors: list[str]) -> float:
    """How much of `body` (characters, so scripts without spaces count alike) is link text."""
    total = len(body.replace(" ", ""))
    if not total:
        return 0.0
    for anchor in anchors:
        if anchor in body:
            body = body.replace(anchor, " ")
    return 1.0 - len(body.replace(" ", "")) / total
