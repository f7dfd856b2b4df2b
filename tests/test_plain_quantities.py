"""Figures of texts no installed model reads, on invented text: each language's number format
and each kind of unit, read through the analyzer as the pipeline calls it."""

from __future__ import annotations

import pytest

from newsweave.analyze import Analyzer, Quantity


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _figures(analyzer: Analyzer, text: str, language: str) -> list[tuple[float, str | None]]:
    return [
        (round(q.value, 6), q.unit) for q in analyzer.analyze(text, language=language).quantities
    ]


def _read(analyzer: Analyzer, text: str, language: str) -> list[Quantity]:
    return analyzer.analyze(text, language=language).quantities


def test_a_decimal_comma_with_points_for_thousands(analyzer: Analyzer) -> None:
    text = "Die Notenbank von Varnia senkt den Satz auf 4,75 Prozent; 3.200 Verletzte in Oberkamm."
    assert _figures(analyzer, text, "de") == [(4.75, "%"), (3200, "injured")]
    assert _figures(analyzer, "El banco dejó el tipo en el 1,5%.", "es") == [(1.5, "%")]
    assert _figures(analyzer, "De rente gaat naar 2,25 procent.", "nl") == [(2.25, "%")]


def test_a_decimal_comma_with_spaces_for_thousands(analyzer: Analyzer) -> None:
    text = "A Tervai-völgyben 2 350 ember maradt fedél nélkül, a kamat 8,5 százalékra nőtt."
    assert _figures(analyzer, text, "hu") == [(2350, "people"), (8.5, "%")]


def test_a_point_before_one_or_two_digits_stays_a_decimal_point(analyzer: Analyzer) -> None:
    text = "Un terremoto di magnitudo 5.9 ha colpito Valdoria; la banca porta il tasso al 3.000%."
    # "3.000" is three thousand in Italian; "5.9" has no thousands to group.
    assert _figures(analyzer, text, "it") == [(5.9, "magnitude"), (3000, "%")]


def test_percent_written_before_the_number(analyzer: Analyzer) -> None:
    text = "Merkez bankası faizi yüzde 42,5'e, mevduat faizini %40'a indirdi; yüzde 0,5 puan."
    assert _figures(analyzer, text, "tr") == [(42.5, "%"), (40, "%"), (0.5, "percentage points")]


def test_percentage_and_basis_points_are_percentage_points(analyzer: Analyzer) -> None:
    cases = [
        ("Der Satz sinkt um 0,5 Prozentpunkte.", "de", 0.5),
        ("Der Satz sinkt um 50 Basispunkte.", "de", 0.5),
        ("Der Satz sinkt um 0,25 %-Punkte.", "de", 0.25),
        ("La tasa baja 75 puntos básicos.", "es", 0.75),
        ("A taxa sobe 25 pontos-base.", "pt", 0.25),
        ("Il tasso scende di 50 punti base.", "it", 0.5),
        ("Le taux baisse de 0,25 point de pourcentage.", "fr", 0.25),
        ("A jegybank 125 bázisponttal emelt.", "hu", 1.25),
        ("Obrestna mera se zniža za 0,25 odstotne točke.", "sl", 0.25),
        ("Faiz 250 baz puan artırıldı.", "tr", 2.5),
        ("De rente daalt met een kwart procentpunt.", "nl", 0.25),
        ("Der Satz sinkt um einen halben Prozentpunkt.", "de", 0.5),
    ]
    for text, language, value in cases:
        assert _figures(analyzer, text, language) == [(value, "percentage points")], text


def test_money_with_the_language_scale_words(analyzer: Analyzer) -> None:
    assert _figures(analyzer, "Das Paket kostet 2,5 Milliarden Euro.", "de") == [(2.5e9, "€")]
    assert _figures(analyzer, "El plan costará 3 mil millones de dólares.", "es") == [(3e9, "$")]
    assert _figures(analyzer, "O plano custa 40 milhões de euros.", "pt") == [(4e7, "€")]
    assert _figures(analyzer, "Le plan coûte 3 millions d'euros.", "fr") == [(3e6, "€")]
    assert _figures(analyzer, "Il piano vale 7 miliardi di euro, o €7 mld.", "it")[-1] == (7e9, "€")
    assert _figures(analyzer, "Der Fonds hält 450 Mio. $.", "de") == [(4.5e8, "$")]


def test_a_magnitude_needs_a_word_for_an_earthquake(analyzer: Analyzer) -> None:
    assert _figures(analyzer, "Ein Erdbeben der Stärke 6,3 traf Ostrel.", "de") == [
        (6.3, "magnitude")
    ]
    assert _figures(analyzer, "Un sismo de 5,4 grados sacudió Brenn.", "es") == [(5.4, "magnitude")]
    assert _figures(analyzer, "A 6,1-es erősségű földrengés Tervait rázta meg.", "hu") == [
        (6.1, "magnitude")
    ]
    assert _figures(analyzer, "Ostrel, 5,8 büyüklüğünde bir depremle sarsıldı.", "tr") == [
        (5.8, "magnitude")
    ]
    # The team's strength of 6.3 is no magnitude: no quake is named.
    assert _figures(analyzer, "Die Mannschaft spielt mit der Stärke 6,3.", "de") == []


def test_counts_of_people_by_their_nouns_with_the_qualifier(analyzer: Analyzer) -> None:
    text = "Nach dem Beben gab es mindestens 340 Tote und mehr als 1.200 Verletzte."
    read = _read(analyzer, text, "de")
    assert [(q.value, q.unit, q.qualifier) for q in read] == [
        (340, "dead", "at least"),
        (1200, "injured", "more than"),
    ]
    assert _figures(analyzer, "El sismo dejó al menos 85 muertos y 40 heridos.", "es") == [
        (85, "dead"),
        (40, "injured"),
    ]
    assert _figures(analyzer, "Deprem sonrası en az 120 kişi hayatını kaybetti.", "tr") == [
        (120, "people")
    ]
    # A bare number, a year and a time count nothing that is named.
    text = "Im Jahr 2023 kamen 12 Minister nach Brenn, am 3. Mai um 10.30 Uhr, mit 40 Toten."
    assert _figures(analyzer, text, "de") == [(40, "dead")]
    # German capitalises its nouns: "tote Fische" are dead fish, not the dead.
    assert _figures(analyzer, "Am Ufer lagen 300 tote Fische.", "de") == []


def test_two_figures_sharing_one_unit_are_left_out(analyzer: Analyzer) -> None:
    # A range or a list gives the second figure's unit to the first: neither is read alone.
    assert _figures(analyzer, "Die Inflation liegt bei 2 bis 3 Prozent.", "de") == []
    assert _figures(analyzer, "La inflación será de 2,3 y 2,5 por ciento.", "es") == []
    # Each with its own unit, both are read.
    assert _figures(analyzer, "Yüzde 3 ve yüzde 4 arasında.", "tr") == [(3, "%"), (4, "%")]


def test_an_apostrophe_groups_thousands(analyzer: Analyzer) -> None:
    # Swiss German, French and Italian write "780'000"; its last three digits are no figure.
    text = (
        "Le séisme a fait 12'400 morts et 3’050 blessés; la reprise coûte 1'200 millions d'euros."
    )
    assert _figures(analyzer, text, "fr") == [(12400, "dead"), (3050, "injured"), (1.2e9, "€")]
    assert _figures(analyzer, "Bis Ende Jahr sind 125'000 Menschen betroffen.", "de") == [
        (125000, "people")
    ]
    # Italian elision stays a word's: "all'1%" is one percent.
    assert _figures(analyzer, "Il tasso resta all'1%.", "it") == [(1, "%")]


def test_a_figure_written_in_parts_by_scale(analyzer: Analyzer) -> None:
    # "12 mil 53" is 12,053 and "20 bin 426" 20,426: the last part alone is no figure.
    text = "El balance llegó a 12 mil 53 heridos y más de 3 mil 500 muertos."
    read = _read(analyzer, text, "es")
    assert [(q.value, q.unit, q.qualifier) for q in read] == [
        (12053, "injured", None),
        (3500, "dead", "more than"),
    ]
    text = "Depremde 20 bin 426 kişi yaralandı, 1 milyon 200 bin kişi etkilendi."
    assert _figures(analyzer, text, "tr") == [(20426, "people"), (1.2e6, "people")]
    assert _figures(analyzer, "Das Paket: 2 Milliarden 500 Millionen Euro.", "de") == [(2.5e9, "€")]
    # A number word may stand before the scale ("dos mil 300"): nothing is read.
    assert _figures(analyzer, "Hubo dos mil 300 heridos y mil 522 personas.", "es") == []


def test_a_minus_sign_against_a_rate(analyzer: Analyzer) -> None:
    text = "Der Einlagenzins fiel auf -0,1 Prozent (−0,25 Prozentpunkte), Ziel 2-3 Prozent."
    assert _figures(analyzer, text, "de") == [(-0.1, "%"), (-0.25, "percentage points")]
    # A dash between figures or words is no sign.
    assert _figures(analyzer, "Stärke 6,1 - 200 Tote, die Rate - 4 Prozent.", "de")[-1] == (4, "%")


def test_digits_after_a_comma_and_a_space_are_not_a_figure_alone(analyzer: Analyzer) -> None:
    # "11, 5 Prozent" is eleven and a half written with a space, or a list: not 5 percent.
    assert _figures(analyzer, "Die Partei kommt auf 11, 5 Prozent.", "de") == []
    assert _figures(analyzer, "Im Jahr 2020, 5 Prozent mehr.", "de") == [(5, "%")]


def test_degrees_of_a_quake_are_its_magnitude(analyzer: Analyzer) -> None:
    text = "El sismo fue de 7,4 grados; otro, de 6.1 grados Richter, sacudió Brenn."
    assert _figures(analyzer, text, "es") == [(7.4, "magnitude"), (6.1, "magnitude")]
    assert _figures(analyzer, "O terremoto teve 5,9 graus e deixou 12 mortos.", "pt") == [
        (5.9, "magnitude"),
        (12, "dead"),
    ]
    # Intensity and temperature in degrees are no magnitude, nor degrees with no quake near.
    text = "El terremoto, de 7 grados Mercalli, dejó a los vecinos a 3 grados bajo cero."
    assert _figures(analyzer, text, "es") == []
    assert _figures(analyzer, "Hoy hará 8 grados en Brenn.", "es") == []


def test_no_parts_across_an_abbreviated_scale(analyzer: Analyzer) -> None:
    # The point of "Mio." may end a sentence: 300 people, not two million and 300.
    text = "Der Verein zahlte 2 Mio. 300 Menschen kamen zum Training."
    assert _figures(analyzer, text, "de") == [(300, "people")]
