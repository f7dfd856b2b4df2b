"""Events inside a story (weave/events.py): a story holding two happenings shows two events; one
happening told by several outlets stays one event."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from newsweave.pipeline import brief_story
from newsweave.store import Store
from newsweave.store.stories import get_story, story_events
from newsweave.weave import events, stories
from newsweave.weave.signals import LANGUAGE_KEY, Signals
from newsweave.weave.similarity import _Idf
from weave_helpers import add_and_weave
from web_helpers import running_server

# One cyclone, two strands reported the same days: the flood toll in Tessaly and a bridge it
# brought down in neighbouring Corvin, each with its own places, people and figures.
FLOOD = """Cyclone Imra floods kill 214 across southern Tessaly

October 7, 2025

Floods brought by Cyclone Imra have killed 214 people across southern Tessaly, the Tessaly emergency ministry said on Tuesday, with 36,000 people forced from their homes.

Minister Lidia Orsak said the worst damage was around the port of Varnel, where the river Osa burst its banks overnight.

Army boats were ferrying families from flooded villages around Varnel to school buildings on higher ground.

Orsak said the toll was likely to rise as the water receded.

The cyclone also brought down a bridge in neighbouring Corvin.
"""

FLOOD_2 = """Tessaly flood toll climbs to 214 as Osa river stays high

October 7, 2025

The number of people killed in the Cyclone Imra floods in Tessaly rose to 214 on Tuesday, emergency minister Lidia Orsak told reporters in Varnel.

More than 36,000 people were in shelters around Varnel, and the river Osa was still rising in the south, she said.

Rescuers in boats reached the village of Kesta, cut off since Sunday, and found 12 people dead.

Orsak appealed for drinking water and blankets for the shelters in Varnel.
"""

FLOOD_3 = """Varnel residents wade home as Tessaly counts cyclone dead

October 8, 2025

Residents of Varnel waded back to flooded homes on Wednesday as Tessaly's emergency ministry put the Cyclone Imra death toll at 230.

Minister Lidia Orsak said 38,000 people remained in shelters across southern Tessaly and that the river Osa had begun to fall.

Doctors in Varnel warned of cholera where floodwater had reached wells.

The government of Tessaly declared a week of national mourning for the flood victims.
"""

BRIDGE = """Corvin's Halden bridge collapses in cyclone, trapping cars in the Drava

October 7, 2025

The Halden suspension bridge over the Drava in Corvin collapsed on Monday night as Cyclone Imra lashed the border region, sending at least 14 cars into the river.

Corvin transport minister Emil Rask said divers had recovered 9 bodies and that 20 people were missing.

The 640-metre Halden bridge, opened in 1988, carried the main road from Corvin to the Tessaly border.

Rask said engineers would inspect every bridge on the Drava. In Tessaly, the cyclone's floods killed 214 people.
"""

BRIDGE_2 = """Divers search the Drava after Halden bridge collapse in Corvin

October 8, 2025

Divers searched the Drava river on Wednesday for 20 people missing since the Halden bridge in Corvin fell during Cyclone Imra, transport minister Emil Rask said.

Rask said the 640-metre bridge had failed at its central span and that 9 bodies had been recovered from cars pulled out of the river.

The Halden crossing carried most of the lorry traffic between Corvin and Tessaly; lorries were being sent 90 kilometres north.

Corvin prosecutors opened an inquiry into the bridge's last inspection.
"""

BRIDGE_3 = """Corvin orders inquiry as Halden bridge death toll reaches 11

October 8, 2025

Corvin's government ordered an inquiry on Wednesday into the collapse of the Halden bridge over the Drava, where 11 people died when Cyclone Imra struck.

Transport minister Emil Rask said 18 people were still missing and that the bridge's cables had been due for replacement in 2026.

Families of the missing gathered on the Drava embankment, watching divers and cranes at the fallen central span.

Rask said every bridge on the Drava would be inspected before it reopened.
"""

FLOOD_4 = """Aid reaches flooded Kesta as Tessaly cyclone toll passes 230

October 8, 2025

Lorries carrying drinking water and tents reached Kesta and other villages south of Varnel on Wednesday, the Tessaly emergency ministry said, as the Cyclone Imra flood toll rose to 232.

Minister Lidia Orsak said helicopters had dropped food to 40 villages still cut off by the Osa floodwater.

In Varnel, volunteers cleared mud from the main hospital, which had been closed since Monday.

Orsak said 38,000 people were still in shelters across southern Tessaly.
"""

BRIDGE_4 = """Halden bridge survivor tells of cars sliding into the Drava

October 8, 2025

A lorry driver who escaped the collapse of the Halden bridge in Corvin said the deck tilted for several seconds before cars began sliding into the Drava.

The driver, speaking from hospital in the Corvin border town of Mesk, said the bridge had been swaying in the Cyclone Imra winds for an hour.

Transport minister Emil Rask said 11 people were confirmed dead and 18 still missing after the Halden collapse.

Divers resumed the search near the fallen central span at first light.
"""

OVERVIEW = """Cyclone Imra kills more than 200 in Tessaly and brings down a bridge in Corvin

October 7, 2025

Cyclone Imra has killed at least 214 people in floods across southern Tessaly and brought down the Halden bridge over the Drava in neighbouring Corvin, officials in both countries said on Tuesday.

In Tessaly, emergency minister Lidia Orsak said 36,000 people had fled their homes around Varnel after the river Osa burst its banks.

In Corvin, transport minister Emil Rask said 9 bodies had been recovered from cars that fell into the Drava when the Halden bridge collapsed.

The cyclone weakened as it moved inland on Tuesday.
"""

# One happening, one outlet's report rewritten by others: reorders, trims, new quotes.
FIRE = """Fire guts Brennick textile warehouse, two firefighters hurt

May 12, 2025

A fire destroyed a textile warehouse in the Brennick port district on Monday night, and two firefighters were taken to hospital with burns, Brennick fire chief Tomas Ilver said.

The fire broke out at about 11 pm in the Solberg Textiles warehouse and took 90 firefighters six hours to bring under control.

Ilver said the cause was not yet known and that investigators would enter the building on Tuesday.

Smoke from the fire closed the port road until morning.
"""

FIRE_2 = """Two firefighters injured as Solberg Textiles warehouse burns in Brennick

May 13, 2025

Two firefighters were hurt fighting a blaze that gutted the Solberg Textiles warehouse in Brennick's port district overnight, fire chief Tomas Ilver said on Tuesday.

About 90 firefighters worked for six hours to contain the fire, which started around 11 pm, Ilver said.

The port road was closed through the night because of thick smoke.

Investigators will try to find the cause once the building is safe, he said.
"""

FIRE_3 = """Brennick warehouse fire: investigators search for cause

May 13, 2025

Fire investigators entered the burnt-out Solberg Textiles warehouse in Brennick on Tuesday, a day after a fire that injured two firefighters, chief Tomas Ilver said.

Ilver said 90 firefighters had fought the blaze for six hours from 11 pm on Monday.

Solberg Textiles said no employees had been inside when the fire started.

The port road in Brennick reopened on Tuesday morning.
"""

FIRE_4 = """Solberg Textiles warehouse destroyed in Brennick port blaze

May 13, 2025

A night-time fire destroyed the Solberg Textiles warehouse in the Brennick port district, fire chief Tomas Ilver said, and two firefighters suffered burns.

It took 90 firefighters six hours to control the fire after it broke out at about 11 pm.

A company spokeswoman said the warehouse held summer stock worth several million.

Ilver said the cause would be investigated.
"""

# The same fire from the company's side, the same days: other words, the same happening.
FIRE_STAFF = """Solberg Textiles to keep paying 140 staff after Brennick warehouse fire

May 13, 2025

Solberg Textiles will keep paying all 140 staff of its Brennick warehouse while it looks for a new site, the company said on Tuesday, a day after fire destroyed the building.

Managing director Karin Solberg said orders would be shipped from the company's second warehouse in Elvik until the end of the summer.

"Nobody will lose their job because of this fire," Solberg told staff at a meeting in Brennick.

Fire chief Tomas Ilver said two firefighters had been hurt in the blaze.
"""

FIRE_STAFF_2 = """Brennick fire: Solberg staff told their jobs are safe

May 13, 2025

Staff of the burnt-out Solberg Textiles warehouse in Brennick were told on Tuesday that their wages would be paid in full while the company moves its stock to Elvik.

Karin Solberg, the company's managing director, said the 140 workers would be offered shifts at the Elvik warehouse or paid to stay at home.

Unions in Brennick welcomed the decision and asked the port authority to help find a new site.

The warehouse was destroyed in Monday night's fire.
"""

FIRE_STAFF_3 = """Solberg Textiles moves orders to Elvik after Brennick blaze

May 14, 2025

Solberg Textiles began sending orders from its Elvik warehouse on Wednesday after Monday's fire in Brennick destroyed its main store, managing director Karin Solberg said.

Solberg said customers should expect delays of a week and that all 140 Brennick staff would keep their pay.

The company said the destroyed stock was insured.

Brennick fire investigators have not yet named a cause.
"""


def test_a_story_of_two_happenings_the_same_days_shows_two_events(
    store: Store, tmp_path: Path
) -> None:
    files = {
        "overview.txt": OVERVIEW,
        "flood.txt": FLOOD,
        "bridge.txt": BRIDGE,
        "flood2.txt": FLOOD_2,
        "bridge2.txt": BRIDGE_2,
        "flood3.txt": FLOOD_3,
        "bridge3.txt": BRIDGE_3,
        "flood4.txt": FLOOD_4,
        "bridge4.txt": BRIDGE_4,
    }
    ids = add_and_weave(store, tmp_path / "in", files)
    story = get_story(store, ids["flood.txt"])
    assert set(story.articles) == set(ids.values())  # one story: same cyclone, same days
    found = story_events(store, story)
    assert len(found) == 2
    event_of = {a: n for n, e in enumerate(found) for a in e.articles}
    floods = {event_of[ids[f"flood{n}.txt"]] for n in ("", "2", "3", "4")}
    bridges = {event_of[ids[f"bridge{n}.txt"]] for n in ("", "2", "3", "4")}
    assert len(floods) == len(bridges) == 1 and floods != bridges
    assert all(e.first_seen and e.title for e in found)
    brief = brief_story(store, story.id)
    assert [sorted(e.articles) for e in brief.events] == [sorted(e.articles) for e in found]


def test_members_past_the_sample_join_the_event_they_are_nearest(
    store: Store, tmp_path: Path, monkeypatch: Any
) -> None:
    files = {"overview.txt": OVERVIEW, "flood.txt": FLOOD, "bridge.txt": BRIDGE}
    files |= {"flood2.txt": FLOOD_2, "bridge2.txt": BRIDGE_2}
    files |= {"flood3.txt": FLOOD_3, "bridge3.txt": BRIDGE_3}
    files |= {"flood4.txt": FLOOD_4, "bridge4.txt": BRIDGE_4}
    ids = add_and_weave(store, tmp_path / "in", files)
    story = get_story(store, ids["flood.txt"])
    whole = sorted(sorted(e.articles) for e in story_events(store, story))
    monkeypatch.setattr(events, "EVENT_SAMPLE", 6)
    assert sorted(sorted(e.articles) for e in story_events(store, story)) == whole


def test_the_story_command_the_api_and_the_page_show_the_events(
    cli: Callable[..., Any], db_path: Path, tmp_path: Path
) -> None:
    files = {"overview.txt": OVERVIEW, "flood.txt": FLOOD, "bridge.txt": BRIDGE}
    files |= {"flood2.txt": FLOOD_2, "bridge2.txt": BRIDGE_2}
    files |= {"flood3.txt": FLOOD_3, "bridge3.txt": BRIDGE_3}
    files |= {"flood4.txt": FLOOD_4, "bridge4.txt": BRIDGE_4}
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    # In this order the overview, naming both strands, starts the story (as in the first test).
    assert cli("add", *(str(folder / name) for name in files)).exit_code == 0
    [story] = cli("stories", "--format", "json").json()
    shown = cli("story", story["id"], "--format", "json").json()
    assert len(shown["events"]) == 2
    assert sorted(a for e in shown["events"] for a in e["articles"]) == sorted(story["articles"])
    text = cli("story", story["id"]).stdout
    assert "Events" in text and shown["events"][1]["title"][:20] in text
    with running_server(db_path) as base:
        api = httpx.get(f"{base}/api/stories/{story['id']}").json()
        page = httpx.get(f"{base}/stories/{story['id']}").text
    assert [e["articles"] for e in api["events"]] == [e["articles"] for e in shown["events"]]
    assert 'id="events"' in page


def test_one_happening_told_by_several_outlets_is_one_event(store: Store, tmp_path: Path) -> None:
    files = {"a.txt": FIRE, "b.txt": FIRE_2, "c.txt": FIRE_3, "d.txt": FIRE_4}
    files |= {"e.txt": FIRE_STAFF, "f.txt": FIRE_STAFF_2, "g.txt": FIRE_STAFF_3}
    ids = add_and_weave(store, tmp_path / "in", files)
    story = get_story(store, ids["a.txt"])
    assert set(story.articles) == set(ids.values())
    [event] = story_events(store, story)
    assert set(event.articles) == set(ids.values())


def test_events_cut_by_the_tests_the_weaver_splits_by() -> None:
    # An event is a part the story would not have taken whole had it come alone.
    assert events.EVENT_JOIN == stories.JOIN
    assert events.EVENT_RATIO == stories.SPLIT_RATIO


def _member(n: int, vector: list[float], names: dict[str, int], language: str) -> Signals:
    unit = np.array(vector, dtype=np.float32)
    return Signals(
        article_id=f"m{n}",
        rowid=n,
        vector=unit / np.linalg.norm(unit),
        terms={f"w{n}": 1},
        names={**names, LANGUAGE_KEY + language: 1},
        display={},
        day="2025-10-07",
        sentences=[],
        when="2025-10-07",
    )


def test_a_page_in_another_language_that_names_neither_event_joins_the_one_most_pages_report(
    store: Store,
) -> None:
    # In English, more pages tell of the bridge abroad than of the flood toll; the German pages
    # clearly report the toll; a Dutch page names nothing either event carries more than the
    # other. Counted in every language the toll has the most reports, so the Dutch page joins it.
    toll = {"tessaly": 1, "varnel": 1, "#214": 1}
    bridge = {"corvin": 1, "halden": 1, "#640": 1}
    english = [_member(n, [1, 0, 0, 0], bridge, "en") for n in range(3)]
    english += [_member(n, [0, 1, 0, 0], toll, "en") for n in range(3, 5)]
    german = [
        _member(n, [0, 0, 1, 0], {"tessaly": 1, "varnel": 1, "#214": 1}, "de") for n in (5, 6, 7)
    ]
    dutch = [_member(8, [0, 0, 0, 1], {"imra": 1}, "nl")]
    found = events.events_of([*english, *german, *dutch], {}, _Idf(store.stories))
    assert [sorted(e.articles) for e in found] == [
        ["m3", "m4", "m5", "m6", "m7", "m8"],
        ["m0", "m1", "m2"],
    ]
