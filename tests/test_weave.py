"""Weaving: origin groups, stories, merges and splits, similar readings, on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from newsweave import weave
from newsweave.pipeline import add_sources
from newsweave.store import Store, packing, vectors
from newsweave.store import stories as story_store
from newsweave.weave import dedupe
from newsweave.weave.embed import get_embedder
from newsweave.weave.profiles import StoryProfile
from newsweave.weave.similarity import _Idf, stories_conflict


@pytest.fixture
def store(any_store: Store) -> Store:
    """The weaving tests given a store run on SQLite and on PostgreSQL."""
    return any_store


@pytest.fixture
def file_store(db_path: Path) -> Iterator[Store]:
    """A SQLite store, for the tests of the vector file beside it."""
    with Store.open(db_path) as s:
        yield s


QUAKE_A = """Strong earthquake shakes Karvala region, killing 12

A magnitude 6.4 earthquake struck the Karvala region early on Tuesday, killing at least 12 people and injuring dozens, the regional governor Anna Velt said.

The quake hit at 04:12 local time at a depth of 10 km, about 30 km north of the town of Ostrel, according to the national seismology institute.

Governor Velt said rescue teams were searching collapsed homes in Ostrel and two nearby villages.

"We are still pulling people from the rubble," Velt told reporters in Ostrel.

Schools in the Karvala region will stay closed for the rest of the week while engineers inspect buildings.
"""

QUAKE_A_REPORT = """Death toll rises after Karvala quake

Rescuers in Ostrel pulled more survivors from collapsed houses on Wednesday, a day after a magnitude 6.4 earthquake hit the Karvala region.

Governor Anna Velt said the death toll had risen to 15, with more than 60 people injured.

The seismology institute recorded more than 40 aftershocks near Ostrel overnight.

Velt said temporary shelters had been set up in the Ostrel sports hall for families whose homes were destroyed.

Engineers have begun inspecting schools across the Karvala region.
"""

QUAKE_B = """Earthquake hits Miren coast, no casualties reported

A magnitude 5.1 earthquake struck off the Miren coast on Saturday, shaking buildings in the port city of Dalby, the coastguard commander Piet Harrow said.

There were no reports of casualties, and Harrow said ferries between Dalby and the Tessel islands were running normally.

The quake was centred 20 km offshore at a depth of 35 km, according to the Miren marine observatory.

Harbour master Lena Osk said cranes at the Dalby container terminal were halted for an hour as a precaution.

Harrow said coastguard crews had checked the Tessel islands and found no damage.
"""

ELECTION = """Farmers' party wins Lindor council vote

The Farmers' party won 14 of the 25 seats on the Lindor council in Sunday's local election, the electoral commission said.

Party leader Tomas Brek promised to cut the council's water charges and to rebuild the Lindor market hall.

Turnout was 61 percent, up from 54 percent at the last vote four years ago.

The Greens lost four seats and will be the second party on the council with eight seats.

Brek said coalition talks would start on Monday.
"""


def _write(folder: Path, files: dict[str, str]) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


def _add(store: Store, paths: list[str]) -> dict[str, str]:
    """Add and weave; the article id of each file name."""
    ids = {Path(r.origin).name: r.id for r in add_sources(store, paths) if r.id}
    weave.Weaver(store).weave()
    return ids


def _story(store: Store, article_id: str) -> str:
    return str(
        store.conn.execute(
            "SELECT story_id FROM story_members WHERE article_id = ?", (article_id,)
        ).fetchone()[0]
    )


def _reprint(text: str) -> str:
    """The same story under other chrome, cut by its last paragraph."""
    paragraphs = text.strip().split("\n\n")
    return "\n\n".join(
        ["World | Europe | Science", *paragraphs[:-1], "© 2025 Example Wire. All rights reserved."]
    )


def test_every_article_gets_exactly_one_story(store: Store, tmp_path: Path) -> None:
    paths = _write(
        tmp_path / "in",
        {"a.txt": QUAKE_A, "a2.txt": QUAKE_A_REPORT, "b.txt": QUAKE_B, "e.txt": ELECTION},
    )
    _add(store, paths)
    rows = store.conn.execute(
        "SELECT a.id, count(m.story_id) FROM articles a LEFT JOIN story_members m"
        " ON m.article_id = a.id GROUP BY a.id"
    ).fetchall()
    assert len(rows) == 4
    assert all(count == 1 for _, count in rows)
    assert weave.Weaver(store).pending() == []


def test_near_miss_events_stay_apart_and_reports_of_one_event_join(
    store: Store, tmp_path: Path
) -> None:
    ids = _add(
        store,
        _write(
            tmp_path / "in",
            {"a.txt": QUAKE_A, "a2.txt": QUAKE_A_REPORT, "b.txt": QUAKE_B, "e.txt": ELECTION},
        ),
    )
    assert _story(store, ids["a.txt"]) == _story(store, ids["a2.txt"])
    assert _story(store, ids["b.txt"]) != _story(store, ids["a.txt"])
    assert _story(store, ids["e.txt"]) not in {
        _story(store, ids["a.txt"]),
        _story(store, ids["b.txt"]),
    }


def test_a_reprint_is_a_copy_and_does_not_add_an_origin(store: Store, tmp_path: Path) -> None:
    ids = _add(
        store,
        _write(
            tmp_path / "in",
            {"a.txt": QUAKE_A, "a2.txt": QUAKE_A_REPORT, "reprint.txt": _reprint(QUAKE_A)},
        ),
    )
    origin = story_store.origin_of(store, ids["reprint.txt"])
    assert origin.copy_of == ids["a.txt"]
    assert origin.kind in {"copy", "rewrite"}
    assert origin.origin_group == ids["a.txt"]
    story = story_store.get_story(store, ids["a.txt"])
    assert set(story.articles) == set(ids.values())
    assert story.independent_origins == 2


def test_two_reports_quoting_one_briefing_are_not_copies() -> None:
    quote = '"We are still pulling people from the rubble and we will not stop tonight," Velt said.'
    one = [
        "Governor Anna Velt visited Ostrel on Tuesday afternoon after the quake.",
        quote,
        "Local hospitals in the region asked for blood donors to come forward.",
        quote.replace("Velt said", "the governor added"),
    ]
    two = [
        "Rescue teams from three provinces arrived in the Karvala region overnight.",
        quote,
        "The seismology institute warned that further aftershocks were likely this week.",
        quote.replace("Velt said", "she told reporters"),
    ]
    assert dedupe.align(dedupe.sentence_sets(one), dedupe.sentence_sets(two)) is None


def test_adding_later_attaches_to_the_existing_story(store: Store, tmp_path: Path) -> None:
    first = _add(store, _write(tmp_path / "one", {"a.txt": QUAKE_A, "e.txt": ELECTION}))
    before = store.conn.execute("SELECT count(*) FROM stories").fetchone()[0]
    later = _add(store, _write(tmp_path / "two", {"a2.txt": QUAKE_A_REPORT}))
    assert _story(store, later["a2.txt"]) == _story(store, first["a.txt"])
    assert store.conn.execute("SELECT count(*) FROM stories").fetchone()[0] == before


def test_weaving_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    paths = _write(tmp_path / "in", {"a.txt": QUAKE_A, "b.txt": QUAKE_B})
    _add(store, paths)
    snapshot = store.conn.execute("SELECT * FROM story_members ORDER BY article_id").fetchall()
    report = weave.Weaver(store).weave()
    again = list(add_sources(store, paths))
    assert report.woven == 0
    assert {r.status for r in again} == {"unchanged"}
    assert store.conn.execute("SELECT * FROM story_members ORDER BY article_id").fetchall() == (
        snapshot
    )


def test_a_lost_vector_cache_is_rebuilt_from_sqlite(file_store: Store, tmp_path: Path) -> None:
    store = file_store
    ids = _add(store, _write(tmp_path / "one", {"a.txt": QUAKE_A, "e.txt": ELECTION}))
    cache = vectors.vector_cache_path(store)
    assert cache.exists()
    cache.write_bytes(b"not an index")
    later = _add(store, _write(tmp_path / "two", {"a2.txt": QUAKE_A_REPORT}))
    assert _story(store, later["a2.txt"]) == _story(store, ids["a.txt"])
    from usearch.index import Index

    # The rebuilt cache is written back, whole, so the next command need not rebuild it.
    assert len(Index.restore(str(cache))) == 3


def test_similar_leaves_out_copies_and_ranks_the_same_event_first(
    store: Store, tmp_path: Path
) -> None:
    ids = _add(
        store,
        _write(
            tmp_path / "in",
            {
                "a.txt": QUAKE_A,
                "reprint.txt": _reprint(QUAKE_A),
                "a2.txt": QUAKE_A_REPORT,
                "b.txt": QUAKE_B,
                "e.txt": ELECTION,
            },
        ),
    )
    found = story_store.similar(store, ids["a.txt"], limit=4)
    found_ids = [s.id for s in found]
    assert ids["reprint.txt"] not in found_ids
    assert ids["a.txt"] not in found_ids
    assert found_ids[0] == ids["a2.txt"]
    assert all(0 <= s.score <= 1 for s in found)


def test_merge_keeps_the_older_id_and_the_old_id_still_resolves(
    store: Store, tmp_path: Path
) -> None:
    ids = _add(store, _write(tmp_path / "in", {"a.txt": QUAKE_A, "b.txt": QUAKE_B}))
    weaver = weave.Weaver(store)
    old, new = _story(store, ids["a.txt"]), _story(store, ids["b.txt"])
    with store.transaction() as tx:
        kept = weaver._merge(tx, new, old)
    assert kept == old
    assert story_store.resolve_story(store, new) == old
    assert set(story_store.get_story(store, new).articles) == {ids["a.txt"], ids["b.txt"]}


def test_conflict_is_high_for_different_protagonists_and_low_for_a_new_voice() -> None:
    def signals(article_id: str, names: dict[str, int], lead: set[str]) -> weave.Signals:
        return weave.Signals(
            article_id=article_id,
            rowid=hash(article_id) % 1000,
            vector=np.zeros(3, dtype=np.float32),
            terms={},
            names=names,
            display={},
            day=None,
            sentences=[],
            when="",
            lead=frozenset(lead),
        )

    class FlatIdf(_Idf):
        def __init__(self) -> None:
            self.n = 10
            self.cache = {}
            self._weights = {}
            self._profiles = {}

        def weight(self, term: str) -> float:
            return 1.0

    story = [
        signals("m1", {"klitschko": 3, "rahman": 3, "mannheim": 1}, {"klitschko", "rahman"}),
        signals("m2", {"klitschko": 2, "rahman": 2}, {"klitschko", "rahman"}),
    ]
    other_fight = signals("x", {"klitschko": 3, "thompson": 3}, {"klitschko", "thompson"})
    new_voice = signals(
        "y", {"klitschko": 2, "rahman": 2, "lewis": 3}, {"klitschko", "rahman", "lewis"}
    )
    idf = FlatIdf()
    # A new voice in the same fight leaves the story's protagonists in place; the other fight
    # names a protagonist the story never does and lacks the one it always does.
    assert weave.conflict(other_fight, story, idf) >= 0.45
    assert weave.conflict(new_voice, story, idf) <= 0.2


def test_names_skip_capitalised_sentence_openers() -> None:
    counts, display = weave.names_in(
        None,
        [
            "Officials said Lindsay Lohan arrived on Monday. Police said nothing.",
            "Lohan spoke to Officials outside. Authorities in Palm Springs agreed.",
        ],
    )
    assert counts["lindsay lohan"] == 1
    assert counts["lohan"] == 2
    assert "officials" in counts  # capitalised mid-sentence too
    assert "police" not in counts
    assert "authorities" not in counts
    assert display["palm springs"] == "Palm Springs"


def test_no_network_is_needed_to_embed(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError("network use attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    from newsweave.weave import embed

    monkeypatch.setattr(embed, "_loaded", {})
    vectors = get_embedder("minilm-onnx").encode(
        ["A magnitude 6.4 earthquake struck", "An earthquake hit the region", "Council election"]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_a_vector_is_the_same_whatever_it_is_embedded_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The weaver embeds 32 articles at a time, the benchmarks and Ray actors other counts, and
    the model splits them into small inferences on several threads: none of that may move a
    vector, or an article would land differently depending on what came with it."""
    from newsweave.weave import embed

    texts = [
        f"Report {n}: " + " ".join(["the council met again on the budget"] * (1 + n % 7))
        for n in range(19)
    ]
    together = get_embedder("minilm-onnx").encode(texts)
    alone = np.vstack([get_embedder("minilm-onnx").encode([t]) for t in texts])
    monkeypatch.setenv("NEWSWEAVE_ONNX_THREADS", "1")
    one_thread = embed.OnnxMiniLM().encode(texts[::-1])[::-1]
    assert np.array_equal(together, alone)
    assert np.array_equal(together, one_thread)


def test_cli_stories_story_similar(cli: Callable[..., Any], tmp_path: Path, db_path: Path) -> None:
    paths = _write(
        tmp_path / "in",
        {"a.txt": QUAKE_A, "a2.txt": QUAKE_A_REPORT, "b.txt": QUAKE_B, "r.txt": _reprint(QUAKE_A)},
    )
    added = cli("add", *paths)
    assert added.exit_code == 0
    assert "woven 4" in added.stdout
    stories = cli("stories", "--format", "json").json()
    assert {len(s["articles"]) for s in stories} == {3, 1}
    quake = next(s for s in stories if len(s["articles"]) == 3)
    assert quake["independent_origins"] == 2
    assert set(quake) >= {
        "id", "title", "articles", "sources", "independent_origins", "first_seen", "last_updated", "why",
    }  # fmt: skip
    assert "Ostrel" in quake["why"] or "Velt" in quake["why"]
    one = cli("story", quake["id"][:6], "--format", "json").json()
    assert one["id"] == quake["id"]
    assert sum(m["copy_of"] is not None for m in one["members"]) == 1
    text = cli("story", quake["id"])
    assert text.exit_code == 0 and "independent origins" in text.stdout
    shown = cli("show", quake["articles"][0], "--format", "json").json()
    assert shown["story"] == quake["id"]
    assert shown["origin_group"]
    similar = cli("similar", quake["articles"][0], "--format", "json").json()
    assert all(s["id"] != quake["articles"][0] for s in similar)
    assert cli("weave").stdout.strip() == "every article is already woven"
    missing = subprocess.run(
        [sys.executable, "-m", "newsweave", "--db", str(db_path), "story", "ffffffff"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error ffffffff: no story with this id"


def test_an_interrupted_weave_is_finished_by_the_next_command(
    cli: Callable[..., Any], tmp_path: Path, db_path: Path
) -> None:
    paths = _write(tmp_path / "in", {"a.txt": QUAKE_A, "b.txt": QUAKE_B})
    with Store.open(db_path) as store:
        list(add_sources(store, paths))  # stored, never woven: as if killed before weaving
    result = cli("weave", "--format", "json")
    assert result.json()["woven"] == 2
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM story_members").fetchone()[0] == 2


def test_the_multilingual_model_brings_translations_together() -> None:
    model = get_embedder("e5-multilingual")
    vectors = model.encode(
        [
            "North Korea sent 3,000 troops to Russia, the White House said.",
            "Північна Корея відправила 3000 військових до Росії, заявили в Білому домі.",
            "The farmers' party won the council election in Lindor.",
        ]
    )
    same = weave.calibrate(float(vectors[0] @ vectors[1]), model.unrelated)
    other = weave.calibrate(float(vectors[0] @ vectors[2]), model.unrelated)
    assert same > 0.4
    assert other < 0.2


def test_minhash_band_keys_are_those_datasketch_made() -> None:
    # Stored `lsh_buckets` were keyed with datasketch's MinHash(num_perm=64, seed=7,
    # scheme="affine32"); the numpy sketch must give the same keys or old copies go unseen.
    text = [
        "The river rose two metres overnight and the council closed the old bridge.",
        "Residents on the east bank were told to leave before noon, officials said on Tuesday.",
    ]
    keys = dedupe.band_keys(dedupe.minhash(text))
    assert keys[:3] == [
        (0, -6087322603044776949),
        (1, -1818981067778442182),
        (2, -2039750604498157645),
    ]
    datasketch = pytest.importorskip("datasketch")
    for paragraphs in (text, [QUAKE_A], [""]):
        words = dedupe.tokens(" ".join(paragraphs))
        shingles = {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}
        sketch = datasketch.MinHash(num_perm=64, seed=7, scheme="affine32")
        sketch.update_batch([s.encode("utf-8") for s in shingles])
        assert dedupe.band_keys(sketch.hashvalues) == dedupe.band_keys(dedupe.minhash(paragraphs))


def _tied_similarities(rng: np.random.Generator, n: int, kind: int) -> np.ndarray:
    if kind == 0:  # no ties to speak of
        sim = rng.random((n, n))
    elif kind == 1:  # few distinct values: ties everywhere
        sim = rng.integers(0, 4, (n, n)) / 4.0
    elif kind == 2:  # copies of one origin at exactly 1, as `_refine` sets them
        sim = rng.random((n, n))
        group = rng.integers(0, max(1, n // 3), n)
        sim[group[:, None] == group[None, :]] = 1.0
    else:  # all or nothing
        sim = rng.integers(0, 2, (n, n)).astype(float)
    sim = np.triu(sim, 1)
    sim = sim + sim.T
    distance = np.clip(1.0 - sim, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    return distance


def test_splitting_cuts_stories_exactly_where_scipy_cut_them() -> None:
    # `_refine` used scipy's average linkage and maxclust cut; stories already split were cut
    # there, so the port must agree on every tie, including which half is which.
    from newsweave.weave.halves import average_linkage, two_clusters

    def cut(distance: list[list[float]]) -> list[int]:
        return [int(v) for v in two_clusters(average_linkage(np.array(distance)))]

    # The top two merges tie: scipy's cut leaves one cluster, and `_refine` splits nothing.
    assert cut([[0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 0, 0], [1, 1, 0, 0]]) == [1, 1, 2, 2]
    assert cut([[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 0]]) == [1, 1, 1, 1]
    assert cut([[0, 0, 0.5], [0, 0, 0.5], [0.5, 0.5, 0]]) == [1, 1, 2]
    hierarchy = pytest.importorskip("scipy.cluster.hierarchy")
    distance_module = pytest.importorskip("scipy.spatial.distance")
    rng = np.random.default_rng(13)
    for trial in range(4000):
        distance = _tied_similarities(rng, int(rng.integers(2, 31)), trial % 4)
        z = hierarchy.linkage(distance_module.squareform(distance, checks=False), "average")
        ours = average_linkage(distance)
        assert np.array_equal(np.array(ours), z), trial
        assert np.array_equal(two_clusters(ours), hierarchy.fcluster(z, 2, "maxclust")), trial


def test_a_batch_that_fails_half_way_lands_not_at_all(store: Store, tmp_path: Path) -> None:
    paths = _write(tmp_path / "in", {"a.txt": QUAKE_A, "b.txt": QUAKE_B, "e.txt": ELECTION})
    ids = {Path(r.origin).name: r.id for r in add_sources(store, paths) if r.id}
    assert len(weave.Weaver(store).pending()) == 3

    class Interrupted(weave.Weaver):
        def _weave_one(self, tx: Any, article: Any, *rest: Any) -> str | None:
            if article.id == ids["e.txt"]:
                raise KeyboardInterrupt  # a kill, after two articles of the batch were written
            return super()._weave_one(tx, article, *rest)

    with pytest.raises(KeyboardInterrupt) as raised:
        Interrupted(store).weave()
    assert raised.value.__notes__ == [
        "weaving: batch 1 of 1 not stored, nothing woven; `newsweave weave` weaves the rest"
    ]
    assert store.conn.execute("SELECT count(*) FROM story_members").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM article_signals").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM term_df").fetchone()[0] == 0
    assert sorted(weave.Weaver(store).pending()) == sorted(ids.values())
    report = weave.Weaver(store).weave()
    assert report.woven == 3
    assert weave.Weaver(store).pending() == []


def test_pending_follows_the_queue_the_triggers_keep(store: Store, tmp_path: Path) -> None:
    ids = _add(store, _write(tmp_path / "one", {"a.txt": QUAKE_A}))
    later = [r.id for r in add_sources(store, _write(tmp_path / "two", {"e.txt": ELECTION}))]
    assert weave.Weaver(store).pending() == later
    assert store.conn.execute("SELECT count(*) FROM weave_queue").fetchone()[0] == 1
    weave.Weaver(store).weave()
    assert weave.Weaver(store).pending() == []
    assert ids["a.txt"] not in weave.Weaver(store).pending()


def test_the_vector_file_is_appended_to_through_sqlite_not_rewritten(
    file_store: Store, tmp_path: Path
) -> None:
    store = file_store
    ids = _add(store, _write(tmp_path / "one", {"a.txt": QUAKE_A, "e.txt": ELECTION}))
    cache = vectors.vector_cache_path(store)
    written = cache.stat().st_mtime_ns, cache.read_bytes()
    later = _add(store, _write(tmp_path / "two", {"a2.txt": QUAKE_A_REPORT, "b.txt": QUAKE_B}))
    # A small weave leaves the file alone: its vectors wait in SQLite, listed as unsaved ...
    assert (cache.stat().st_mtime_ns, cache.read_bytes()) == written
    assert store.conn.execute("SELECT count(*) FROM vectors_unsaved").fetchone()[0] == 2
    # ... and are found all the same, by the weaver and by similar readings.
    assert _story(store, later["a2.txt"]) == _story(store, ids["a.txt"])
    index = weave.Weaver(store).index
    assert len(index) == 4
    rowid = store.stories.rowid_of(later["b.txt"])
    vector = store.stories.load_signals(rowid or 0)
    assert vector is not None
    assert index.search(vector.vector, 1)[0][0] == rowid
    found = [s.id for s in story_store.similar(store, ids["a.txt"])]
    assert later["a2.txt"] in found
    # Once the unsaved part outgrows its share, the file is written whole and the list emptied.
    index = weave.Weaver(store).index
    index.rebuilt = True
    index.save()
    assert store.conn.execute("SELECT count(*) FROM vectors_unsaved").fetchone()[0] == 0
    assert len(weave.Weaver(store).index.index) == 4


def test_a_file_lacking_many_vectors_takes_them_in_on_open_not_into_memory(
    file_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = file_store
    _add(store, _write(tmp_path / "one", {"a.txt": QUAKE_A, "e.txt": ELECTION}))
    _add(store, _write(tmp_path / "two", {"a2.txt": QUAKE_A_REPORT, "b.txt": QUAKE_B}))
    assert store.conn.execute("SELECT count(*) FROM vectors_unsaved").fetchone()[0] == 2
    # As many unsaved as `save` would write the file for (a store whose file was lost, say):
    # they go into the file's index on open, not into the exact part held in memory.
    monkeypatch.setattr(vectors, "REWRITE_MIN", 2)
    index = weave.Weaver(store).index
    assert (len(index.index), len(index.unsaved), index.rebuilt) == (4, 0, True)
    index.save()
    assert store.conn.execute("SELECT count(*) FROM vectors_unsaved").fetchone()[0] == 0
    assert len(weave.Weaver(store).index.index) == 4


def test_the_file_is_asked_once_per_query_until_it_is_written_again(
    file_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = file_store
    _add(store, _write(tmp_path / "one", {"a.txt": QUAKE_A, "e.txt": ELECTION}))
    asked: list[int] = []
    real = vectors._hnsw_search

    def counted(index: Any, vector: Any, count: int) -> list[tuple[int, float]]:
        asked.append(count)
        return real(index, vector, count)

    monkeypatch.setattr(vectors, "_hnsw_search", counted)
    index = weave.Weaver(store).index
    query = np.ones(index.dim, dtype=np.float32)
    first = index.search(query, 2)
    # An article added since is found beside the file's remembered answer.
    index.add(10_000, query)
    assert index.search(query, 2) == [(10_000, pytest.approx(1.0)), *first[:1]]
    assert index.search(query, 3)[1:] == first
    assert asked == [2, 3]
    index.rebuilt = True
    index.save()  # the file changed: asked again
    assert index.search(query, 2)[0][0] == 10_000
    assert asked == [2, 3, 2]


def test_similar_maps_the_file_once_and_again_once_it_is_written_anew(
    file_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = file_store
    ids = _add(store, _write(tmp_path / "one", {"a.txt": QUAKE_A, "e.txt": ELECTION}))
    opened: list[bool] = []
    real = vectors._restore

    def counted(path: Path, view: bool) -> Any:
        opened.append(view)
        return real(path, view)

    monkeypatch.setattr(vectors, "_restore", counted)
    story_store.similar(store, ids["a.txt"])
    story_store.similar(store, ids["e.txt"])
    assert opened == [True]  # one map for both calls
    later = _add(store, _write(tmp_path / "two", {"a2.txt": QUAKE_A_REPORT, "b.txt": QUAKE_B}))
    index = weave.Weaver(store).index
    index.rebuilt = True
    index.save()  # the new vectors now live only in the file: none are listed as unsaved
    assert store.conn.execute("SELECT count(*) FROM vectors_unsaved").fetchone()[0] == 0
    opened.clear()
    assert later["a2.txt"] in [s.id for s in story_store.similar(store, ids["a.txt"])]
    assert opened == [True]  # the rewritten file, mapped anew


def _member_signals(store: Store, story_id: str) -> list[Any]:
    rowids = store.stories.recent_member_rowids(story_id, 100)
    return list(store.stories.load_many_signals(rowids).values())


def test_a_story_profile_scores_as_the_mean_over_its_members(store: Store, tmp_path: Path) -> None:
    ids = _add(
        store,
        _write(
            tmp_path / "in",
            {"a.txt": QUAKE_A, "a2.txt": QUAKE_A_REPORT, "b.txt": QUAKE_B, "e.txt": ELECTION},
        ),
    )
    idf = _Idf(store.stories)
    quake, other = _story(store, ids["a.txt"]), _story(store, ids["b.txt"])
    members = _member_signals(store, quake)
    rest = _member_signals(store, other)
    assert len(members) == 2
    built = StoryProfile.of([idf.profile(m) for m in members], 384, len(members), idf.n)
    lone = StoryProfile.of([idf.profile(m) for m in rest], 384, len(rest), idf.n)
    article = idf.profile(rest[0])
    by_member = [article.similarity(idf.profile(m)) for m in members]
    # Average linkage is a dot product with the members' sum: the same figure, in O(1).
    assert built.similarity(article) == pytest.approx(float(np.mean(by_member)), abs=1e-5)
    pairs = [idf.profile(x).similarity(idf.profile(y)) for x in members for y in rest]
    assert built.cross(lone, 0.0) == pytest.approx(float(np.mean(pairs)), abs=1e-5)
    inside = idf.profile(members[0]).similarity(idf.profile(members[1]))
    assert built.within(0.0) == pytest.approx(inside, abs=1e-5)
    assert built.conflict(rest[0], idf) == pytest.approx(weave.conflict(rest[0], members, idf))
    assert built.stories_conflict(lone, idf) == pytest.approx(stories_conflict(members, rest, idf))


def test_story_profiles_are_stored_and_grow_with_each_member(store: Store, tmp_path: Path) -> None:
    first = _add(store, _write(tmp_path / "one", {"a.txt": QUAKE_A, "e.txt": ELECTION}))
    quake = _story(store, first["a.txt"])
    stored = store.stories.story_profiles([quake])[quake]
    assert (stored.count, stored.size) == (1, 1)
    later = _add(store, _write(tmp_path / "two", {"a2.txt": QUAKE_A_REPORT}))
    assert _story(store, later["a2.txt"]) == quake
    grown = store.stories.story_profiles([quake])[quake]
    assert (grown.count, grown.size) == (2, 2)
    vectors_sum = sum(m.vector for m in _member_signals(store, quake))
    assert np.allclose(grown.vector, vectors_sum, atol=1e-3)
    assert grown.carried["velt"] == 2
    assert grown.days == {d for m in _member_signals(store, quake) for d in m.days()}
    # A profile whose story changed behind the weaver's back is not used (it is rebuilt).
    store.conn.execute("UPDATE stories SET size = size + 1 WHERE id = ?", (quake,))
    assert store.stories.story_profiles([quake]) == {}


def test_a_merged_away_story_leaves_no_profile(store: Store, tmp_path: Path) -> None:
    _add(store, _write(tmp_path / "one", {"a.txt": QUAKE_A, "e.txt": ELECTION}))
    stories = [r[0] for r in store.conn.execute("SELECT id FROM stories ORDER BY id")]
    with store.transaction() as tx:
        store.stories.fold_story(tx, stories[1], into=stories[0])
    profiles = store.conn.execute("SELECT story_id FROM story_profiles").fetchall()
    assert [r[0] for r in profiles] == [stories[0]]


def test_signals_and_profiles_survive_their_binary_form() -> None:
    terms = {"quake": 3, "ostrel": 2, "rescue": 1}
    names = {"anna velt": 1, "velt": 4, "#6.4": 1, "ostrel": 3}
    display = {"anna velt": "Anna Velt", "velt": "Velt", "ostrel": "Ostrel"}
    lead = frozenset({"velt"})
    sentences = [["magnitude", "quake", "struck"], ["rescue", "teams"]]
    back = packing.unpack_signals(packing.pack_signals(terms, names, display, lead, sentences))
    assert back == (terms, names, {**display, "#6.4": "#6.4"}, lead, sentences)
    assert packing.unpack_signals(packing.pack_signals({}, {}, {}, frozenset(), [])) == (
        {}, {}, {}, frozenset(), [],
    )  # fmt: skip
    with pytest.raises(ValueError):
        packing.pack_signals({"a\0b": 1}, {}, {}, frozenset(), [])
    profile = StoryProfile(
        vector=np.arange(4, dtype=np.float32),
        terms={"quake": 0.5, "ostrel": 0.25},
        names={"velt": 0.75},
        carried={"velt": 2, "#6.4": 1},
        count=2,
        size=3,
        self_dots=(2.0, 1.5, 1.0),
        days={"2025-03-01", "2025-02-27"},
        built_at=40,
    )
    again = packing.unpack_profile(packing.pack_profile(profile), size=3)
    assert np.array_equal(again.vector, profile.vector)
    assert again.names == {"velt": 0.75, "#6.4": 0.0}
    assert (again.terms, again.carried, again.count, again.self_dots) == (
        profile.terms, profile.carried, 2, (2.0, 1.5, 1.0),
    )  # fmt: skip
    assert (again.days, again.built_at, again.size) == (
        {"2025-03-01", "2025-02-27"}, 40, 3,
    )  # fmt: skip


def test_signals_stored_as_json_before_migration_11_are_still_read(
    store: Store, tmp_path: Path
) -> None:
    ids = _add(store, _write(tmp_path / "one", {"a.txt": QUAKE_A}))
    rowid = store.stories.rowid_of(ids["a.txt"])
    assert rowid is not None
    fresh = store.stories.load_signals(rowid)
    assert fresh is not None
    names = {k: [c, fresh.display[k], int(k in fresh.lead)] for k, c in fresh.names.items()}
    store.conn.execute(
        "UPDATE article_signals SET terms = ?, names = ?, sentences = ?, packed = NULL",
        (json.dumps(fresh.terms), json.dumps(names), json.dumps(fresh.sentences)),
    )
    old = store.stories.load_signals(rowid)
    assert old is not None
    assert (old.terms, old.names, old.display, old.lead, old.sentences) == (
        fresh.terms, fresh.names, fresh.display, fresh.lead, fresh.sentences,
    )  # fmt: skip


BEBEN_DE = """Starkes Erdbeben erschüttert die Region Karvala

Ein Erdbeben der Stärke 6,4 hat am Dienstag die Region Karvala erschüttert und mindestens zwölf Menschen getötet, wie die Gouverneurin Anna Velt mitteilte.

Das Beben ereignete sich um 04:12 Uhr Ortszeit in zehn Kilometern Tiefe, etwa 30 Kilometer nördlich der Stadt Ostrel, teilte das nationale Institut für Seismologie mit.

Rettungskräfte suchen in den eingestürzten Häusern von Ostrel und zwei benachbarten Dörfern nach Verschütteten.

Die Schulen der Region bleiben für den Rest der Woche geschlossen, während Ingenieure die Gebäude prüfen.
"""


def test_languages_read_alone_match_the_signals_before_and_after_migration_13(
    store: Store, tmp_path: Path
) -> None:
    ids = _add(store, _write(tmp_path / "two", {"a.txt": QUAKE_A, "b.txt": BEBEN_DE}))
    rowids = [store.stories.rowid_of(ids[name]) for name in ("a.txt", "b.txt")]
    assert None not in rowids
    expected = {}
    for rowid in rowids:
        signals = store.stories.load_signals(rowid)  # type: ignore[arg-type]
        assert signals is not None
        expected[rowid] = signals.language
    assert len(set(expected.values())) == 2  # two languages, so a mix-up would show
    assert store.stories.signal_languages(rowids) == expected  # type: ignore[arg-type]
    # An article woven before migration 13 has no row there: its signals are read instead.
    store.conn.execute("DELETE FROM signal_languages WHERE article_id = ?", (ids["b.txt"],))
    assert store.stories.signal_languages(rowids) == expected  # type: ignore[arg-type]


def test_postgres_neighbours_come_from_the_hnsw_index(any_db: str, tmp_path: Path) -> None:
    if not any_db.startswith("postgresql"):
        return  # SQLite's neighbours come from the vector file (the tests above)
    with Store.open(any_db) as store:
        ids = _add(
            store,
            _write(
                tmp_path / "in", {"a.txt": QUAKE_A, "a2.txt": QUAKE_A_REPORT, "e.txt": ELECTION}
            ),
        )
        dim = get_embedder().dim
        plan = "\n".join(
            r[0]
            for r in store.conn.execute(
                "EXPLAIN SELECT article_id FROM article_signals WHERE vector_dims(embedding) = ?"
                f" ORDER BY embedding::vector({dim}) <=> (SELECT embedding FROM article_signals"
                f" LIMIT 1)::vector({dim}) LIMIT 5",
                (dim,),
            ).fetchall()
        )
        similar = story_store.similar(store, ids["a.txt"])
    assert f"article_signals_hnsw_{dim}" in plan
    assert similar[0].id == ids["a2.txt"]


# An invented agency text, and a site's excerpt of it: its own three-sentence lead, then a few
# of the wire's sentences from the middle, its end cut.
WIRE = """Earthquake in Karvala kills at least 250

A magnitude 6.1 earthquake struck the mountainous Karvala province late on Sunday, killing at least 250 people, the state news agency Veltpress reported.

The quake hit shortly before midnight at a depth of ten kilometres near the border with the Ostrel region and destroyed many mud and stone houses.

Rescue workers searched the rubble for survivors through the night in the scattered villages of the valley.

According to the health ministry, thirty people died in a single village north of the provincial capital Brenn.

Exact figures from the remote area with its scattered settlements were not yet available, officials in Brenn said on Monday morning.

Hundreds of injured people were taken to hospitals in Brenn and in the neighbouring town of Marrow, the provincial information chief Hadrin Sol said.

The numbers are expected to rise as reports arrive from villages that roads no longer reach.

Karvala is struck again and again by strong earthquakes where two tectonic plates meet under the Tarsh mountains.

Last year more than a thousand people died in a series of earthquakes in the west of the country.

The government in the capital declared three days of national mourning and sent army units to the valley.

Neighbouring countries offered tents, blankets and medical teams, the foreign ministry said on Monday.
"""

EXCERPT = """Hundreds feared dead in Karvala

Families in the valley spent the night outside in the cold, too afraid to go back into what was left of their homes.

Our correspondent saw whole streets of houses reduced to rubble on the road into the province.

Aid groups said their teams had not yet reached the worst hit villages by Monday evening.

According to the health ministry, thirty people died in a single village north of the provincial capital Brenn.

Exact figures from the remote area with its scattered settlements were not yet available, officials in Brenn said on Monday morning.

Hundreds of injured people were taken to hospitals in Brenn and in the neighbouring town of Marrow, the provincial information chief Hadrin Sol said.

The numbers are expected to rise as reports arrive from villages that roads no longer reach.
"""


def test_an_excerpt_under_a_new_lead_is_found_by_its_shared_sentences(
    store: Store, tmp_path: Path
) -> None:
    ids = _add(store, _write(tmp_path / "in", {"wire.txt": WIRE, "excerpt.txt": EXCERPT}))
    # Neither a MinHash band nor the vectors put the two up for alignment: only whole shared
    # sentences do.
    wire_keys = set(dedupe.band_keys(dedupe.minhash(WIRE.split("\n\n")[1:])))
    excerpt_keys = set(dedupe.band_keys(dedupe.minhash(EXCERPT.split("\n\n")[1:])))
    assert not wire_keys & excerpt_keys
    origin = story_store.origin_of(store, ids["excerpt.txt"])
    assert origin.copy_of == ids["wire.txt"]
    assert origin.origin_group == ids["wire.txt"]
    assert origin.kind == "rewrite"
    shared = store.conn.execute(
        "SELECT count(*) FROM sentence_keys a JOIN sentence_keys b ON a.key = b.key"
        " WHERE a.article_id = ? AND b.article_id = ?",
        (ids["wire.txt"], ids["excerpt.txt"]),
    ).fetchone()[0]
    assert shared == 4


# An agency text in Italian and a rewrite of it that changes every fourth word: no sentence
# left whole (so no sentence key is shared) and no five words in a row (so no MinHash band).
FILO = """Forte terremoto scuote la valle di Karvala

Una forte scossa di terremoto di magnitudo 6,4 ha colpito martedì mattina la valle di Karvala, causando almeno dodici morti e decine di feriti.

Il sisma è stato registrato alle quattro del mattino a una profondità di dieci chilometri, a nord della città di Ostrel.

La governatrice regionale Anna Velt ha detto che le squadre di soccorso stanno cercando persone sotto le macerie delle case crollate.

Le scuole della valle resteranno chiuse per tutta la settimana mentre i tecnici controllano la sicurezza degli edifici pubblici.

Secondo l'istituto nazionale di sismologia sono state registrate più di quaranta repliche nelle ore successive alla prima scossa.
"""

RISCRITTO = """Violento terremoto scuote la valle di Karvala

Una violenta scossa di sisma di magnitudo 6,4 ha colpito martedì all'alba la valle di Karvala, provocando almeno dodici vittime e decine di feriti.

Il terremoto è stato avvertito alle quattro del giorno a una profondità di dieci km, a nord della cittadina di Ostrel.

La presidente regionale Anna Velt ha spiegato che le squadre di emergenza stanno cercando persone tra le macerie delle abitazioni crollate.

Le scuole della zona resteranno chiuse per l'intera settimana mentre gli ingegneri controllano la sicurezza degli edifici comunali.

Secondo l'istituto italiano di sismologia sono state contate più di quaranta repliche nelle ore seguenti alla prima scossa.
"""


class _Unplaced:
    """An embedder that places texts at random (cosines near 0), trained on `languages`: how
    a model trained on English places texts in another language, at the extreme."""

    name, dim, unrelated = "unplaced", 64, 0.0

    def __init__(self, languages: frozenset[str] | None) -> None:
        self.languages = languages

    def encode(self, texts: Any) -> np.ndarray:
        rows = [
            np.random.default_rng(len(t) * 7919 + sum(map(ord, t))).normal(size=64) for t in texts
        ]
        matrix = np.array(rows, dtype=np.float32).reshape(len(rows), 64)
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@pytest.mark.parametrize(("languages", "found"), [(frozenset({"en"}), True), (None, False)])
def test_a_rewrite_in_a_language_the_model_was_not_trained_on_is_found_among_the_nearest(
    store: Store, tmp_path: Path, languages: frozenset[str] | None, found: bool
) -> None:
    paths = _write(tmp_path / "in", {"filo.txt": FILO, "riscritto.txt": RISCRITTO})
    ids = {Path(r.origin).name: r.id for r in add_sources(store, paths) if r.id}
    weave.Weaver(store, _Unplaced(languages)).weave()  # type: ignore[arg-type]
    filo = set(dedupe.band_keys(dedupe.minhash(FILO.split("\n\n")[1:])))
    riscritto = set(dedupe.band_keys(dedupe.minhash(RISCRITTO.split("\n\n")[1:])))
    assert not filo & riscritto
    origin = story_store.origin_of(store, ids["riscritto.txt"])
    # A multilingual model's cosines are trusted as they are: far apart, so not aligned.
    assert (origin.copy_of == ids["filo.txt"]) is found
    if found:
        assert origin.kind == "rewrite"
