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
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() != "br":
                el.text = "\n" + (el.text or "")
    text = root.text_content()
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
