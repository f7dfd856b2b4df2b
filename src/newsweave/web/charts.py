"""Small SVG pictures drawn on the server: no chart library reaches the browser."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

from markupsafe import Markup

from newsweave.web.service import Coverage

# Colour-blind-safe (Okabe–Ito); sources beyond these share the last colour.
_PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#777777"]
_MAX_DAYS = 60


def coverage_svg(cells: Sequence[Coverage]) -> Markup:
    """Dated articles per day, stacked by source, with a legend; empty when none is dated."""
    cells = [c for c in cells if c.day is not None and _is_day(c.day)]
    days = sorted({c.day for c in cells if c.day})
    if not days:
        return Markup("")
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    span = min((last - first).days + 1, _MAX_DAYS)
    first = last - timedelta(days=span - 1)  # a long story shows its latest weeks
    axis = [(first + timedelta(days=i)).isoformat() for i in range(span)]
    # Most articles first; ties by name, so a source keeps its colour from one view to the next.
    sources = sorted(
        {c.source for c in cells},
        key=lambda s: (-sum(c.articles for c in cells if c.source == s), s),
    )
    colour = {s: _PALETTE[min(i, len(_PALETTE) - 1)] for i, s in enumerate(sources)}
    per_day: dict[str, list[Coverage]] = {d: [] for d in axis}
    for cell in cells:
        if cell.day is not None and cell.day in per_day:
            per_day[cell.day].append(cell)
    peak = max((sum(c.articles for c in v) for v in per_day.values()), default=1) or 1
    width, height, top, bottom, left = 480, 120, 8, 20, 24
    bar = min((width - left) / span, 28.0)  # a short story keeps slim bars
    scale = (height - top - bottom) / peak
    parts = [
        f'<svg class="coverage" viewBox="0 0 {width} {height + 16 * len(sources)}" role="img"'
        f' aria-label="Articles per day per source, {escape(axis[0])} to {escape(axis[-1])}">',
        f"<title>Coverage: articles per day per source ({escape(axis[0])} to {escape(axis[-1])})</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{left + span * bar:.1f}" y2="{height - bottom}" class="axis"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" class="label">{peak}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end" class="label">0</text>',
    ]
    for i, day in enumerate(axis):
        y = float(height - bottom)
        for cell in sorted(per_day[day], key=lambda c: sources.index(c.source)):
            h = cell.articles * scale
            y -= h
            parts.append(
                f'<rect x="{left + i * bar + 1:.1f}" y="{y:.1f}" width="{max(bar - 2, 1):.1f}"'
                f' height="{h:.1f}" fill="{colour[cell.source]}"><title>{escape(day)}:'
                f" {cell.articles} from {escape(cell.source)}</title></rect>"
            )
    room = span * bar >= 150  # for a second date label under the last bar
    first_label = axis[0] if room or span == 1 else f"{axis[0]} to {axis[-1]}"
    parts.append(f'<text x="{left}" y="{height - 4}" class="label">{escape(first_label)}</text>')
    if room:
        end = left + span * bar
        parts.append(
            f'<text x="{end:.1f}" y="{height - 4}" text-anchor="end" class="label">{escape(axis[-1])}</text>'
        )
    for i, source in enumerate(sources):
        y = height + 4 + 16 * i
        parts.append(f'<rect x="{left}" y="{y}" width="10" height="10" fill="{colour[source]}"/>')
        total = sum(c.articles for c in cells if c.source == source)
        parts.append(
            f'<text x="{left + 16}" y="{y + 9}" class="label">{escape(source)} ({total})</text>'
        )
    parts.append("</svg>")
    # Every piece of text above went through escape(): the markup is ours alone.
    return Markup("".join(parts))


def _is_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
