"""Time in weaving (issue 14, class 3): same-kind events weeks apart stay apart; reports of one
event join, whenever they were written, if they name its day or come close to its reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsweave import weave
from newsweave.store import Store
from newsweave.weave import stories
from newsweave.weave.days import mentioned_days, past_days
from newsweave.weave.signals import Signals
from newsweave.weave.similarity import _Idf, comparable, time_factor
from weave_helpers import add_and_weave, story_of

JANUARY = """Valdran central bank cuts its key rate to 4.25 percent

January 25, 2024

The Valdran National Bank cut its main refinancing rate by a quarter point to 4.25 percent on Thursday, its governor Mira Castell told a news conference in Orvesk.

Castell said inflation in Valdran had eased to 3.1 percent in December and that the council had voted 7-2 for the cut.

"We will look at the data meeting by meeting," Castell said.

Economists at Orvesk Savings Bank said they had expected the move after weak retail sales over the holidays.

The Valdran crown slipped 0.4 percent against the euro after the decision.
"""

JANUARY_2 = """Valdran rate cut to 4.25% as inflation cools

January 26, 2024

Valdran's central bank lowered borrowing costs for the first time in two years, taking its refinancing rate to 4.25 percent from 4.5 percent.

Governor Mira Castell said in Orvesk that seven of the nine council members had backed the cut, with inflation down to 3.1 percent.

Mortgage lenders in Orvesk said they would pass the cut on to borrowers from February.

Castell declined to say whether more cuts would follow.
"""

APRIL = """Valdran central bank cuts its key rate again, to 4.0 percent

April 18, 2024

The Valdran National Bank lowered its main refinancing rate to 4.0 percent on Thursday, its second cut this year, governor Mira Castell told reporters in Orvesk.

Castell said inflation had fallen to 2.9 percent in March and that the council had split 6-3 on the decision.

"The path of rates will depend on the data," Castell said.

Analysts at Kallen Capital in Orvesk said the bank was likely to pause in the summer.

The Valdran crown was steady against the euro.
"""

APRIL_2 = """Valdran trims rate to 4% in second cut of the year

April 19, 2024

Valdran's central bank cut its refinancing rate to 4.0 percent from 4.25 percent, with inflation at 2.9 percent, the lowest in three years.

Governor Mira Castell said in Orvesk that three council members had wanted to wait.

Builders in Orvesk welcomed the cut, saying new orders had slumped over the winter.

Castell said the council would next meet in June.
"""


SHOOTING = """Gunman kills two at Lenmark paper mill

March 4, 2024

A former worker shot dead two colleagues at the Lenmark paper mill in Harsby on Monday, police chief Ola Vintner said.

The suspect, 51-year-old Greta Holm, was arrested at the mill gate minutes after the shooting, Vintner said.

Holm had been suspended from her job a week earlier after a dispute with supervisors, colleagues told reporters in Harsby.

The mill, Harsby's largest employer, will stay closed until Thursday.
"""

TRIAL = """Lenmark mill shooter found guilty of double murder

November 18, 2024

A Harsby court found Greta Holm guilty of murdering two colleagues at the Lenmark paper mill.

Holm shot dead two co-workers at the mill on March 4, 2024, a week after she had been suspended, prosecutors told the court.

Police chief Ola Vintner, who arrested Holm at the mill gate, said the verdict brought relief to Harsby.

Holm will be sentenced in January.
"""


def test_mentioned_days_are_read_in_several_languages_and_resolved_against_publication() -> None:
    texts = [
        "The shooting on October 21, 2011 in Brooklyn.",
        "Das Beben vom 28. März erschütterte Mandalay.",
        "Il terremoto del 28 marzo 2025.",
        "2025. március 28-án pénteken.",
        "Published 2025-03-29.",
        "Charges were filed Dec. 30 and the hearing is set for Jan 12.",
    ]
    found = mentioned_days(texts, "2025-01-05")
    assert found == {
        "2011-10-21",
        "2024-03-28",  # "28. März" without a year, read in January 2025: last March
        "2025-03-28",
        "2025-03-29",
        "2024-12-30",
        "2025-01-12",
    }
    assert past_days(found, "2025-01-05") == [
        "2011-10-21",
        "2024-03-28",
        "2024-12-30",
    ]
    # Without a published day, a day without a year cannot be placed.
    assert mentioned_days(["Charges were filed Dec. 30."], None) == set()
    assert mentioned_days(["Sales rose in September."], "2025-01-05") == set()


def test_time_factor_runs_to_the_nearest_member_not_to_the_span() -> None:
    story = ["2024-01-02", "2024-06-01", "2024-06-03"]
    # Inside the story's span but five weeks from its nearest member: counted against.
    assert time_factor(["2024-03-01"], story) < 0.7
    # Close to its latest members: not counted against, however long the story has run.
    assert time_factor(["2024-06-05"], story) == 1.0
    # A day the article names brings it next to the story.
    assert time_factor(["2024-09-01", "2024-06-01"], story) == 1.0
    assert time_factor([], story) == 1.0
    assert time_factor(["2024-06-05"], []) == 1.0


def test_two_rate_decisions_months_apart_with_the_same_names_stay_apart(
    store: Store, tmp_path: Path
) -> None:
    files = {"jan.txt": JANUARY, "jan2.txt": JANUARY_2, "apr.txt": APRIL, "apr2.txt": APRIL_2}
    ids = add_and_weave(store, tmp_path / "in", files)
    assert story_of(store, ids["jan.txt"]) == story_of(store, ids["jan2.txt"])
    assert story_of(store, ids["apr.txt"]) == story_of(store, ids["apr2.txt"])
    assert story_of(store, ids["jan.txt"]) != story_of(store, ids["apr.txt"])
    published = dict(store.conn.execute("SELECT id, published FROM articles"))
    assert published[ids["apr.txt"]][:10] == "2024-04-18"  # the date line was read


# The same bank, governor and rate three years before JANUARY: another decision, not a report
# on that one.
JANUARY_2021 = """Valdran National Bank lifts refinancing rate to 4.25% in Orvesk

January 21, 2021

Governor Mira Castell announced in Orvesk on Thursday that the Valdran National Bank had lifted its main refinancing rate to 4.25 percent, its first rise in a decade.

The council backed the increase unanimously as fuel prices pushed inflation to 1.9 percent, Castell said.

Exporters in the northern province of Lisk warned that dearer credit would hurt their orders.

Castell told reporters the bank stood ready to act again in the spring.
"""


def test_a_decision_years_earlier_at_the_same_rate_is_not_joined_to_a_story(
    store: Store, tmp_path: Path
) -> None:
    ids = add_and_weave(store, tmp_path / "in", {"jan.txt": JANUARY, "jan2.txt": JANUARY_2})
    ids |= add_and_weave(store, tmp_path / "later", {"old.txt": JANUARY_2021})
    assert story_of(store, ids["jan.txt"]) == story_of(store, ids["jan2.txt"])
    assert story_of(store, ids["old.txt"]) != story_of(store, ids["jan.txt"])
    # Past a year, time counts more than the weeks-long floor; a day named brings it back.
    assert time_factor(["2021-01-21"], ["2024-01-25"]) < time_factor(["2023-12-01"], ["2024-01-25"])
    assert time_factor(["2024-01-22", "2021-01-21"], ["2021-01-21"]) == 1.0


SEPTEMBER = """Valdran central bank cuts its key rate to 3.5 percent

September 12, 2024

The Valdran National Bank cut its deposit rate by a quarter point to 3.5 percent on Thursday, governor Mira Castell told a news conference in Orvesk.

Castell said inflation in Valdran had eased to 2.2 percent in August, a three-year low, and that the council had backed the cut unanimously.

"We will look at the data meeting by meeting," Castell said.

The main refinancing rate falls to 3.65 percent and the lending rate to 3.9 percent.
"""

SEPTEMBER_2 = """Valdran rate cut to 3.5% as inflation cools

September 12, 2024

Valdran's central bank lowered its deposit rate to 3.5 percent from 3.75 percent, with inflation down to 2.2 percent.

Governor Mira Castell said in Orvesk that the council did not commit to further cuts.

The refinancing rate was cut to 3.65 percent.

Economists in Orvesk expect the bank to hold in October.
"""

_SEPTEMBERS = {"sep.txt": SEPTEMBER, "sep2.txt": SEPTEMBER_2}

LATE_SEPTEMBER = """Valdran National Bank lowers borrowing costs to 3.25% at Tarnow meeting

September 26, 2024

Meeting in Tarnow rather than at its Orvesk headquarters, the Valdran National Bank lowered its deposit rate to 3.25 percent on Thursday as growth faltered.

Inflation slipped to 1.7 percent in September, below the bank's 2 percent goal for the first time since 2021, the statistics office said earlier in the day.

Governor Mira Castell said the downside surprises in business surveys had weighed on the decision.

Rates on refinancing operations go to 3.4 percent from October 2.
"""

LATE_SEPTEMBER_2 = """Second straight cut: Valdran takes deposit rate to 3.25%

September 26, 2024

The Valdran National Bank delivered back-to-back cuts for the first time in 13 years, trimming the deposit rate to 3.25 percent at its Tarnow meeting.

Castell told reporters in Tarnow that slowing factory orders had worried the council more than wages.

Analysts at Kallen Capital now see the deposit rate at 2.5 percent by next summer.

Inflation was 1.7 percent in September.
"""


def test_two_stories_weeks_apart_each_with_its_own_figures_are_not_close_enough_to_merge(
    store: Store, tmp_path: Path
) -> None:
    # Two decisions a fortnight apart: the same bank, governor and words, each its own rates.
    # Time alone lowers their likeness too little; the figures neither story carries decide,
    # as they do for an article joining a story weeks away.
    files = {**_SEPTEMBERS, "late.txt": LATE_SEPTEMBER, "late2.txt": LATE_SEPTEMBER_2}
    ids = add_and_weave(store, tmp_path / "in", files)
    first, second = story_of(store, ids["sep.txt"]), story_of(store, ids["late.txt"])
    assert first == story_of(store, ids["sep2.txt"]) and second == story_of(store, ids["late2.txt"])
    assert first != second
    weaver = weave.Weaver(store)
    idf = _Idf(weaver.storage)
    idf.floor = weaver.embedder.unrelated
    assert not weaver._stories_close(first, second, idf)


# LATE_SEPTEMBER's decision three weeks on, and its second report recalling September's day.
OCTOBER = LATE_SEPTEMBER.replace("September 26, 2024", "October 17, 2024").replace(
    "from October 2.", "from October 23."
)

OCTOBER_RECALLS_SEPTEMBER = LATE_SEPTEMBER_2.replace(
    "September 26, 2024", "October 17, 2024"
).replace(
    "Castell told reporters",
    "Castell had announced the previous cut in Orvesk on September 12, 2024.\n\nCastell told reporters",
    1,
)


def test_a_later_decision_whose_report_names_the_earlier_ones_day_stays_its_own_story(
    store: Store, tmp_path: Path
) -> None:
    # One October report names September's day: that brings its own story's days next to
    # September's, but the two stories were published five weeks apart.
    files = {**_SEPTEMBERS, "oct.txt": OCTOBER, "oct2.txt": OCTOBER_RECALLS_SEPTEMBER}
    ids = add_and_weave(store, tmp_path / "in", files)
    assert story_of(store, ids["oct.txt"]) == story_of(store, ids["oct2.txt"])
    assert story_of(store, ids["sep.txt"]) != story_of(store, ids["oct.txt"])


def test_a_report_months_later_that_names_the_events_day_joins_its_story(
    store: Store, tmp_path: Path
) -> None:
    ids = add_and_weave(store, tmp_path / "in", {"shooting.txt": SHOOTING, "trial.txt": TRIAL})
    assert story_of(store, ids["shooting.txt"]) == story_of(store, ids["trial.txt"])


QUAKE = """Magnitude 7.2 quake kills hundreds in Karvala

June 3, 2024

A magnitude 7.2 earthquake struck central Karvala on Monday, killing at least 340 people, the Karvala disaster agency said.

The quake hit at 12:50 local time near the city of Ostrel, at a depth of 10 km, according to the national seismology institute.

Rescuers in Ostrel were digging through collapsed homes and a hospital, agency chief Anna Velt said.

The tremor was felt hundreds of kilometres away, in neighbouring Miren.
"""

TOWER = """Tower under construction collapses in Miren capital as Karvala quake shakes region

June 3, 2024

A 30-storey tower under construction collapsed in Dalby, the capital of Miren, when a magnitude 7.2 earthquake centred in Karvala shook the region on Monday.

At least 9 workers were killed and 80 were missing under the rubble, Dalby's mayor Piet Harrow said.

The quake, which struck near Ostrel in central Karvala, sent residents of Dalby running into the streets.

Harrow said engineers would inspect every high-rise in Dalby.
"""


def test_a_quake_and_a_building_it_brought_down_abroad_are_one_story(
    store: Store, tmp_path: Path
) -> None:
    ids = add_and_weave(store, tmp_path / "in", {"quake.txt": QUAKE, "tower.txt": TOWER})
    assert story_of(store, ids["quake.txt"]) == story_of(store, ids["tower.txt"])


QUAKE_TOLL = """Karvala quake toll rises to 610 as rescuers search Ostrel

June 4, 2024

The death toll from Monday's magnitude 7.2 earthquake in central Karvala rose to 610, with 1,450 people injured, the Karvala disaster agency said on Tuesday.

Agency chief Anna Velt said most of the dead were in Ostrel, where hundreds of homes and the city hospital collapsed.

Rescue teams from neighbouring countries arrived in Ostrel overnight with sniffer dogs and heavy lifting gear.

Velt said the toll was expected to rise as crews reached villages cut off by landslides.
"""

QUAKE_HOMELESS = """Karvala earthquake: 610 dead, thousands homeless in Ostrel

June 4, 2024

Thousands of people in Ostrel spent a second night in the open after the magnitude 7.2 earthquake that killed 610 people across central Karvala, the disaster agency said.

Anna Velt, head of the Karvala disaster agency, said 1,450 people were injured and more than 8,000 homes were damaged around Ostrel.

Aftershocks of up to magnitude 5.1 shook Ostrel through the night, sending residents back into the streets.

The government of Karvala declared three days of national mourning.
"""

TOWER_FAMILIES = """Families wait at collapsed Dalby tower as search for trapped workers goes on

June 4, 2024

Relatives of construction workers missing in the collapse of a 30-storey tower in Dalby gathered at the site on Tuesday as cranes lifted slabs of concrete from the rubble.

Dalby mayor Piet Harrow said 80 workers were still unaccounted for and 9 bodies had been recovered.

The unfinished tower, built for the Miren tax office, fell within seconds when Monday's earthquake reached the Miren capital.

"We will not stop until every worker is found," Harrow told reporters in Dalby.
"""

TOWER_INQUIRY = """Miren orders inquiry into Dalby tower collapse

June 5, 2024

The government of Miren ordered an inquiry on Wednesday into why a 30-storey tower under construction in Dalby collapsed, killing at least 11 workers, while older buildings nearby stood.

Engineers from the Dalby university said the concrete frame appeared to have failed at the lower floors, mayor Piet Harrow said.

Rescuers pulled one worker alive from the rubble overnight; 78 remain missing.

The contractor, Norrhall Construction, said it was cooperating with the Dalby inquiry.
"""


def test_a_quakes_toll_and_its_tower_abroad_reported_the_same_week_are_not_split(
    store: Store, tmp_path: Path
) -> None:
    # Each strand repeats its own names (Ostrel and Velt; Dalby and Harrow), so the split step
    # would cut the story in two; published within days of each other, they stay one story.
    files = {
        "quake.txt": QUAKE,
        "tower.txt": TOWER,
        "toll.txt": QUAKE_TOLL,
        "homeless.txt": QUAKE_HOMELESS,
        "families.txt": TOWER_FAMILIES,
        "inquiry.txt": TOWER_INQUIRY,
    }
    ids = add_and_weave(store, tmp_path / "in", files)
    assert len({story_of(store, i) for i in ids.values()}) == 1


TRAM = """Dalby council approves new tram line to the airport

June 4, 2024

The Dalby city council voted 31-14 on Tuesday to build a 12 km tram line from the Miren capital's central station to its airport, mayor Piet Harrow said.

The line, to cost 420 million crowns, is due to open in 2028 with nine stops.

Harrow said the vote had been postponed by a day after Monday's events.
"""


def test_a_quakes_strands_woven_one_after_the_other_become_one_story_and_other_news_does_not(
    store: Store, tmp_path: Path
) -> None:
    # The tower's reports first, then the toll's: each strand forms a story of its own before
    # the other's reports arrive, too far apart in words to merge as stories of different
    # weeks would have to be. Published the same days, they are kept one when they meet in
    # one story (the test above), so they become one when they meet as two.
    files = {
        "tower.txt": TOWER,
        "families.txt": TOWER_FAMILIES,
        "inquiry.txt": TOWER_INQUIRY,
        "toll.txt": QUAKE_TOLL,
        "homeless.txt": QUAKE_HOMELESS,
        "quake.txt": QUAKE,
        "tram.txt": TRAM,
    }
    ids = add_and_weave(store, tmp_path / "in", files)
    quake = story_of(store, ids["quake.txt"])
    assert {story_of(store, ids[n]) for n in files if n != "tram.txt"} == {quake}
    assert story_of(store, ids["tram.txt"]) != quake


QUAKE_DE = """Schweres Erdbeben der Stärke 7,2 erschüttert Karvala

3. Juni 2024

Ein Erdbeben der Stärke 7,2 hat am Montag das Zentrum von Karvala erschüttert und mindestens 340 Menschen getötet, wie die Katastrophenschutzbehörde von Karvala mitteilte.

Das Beben ereignete sich um 12:50 Uhr Ortszeit nahe der Stadt Ostrel in zehn Kilometern Tiefe, teilte das nationale Institut für Seismologie mit.

Rettungskräfte in Ostrel suchten in eingestürzten Häusern und einem Krankenhaus nach Verschütteten, sagte Behördenchefin Anna Velt.

Die Erschütterungen waren bis ins benachbarte Miren zu spüren.
"""


def test_a_german_and_an_english_report_of_one_quake_join_and_other_news_stays_apart(
    store: Store, tmp_path: Path
) -> None:
    # Names, figures keyed by value ("7,2" is 7.2) and the named day cross the language line.
    ids = add_and_weave(
        store,
        tmp_path / "in",
        {"quake.txt": QUAKE, "de.txt": QUAKE_DE, "rates.txt": JANUARY},
    )
    languages = dict(store.conn.execute("SELECT id, language FROM articles"))
    assert languages[ids["de.txt"]] == "de"
    assert story_of(store, ids["quake.txt"]) == story_of(store, ids["de.txt"])
    assert story_of(store, ids["rates.txt"]) != story_of(store, ids["quake.txt"])


def test_a_report_the_model_places_far_off_finds_its_story_in_another_language_by_its_names(
    any_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An English model's vector of a German text may have no English report of the same story
    # among its nearest (a Dutch report of a rate decision had none among 20): with only the
    # nearest one itself, the German story's rarest names, searched for in the full-text index
    # among articles of the same days, still find the English report.
    store = any_store  # both engines: the search is each one's full-text index
    monkeypatch.setattr(stories, "NEIGHBOURS", 1)
    monkeypatch.setattr(stories, "JOIN", 1.01)  # no article joins another's story by itself
    ids = add_and_weave(store, tmp_path / "in", {"quake.txt": QUAKE, "rates.txt": JANUARY})
    ids |= add_and_weave(store, tmp_path / "de", {"de.txt": QUAKE_DE})
    assert story_of(store, ids["de.txt"]) == story_of(store, ids["quake.txt"])
    assert story_of(store, ids["rates.txt"]) != story_of(store, ids["quake.txt"])


QUAKE_DE_2 = """Zahl der Toten nach Beben in Karvala steigt

4. Juni 2024

Nach dem Erdbeben der Stärke 7,2 in Karvala ist die Zahl der Toten auf mindestens 340 gestiegen, teilte Behördenchefin Anna Velt am Dienstag in Ostrel mit.

In Ostrel gruben Helfer weiter nach Verschütteten; auch in Dalby in Miren stürzte ein Hochhaus ein.

Das Beben vom 3. Juni war das schwerste in Karvala seit Jahrzehnten.
"""

ELECTION_DE = """Bauernpartei gewinnt Wahl in Lindor

3. Juni 2024

Die Bauernpartei hat bei der Kommunalwahl in Lindor 14 der 25 Sitze gewonnen, teilte die Wahlkommission am Montag mit.

Parteichef Tomas Brek versprach, die Wassergebühren zu senken und die Markthalle von Lindor neu zu bauen.

Die Wahlbeteiligung lag bei 61 Prozent.
"""


def test_stories_told_in_two_languages_merge_and_other_news_of_the_day_does_not(
    store: Store, tmp_path: Path
) -> None:
    ids = add_and_weave(
        store,
        tmp_path / "in",
        {
            "quake.txt": QUAKE,
            "tower.txt": TOWER,
            "de.txt": QUAKE_DE,
            "de2.txt": QUAKE_DE_2,
            "election-de.txt": ELECTION_DE,
        },
    )
    quake = story_of(store, ids["quake.txt"])
    assert {story_of(store, ids[n]) for n in ("tower.txt", "de.txt", "de2.txt")} == {quake}
    assert story_of(store, ids["election-de.txt"]) != quake


QUAKE_IT = """Paura nella Karvala dopo la scossa, famiglie in strada

3 giugno 2024

Migliaia di famiglie hanno passato la notte all'aperto nella Karvala, per paura di nuove scosse.

Le scuole resteranno chiuse per tutta la settimana, ha annunciato il governo.

Molti chiedono tende, acqua e coperte.
"""


def test_a_story_merges_with_every_close_story_in_another_language_not_only_the_closest(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The German and the Italian report share nothing with each other, each a little with the
    # English one (pooled keys stood in for by their languages; no joining by likeness). When
    # the English report comes, it bridges to both: merged with one only, the other would
    # wait for a batch that touches it, and by then the merged story's pooled keys may have
    # drifted from it (benchmarks/live.py: a German report of a rate decision, 0.075 from the
    # Portuguese reports, 0.069 from them once they had merged with the English ones).
    shares = {"en": {"a", "b"}, "de": {"a"}, "it": {"b"}}

    def pooled(members: list[Signals], idf: object) -> dict[str, float]:
        keys = {k for m in members for k in shares.get(m.language or "", set())}
        return {k: 1 / len(keys) ** 0.5 for k in keys}

    monkeypatch.setattr(stories, "pooled_keys", pooled)
    monkeypatch.setattr(stories, "JOIN", 1.01)  # no article joins another's story by itself
    ids = add_and_weave(store, tmp_path / "de", {"de.txt": QUAKE_DE})
    ids |= add_and_weave(store, tmp_path / "it", {"it.txt": QUAKE_IT})
    assert story_of(store, ids["de.txt"]) != story_of(store, ids["it.txt"])
    ids |= add_and_weave(store, tmp_path / "en", {"quake.txt": QUAKE})
    assert len({story_of(store, i) for i in ids.values()}) == 1


def test_the_language_is_kept_with_the_signals_but_never_compared(
    store: Store, tmp_path: Path
) -> None:
    ids = add_and_weave(store, tmp_path / "in", {"de.txt": QUAKE_DE, "en.txt": QUAKE})
    stored = {
        s.article_id: s
        for s in store.stories.load_many_signals(
            list(store.stories.rowids_of(list(ids.values())).values())
        ).values()
    }
    assert stored[ids["de.txt"]].language == "de"
    assert stored[ids["en.txt"]].language == "en"
    assert not any(k.startswith("#l") for k in comparable(stored[ids["de.txt"]].names))
