"""The command line's typer app: `newsweave [--db PATH] COMMAND`. Each command mirrors a Python
call.

Start-up is part of every command: this module imports only typer. Rich, the store, the
pipeline (trafilatura, the embedding model), the weaver and the story queries (numpy, usearch)
are imported inside the commands that use them, so `--help`, `list` and `search` stay light.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
import typer.core

from newsweave.cli import common
from newsweave.cli.common import Format, render_readings, state
from newsweave.cli.common import dumps as _dumps
from newsweave.cli.common import each as _each
from newsweave.cli.common import err as _err
from newsweave.cli.common import log_to_stderr as _log_to_stderr
from newsweave.cli.common import notes as _notes
from newsweave.cli.common import open_store as _open_store
from newsweave.cli.common import out as _out
from newsweave.cli.common import output as _output
from newsweave.cli.common import print_json as _print_json
from newsweave.errors import NewsweaveError
from newsweave.safety import terminal as escape
from newsweave.settings import MAX_BYTES_ENV, MAX_BYTES_FLAG, IngestOptions, resolve_db_path

# Only what `--help` and argument parsing need is imported above; the store, the models and
# the JSON shapes are imported by the commands that use them (tests/test_cli.py checks what
# `--help` loads).
if TYPE_CHECKING:
    from rich.progress import Progress
    from rich.table import Table

    from newsweave import models
    from newsweave.cluster import Cluster
    from newsweave.models import AddResult, Article, ArticleSummary, Origin, Story, StoryEvent
    from newsweave.pipeline import Advance
    from newsweave.store.transfer import CopyReport
    from newsweave.weave import WeaveReport


class _Group(typer.core.TyperGroup):
    """The app's command group: `--ray [ADDRESS]` read, commands listed whole in help. (Plain
    help shows on/off flags bare, `--verbose`, not `--verbose <bool>` as typer's rich help did.)"""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _ray_args(args))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """Each command with its first sentence whole, wrapped: click would cut it to the
        width left on one line ("Weave articles not yet in a story (`add` does this…")."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _ray_args(args: list[str]) -> list[str]:
    """`--ray [ADDRESS]`: click options take a value or none, never maybe one, so a bare
    `--ray` becomes `--ray=local` unless the next word is an address (cluster.py says which
    words are; an input of that name is still an input)."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return out + args[i:]
        i += 1
        if arg != RAY_FLAG:
            out.append(arg)
        elif i < len(args) and _looks_like_ray_address(args[i]):
            out.append(f"{RAY_FLAG}={args[i]}")
            i += 1
        else:
            out.append(f"{RAY_FLAG}=local")
    return out


def _looks_like_ray_address(token: str) -> bool:
    # The rule lives in cluster.py, which imports numpy: keep it off start-up unless needed.
    from newsweave.cluster import looks_like_address

    return looks_like_address(token)


RAY_FLAG = "--ray"
RAY_HELP = (
    "Run cleaning and embedding on Ray: a local instance, or the cluster at ADDRESS"
    " (auto, host:port of `ray start --head`). Needs the optional ray extra."
)


# Plain help and usage errors (click's), not typer's rich panels: rendering help with rich
# imports rich.markdown, markdown_it and pygments, ~150 ms on every `--help` and every
# mistyped command line, more than the rest of start-up together (issue 13).
app = typer.Typer(
    cls=_Group,
    help="newsweave: one story, woven from many sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _main(
    db: str | None = typer.Option(
        None,
        "--db",
        metavar="PATH|URL",
        help="SQLite file or postgresql:// URL (default: $NEWSWEAVE_DB, else the per-user data dir).",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log what each stage does."),
) -> None:
    state.db = db
    _log_to_stderr(verbose)


def _progress() -> Progress:
    """A progress bar on stderr that disappears when done (shown on a terminal only)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=_err(),
        transient=True,
    )


@contextmanager
def _track(stage: str, total: int | None) -> Iterator[Advance]:
    """The pipeline's progress display for one stage: the bar, told of each step."""
    with _progress() as progress:
        task = progress.add_task(stage, total=total)

        def advance(count: int, what: str) -> None:
            progress.update(task, advance=count, description=_short(what) if what else stage)

        yield advance


@contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl-C during a long command says what landed before it (weaving notes the batches
    stored) and exits 130; typer alone would exit 130 without a word."""
    try:
        yield
    except KeyboardInterrupt as exc:
        _err().print(f"interrupted{_notes(exc)}")
        raise typer.Exit(130) from exc


# What a listing says when it has nothing to list.
NO_ARTICLES = "no articles yet: add some with `newsweave add FILE|FOLDER|URL`"
NO_STORIES = "no stories yet: add articles with `newsweave add FILE|FOLDER|URL`"


@app.command()
def add(
    sources: list[str] = typer.Argument(..., help="Files, folders, URLs, feeds, OPML or JSONL."),
    format: Format = typer.Option(Format.text, "--format", "-f"),
    fetch_links: bool = typer.Option(
        False, "--fetch-links", help="For feed entries, fetch each linked page for its full text."
    ),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Allow fetching URLs on private or loopback addresses."
    ),
    max_bytes: str | None = typer.Option(
        None,
        MAX_BYTES_FLAG,
        metavar="SIZE",
        help=f"Refuse files and downloads larger than this (e.g. 50MB; default ${MAX_BYTES_ENV}, else 10MB).",
    ),
    ray: str | None = typer.Option(None, RAY_FLAG, metavar="[ADDRESS]", help=RAY_HELP),
) -> None:
    """Add articles; re-adding one that is stored changes nothing. Exit 1 if any input failed."""
    from newsweave.serialize import add_result_json

    opts = IngestOptions.resolve(
        max_bytes=max_bytes, allow_private=allow_private, fetch_links=fetch_links
    )
    show_progress = format is Format.text and _err().is_terminal

    def report(result: AddResult) -> None:
        if format is Format.json:
            sys.stdout.write(_dumps(add_result_json(result)) + "\n")
            sys.stdout.flush()
        elif result.status == "error":
            _err().print(f"[red]error[/red] {escape(result.error or result.origin)}")

    from newsweave.pipeline import run

    with _open_store(create=True) as store, _interruptible(), _cluster(ray) as cluster:
        done = run(
            store, sources, opts, on_result=report,
            track=_track if show_progress else None, cluster=cluster,
        )  # fmt: skip
    if format is Format.text:
        _out().print(f"added {done.added}, unchanged {done.unchanged}, failed {done.failed}")
        if done.woven.woven:
            _out().print(_weave_summary(done.woven))
    if done.failed:
        raise typer.Exit(1)


@contextmanager
def _cluster(address: str | None) -> Iterator[Cluster | None]:
    """The Ray cluster `--ray` names (cluster.py), connected for the command; without
    `--ray`, None, and Ray is never imported."""
    if address is None:
        yield None
        return
    from newsweave.cluster import Cluster

    with Cluster(address) as cluster:
        yield cluster


def _weave_summary(report: WeaveReport) -> str:
    return (
        f"woven {report.woven}: {report.new_stories} new stories, {report.merged} merged, "
        f"{report.copies} copies or rewrites"
    )


@app.command("weave")
def weave_(format: Format = typer.Option(Format.text, "--format", "-f")) -> None:
    """Weave articles not yet in a story (`add` does this itself; use after an interrupted add)."""
    from newsweave.pipeline import weave_pending

    show_progress = format is Format.text and _err().is_terminal
    with _open_store() as store, _interruptible():
        report = weave_pending(store, _track if show_progress else None)
    _output(
        format,
        report,
        asdict,
        lambda r: _out().print(_weave_summary(r) if r.woven else "every article is already woven"),
    )


@app.command()
def stories(
    format: Format = typer.Option(Format.text, "--format", "-f"),
    limit: int | None = typer.Option(None, "--limit", "-n", help="Show at most this many."),
) -> None:
    """List stories, most recently updated first, with their independent origins."""
    from newsweave.serialize import story_json
    from newsweave.store.feeds import unread_by_story
    from newsweave.store.stories import list_stories

    with _open_store() as store:
        rows = list_stories(store, limit)
        unread = unread_by_story(store)
    _output(
        format,
        rows,
        lambda rows: [{**story_json(s), "unread": unread.get(s.id, 0)} for s in rows],
        lambda rows: render_stories(rows, unread),
        empty=NO_STORIES,
    )


def render_stories(
    rows: list[Story], unread: dict[str, int] | None = None, title: str | None = None
) -> None:
    from rich.table import Table  # here: rich's tables cost start-up for commands without one

    table = Table(title=title, show_edge=False, pad_edge=False)
    columns = ["id", "updated", "articles", *(["unread"] if unread is not None else [])]
    for column in (*columns, "origins", "sources", "title"):
        table.add_column(
            column, justify="right" if column in {"articles", "origins", "unread"} else "left"
        )
    _fit_columns(
        table, short={"id", "updated", "articles", "unread", "origins"}, clipped={"sources"}
    )
    for story in rows:
        counts = [str(len(story.articles))]
        if unread is not None:
            counts.append(str(unread.get(story.id, 0)))
        table.add_row(
            story.id[:8],
            story.last_updated[:10],
            *counts,
            str(story.independent_origins),
            escape(", ".join(story.sources[:3]) + (" …" if len(story.sources) > 3 else "")),
            escape(story.title or "(untitled)"),
        )
    _out().print(table)


@app.command()
def story(
    story_id: str = typer.Argument(
        ..., metavar="ID", help="A story id, prefix, or an article id in it."
    ),
    format: Format = typer.Option(Format.text, "--format", "-f"),
) -> None:
    """Show one story: its articles, sources, independent origins, why they belong together,
    and the events it holds when there are several."""
    from newsweave.store.stories import get_story, origin_of, story_events

    with _open_store() as store:
        found = get_story(store, story_id)
        members = [store.get(i) for i in found.articles]
        origins = {i: origin_of(store, i) for i in found.articles}
        events = story_events(store, found)
    _output(
        format,
        found,
        lambda found: _story_json(found, members, origins, events),
        lambda found: render_story(found, members, origins, events),
    )


def _story_json(
    found: Story, members: list[Article], origins: dict[str, Origin], events: list[StoryEvent]
) -> Any:
    from newsweave.serialize import story_json

    data = story_json(found)
    data["events"] = [asdict(e) for e in events]
    data["members"] = [
        {
            "id": a.id,
            "title": a.title,
            "source": a.source,
            "published": a.published,
            "origin_group": origins[a.id].origin_group,
            "copy_of": origins[a.id].copy_of,
            "origin_kind": origins[a.id].kind,
        }
        for a in members
    ]
    return data


def render_story(
    found: Story,
    members: list[Article],
    origins: dict[str, Origin],
    events: list[StoryEvent] | None = None,
) -> None:
    _out().rule(escape(found.title or "(untitled story)"))
    _out().print(
        f"[dim]{found.id} · {len(found.articles)} articles · {found.independent_origins} independent "
        f"origin{'s' if found.independent_origins != 1 else ''} · first seen {found.first_seen[:16]} · "
        f"updated {found.last_updated[:16]}[/dim]"
    )
    _out().print(f"[bold]Why together[/bold]  {escape(found.why)}\n")
    # Events are numbered only when there are several: a one-event story reads as before.
    event_of: dict[str, str] = {}
    if events and len(events) > 1:
        _out().print(f"[bold]Events[/bold]  {len(events)}")
        for n, event in enumerate(events, 1):
            days = sorted({d for d in (event.first_seen, event.last_updated) if d})
            _out().print(
                f"  {n}. {escape(event.title or '(untitled)')} [dim]· {len(event.articles)}"
                f" articles{' · ' + ' – '.join(days) if days else ''}[/dim]"
            )
            event_of.update(dict.fromkeys(event.articles, str(n)))
        _out().print()
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, box=None)
    columns = ("id", *(["event"] if event_of else []), "published", "source", "title")
    for column in columns:
        table.add_column(column, header_style="bold")
    _fit_columns(table, short={"id", "event", "published"}, clipped={"source"})
    for article in members:
        origin = origins[article.id]
        note = ""
        if origin.copy_of:
            note = f"  [yellow]{origin.kind} of {origin.copy_of[:8]}[/yellow]"
        table.add_row(
            article.id[:8],
            *([event_of.get(article.id, "")] if event_of else []),
            (article.published or "")[:10],
            escape(article.source or "(outlet not named)"),
            escape(article.title or article.title_from_text or "(untitled)") + note,
        )
    _out().print(table)


@app.command()
def similar(
    article_id: str = typer.Argument(..., metavar="ID", help="An article id or unique prefix."),
    format: Format = typer.Option(Format.text, "--format", "-f"),
    limit: int = typer.Option(5, "--limit", "-n"),
) -> None:
    """Similar readings: nearest articles by meaning and time, leaving out copies of this one."""
    common.similar(article_id, format, limit)


def _short(origin: str, width: int = 40) -> str:
    return origin if len(origin) <= width else "…" + origin[-(width - 1) :]


@app.command("list")
def list_(
    format: Format = typer.Option(Format.text, "--format", "-f"),
    limit: int | None = typer.Option(None, "--limit", "-n", help="Show at most this many."),
) -> None:
    """List stored articles, newest first."""
    from newsweave.serialize import summary_json

    with _open_store() as store:
        rows = store.list_articles(limit)
        derived = store.derived_titles([r.id for r in rows if not r.title])
    _output(
        format,
        rows,
        _each(summary_json),
        lambda rows: render_list(rows, derived=derived),
        empty=NO_ARTICLES,
    )


def _fit_columns(table: Table, short: set[str], clipped: set[str]) -> None:
    """At 80 columns: ids, dates and counts never wrap, sources are cut to one line, and the
    title takes the rest of the width."""
    for column in table.columns:
        name = str(column.header)
        if name in short:
            column.no_wrap = True
        elif name in clipped:
            column.no_wrap, column.overflow, column.max_width = True, "ellipsis", 18
        elif name == "title":
            column.ratio = 1


def render_list(
    rows: list[ArticleSummary], title: str | None = None, derived: dict[str, str] | None = None
) -> None:
    """`derived`: titles taken from the text of untitled articles (shown in italics)."""
    derived = derived or {}
    from rich.table import Table  # here: rich's tables cost start-up for commands without one

    table = Table(title=title, show_edge=False, pad_edge=False)
    for column in ("id", "published", "source", "words", "title"):
        table.add_column(column, justify="right" if column == "words" else "left")
    _fit_columns(table, short={"id", "published", "words"}, clipped={"source"})
    for row in rows:
        table.add_row(
            row.id[:8],
            (row.published or "")[:10],
            escape(row.source or ""),
            str(row.words),
            escape(row.title)
            if row.title
            else f"[italic]{escape(derived[row.id])}[/italic]"
            if row.id in derived
            else escape("(untitled) " + Path(row.origin).name),
        )
    _out().print(table)


@app.command()
def show(
    article_id: str = typer.Argument(..., metavar="ID", help="An article id or unique prefix."),
    format: Format = typer.Option(Format.text, "--format", "-f"),
    removed: bool = typer.Option(
        False, "--removed", help="Also show what cleaning removed, and why."
    ),
) -> None:
    """Show one article: summary, statistics, details, body and similar readings."""
    from newsweave.serialize import article_json
    from newsweave.store.stories import origin_of
    from newsweave.store.stories import similar as similar_readings

    with _open_store() as store:
        article = store.get(article_id)
        readings = similar_readings(store, article.id)
        origin = origin_of(store, article.id)
        here = store.reads_here(article.id)
    _output(
        format,
        article,
        lambda article: article_json(article, readings, origin),
        lambda article: render_article(
            article, readings, show_removed=removed, origin=origin, reads_here=here
        ),
    )


def render_article(
    article: Article,
    similar: list[models.SimilarArticle],
    show_removed: bool = False,
    origin: Origin | None = None,
    reads_here: int | None = None,
) -> None:
    from newsweave.provenance import DESCRIBE

    _out().rule(escape(article.title or article.title_from_text or "(untitled)"))
    meta = [
        _noted(article.source, article.provenance.get("source")),
        _noted((article.published or "")[:10] or None, article.provenance.get("published")),
        article.language,
        article.url,
    ]
    _out().print("[dim]" + escape(" · ".join(m for m in meta if m)) + "[/dim]")
    _out().print(f"\n[bold]Summary[/bold]\n{escape(article.summary)}")
    s = article.stats
    _out().print(
        f"\n[bold]Statistics[/bold]  {s.words} words · {s.reading_minutes} min read · "
        + _read_times(s.read_count if reads_here is None else reads_here, s.read_count)
    )
    d = article.details
    details = {
        "id": article.id,
        "external id": d.external_id,
        "category": d.category,
        "origin": article.origin,
        "created": d.created,
        "updated": d.updated,
        "added": d.added,
        "last read": d.last_read,
        "story": origin.story if origin else None,
        "copy of": f"{origin.copy_of} ({origin.kind})" if origin and origin.copy_of else None,
        "found": "; ".join(DESCRIBE.get(h, h) for h in article.provenance.values()) or None,
    }
    _out().print("[bold]Details[/bold]")
    for key, value in details.items():
        if value:
            _out().print(f"  {key:<12} {escape(value)}", soft_wrap=True)  # paths and URLs whole
    _out().print()
    for para in article.body:
        _out().print(escape(para) + "\n")
    if article.related_titles:
        _out().print("[bold]Related titles (from the export)[/bold]")
        for title in article.related_titles:
            _out().print(f"  • {escape(title)}")
    if similar:
        _out().print("[bold]Similar readings[/bold]")
        render_readings(similar, indent="  ")
    if show_removed:
        _out().print(f"\n[bold]Removed ({len(article.removed)})[/bold]")
        for removal in article.removed:
            text = removal.text if len(removal.text) <= 100 else removal.text[:99] + "…"
            _out().print(f"  [yellow]{escape(removal.reason)}[/yellow]: {escape(text)}")


def _noted(value: str | None, how: str | None) -> str | None:
    """A value with where it came from, when the input did not declare it."""
    from newsweave.provenance import DESCRIBE

    return f"{value} ({DESCRIBE.get(how, how)})" if value and how else value


def _read_times(here: int, total: int) -> str:
    """ "read 1 time", and what an imported export counted before, kept apart: the first read
    here is never reported as a second."""
    text = f"read {here} time{'s' if here != 1 else ''}"
    before = total - here
    if before > 0:
        text += f" (and {before} before, by the imported export)"
    return text


@app.command()
def read(
    article_id: str | None = typer.Argument(None, metavar="ID"),
    story: str | None = typer.Option(
        None, "--story", metavar="STORY", help="Mark every article of this story read."
    ),
) -> None:
    """Mark an article (or with --story, a whole story) read: read count +1, last read = now."""
    if story is not None:
        with _open_store() as store:
            raise typer.Exit(_feed_commands().run_read_story(store, _out(), story))
    if article_id is None:
        raise NewsweaveError("read: give an article ID, or --story STORY")
    with _open_store() as store:
        article = store.mark_read(article_id)
        here = store.reads_here(article.id)
    _out().print(
        f"{article.id[:8]} {_read_times(here, article.stats.read_count)}, last at {article.details.last_read}"
    )


@app.command()
def search(
    query: str = typer.Argument(..., help='Words (all must match), "a phrase", or a OR b.'),
    format: Format = typer.Option(Format.text, "--format", "-f"),
    limit: int = typer.Option(20, "--limit", "-n"),
) -> None:
    """Full-text search over titles and bodies, best matches first."""
    common.search(query, format, limit)


class BriefFormat(str, Enum):
    json = "json"
    md = "md"
    html = "html"


@app.command()
def brief(
    story_id: str = typer.Argument(
        ..., metavar="STORY", help="A story id, prefix, or an article id in it."
    ),
    format: BriefFormat = typer.Option(BriefFormat.md, "--format", "-f"),
    since: str | None = typer.Option(
        None, "--since", help="Report what is new since this date (default: your last read)."
    ),
) -> None:
    """The story brief: cited summary, disputed figures, quotes, timeline, people, sources."""
    from newsweave.brief import brief_html, brief_json, brief_markdown
    from newsweave.pipeline import brief_story

    if since is not None:
        since = _parse_reference_date(since, "--since").isoformat()
    with _open_store() as store:
        result = brief_story(store, story_id, since=since)
    if format is BriefFormat.json:
        _print_json(brief_json(result))
    elif format is BriefFormat.html:
        sys.stdout.write(brief_html(result))
    else:
        sys.stdout.write(brief_markdown(result))


@app.command()
def analyze(
    files: list[Path] = typer.Argument(..., help="Text files, analysed as they are (no cleaning)."),
    date_: str | None = typer.Option(
        None, "--date", help="Reference date YYYY-MM-DD for relative dates (default: today)."
    ),
    format: Format = typer.Option(Format.json, "--format", "-f"),
) -> None:
    """Sentences, entities, quantities, quotes and dates of each file, one JSON object per line."""
    from newsweave.analyze import Analyzer, analysis_json
    from newsweave.analyze.timeml import readable
    from newsweave.text import decode

    ref = _parse_reference_date(date_)
    # A file that cannot be read is reported and skipped; the others are still analysed, and
    # the exit status says something failed.
    texts: list[tuple[Path, str]] = []
    failed = 0
    for path in files:
        try:
            texts.append((path, decode(path.read_bytes(), str(path))))
        except OSError as exc:
            _err().print(f"[red]error[/red] {escape(f'{path}: cannot read ({exc.strerror})')}")
            failed += 1
        except NewsweaveError as exc:
            _err().print(f"[red]error[/red] {escape(str(exc))}")
            failed += 1
    analyzer = Analyzer() if texts else None  # loaded once for all the files
    for path, text in texts:
        assert analyzer is not None
        result = analysis_json(analyzer.analyze(text, ref))
        if format is Format.json:
            sys.stdout.write(_dumps({"file": str(path), **result}) + "\n")
            continue
        _out().rule(escape(str(path)))
        for key in ("entities", "quantities", "quotes", "dates"):
            _out().print(f"[bold]{key}[/bold] ({len(result[key])})")
            for item in result[key]:
                shown = {k: v for k, v in item.items() if k not in {"start", "end"}}
                if key == "dates":  # the TimeML value, and how a reader says it
                    shown["reads"] = readable(item["value"])
                _out().print("  " + escape(_dumps(shown)))
    if failed:
        raise typer.Exit(1)


def _parse_reference_date(value: str | None, option: str = "--date") -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NewsweaveError(f"{option} {value!r}: not a date (use YYYY-MM-DD)") from None


@app.command()
def demo() -> None:
    """Load the bundled (fictional) demo story and show what a reader sees."""
    from newsweave import demo as demo_module
    from newsweave.pipeline import run
    from newsweave.store.stories import list_stories, origin_of
    from newsweave.store.stories import similar as similar_readings

    results: list[AddResult] = []
    with _open_store(create=True) as store:
        run(store, [str(p) for p in demo_module.corpus_files()], on_result=results.append)
        added = sum(r.status == "added" for r in results)
        _out().print(
            "[bold]Demo story loaded[/bold] (fiction: the town, outlets and people are "
            f"invented): {added} added, {len(results) - added} already there."
        )
        # On a line of its own and never wrapped by rich, so the path copies whole.
        _out().print(f"store: {escape(str(store.path))}\n", soft_wrap=True)
        listed = store.list_articles()
        derived = store.derived_titles([r.id for r in listed if not r.title])
        render_list(listed, title="Articles", derived=derived)
        _out().print()
        render_stories(list_stories(store), title="Stories")
        showcase = demo_module.showcase_id(store, results)
        if showcase:
            article = store.get(showcase)
            render_article(
                article,
                similar_readings(store, article.id),
                show_removed=True,
                origin=origin_of(store, article.id),
                reads_here=store.reads_here(article.id),
            )
            from rich.markdown import Markdown

            from newsweave.brief import brief_markdown
            from newsweave.pipeline import brief_story

            _out().rule("[bold]The story brief[/bold] (newsweave brief)")
            story = origin_of(store, article.id).story
            if story:
                _out().print(Markdown(brief_markdown(brief_story(store, story))))
                _out().print("\n[bold]Read it in a browser:[/bold]")
                # Unwrapped, so the command can be copied whole.
                _out().print(f"  newsweave --db {escape(str(store.path))} serve", soft_wrap=True)
                _out().print(f"  then open http://127.0.0.1:8765/stories/{story}", soft_wrap=True)
    failed = [r for r in results if r.status == "error"]
    for result in failed:
        _err().print(f"[red]error[/red] {escape(result.error or '')}")
    if failed:
        raise typer.Exit(1)


# -- subscriptions (newsweave.feeds; docs/feeds.md) ---------------------------------------------


def _feed_commands() -> Any:
    from newsweave.feeds import commands

    return commands


@app.command()
def subscribe(
    targets: list[str] = typer.Argument(
        ..., metavar="URL...", help="Feed or site URLs, OPML files."
    ),
    full_text: bool = typer.Option(
        False, "--full-text", help="Fetch each new entry's page for its full text."
    ),
    every: str | None = typer.Option(
        None, "--every", help="Refresh interval (30m, 2h, 1d) unless the feed sets its own."
    ),
    tag: list[str] = typer.Option([], "--tag", "-t", help="A tag for these feeds (repeatable)."),
    format: Format = typer.Option(Format.text, "--format", "-f"),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Allow URLs on private or loopback addresses."
    ),
) -> None:
    """Follow feeds: a feed URL, a site (its feed discovered) or an OPML file (folders → tags)."""
    seconds = _feed_commands().parse_every(every) if every else None
    with _open_store(create=True) as store:
        code = _feed_commands().run_subscribe(
            store, _out(), _err(), targets, full_text=full_text, every=seconds, tags=tag,
            as_json=format is Format.json, allow_private=allow_private,
        )  # fmt: skip
    raise typer.Exit(code)


@app.command()
def unsubscribe(feed: str = typer.Argument(..., metavar="ID", help="A feed id or URL.")) -> None:
    """Stop following a feed; the articles it brought stay."""
    with _open_store() as store:
        raise typer.Exit(_feed_commands().run_unsubscribe(store, _out(), feed))


@app.command()
def feeds(format: Format = typer.Option(Format.text, "--format", "-f")) -> None:
    """List subscriptions: articles, unread, last fetch, status and errors, next refresh."""
    with _open_store() as store:
        raise typer.Exit(_feed_commands().run_feeds(store, _out(), format is Format.json))


@app.command()
def opml() -> None:
    """Print every subscription as OPML 2.0 (`newsweave opml > subs.opml`)."""
    with _open_store() as store:
        raise typer.Exit(_feed_commands().run_opml(store))


@app.command()
def refresh(
    feeds: list[str] = typer.Argument(None, metavar="[FEED]...", help="Feed ids or URLs."),
    format: Format = typer.Option(Format.text, "--format", "-f"),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Allow URLs on private or loopback addresses."
    ),
    timeout: float | None = typer.Option(None, "--timeout", help="Seconds per request (15)."),
    ray: str | None = typer.Option(None, RAY_FLAG, metavar="[ADDRESS]", help=RAY_HELP),
) -> None:
    """Fetch the feeds that are due (or those named), store and weave their new entries."""
    bar = _progress() if format is Format.text and _err().is_terminal else None
    with _open_store() as store, _cluster(ray) as cluster:
        code = _feed_commands().run_refresh(
            store, _out(), _err(), bar, feeds or [], as_json=format is Format.json,
            allow_private=allow_private, timeout=timeout, cluster=cluster,
        )  # fmt: skip
    raise typer.Exit(code)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    token: str | None = typer.Option(
        None,
        "--token",
        help="Required of every request (default: $NEWSWEAVE_TOKEN); needed off loopback.",
    ),
    refresh: bool = typer.Option(
        True, "--refresh/--no-refresh", help="Keep subscriptions current while serving."
    ),
) -> None:
    """Read stories in a browser: the web reader and JSON API over this store."""
    from newsweave import web

    db = resolve_db_path(state.db)
    token = web.check_binding(host, token)
    _out().print(f"newsweave reader on http://{host}:{port}/ (store {db}); Ctrl-C stops it")
    web.serve(
        db, host=host, port=port, token=token, background=[web.refresh_feeds] if refresh else []
    )


@app.command("copy-store")
def copy_store(
    source: str = typer.Argument(
        ..., help="The store to copy: a SQLite file or postgresql:// URL."
    ),
    target: str = typer.Argument(
        ..., help="A new store: a SQLite file or an empty PostgreSQL database's URL."
    ),
    format: Format = typer.Option(Format.text, "--format", "-f"),
) -> None:
    """Copy a whole store into a new one (SQLite to PostgreSQL, or back); the source is only read."""
    from newsweave.store.transfer import copy_store as copy

    show_progress = format is Format.text and _err().is_terminal
    with _interruptible():
        report = copy(source, target, _track if show_progress else None)
    _output(
        format,
        report,
        asdict,
        lambda r: _out().print(_copied(r), soft_wrap=True),
    )


def _copied(report: CopyReport) -> str:
    def count(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    rows = report.rows
    return (
        f"copied {count(rows.get('articles', 0), 'article', 'articles')},"
        f" {count(rows.get('stories', 0), 'story', 'stories')},"
        f" {count(rows.get('feeds', 0), 'feed', 'feeds')}"
        f" ({count(sum(rows.values()), 'row', 'rows')} in {len(rows)} tables)"
        f" into {escape(report.target)} in {report.seconds:.1f} s"
    )
