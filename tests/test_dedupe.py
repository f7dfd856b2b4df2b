"""Copies and rewrites on invented agency texts: cut, re-led, updated, quoted, or independent."""

from __future__ import annotations

from newsweave.weave import dedupe

# An invented wire story, one sentence per paragraph as agencies file them.
WIRE = [
    "A magnitude 6.1 earthquake struck the mountainous Karvala province late on Sunday, killing at"
    " least 250 people, the state news agency Veltpress reported.",
    "The quake hit shortly before midnight at a depth of ten kilometres near the border with the"
    " Ostrel region and destroyed many mud and stone houses.",
    "Rescue workers searched the rubble for survivors through the night in the scattered villages"
    " of the valley.",
    "According to the health ministry, thirty people died in a single village north of the"
    " provincial capital Brenn.",
    "Exact figures from the remote area with its scattered settlements were not yet available,"
    " officials in Brenn said on Monday morning.",
    "Hundreds of injured people were taken to hospitals in Brenn and in the neighbouring town of"
    " Marrow, the provincial information chief Hadrin Sol said.",
    "The numbers are expected to rise as reports arrive from villages that roads no longer reach.",
    "Karvala is struck again and again by strong earthquakes where two tectonic plates meet under"
    " the Tarsh mountains.",
    "Last year more than a thousand people died in a series of earthquakes in the west of the"
    " country.",
]


def sentences(paragraphs: list[str]) -> list[list[str]]:
    return dedupe.sentence_sets(paragraphs)


def test_a_wire_text_cut_short_is_a_copy() -> None:
    match = dedupe.align(sentences(WIRE[:5]), sentences(WIRE))
    assert match is not None and match.kind == "copy"


def test_a_new_lead_and_a_cut_end_still_share_the_origin() -> None:
    # Three sentences of the site's own lead, then the wire text without its last three.
    relead = [
        "Hundreds are feared dead after a strong earthquake shook Karvala province in the night.",
        "The first pictures from the valley show whole streets of houses reduced to rubble and"
        " families sleeping outside in the cold.",
        "Aid groups said on Monday that their teams had not yet reached the worst hit villages.",
        *WIRE[1:6],
    ]
    # Whole-text containment alone would not find it: a third of it is the site's own.
    found = [s for _, s in dedupe._best_matches(sentences(relead), sentences(WIRE))]
    assert sum(s >= dedupe.SENTENCE_MATCH for s in found) / len(found) < dedupe.CONTAINMENT
    match = dedupe.align(sentences(relead), sentences(WIRE))
    assert match is not None and match.kind == "rewrite"


def test_the_next_update_of_a_wire_story_shares_its_origin() -> None:
    update = [
        "The death toll from the earthquake in Karvala province has risen to more than 800, the"
        " government spokesman Irun Dask told a news conference in the capital on Monday.",
        "More than 2,800 people were injured and three villages were destroyed completely, he said.",
        "Army helicopters flew forty missions on Monday to bring the wounded out of the valley.",
        *WIRE[1:7],
    ]
    match = dedupe.align(sentences(WIRE), sentences(update))
    assert match is not None


def test_independent_reports_of_one_statement_are_not_copies() -> None:
    # Both follow one ministry statement, each in its own words and order.
    one = [
        "The ministry said thirty people had died in one village north of Brenn after the quake.",
        "The quake was centred near the Ostrel border at a depth of ten kilometres, it added.",
        "Officials warned that the toll would rise as more villages were reached by rescuers.",
        "The valley's mud and stone houses collapsed in seconds, residents told reporters there.",
        "Hospitals in Brenn and Marrow took in hundreds of injured people overnight.",
    ]
    two = [
        "Hospitals in Marrow and Brenn were overwhelmed by the injured on Monday, doctors said.",
        "Officials expect the number of dead to climb once rescuers reach the remote villages.",
        "Thirty people were killed in a single village, according to the health ministry.",
        "The epicentre lay ten kilometres deep close to the border with Ostrel, seismologists said.",
        "Many houses of mud and stone in the valley were flattened by the shaking.",
    ]
    assert dedupe.align(sentences(one), sentences(two)) is None


def test_quoting_one_paragraph_of_a_wire_story_is_not_a_copy() -> None:
    own = [
        "Volunteers from Marrow loaded blankets and water onto trucks bound for the valley.",
        "The town's mayor Elsa Brandt opened the school gym to families from the hit villages.",
        *WIRE[2:4],
        "Shopkeepers in Marrow collected money for the victims at every till in the market.",
        "The regional football club postponed its Saturday match as a sign of mourning.",
        "Church bells in Marrow rang for ten minutes at noon on Monday in memory of the dead.",
        "Brandt said the town would take in as many families as it could for the winter.",
    ]
    assert dedupe.align(sentences(own), sentences(WIRE)) is None


def test_a_two_sentence_flash_reprinted_is_a_copy_but_one_shared_sentence_is_not() -> None:
    flash = WIRE[:2]
    reprint = [WIRE[0], WIRE[1].replace("shortly before midnight", "just before midnight")]
    assert dedupe.align(sentences(flash), sentences(reprint)) is not None
    other = [WIRE[0], "Neighbouring countries offered to send rescue teams and field hospitals."]
    assert dedupe.align(sentences(flash), sentences(other)) is None


def test_the_ordered_chain_uses_each_sentence_once_and_keeps_order() -> None:
    # (4, 0.4) is below the loose match; of (2, _) and (1, _) one breaks the order, and sentence
    # 3 of the other text can be matched only once.
    best = [(0, 1.0), (2, 0.9), (1, 0.8), (3, 0.7), (3, 0.95), (4, 0.4), (5, 0.6)]
    assert len(dedupe._ordered_chain(best)) == 4
    assert dedupe._ordered_chain([(3, 1.0), (2, 1.0), (1, 1.0), (0, 1.0)]) == [1.0]
    assert dedupe._ordered_chain([(-1, 0.0), (0, 0.3)]) == []


def test_a_wire_text_reworded_in_every_sentence_keeps_its_origin_by_order() -> None:
    # A site's rewrite of the wire, with lines of its own: no sentence left verbatim, too few
    # found for containment, but those found keep most of their words, in the wire's order.
    rewrite = [
        "A strong magnitude 6.1 earthquake hit the mountainous Karvala province on Sunday night,"
        " killing at least 250 people, according to the state news agency Veltpress.",
        "The tremor struck just before midnight, ten kilometres deep near the Ostrel border,"
        " destroying many mud and stone houses.",
        "Rescue workers spent the night searching the rubble for survivors across the valley's"
        " scattered villages.",
        "In a single village north of Brenn, the provincial capital, thirty people lost their"
        " lives, the health ministry reported.",
        "Hundreds of wounded people were brought to hospitals in Brenn and nearby Marrow,"
        " according to Hadrin Sol, the provincial information chief.",
    ]
    own = [
        "Our reporter in the valley saw families sleeping in cars along the main road.",
        "A charity based in the capital appealed for blankets, tents and bottled water.",
        "The football federation called off this weekend's league games across the country.",
    ]
    text = [*rewrite[:2], own[0], *rewrite[2:4], own[1], rewrite[4], own[2]]
    shares = [s for _, s in dedupe._best_matches(sentences(text), sentences(WIRE))]
    assert max(shares) < dedupe.VERBATIM
    assert sum(s >= dedupe.SENTENCE_MATCH for s in shares) / len(shares) < dedupe.CONTAINMENT
    match = dedupe.align(sentences(text), sentences(WIRE))
    assert match is not None and match.kind == "rewrite"
    # The same sentences in another order are independent reporting of the same facts.
    shuffled = [rewrite[4], own[0], rewrite[2], rewrite[0], own[1], rewrite[3], rewrite[1], own[2]]
    assert dedupe.align(sentences(shuffled), sentences(WIRE)) is None
