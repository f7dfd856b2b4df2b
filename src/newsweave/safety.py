"""Article text is untrusted: what it may carry in, and how each output format writes it out.

On the way in (`defuse_text`, `plain_title`): characters that change how text is displayed
rather than what it says (terminal escapes, bidirectional overrides, zero-width spaces) are
taken out, and `<script>`/`<style>` elements never reach a field.

On the way out, each format escapes for itself: `terminal` for rich's console markup,
`markdown_inline` for Markdown (HTML and Markdown control characters, so no article can add
a link, an image, a tag or a list item), and `markdown_inline_html` for the HTML brief, which
is written from the Markdown one.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from newsweave.models import RawArticle

# C0 controls but tab and newline, DEL and the C1 controls: a terminal acts on them (ESC [ …
# recolours or moves the cursor), no reader needs them.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates make a line display in another order than
# it reads (U+202E turns "txt.exe" around); zero-width spaces, word joiners and byte-order
# marks hide inside words so that search and matching miss them.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u180e\u202a-\u202e\u2066-\u2069]")
# Joiners are needed in some scripts and emoji; with no such character beside them they only
# hide.
_ASCII_JOINER = re.compile("(?<![^\x00-\x7f])[\u200c\u200d]+(?![^\x00-\x7f])")
_SEPARATORS = re.compile("[\u2028\u2029]")
# Elements whose content is code, not text: dropped whole wherever markup turns up in text.
_CODE_ELEMENT = re.compile(
    r"<(script|style|template|noscript)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def defuse_text(text: str) -> str:
    """The text without controls and invisible characters (line and paragraph separators
    become newlines)."""
    text = _SEPARATORS.sub("\n", text)
    text = _CONTROLS.sub("", text)
    text = _ASCII_JOINER.sub("", text)
    return _INVISIBLE.sub("", text)


def drop_code_elements(text: str) -> tuple[str, list[str]]:
    """Text without its `<script>`/`<style>` elements, and the elements taken out."""
    found = [m.group(0) for m in _CODE_ELEMENT.finditer(text)]
    if not found:
        return text, []
    return _CODE_ELEMENT.sub(" ", text), found


def plain_title(value: str | None) -> str | None:
    """A one-line title or name as text: markup in it is taken for tags and only its words
    kept (a title's `<script>` element keeps its text: "Evil alert(1) headline")."""
    if value is None:
        return None
    value = defuse_text(value)
    if _TAG.search(value):
        import lxml.html  # only for a title holding markup: lxml costs every command 40 ms

        try:
            root = lxml.html.fragment_fromstring(value, create_parent="div")
            value = root.text_content()
        except (lxml.etree.ParserError, ValueError):
            value = _TAG.sub(" ", value)
    value = " ".join(value.split())
    return value or None


# -- output ---------------------------------------------------------------------------------


def terminal(text: str) -> str:
    """Text for rich's console: markup escaped ("[red]" prints as it is), controls removed."""
    # Imported here: rich.markup brings rich.text and most of rich's start-up with it, which
    # `--help`, JSON output and the web pages never use.
    from rich.markup import escape

    return escape(defuse_text(text))


# Markdown's inline control characters; `<`, `>` and `&` become entities instead, which every
# renderer reads as text (some ignore a backslash before `<` and pass the tag through).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# What would open a block (heading, list, quote, thematic break) at the start of an item.
_MD_BLOCK_START = re.compile(r"^(?:([#+=-])|(\d+)([.)]))")


def markdown_inline(text: str | None) -> str:
    """Untrusted text as Markdown that renders as exactly that text, on one line."""
    if not text:
        return ""
    text = " ".join(defuse_text(text).split())
    text = "".join(_MD_ENTITIES.get(c, c) for c in text)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_BLOCK_START.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text
    )


# The Markdown the brief writes itself: a backslash escape, an entity, bold, code, a citation.
_MD_TOKEN = re.compile(
    r"\\([!-/:-@\[-`{-~])|&(amp|lt|gt|quot|#39);|(\*\*)|`([^`]*)`|\[([0-9a-f]{8})\]"
)


def markdown_inline_html(line: str) -> str:
    """One line of the brief's Markdown as HTML: only the brief's own markup is interpreted;
    everything else (the escaped article text) is HTML-escaped."""
    out: list[str] = []
    position = 0
    bold = False
    for match in _MD_TOKEN.finditer(line):
        out.append(html.escape(line[position : match.start()]))
        position = match.end()
        escaped, entity, stars, code, cite = match.groups()
        if escaped is not None:
            out.append(html.escape(escaped))
        elif entity is not None:
            out.append(f"&{entity};")
        elif stars:
            out.append("</b>" if bold else "<b>")
            bold = not bold
        elif code is not None:
            out.append(f"<code>{html.escape(code)}</code>")
        else:
            out.append(f"<span class='cite'>[{cite}]</span>")
    out.append(html.escape(line[position:]))
    if bold:
        out.append("</b>")
    return "".join(out)


def split_table_row(line: str) -> list[str]:
    """The cells of a Markdown table row, split at the pipes that are not escaped."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", inner)]


# -- input ----------------------------------------------------------------------------------

SCRIPT = "script or style element"
UNSAFE_URL = "link with a scheme other than http(s)"


def defuse_raw(raw: RawArticle) -> RawArticle:
    """A raw article whose every field is safe to store: the checks above, applied once for
    every kind of input before cleaning."""
    # The CLI imports this module for `terminal` at start-up; the models' dataclasses are
    # only built when an article is read.
    from newsweave.models import Removal

    removed = [Removal(defuse_text(r.text), r.reason) for r in raw.removed]
    text, code = drop_code_elements(defuse_text(raw.text))
    removed += [Removal(element, SCRIPT) for element in code]
    url = raw.url
    if url and urlsplit(url.strip()).scheme.lower() not in {"http", "https"}:
        removed.append(Removal(url, UNSAFE_URL))
        url = None
    d = raw.details
    details = replace(d, external_id=plain_title(d.external_id), category=plain_title(d.category))
    return replace(
        raw,
        text=text,
        title=plain_title(raw.title),
        source=plain_title(raw.source),
        url=url,
        details=details,
        related_titles=[t for t in map(plain_title, raw.related_titles) if t],
        removed=removed,
    )
