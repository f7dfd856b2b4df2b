from __future__ import annotations

from newsweave.metadata import outlet_from_text, outlet_from_url


def test_outlet_from_url_uses_the_registrable_label() -> None:
    assert outlet_from_url("https://www3.nhk.or.jp/news/1") == "NHK"
    assert outlet_from_url("https://www.bbc.co.uk/news/x") == "BBC"
    assert outlet_from_url("https://news.valley-courier.example/a") == "Valley Courier"
    assert outlet_from_url(None) is None


def test_outlet_from_text_reads_self_references_not_citations() -> None:
    assert outlet_from_text(["KYIV, Oct 24 (Wirestream) - The council met."]) == "Wirestream"
    assert (
        outlet_from_text(["The mayor spoke, Harbour.NET reports citing the council."])
        == "Harbour.NET"
    )
    assert (
        outlet_from_text(["BTV-News sources have reported several times on the pier."])
        == "BTV-News"
    )
    assert outlet_from_text(["Ukrainian sources said the pier was closed."]) is None
    assert outlet_from_text(["Earlier, The Guardian wrote that the pier was closed."]) is None


def test_outlet_from_copyright_line() -> None:
    from newsweave.metadata import outlet_from_copyright

    assert outlet_from_copyright(["© 2024 Bay Gazette. All rights reserved."]) == "Bay Gazette"
    assert outlet_from_copyright(["Copyright 2019-2024 Harbour Times Ltd"]) == "Harbour Times"
    assert outlet_from_copyright(["Share this article"]) is None
    assert outlet_from_copyright(["© Reuters"]) is None


def test_outlet_from_a_copyright_line_kept_as_the_articles_sign_off() -> None:
    from newsweave.clean import clean
    from newsweave.metadata import infer_source_how
    from newsweave.models import RawArticle

    lines = [
        "The city council approved the new harbour budget on Monday after a long debate.",
        "The harbour budget includes funds for dredging the channel and repairing the old pier.",
        "Copyright 2024 Bay Gazette. All rights reserved.",
    ]
    cleaned = clean(RawArticle(origin="t", kind="text", text="\n".join(lines)))
    assert cleaned.paragraphs == lines
    assert infer_source_how(cleaned) == ("Bay Gazette", "copyright")
