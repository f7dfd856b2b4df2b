"""Inputs a new user hits: broken UTF-8, legacy code pages, XML that is not a feed, pages with
no article text, URL schemes that are not fetched, the size cap."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import LocalServer
from newsweave.errors import IngestError
from newsweave.ingest import ingest
from newsweave.models import RawArticle
from newsweave.pipeline import build_article
from newsweave.settings import FetchOptions, IngestOptions
from newsweave.text import INVALID_UTF8

# One article per code page, long enough to read as text in it.
LEGACY = {
    "cp1252": "Le café crème coûte 5 € à Zürich, señor. «Très cher», dit-il — naïvement. "
    "Les habitués du café répondent que la qualité a un prix.",
    "latin-1": "Ça coûte 5 £ à Genève; «très» cher, répond Zoë Müller. Île déserte, côté été, "
    "où l'on boit du café noir.",
    "koi8-r": "Москва - столица России. Жители города говорят, что погода в этом году хорошая, "
    "а весна пришла рано. Мэр пообещал открыть новые парки.",
    "shift_jis": "東京都は本日、新しい公園の開園を発表しました。市民の多くは週末に公園を訪れる"
    "予定だと話しています。知事は、緑地をさらに増やすと述べました。",
}


def only_article(path: Path, opts: IngestOptions | None = None) -> RawArticle:
    items = list(ingest(str(path), opts))
    assert len(items) == 1
    item = items[0]
    assert isinstance(item, RawArticle), item
    return item


@pytest.mark.parametrize("codec", sorted(LEGACY))
def test_legacy_code_page_files_are_detected_and_logged_as_nothing(
    tmp_path: Path, codec: str
) -> None:
    path = tmp_path / f"{codec}.txt"
    path.write_bytes(f"Headline in {codec}\n\n{LEGACY[codec]}\n".encode(codec))
    article = only_article(path)
    assert LEGACY[codec] in article.text
    assert not [r for r in article.removed if r.reason == INVALID_UTF8]


def test_broken_utf8_stays_utf8_with_replacement_and_says_so(tmp_path: Path) -> None:
    good = "Le Café de la Gare a rouvert. Les habitués étaient ravis, dit la gérante."
    second = "Un deuxième café, à côté, ouvrira bientôt. Crème brûlée pour tous."
    # A cut-off sequence inside a UTF-8 line, and two stray bytes on a line of their own.
    cut = "Café crème for everyone, said the owner of the café.".encode().replace(
        b"\xc3\xa9", b"\xc3", 1
    )
    data = (
        good.encode() + b"\n\n" + cut + b"\n\nThe owner said \xff\xfe twice.\n\n" + second.encode()
    )
    path = tmp_path / "broken.txt"
    path.write_bytes(data)
    article = only_article(path)
    assert good in article.text and second in article.text
    assert "Caf\ufffd crème for everyone, said the owner of the café." in article.text
    assert "said \ufffd\ufffd twice" in article.text
    notes = [r for r in article.removed if r.reason == INVALID_UTF8]
    assert len(notes) == 1 and notes[0].text.startswith("3 bytes not UTF-8")
    # ...and the note reaches the stored article's removal log.
    built = build_article(article)
    assert [r for r in built.removed if r.reason == INVALID_UTF8] == notes


def test_a_legacy_line_in_a_utf8_file_is_still_read_in_its_code_page(tmp_path: Path) -> None:
    data = "Première ligne en UTF-8.\n".encode() + "Deuxième ligne en cp1252.\n".encode("cp1252")
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    article = only_article(path)
    assert "Deuxième ligne en cp1252." in article.text
    assert not [r for r in article.removed if r.reason == INVALID_UTF8]


def test_xml_that_is_not_a_feed_names_its_root_element(tmp_path: Path) -> None:
    path = tmp_path / "settings.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!-- app settings -->\n<config><item>1</item></config>\n'
    )
    (item,) = list(ingest(str(path)))
    assert isinstance(item, IngestError)
    assert str(item) == f"{path}: not a feed (root element <config>)"


NO_ARTICLE_PAGES = {
    "listing.html": """<!DOCTYPE HTML><html><head><title>Directory listing for /</title></head>
        <body><h1>Directory listing for /</h1><hr><ul><li><a href="notes.txt">notes.txt</a></li>
        <li><a href="photos/">photos/</a></li><li><a href="report-2024.pdf">report-2024.pdf</a>
        </li><li><a href="old/">old/</a></li></ul><hr></body></html>""",
    "login.html": """<html><head><title>Sign in - The Daily Planet</title></head><body><main>
        <h1>Sign in to continue reading</h1><p>Subscribers only.</p><form><label>Email</label>
        <input name="e"><label>Password</label><input name="p" type="password">
        <button>Sign in</button></form><p><a href="/forgot">Forgot your password?</a></p>
        <p><a href="/subscribe">Subscribe now</a></p></main></body></html>""",
    "error.html": """<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>
        <p>The requested URL was not found on this server.</p><hr>
        <address>Apache/2.4.41 (Ubuntu) Server at example.org Port 80</address></body></html>""",
    "section.html": "<html><head><title>World news - The Courier</title></head><body>"
    "<h1>World news</h1><ul>"
    + "".join(
        f'<li><a href="/story/{i}">Headline number {i} about events in the region today</a></li>'
        for i in range(25)
    )
    + "</ul><p>More stories tomorrow.</p></body></html>",
}


@pytest.mark.parametrize("name", sorted(NO_ARTICLE_PAGES))
def test_pages_with_no_article_text_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(NO_ARTICLE_PAGES[name])
    problems = []
    for item in ingest(str(path)):
        if isinstance(item, IngestError):
            problems.append(str(item))
            continue
        with pytest.raises(IngestError) as caught:
            build_article(item)
        problems.append(str(caught.value))
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: no article text")


def test_short_real_articles_are_kept(tmp_path: Path) -> None:
    """One-line news items exist (ECB+ has several): the rule is about lists and walls, not
    length."""
    path = tmp_path / "brief.txt"
    path.write_text("Esther Williams, swimming star, dies at 91\n")
    article = build_article(only_article(path))
    assert article.body == ["Esther Williams, swimming star, dies at 91"]


@pytest.mark.parametrize(
    ("source", "scheme"),
    [("file:///etc/passwd", "file"), ("ftp://example.com/news.txt", "ftp"),
     ("gopher://example.com/1", "gopher")],
)  # fmt: skip
def test_unsupported_url_schemes_are_refused_never_read_as_files(source: str, scheme: str) -> None:
    (item,) = list(ingest(source))
    assert isinstance(item, IngestError)
    assert str(item) == (
        f"{source}: unsupported URL scheme '{scheme}' (only http:// and https:// URLs are read)"
    )


def test_redirect_to_a_file_url_is_refused(server: LocalServer) -> None:
    from conftest import Route

    server.routes["/jump"] = Route(status=302, headers={"Location": "file:///etc/passwd"})
    opts = IngestOptions(fetch=FetchOptions(allow_private=True))
    (item,) = list(ingest(server.url("/jump"), opts))
    assert isinstance(item, IngestError)
    assert "unsupported URL scheme 'file'" in str(item)


def test_private_address_error_names_the_flag_and_the_variable(server: LocalServer) -> None:
    (item,) = list(ingest(server.url("/x")))
    assert isinstance(item, IngestError)
    assert "--allow-private" in str(item) and "NEWSWEAVE_ALLOW_PRIVATE=1" in str(item)


def test_size_cap_error_says_how_to_raise_it(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Long read\n\n" + "The river rose again overnight, residents said. " * 400)
    (item,) = list(ingest(str(path), IngestOptions(max_file_bytes=4096)))
    assert isinstance(item, IngestError)
    assert "the cap is 4 KB: raise it with --max-bytes or $NEWSWEAVE_MAX_BYTES" in str(item)
    assert isinstance(only_article(path, IngestOptions(max_file_bytes=1024 * 1024)), RawArticle)


def _refused(raws: list[RawArticle]) -> list[str]:
    refused = []
    for raw in raws:
        try:
            build_article(raw)
        except IngestError as exc:
            refused.append(str(exc))
    return refused


def test_no_article_rule_refuses_no_seed_demo_or_evaluation_page() -> None:
    import gzip
    import json

    from conftest import shared_path
    from newsweave.demo import corpus_files
    from newsweave.ingest import html_article

    sources = [*sorted(shared_path("seeds").iterdir()), *corpus_files()]
    raws = [item for s in sources for item in ingest(str(s)) if isinstance(item, RawArticle)]
    assert len(raws) == len(sources)
    data = shared_path("data", "article-extraction")
    truth = json.loads((data / "ground-truth.json").read_text())
    for key, page in sorted(truth.items()):
        html = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        raws.append(html_article(html.decode("utf-8", "replace"), key, page.get("url")))
    assert len(raws) == len(sources) + 181
    assert _refused(raws) == []
