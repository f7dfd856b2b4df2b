"""Hostile input through every output: nothing executable comes out, nothing crashes.

The corpus is tests/hostile/ (small files) plus files generated here: a 10,000-character word,
a billion-laughs feed and gzip bombs. Markdown output is rendered with a real CommonMark
renderer (markdown-it, HTML allowed) and every HTML output parsed with lxml, so the checks are
about what a browser would get, not about substrings.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from conftest import CliResult, LocalServer, Route
from newsweave.cli import app
from newsweave.ingest import ingest
from newsweave.settings import FetchOptions, IngestOptions

HOSTILE = Path(__file__).parent / "hostile"
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "' + f"&lol{i - 1 if i > 1 else ''};" * 10 + '">\n' for i in range(1, 10)
    )
    + ']>\n<rss version="2.0"><channel><title>Laughs</title><item><title>&lol9;</title>'
    "<description>The harbour council met on Monday. &lol9;</description></item></channel></rss>\n"
)
DANGEROUS_SCHEMES = re.compile(r"^\s*(?:javascript|data|vbscript):", re.IGNORECASE)
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b-\u200d\u202a-\u202e\u2066-\u2069\ufeff]")


def _bomb(path: Path, size: int) -> Path:
    """A gzip file of `size` zero bytes (about a thousandth of that on disk)."""
    block = b"\0" * (1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as out:
        for _ in range(size // len(block)):
            out.write(block)
    return path


def build_corpus(folder: Path) -> Path:
    shutil.copytree(HOSTILE, folder)
    (folder / "long_word.txt").write_text(
        "Harbour budget with a very long word\n\n"
        "The council approved the budget on Monday, " + "x" * 10_000 + " the mayor said.\n"
        "Repairs of the old pier begin in spring and take about two years.\n"
    )
    (folder / "laughs.xml").write_text(LAUGHS)
    _bomb(folder / "bomb.html.gz", 64 << 20)
    return folder


class Session:
    """One store with the whole corpus added, shared by the tests of this module."""

    def __init__(self, db: Path, corpus: Path) -> None:
        self.db = db
        self.corpus = corpus
        self.runner = CliRunner()

    def run(self, *args: str) -> CliResult:
        result = self.runner.invoke(app, ["--db", str(self.db), *args], catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    def json(self, *args: str) -> Any:
        result = self.run(*args, "--format", "json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    root = tmp_path_factory.mktemp("hostile")
    s = Session(root / "store.db", build_corpus(root / "corpus"))
    s.added = s.run("add", str(s.corpus), "--format", "json")  # type: ignore[attr-defined]
    yield s


def _articles(session: Session) -> list[dict[str, Any]]:
    return [session.json("show", row["id"]) for row in session.json("list")]


def _stories(session: Session) -> list[str]:
    return [s["id"] for s in session.json("stories")]


def _assert_no_active_html(page: str, where: str) -> None:
    root = lxml.html.document_fromstring(page)
    assert not root.xpath("//script|//iframe|//object|//embed|//svg|//img"), where
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"{where}: {name}={value!r}"
            if name.lower() in {"href", "src", "action", "formaction", "xlink:href"}:
                assert not DANGEROUS_SCHEMES.match(value), f"{where}: {name}={value!r}"
    assert "<script" not in page.lower(), where


def _render_markdown(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


# -- add --------------------------------------------------------------------------------------


def test_add_takes_the_corpus_and_refuses_bombs_with_one_line_each(session: Session) -> None:
    result = session.added  # type: ignore[attr-defined]
    assert "Traceback" not in result.stdout + result.stderr
    rows = {Path(r["origin"].split(":")[0]).name: r for r in result.json_lines()}
    assert result.exit_code == 1  # the two bombs failed; everything else was added
    assert "too large once decompressed" in rows["bomb.html.gz"]["error"]
    assert "entit" in rows["laughs.xml"]["error"]
    added = [r for r in result.json_lines() if r["status"] == "added"]
    assert len(added) >= 9


def test_gzip_file_is_never_decompressed_past_the_cap(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "page.html.gz", 256 << 20)
    tracemalloc.start()
    try:
        items = list(ingest(str(bomb), IngestOptions(max_file_bytes=8 << 20)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(items) == 1 and "too large once decompressed" in str(items[0])
    assert peak < 40 << 20, f"peak {peak / 1e6:.0f} MB while refusing a 256 MB bomb"


def test_gzip_content_encoding_is_capped_after_decoding(
    tmp_path: Path, server: LocalServer
) -> None:
    body = _bomb(tmp_path / "b.gz", 128 << 20).read_bytes()
    server.routes["/bomb"] = Route(body=body, headers={"Content-Encoding": "gzip"})
    ok = gzip.compress(
        b"<html><body><article><p>The harbour council approved the budget on Monday after a "
        b"long debate about the old pier.</p></article></body></html>"
    )
    server.routes["/ok"] = Route(body=ok, headers={"Content-Encoding": "gzip"})
    opts = IngestOptions(fetch=FetchOptions(allow_private=True, max_bytes=4 << 20))
    tracemalloc.start()
    try:
        items = list(ingest(server.url("/bomb"), opts))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "too large once decompressed" in str(items[0])
    assert peak < 30 << 20, f"peak {peak / 1e6:.0f} MB while refusing a 128 MB response"
    [article] = list(ingest(server.url("/ok"), opts))
    assert "old pier" in getattr(article, "text", "")


# -- what is stored ---------------------------------------------------------------------------


def test_a_title_keeps_script_text_and_no_field_keeps_script_or_style(session: Session) -> None:
    articles = _articles(session)
    page = next(a for a in articles if a["origin"].endswith("script_page.html"))
    assert page["title"] == "Evil alert(1) headline"
    for article in articles:
        fields = json.dumps({k: v for k, v in article.items() if k != "removed"})
        for code in ("injected by script", "head script", "feed script", "display: none"):
            assert code not in fields, (article["origin"], code)
        assert "<script" not in fields.lower(), article["origin"]
        assert not DANGEROUS_SCHEMES.match(article["url"] or ""), article["origin"]


def test_no_field_keeps_bidi_overrides_zero_width_or_control_characters(
    session: Session,
) -> None:
    for article in _articles(session):
        for key in ("title", "source", "summary", "body"):
            assert not INVISIBLE.search(json.dumps(article[key], ensure_ascii=False)), key
    unicode_article = next(
        a for a in _articles(session) if a["origin"].endswith("unicode_controls.txt")
    )
    assert "council approved the harbour budget" in " ".join(unicode_article["body"])


# -- every output -----------------------------------------------------------------------------


def _text_commands(session: Session) -> list[list[str]]:
    ids = [row["id"] for row in session.json("list")]
    commands = [["list"], ["stories"], ["search", "harbour"], ["search", "alert"]]
    for article_id in ids:
        commands += [["show", article_id], ["show", article_id, "--removed"]]
        commands += [["similar", article_id]]
    commands += [["story", story] for story in _stories(session)]
    return commands


def test_cli_text_prints_markup_literally_and_no_control_characters(session: Session) -> None:
    seen = ""
    for command in _text_commands(session):
        result = session.run(*command)
        assert result.exit_code == 0, (command, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr, command
        assert "\x1b" not in result.stdout and not INVISIBLE.search(result.stdout), command
        seen += result.stdout
    # rich markup from article text printed as text, never interpreted
    assert "[red]markup[/red]" in seen
    assert "[red]rich markup[/red]" in seen


def test_every_json_output_parses(session: Session) -> None:
    for command in _text_commands(session):
        data = session.json(*command)
        assert data is not None or command[0] == "show", command
    for story in _stories(session):
        session.json("brief", story)


def test_markdown_brief_renders_no_html_links_or_broken_lists(session: Session) -> None:
    for story in _stories(session):
        result = session.run("brief", story, "--format", "md")
        assert result.exit_code == 0, result.stderr
        assert "<" not in result.stdout.replace("&lt;", "")
        page = _render_markdown(result.stdout)
        _assert_no_active_html(page, f"md brief {story}")
        root = lxml.html.fragment_fromstring(page, create_parent="div")
        assert not root.xpath("//a"), "a link came from article text"
        assert len(root.xpath("//h1")) == 1
        headings = {h.text_content() for h in root.xpath("//h2")}
        assert all(re.match(r"(Summary|Quotes|Timeline|People|Places|Organisations|"
                            r"Disputed figures|What each source adds|Since )", h)
                   for h in headings), headings  # fmt: skip


def test_html_brief_has_no_active_content(session: Session) -> None:
    for story in _stories(session):
        result = session.run("brief", story, "--format", "html")
        assert result.exit_code == 0, result.stderr
        _assert_no_active_html(result.stdout, f"html brief {story}")
        root = lxml.html.document_fromstring(result.stdout)
        assert len(root.xpath("//style")) == 1  # the page's own
        assert not root.xpath("//a")


def test_markdown_escapes_links_tags_and_list_breaking_lines() -> None:
    from newsweave.safety import markdown_inline, markdown_inline_html

    title = "[x](javascript:alert(1)) <script>alert(2)</script> ![i](data:x) **b** `c` | d"
    line = f"- {markdown_inline(title)} [0123abcd]"
    page = _render_markdown(line)
    root = lxml.html.fragment_fromstring(page, create_parent="div")
    assert not root.xpath("//a|//img|//script|//strong|//code")
    assert root.text_content().strip() == f"{' '.join(title.split())} [0123abcd]"
    quote = 'He said: "one,\n# two,\n- three,\n1. four."'
    page = _render_markdown(f"- {markdown_inline(quote)}\n- next")
    root = lxml.html.fragment_fromstring(page, create_parent="div")
    assert len(root.xpath("//li")) == 2 and not root.xpath("//h1|//ol")
    assert markdown_inline("1. first") == "1\\. first"
    html = markdown_inline_html(line)
    assert "<script" not in html and "href" not in html and "<span class='cite'>" in html
