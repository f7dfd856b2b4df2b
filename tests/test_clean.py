"""Each cleaning rule on made-up text: the rules are general, not tied to the seeds."""

from __future__ import annotations

from typing import Any

from newsweave.clean import (
    ADVERT,
    CAPTION,
    LANGUAGE_SWITCHER,
    NAVIGATION,
    PROMOTION,
    RELATED,
    REPEAT,
    TITLE_REPEAT,
    clean,
    split_paragraphs,
)
from newsweave.models import RawArticle

STORY = [
    "The city council approved the new harbour budget on Monday after a long debate.",
    "The harbour budget includes funds for dredging the channel and repairing the old pier.",
    "Council members said the pier repairs would begin in the spring and last two years.",
    "Opponents of the budget said the dredging plan would harm fishing in the channel.",
]


def _clean(
    lines: list[str], title: str | None = None, kind: str = "text"
) -> tuple[list[str], list[tuple[str, str]], str | None]:
    raw = RawArticle(origin="t", kind=kind, text="\n".join(lines), title=title)  # type: ignore[arg-type]
    result = clean(raw)
    return result.paragraphs, [(r.reason, r.text) for r in result.removed], result.title


def test_clean_drops_language_switcher_and_promotes_headline() -> None:
    body, removed, title = _clean(["EN | FR | DE", "", "Harbour budget approved", "", *STORY])
    assert title == "Harbour budget approved"
    assert body == STORY
    assert removed == [(LANGUAGE_SWITCHER, "EN | FR | DE")]


def test_clean_keeps_first_line_that_is_a_sentence() -> None:
    body, _removed, title = _clean(STORY)
    assert title is None
    assert body == STORY


def test_clean_drops_navigation_lines() -> None:
    body, removed, _ = _clean(
        ["Home > News > Local", *STORY, "Share this article", "Follow us on Twitter"]
    )
    assert body == STORY
    assert {r for r, _ in removed} == {NAVIGATION}


def test_clean_drops_photo_captions_and_credits() -> None:
    lines = [
        STORY[0],
        "Photo: The old pier at dawn (Reuters/Jane Roe)",
        STORY[1],
        "The pier in 1950. (Getty Images)",
        *STORY[2:],
    ]
    body, removed, _ = _clean(lines)
    assert body == STORY
    assert [r for r, _ in removed] == [CAPTION, CAPTION]


def test_clean_drops_title_glued_to_caption() -> None:
    title = "Harbour budget approved"
    body, removed, _ = _clean(
        [f"{title} Image: Council members vote (File)", *STORY], title=title, kind="html"
    )
    assert body == STORY
    assert "".join(t for _, t in removed).count(title) == 1
    assert title not in "\n".join(body)


def test_clean_drops_title_repeated_in_body() -> None:
    body, removed, _ = _clean(
        ["Harbour Budget Approved", *STORY], title="Harbour budget approved", kind="html"
    )
    assert body == STORY
    assert removed == [(TITLE_REPEAT, "Harbour Budget Approved")]


def test_clean_drops_whole_advert_block() -> None:
    advert = [
        "Summer sale on garden furniture",
        "Greenleaf Outlet Sponsored",
        "Summer sale on garden furniture",
        "Buy two sun loungers and get a parasol free. Offer ends Sunday, so hurry to our stores today.",
    ]
    body, removed, _ = _clean([*STORY[:2], *advert, *STORY[2:]])
    assert body == STORY
    assert [t for r, t in removed if r == ADVERT] == advert


def test_clean_advert_marker_alone_keeps_on_topic_text() -> None:
    body, removed, _ = _clean([STORY[0], "Advertisement", *STORY[1:]])
    assert body == STORY
    assert removed == [(ADVERT, "Advertisement")]


def test_clean_drops_related_links_list() -> None:
    lines = [*STORY, "Related articles", "Pier closed after storm", "Fishing fleet shrinks again"]
    body, removed, _ = _clean(lines)
    assert body == STORY
    assert [r for r, _ in removed] == [RELATED] * 3


def test_clean_drops_repeated_paragraphs_and_runs() -> None:
    body, removed, _ = _clean(
        [*STORY, *STORY[1:3], STORY[3].replace("Opponents", "opponents").rstrip(".")]
    )
    assert body == STORY
    assert len(removed) == 3
    assert all(r.startswith(REPEAT) for r, _ in removed)


def test_clean_keeps_list_lines_and_captions_a_text_repeats() -> None:
    # Monday's and Thursday's breakfast are the same; two embedded posts by one account on one
    # day carry the same attribution line. Only a paragraph of prose printed twice is a repeat.
    meal = "2 eggs, 1 cup of oats, 1 tsp. of honey and 8 oz. of milk"
    caption = "— Harbour Council (@harbourcouncil) May 9, 2024"
    lines = [STORY[0], "Monday", meal, caption, STORY[1], "Thursday", meal, caption, *STORY[2:]]
    body, removed, _ = _clean([x for line in lines for x in (line, "")])
    assert body == lines
    assert removed == []


def test_clean_drops_near_exact_repeat() -> None:
    near = STORY[1].replace("funds", "money")
    body, removed, _ = _clean([*STORY, near])
    assert body == STORY
    assert removed[0][0] == REPEAT + " (near-exact)"


def test_split_paragraphs_joins_hard_wrapped_text() -> None:
    text = (
        "The council approved the harbour budget on Monday after\n"
        "a long debate that lasted well into the night and ended\n"
        "with a narrow vote.\n\n"
        "The budget includes funds for dredging the channel and\n"
        "repairing the old pier, which was damaged in a storm.\n"
    )
    assert split_paragraphs(text) == [
        "The council approved the harbour budget on Monday after a long debate that lasted well into the night and ended with a narrow vote.",
        "The budget includes funds for dredging the channel and repairing the old pier, which was damaged in a storm.",
    ]


def test_clean_drops_inline_read_also_and_self_promotion() -> None:
    lines = [
        STORY[0],
        "Read also: Pier closed after winter storm",
        *STORY[1:3],
        "Subscribe to our Telegram channel for the latest news",
        STORY[3],
        "Tags: harbour, budget, council",
    ]
    body, removed, _ = _clean(lines)
    assert body == STORY
    assert [r for r, _ in removed] == [RELATED, PROMOTION, NAVIGATION]


def test_clean_keeps_sentences_that_merely_mention_reading() -> None:
    lines = [
        *STORY,
        "Read also the council's full report, which runs to 300 pages and was published on Monday.",
    ]
    body, removed, _ = _clean(lines)
    assert body == lines and removed == []


def test_clean_keeps_subheadings_about_advertising() -> None:
    lines = [STORY[0], "The advertising market", *STORY[1:]]
    body, removed, _ = _clean(lines)
    assert body == lines and removed == []


def test_clean_advert_marker_keeps_the_subheading_after_it() -> None:
    lines = [STORY[0], STORY[1], "Advertisement", "The council vote", *STORY[2:]]
    body, removed, _ = _clean(lines)
    assert body == [STORY[0], STORY[1], "The council vote", *STORY[2:]]
    assert removed == [(ADVERT, "Advertisement")]


def test_clean_keeps_lines_that_recur_as_the_articles_structure() -> None:
    # The same question put to three people is the article's shape, not a repeat.
    question = "What made you start cooking for other people in the first place?"
    lines = [STORY[0], question, STORY[1], question, STORY[2], question, STORY[3]]
    body, removed, _ = _clean(lines)
    assert body == lines
    assert removed == []


def test_clean_near_repeat_needs_the_same_numbers() -> None:
    first = "Serving for the evening meal: 2 cups of rice, 1 cup of beans and 3 eggs."
    second = "Serving for the evening meal: 3 cups of rice, 1 cup of beans and 2 eggs."
    body, removed, _ = _clean([*STORY, first, second])
    assert body == [*STORY, first, second]
    assert removed == []


def test_clean_keeps_table_rows_and_acronyms_in_brackets() -> None:
    rows = ["| Name | Price | Change |", "| Widget | 12.50 | -1.2% |"]
    acronym = "The rules were drafted by the European Planning Agency (EPA)"
    body, removed, _ = _clean([*STORY, *rows, acronym])
    assert body == [*STORY, *rows, acronym]
    assert removed == []


def test_clean_still_drops_a_photo_credit() -> None:
    credit = "Rescue workers search the rubble on Monday. (AP Photo/Jane Roe)"
    body, removed, _ = _clean([*STORY[:2], credit, *STORY[2:]])
    assert body == STORY
    assert removed == [(CAPTION, credit)]


def test_clean_a_date_with_spaced_slashes_is_a_dateline_not_a_menu() -> None:
    body, removed, _ = _clean(["Posted: 05 / 02 / 2013 11: 10 am", *STORY])
    assert body == STORY
    assert [r for r, _ in removed] != [NAVIGATION]
    assert all(r != NAVIGATION for r, _ in removed)


def test_clean_keeps_a_rights_or_channels_notice_that_signs_the_article_off() -> None:
    # Straight after the closing sentence, as the last line, the notice is part of the article
    # as published; the same lines among the page's chrome are its footer.
    for notice in (
        "Copyright 2024 Harbour Radio. All rights reserved.",
        "Follow Harbour Radio on Facebook, Twitter and Instagram.",
    ):
        body, removed, _ = _clean([*STORY, notice])
        assert body == [*STORY, notice] and removed == []
        body, removed, _ = _clean([*STORY, notice, "Listen to Harbour Radio every weekday."])
        assert notice not in body
        body, removed, _ = _clean([*STORY, "Share this article", notice])
        assert body == STORY
    # "…on YouTube:" introduced a video the extraction left out: not a sign-off.
    body, removed, _ = _clean([*STORY, "Subscribe to Harbour Radio on YouTube for more news:"])
    assert body == STORY
    assert [r for r, _ in removed] == [PROMOTION]


def test_clean_keeps_a_list_items_line_repeated_with_the_same_word_filled_in() -> None:
    # Each item of a list carries the line with its own name; two items share a name.
    items = ["Anna", "Maria", "Anna", "Sofia"]
    lines = []
    for i, name in enumerate(items):
        lines += [STORY[i], f"You can vote for {name} in the poll on the last page of this story!"]
    body, removed, _ = _clean(lines)
    assert body == lines and removed == []


def test_clean_short_lines_one_word_apart_are_not_a_near_repeat() -> None:
    # In a short line the one word that differs is what the line says.
    first = "Tip: get more of our morning workout meal ideas here!"
    second = "Tip: get more of our evening workout meal ideas here!"
    lines = [STORY[0], first, *STORY[1:3], second, STORY[3]]
    body, removed, _ = _clean(lines)
    assert body == lines and removed == []


def test_clean_opening_summary_restated_below_keeps_the_copy_in_the_article() -> None:
    summary = (
        "The harbour budget was not a complete surprise to anyone in the town, with most of the "
        "council members voting for the dredging plan in the end."
    )
    restated = (
        "The harbour budget was not a complete surprise to anyone in the town, as most of the "
        "council members voted for the dredging plan in the end."
    )
    body, removed, _ = _clean([summary, *STORY[:2], restated, *STORY[2:]])
    assert body == [*STORY[:2], restated, *STORY[2:]]
    assert removed == [(REPEAT + " (near-exact)", summary)]


def test_the_language_of_a_text_is_guessed_only_for_a_line_that_needs_it(
    monkeypatch: Any,
) -> None:
    from newsweave import language_model

    guessed: list[str] = []
    real = language_model.classify

    def counted(text: str) -> Any:
        guessed.append(text)
        return real(text)

    monkeypatch.setattr(language_model, "classify", counted)
    # No line of the window could be a date in another language: no guess.
    body, _removed, _title = _clean(["\n\n".join(STORY)])
    assert body == STORY
    assert guessed == []
    # A line that could be: one guess, and the date read in that language.
    german = [
        "23. Oktober 2024",
        "24. Oktober 2024",
        "Der Stadtrat hat am Montag nach langer Debatte den Haushalt für den Hafen beschlossen.",
        "Die Arbeiten an der alten Mole sollen im Frühjahr beginnen und zwei Jahre dauern.",
    ]
    result = clean(RawArticle(origin="t", kind="text", text="\n\n".join(german)))
    assert len(guessed) == 1
    assert result.published == "2024-10-23"
    # A text that declares its language is not guessed at.
    guessed.clear()
    clean(RawArticle(origin="t", kind="text", text="\n\n".join(german), language="de"))
    assert guessed == []
