from __future__ import annotations

from newsweave.ingest.appexport import parse_export

BODY = "The council approved the harbour budget.\nThe pier will be repaired in spring."


def test_export_blocks_become_metadata() -> None:
    text = (
        f"{BODY}\nRelated Articles (2 items)\nPier closed\nFerry returns\nSummary\nThe council "
        "approved a budget and\nStatistics\n1,204\nWords3\nRead CountDetails\nID: abc-123\n"
        "Category: local\nURL: https://bay.example/budget\nDate: 2024-05-06\n"
        "Created: 2024/05/06 08:00\nUpdated: 2024/05/07 09:30\nLast Read: 2024/05/08 21:15\n"
    )
    fields = parse_export(text)
    assert fields is not None
    assert fields.body == BODY
    assert fields.related_titles == ["Pier closed", "Ferry returns"]
    assert (fields.words, fields.read_count) == (1204, 3)
    assert fields.url == "https://bay.example/budget" and fields.published == "2024-05-06"
    d = fields.details
    assert (d.external_id, d.category) == ("abc-123", "local")
    assert (d.created, d.updated, d.last_read) == (
        "2024-05-06T08:00",
        "2024-05-07T09:30",
        "2024-05-08T21:15",
    )
    removed = "\n".join(r.text for r in fields.removed)
    assert "ID: abc-123" in removed and "Pier closed" in removed
    assert all(r.reason.startswith("reading-app export") for r in fields.removed)


def test_fields_alone_make_an_export() -> None:
    fields = parse_export(f"{BODY}\nDetails\nID: 42\nURL: https://bay.example/x\n")
    assert fields is not None and fields.body == BODY and fields.details.external_id == "42"


def test_article_subheadings_are_not_an_export() -> None:
    text = f"Summary\n{BODY}\nDetails\nThe pier was built in 1901 and last repaired in 1980."
    assert parse_export(text) is None
    assert parse_export(BODY) is None
