"""A Brief rendered: JSON (its dataclasses as they are), markdown, and HTML from the markdown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from newsweave.analyze.timeml import readable
from newsweave.brief.model import Brief, Figure
from newsweave.safety import markdown_inline as _md
from newsweave.safety import markdown_inline_html, split_table_row


def brief_json(brief: Brief) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(brief)


def _figure_text(f: Figure) -> str:
    value = f"{f.value:,.0f}" if f.value == int(f.value) else f"{f.value:,}"
    unit = f.unit
    if unit == "%":  # "3.25%", as news writes a rate
        value, unit = value + "%", None
    if f.qualifier == "more":  # "1,500 more troops": an increase, not a total
        return " ".join(x for x in (value, "more", unit) if x)
    return " ".join(x for x in (f.qualifier, value, unit) if x)


def brief_markdown(brief: Brief) -> str:
    short = {a: a[:8] for a in brief.articles}

    def cite(ids: list[str]) -> str:
        return " ".join(f"[{short.get(i, i[:8])}]" for i in ids)

    lines = [
        f"# {_md(brief.title) or 'Story ' + brief.story}",
        "",
        f"Story `{brief.story}` · {len(brief.articles)} "
        + ("article" if len(brief.articles) == 1 else "articles"),
        "",
    ]
    lines += ["## Summary", ""]
    lines += [f"- {_md(c.text)} {cite(c.articles)}" for c in brief.summary]
    lines += _md_events(brief, cite)
    lines += _md_figures(brief, cite)
    lines += _md_disputes(brief, cite)
    if brief.quotes:
        lines += ["## Quotes", ""]
        lines += [
            f"- {_md(q.speaker) or 'unattributed'}: “{_md(q.text)}” {cite(q.articles)}"
            for q in brief.quotes
        ]
        lines.append("")
    if brief.timeline:
        lines += ["## Timeline", ""]
        lines += [
            f"- **{_md(e.label or readable(e.date))}**: {_md(e.text)} {cite(e.articles)}"
            for e in brief.timeline
        ]
        lines.append("")
    lines += _md_named(brief, cite)
    lines += ["## What each source adds", ""]
    for note in brief.sources:
        lines.append(
            f"- [{short[note.article]}] {_md(note.source) or '(outlet not named)'}: {_md(note.title)}"
        )
        alone = "the story's only source" if len(brief.sources) == 1 else None
        lines += [f"  - {_md(a)}" for a in note.adds] or [
            f"  - {alone or 'nothing the others do not have'}"
        ]
    lines += _md_since(brief, cite)
    return "\n".join(lines).rstrip() + "\n"


Cite = Callable[[list[str]], str]


def _md_events(brief: Brief, cite: Cite) -> list[str]:
    """The story's events and the key figures of each, when it holds more than one."""
    if len(brief.events) < 2:
        return []
    lines = ["", "## Events", ""]
    for event in brief.events:
        days = sorted({d for d in (event.first_seen, event.last_updated) if d})
        when = f" ({' – '.join(readable(d) for d in days)})" if days else ""
        count = f"{len(event.articles)} article" + ("" if len(event.articles) == 1 else "s")
        lines.append(
            f"- **{_md(event.title) or '(untitled)'}**{when}, {count} {cite(event.articles)}"
        )
        figures = [brief.figures[i] for i in event.figures]
        if figures:
            lines.append(
                "  - key figures: "
                + "; ".join(
                    f"{_md(_figure_text(f))}" + (f" {_md(f.subject)}" if f.subject else "")
                    for f in figures
                )
            )
    return lines


def _md_figures(brief: Brief, cite: Cite) -> list[str]:
    if not brief.figures:
        return []
    lines = [
        "",
        "## Key figures",
        "",
        "| figure | of | said by | articles |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {_md(_figure_text(f))} | {_md(f.subject)} | {_md(', '.join(f.said_by)) or '—'} | {cite(f.articles)} |"
        for f in brief.figures
    ]
    return lines


def _md_disputes(brief: Brief, cite: Cite) -> list[str]:
    if not brief.disputes:
        return []
    lines = ["", "## Disputed figures", ""]
    for d in brief.disputes:
        lines += [f"### {_md(d.subject)}", ""]
        if d.figures:
            lines += ["| figure | said by | articles |", "| --- | --- | --- |"]
            lines += [
                f"| {_md(_figure_text(f))} | {_md(', '.join(f.said_by)) or '—'} | {cite(f.articles)} |"
                for f in d.figures
            ]
            lines.append("")
        for s in [*d.denials, *d.positions]:
            lines.append(
                f"- **{_md(s.stance)}**: {_md(', '.join(s.said_by)) or 'unattributed'} {cite(s.articles)}"
            )
        lines.append("")
    return lines


def _md_named(brief: Brief, cite: Cite) -> list[str]:
    lines = []
    for heading, items in (
        ("People", brief.people),
        ("Places", brief.places),
        ("Organisations", brief.organizations),
    ):
        if items:
            lines += [f"## {heading}", ""]
            for n in items:
                extra = f", {_md(n.role)}" if n.role else ""
                aka = f" (also: {_md(', '.join(n.aliases))})" if n.aliases else ""
                lines.append(f"- {_md(n.name)}{extra}{aka} {cite(n.articles)}")
            lines.append("")
    return lines


def _md_since(brief: Brief, cite: Cite) -> list[str]:
    since = brief.since_last_read
    if not since.since:
        return []
    heading = f"your last read ({since.since[:16]})" if since.per_article else since.since
    lines = ["", f"## Since {_md(heading)}", ""]
    label = "not read yet" if since.per_article else "new articles"
    lines.append(f"- {label}: {cite(since.new_articles) or 'none'}")
    lines += [f"- new figure: {_md(_figure_text(f))} {cite(f.articles)}" for f in since.new_figures]
    lines += [
        f"- changed: {_md(c.subject)}: {_md('; '.join(c.before))} → {_md('; '.join(c.now))} "
        f"{cite(c.articles)}"
        for c in since.changed_figures
    ]
    lines += [f"- new quote: “{_md(q.text)}” {cite(q.articles)}" for q in since.new_quotes]
    return lines


def brief_html(brief: Brief) -> str:
    """A standalone page: the markdown's content with tables and lists as HTML."""
    from html import escape

    out = ["<!doctype html><html><head><meta charset='utf-8'>", f"<title>{escape(brief.title or brief.story)}</title>",
           "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}"
           "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem}"
           ".cite{color:#666;font-size:.85em}</style></head><body>"]  # fmt: skip
    open_tags: list[str] = []  # the lists and table being written, innermost last

    def close_to(depth: int) -> None:
        while len(open_tags) > depth:
            out.append(f"</{open_tags.pop()}>")

    for line in brief_markdown(brief).splitlines():
        if line.startswith("| ---"):
            continue
        # The article text in the Markdown is escaped: only the brief's own markup converts.
        text = markdown_inline_html(line)
        if line.startswith("| "):
            if open_tags != ["table"]:
                close_to(0)
                out.append("<table>")
                open_tags.append("table")
            cells = [markdown_inline_html(c) for c in split_table_row(line)]
            tag = "th" if cells[0] == "figure" else "td"
            out.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
        elif line.startswith(("- ", "  - ")):
            depth = 2 if line.startswith("  - ") else 1
            if open_tags[:1] == ["table"]:
                close_to(0)
            close_to(depth)
            while len(open_tags) < depth:
                out.append("<ul>")
                open_tags.append("ul")
            out.append(f"<li>{text[2 * depth :]}</li>")
        else:
            close_to(0)
            if line.startswith("# "):
                out.append(f"<h1>{text[2:]}</h1>")
            elif line.startswith("## "):
                out.append(f"<h2>{text[3:]}</h2>")
            elif line.startswith("### "):
                out.append(f"<h3>{text[4:]}</h3>")
            elif line.strip():
                out.append(f"<p>{text}</p>")
    close_to(0)
    out.append("</body></html>")
    return "\n".join(x for x in out if x)
