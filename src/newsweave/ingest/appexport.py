"""Reading-app exports: the trailing Similar Readings / Summary / Statistics / Details blocks.

Reading apps append their own fields after the article text. Those fields are metadata (an
external id, the url, read history), never body text, so they are parsed here and removed,
with every removed piece recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsweave.models import Details, Removal
from newsweave.timestamps import normalize_date

_SIMILAR = re.compile(
    r"^(?:Similar|Related)(?: Readings?| Articles?| Stories)?(?:\s*\((\d+) items?\))?$"
)
_SIMILAR_COUNTED = re.compile(r"^(?:Similar|Related)\b.*\(\d+ items?\)$")
_HEADERS = {"summary", "statistics", "stats", "details", "highlights", "notes", "tags"}
_FIELD = re.compile(
    r"^(ID|Article ID|Category ID|Category|URL|Link|Source URL|Date|Published|Created|Updated|"
    r"Modified|Added|Last Read|Last Opened|Read Count|Author|Tags|Source|Words)\s*:\s*(.*)$",
    re.IGNORECASE,
)
# "211\nWords1\nRead CountDetails": apps lay statistics out as number then label, glued.
_STAT = re.compile(r"(\d[\d,]*)\s*([A-Za-z][A-Za-z ]*?)(?=\s*\d|\s*Details\b|\s*$)")


@dataclass
class ExportFields:
    body: str
    details: Details = field(default_factory=Details)
    url: str | None = None
    published: str | None = None
    related_titles: list[str] = field(default_factory=list)
    read_count: int = 0
    words: int | None = None
    removed: list[Removal] = field(default_factory=list)


def _header_of(line: str) -> str | None:
    stripped = line.strip()
    if _SIMILAR.match(stripped):
        return "similar"
    lowered = stripped.lower()
    if lowered in _HEADERS:
        return "stats" if lowered == "stats" else lowered
    return None


def parse_export(text: str) -> ExportFields | None:
    """Split an export into body and metadata, or None if the text carries no export blocks.

    An export is recognised by its tail: at least two of its block headers, or one header
    followed by `Key: value` fields, after the body. A lone "Summary" line inside an article is
    not enough.
    """
    lines = text.split("\n")
    start = _export_start(lines)
    if start is None:
        return None
    fields = ExportFields(body="\n".join(lines[:start]).rstrip())
    sections: list[tuple[str, list[str], str]] = []
    current: tuple[str, list[str], str] | None = None
    for line in lines[start:]:
        header = _header_of(line)
        if header is not None:
            current = (header, [], line.strip())
            sections.append(current)
        elif current is not None and line.strip():
            current[1].append(line.strip())
    for name, body, header_line in sections:
        _apply_section(fields, name, body, header_line)
    return fields


def _export_start(lines: list[str]) -> int | None:
    headers = [(i, h) for i, line in enumerate(lines) if (h := _header_of(line)) is not None]
    if not headers:
        return None
    field_lines = sum(1 for line in lines if _FIELD.match(line.strip()))
    if field_lines == 0 and not any(_SIMILAR_COUNTED.match(lines[i].strip()) for i, _ in headers):
        # Subheadings such as "Summary" and "Details" alone do not make an export: it needs
        # `Key: value` fields or an app's counted "Similar Readings (N items)" list.
        return None
    # The export tail starts at the first header from which on the remaining headers and fields
    # make one block holding every field of the text.
    for k, (index, _name) in enumerate(headers):
        kinds = {h for _, h in headers[k:]}
        fields_after = sum(1 for line in lines[index:] if _FIELD.match(line.strip()))
        if (len(kinds) >= 2 or fields_after >= 2) and fields_after == field_lines:
            return index
    return None


def _apply_section(fields: ExportFields, name: str, body: list[str], header_line: str) -> None:
    if name == "similar":
        match = _SIMILAR.match(header_line)
        count = int(match.group(1)) if match and match.group(1) else len(body)
        titles, rest = body[:count], body[count:]
        fields.related_titles.extend(titles)
        fields.removed.append(Removal(header_line, "reading-app export: similar readings header"))
        fields.removed.extend(
            Removal(t, "reading-app export: similar reading title") for t in titles
        )
        if rest:
            fields.removed.append(Removal("\n".join(rest), "reading-app export: field"))
        return
    if name == "summary":
        fields.removed.append(Removal(header_line, "reading-app export: summary header"))
        if body:
            fields.removed.append(Removal("\n".join(body), "reading-app export: its own summary"))
        return
    field_lines = [line for line in body if _FIELD.match(line)]
    other = [line for line in body if not _FIELD.match(line)]
    if other:
        _parse_statistics(fields, "\n".join(other))
    fields.removed.append(Removal(header_line, f"reading-app export: {name} header"))
    if other:
        fields.removed.append(Removal("\n".join(other), "reading-app export: statistics"))
    for line in field_lines:
        _parse_field(fields, line)
        fields.removed.append(Removal(line, "reading-app export: detail field"))


def _parse_statistics(fields: ExportFields, block: str) -> None:
    for number, label in _STAT.findall(block):
        key = re.sub(r"details$", "", label.strip(), flags=re.IGNORECASE).strip().lower()
        value = int(number.replace(",", ""))
        if key.startswith("word"):
            fields.words = value
        elif key in {"read count", "reads", "read", "opens", "times read"}:
            fields.read_count = value


def _parse_field(fields: ExportFields, line: str) -> None:
    match = _FIELD.match(line)
    if not match:
        return
    key, value = match.group(1).lower(), match.group(2).strip()
    if not value:
        return
    details = fields.details
    if key in {"id", "article id"}:
        details.external_id = value
    elif key in {"category id", "category"}:
        details.category = value
    elif key in {"url", "link", "source url"}:
        fields.url = value
    elif key in {"date", "published"}:
        fields.published = normalize_date(value)
    elif key == "created":
        details.created = normalize_date(value)
    elif key in {"updated", "modified"}:
        details.updated = normalize_date(value)
    elif key == "added":
        details.added = normalize_date(value)
    elif key in {"last read", "last opened"}:
        details.last_read = normalize_date(value)
    elif key == "read count" and value.isdigit():
        fields.read_count = int(value)
    elif key == "words" and value.isdigit():
        fields.words = int(value)
