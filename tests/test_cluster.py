"""`--ray`: the same pipeline on a Ray cluster stores exactly what the local path stores.

A real Ray instance runs in this process for the Python API tests (module-scoped: it takes a few
seconds to start), and a real `ray start --head` plus a second node started with
`ray start --address`, both on 127.0.0.1, for the CLI test. Every comparison is of the whole
store, table by table, clock columns aside: ids, texts, vectors, origins, stories.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import shared_path
from feedserver import Doc, FeedServer, article, rss
from newsweave.cli import _ray_args
from newsweave.feeds import RefreshOptions, refresh, subscribe
from newsweave.pipeline import run
from newsweave.settings import FetchOptions
from newsweave.store import Store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "src" / "newsweave" / "demo_corpus"
RAY = Path(sys.executable).with_name("ray")

# What weaving and storing write; columns that hold the wall clock are left out.
TABLES = (
    "articles", "article_signals", "origins", "story_members", "stories", "story_merges",
    "lsh_buckets", "sentence_keys", "term_df", "provenance", "removals", "related_titles",
    "feed_entries",
)  # fmt: skip
CLOCK = {"rowid", "added", "at", "last_read", "seen", "first_seen_at", "fetched_at"}


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("ray is not installed (the 'ray' extra)")
        pytest.skip("ray is not installed")
    return ray


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    _ray()
    from newsweave.cluster import Cluster

    with Cluster(cpus=2) as c:
        yield c


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables weaving and storing write, clock columns aside, sorted."""
    conn = sqlite3.connect(db)
    try:
        found: dict[str, list[tuple[Any, ...]]] = {}
        for table in TABLES:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            kept = [c for c in columns if c not in CLOCK]
            if not kept:
                continue
            rows = conn.execute(f"SELECT {', '.join(kept)} FROM {table}").fetchall()
            found[table] = sorted(rows, key=repr)
        return found
    finally:
        conn.close()


def assert_same_store(local: Path, on_ray: Path) -> None:
    a, b = snapshot(local), snapshot(on_ray)
    assert a["articles"], "nothing was stored"
    assert a["story_members"], "nothing was woven"
    for table in a:
        assert a[table] == b[table], table


def _run(db: Path, sources: list[str], cluster: Any = None) -> None:
    with Store.open(db) as store:
        report = run(store, sources, cluster=cluster)
    assert report.failed == 0 and report.added > 0


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["seeds", "demo"])
def test_ray_run_stores_the_same_ids_and_stories_as_the_local_path(
    tmp_path: Path, cluster: Any, corpus: str
) -> None:
    folder = shared_path("seeds") if corpus == "seeds" else DEMO
    # The local path with worker processes, as `add` runs it on a folder this size.
    _run(tmp_path / "local.db", [str(folder)])
    _run(tmp_path / "ray.db", [str(folder)], cluster)
    assert_same_store(tmp_path / "local.db", tmp_path / "ray.db")


@pytest.mark.slow
def test_ray_run_into_postgresql_stores_what_the_local_path_stores(
    tmp_path: Path, cluster: Any, pg_cluster: Any
) -> None:
    """Ray's results come back in order to the writer on PostgreSQL too: each store is copied
    into a SQLite file (copy-store) and compared row by row."""
    from newsweave.store.transfer import copy_store

    folder = shared_path("seeds")
    local, on_ray = pg_cluster.new_database(), pg_cluster.new_database()
    for url, on in ((local, None), (on_ray, cluster)):
        with Store.open(url) as store:
            report = run(store, [str(folder), str(DEMO)], cluster=on)
        assert report.failed == 0 and report.added > 0
    copy_store(local, tmp_path / "local.db")
    copy_store(on_ray, tmp_path / "ray.db")
    assert_same_store(tmp_path / "local.db", tmp_path / "ray.db")


def _news(i: int) -> str:
    return (
        f"Town {i} opens new library number {i}\n\n"
        f"The town of Vellmark{i} opened its new public library on Monday, mayor Ilsa Tor{i} said.\n\n"
        f"The building cost {i + 2} million crowns and holds {1000 + i} books, the council said.\n\n"
        f"Residents of Vellmark{i} queued for an hour before the doors opened at nine."
    )


@pytest.mark.slow
def test_ray_weaves_many_batches_as_the_local_path_does(tmp_path: Path, cluster: Any) -> None:
    """Past one weaving batch the actors embed the batches ahead while this process weaves:
    still the same vectors, copies and stories."""
    from newsweave.weave.stories import BATCH

    folder = tmp_path / "texts"
    folder.mkdir()
    count = 2 * BATCH + 13
    for i in range(count):
        text = _news(i % 40)
        if i >= 40:  # a copy under another outlet's line, or a rewrite with a new headline
            text = f"By Harbour Wire staff\n\n{text}" if i % 2 else f"Update: {text}"
        (folder / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    _run(tmp_path / "local.db", [str(folder)])
    _run(tmp_path / "ray.db", [str(folder)], cluster)
    assert_same_store(tmp_path / "local.db", tmp_path / "ray.db")
    assert len(snapshot(tmp_path / "ray.db")["story_members"]) == count


@pytest.mark.slow
def test_refresh_on_ray_stores_what_the_local_refresh_stores(tmp_path: Path, cluster: Any) -> None:
    server = FeedServer()
    try:
        items = [
            (f"g{i}", None, *article(_news(i % 5) + ("" if i < 5 else " Later."))) for i in range(8)
        ]
        server.routes["/a.xml"] = Doc(rss(items[:4]))
        server.routes["/b.xml"] = Doc(rss(items[4:]))
        fetch = FetchOptions(allow_private=True, timeout=2.0)
        opts = RefreshOptions(fetch=fetch)
        for name, on in (("local.db", None), ("ray.db", cluster)):
            with Store.open(tmp_path / name) as store:
                for path in ("/a.xml", "/b.xml"):
                    list(subscribe(store, [server.url(path)], fetch_opts=fetch))
                report = refresh(store, opts=opts, now=1_900_000_000.0, cluster=on)
                assert [r.status for r in report.feeds] == ["updated", "updated"]
                assert report.woven.woven == 8
    finally:
        server.close()
    assert_same_store(tmp_path / "local.db", tmp_path / "ray.db")


def test_a_stage_error_on_ray_is_the_one_line_error_of_the_local_path(cluster: Any) -> None:
    from newsweave.errors import IngestError
    from newsweave.models import RawArticle
    from newsweave.pipeline import build_article

    chrome = RawArticle(origin="feed#1", kind="text", text="Advertisement\n\nShare this article")
    with pytest.raises(IngestError) as local:
        build_article(chrome)
    with pytest.raises(IngestError) as on_ray:
        cluster.executor().submit(build_article, chrome).result(timeout=120)
    assert str(on_ray.value) == str(local.value)
    assert on_ray.value.origin == "feed#1" and "\n" not in str(on_ray.value)
    assert cluster.executor().submit(len, "abc").result(timeout=120) == 3


# -- the CLI against a real `ray start --head` and a second node -------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # Ray's workers import newsweave from this checkout, as the test process does.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


def _wait_for_nodes(
    address: str, count: int, env: dict[str, str], started: list[subprocess.Popen[bytes]]
) -> None:
    deadline = time.monotonic() + 120
    probe = (
        "import ray, sys; ray.init(address=sys.argv[1], log_to_driver=False);"
        "print(sum(1 for n in ray.nodes() if n['Alive']))"
    )
    while time.monotonic() < deadline:
        dead = [p.args for p in started if p.poll() is not None]
        assert not dead, f"ray start ended: {dead}"
        try:
            done = subprocess.run(
                [sys.executable, "-c", probe, address],
                env=env, capture_output=True, text=True, timeout=30,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            continue
        if done.returncode == 0 and done.stdout.strip().splitlines()[-1:] == [str(count)]:
            return
        time.sleep(1)
    raise AssertionError(f"the Ray cluster at {address} did not reach {count} nodes")


@pytest.fixture
def head_and_node() -> Iterator[str]:
    """`ray start --head` and `ray start --address` on 127.0.0.1, one CPU each, stopped by PID."""
    _ray()
    port = _free_port()
    address = f"127.0.0.1:{port}"
    # The head makes the cluster's token (Ray's default); the node and the command read it.
    joined = _env(RAY_AUTH_MODE="token")
    common = [
        "--block",
        "--node-ip-address",
        "127.0.0.1",
        "--num-cpus",
        "1",
        "--disable-usage-stats",
    ]
    started: list[subprocess.Popen[bytes]] = []
    # Ray's socket paths must stay under the 107 bytes a Unix socket name may have.
    temp = Path(tempfile.mkdtemp(prefix="nw-ray-"))
    try:
        started.append(
            subprocess.Popen(
                [
                    str(RAY),
                    "start",
                    "--head",
                    "--port",
                    str(port),
                    "--include-dashboard",
                    "false",
                    "--temp-dir",
                    str(temp),
                    *common,
                ],
                env=_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait_for_nodes(address, 1, joined, started)
        started.append(
            subprocess.Popen(
                [str(RAY), "start", "--address", address, *common],
                env=joined,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait_for_nodes(address, 2, joined, started)
        yield address
    finally:
        for process in reversed(started):
            process.terminate()  # `ray start --block` stops what it started on SIGTERM
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(temp, ignore_errors=True)


def _newsweave(db: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsweave", "--db", str(db), *args],
        env=env, capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip


@pytest.mark.slow
def test_cli_add_on_a_two_node_cluster_stores_what_the_local_add_stores(
    tmp_path: Path, head_and_node: str
) -> None:
    seeds = str(shared_path("seeds"))
    # A relative path: tasks run in the command's directory, so origins are stored as given.
    demo = str(DEMO.relative_to(ROOT))
    env = _env(RAY_AUTH_MODE="token")
    local = _newsweave(tmp_path / "local.db", "add", seeds, demo, env=env)
    assert local.returncode == 0, local.stderr
    # Each node has one CPU: the second embedding actor can only run on the second node.
    on_ray = _newsweave(tmp_path / "ray.db", "add", "--ray", head_and_node, seeds, demo, env=env)
    assert on_ray.returncode == 0, on_ray.stderr
    assert on_ray.stdout == local.stdout
    assert on_ray.stderr == ""
    assert_same_store(tmp_path / "local.db", tmp_path / "ray.db")


@pytest.mark.slow
def test_cli_bare_ray_runs_a_local_instance_and_stores_what_the_local_add_stores(
    tmp_path: Path,
) -> None:
    _ray()
    env = _env(NEWSWEAVE_RAY_CPUS="2")
    local = _newsweave(tmp_path / "local.db", "add", str(DEMO), env=env)
    # The folder right after a bare --ray is an input, not an address.
    on_ray = _newsweave(tmp_path / "ray.db", "add", "--ray", str(DEMO), env=env)
    assert on_ray.returncode == local.returncode == 0, on_ray.stderr
    assert on_ray.stdout == local.stdout and on_ray.stderr == ""
    assert_same_store(tmp_path / "local.db", tmp_path / "ray.db")


def test_cli_add_to_an_address_with_no_cluster_is_a_one_line_error(tmp_path: Path) -> None:
    _ray()
    db = tmp_path / "x.db"
    done = _newsweave(db, "add", "--ray", f"127.0.0.1:{_free_port()}", str(DEMO), env=_env())
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--ray 127.0.0.1:" in lines[0], done.stderr
    assert "no Ray cluster answers there" in lines[0]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("given", "parsed"),
    [
        (["add", "--ray", "a.txt"], ["add", "--ray=local", "a.txt"]),
        (["add", "--ray", "127.0.0.1:6379", "a"], ["add", "--ray=127.0.0.1:6379", "a"]),
        (["add", "--ray", "auto", "a"], ["add", "--ray=auto", "a"]),
        (["add", "a", "--ray"], ["add", "a", "--ray=local"]),
        (["add", "--ray=head:1", "a"], ["add", "--ray=head:1", "a"]),
        (
            ["add", "--ray", "https://x.test/feed", "a"],
            ["add", "--ray=local", "https://x.test/feed", "a"],
        ),
        (["add", "--", "--ray"], ["add", "--", "--ray"]),
    ],
)
def test_bare_ray_flag_takes_an_address_only_when_the_next_word_is_one(
    given: list[str], parsed: list[str]
) -> None:
    assert _ray_args(given) == parsed


def test_an_existing_file_named_like_an_address_stays_an_input(tmp_path: Path) -> None:
    (tmp_path / "auto").write_text("x")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert _ray_args(["add", "--ray", "auto"]) == ["add", "--ray=local", "auto"]
    finally:
        os.chdir(cwd)
