"""Ray: the pipeline's pure stages on a cluster, the store and the weaving in this process.

`Cluster` is a different executor for the functions of pipeline.py, not another pipeline:

- stages 1–4 (`process_unit` for `add`, `build_article` for `refresh`) run as Ray tasks, one
  per input, a bounded number in flight, and their results come back in input order;
- the embedding of stage 6 runs on `EmbedWorker` actors, the model loaded once per actor. The
  actors get the same batches of texts the weaver embeds without Ray, one batch to an actor, so
  every vector is the one the local path computes; the batches ahead of the one being woven
  are read and sent to the actors as the weaver asks for its articles (`embedding`), so every
  actor is busy while this process weaves;
- storing (stage 5) and weaving (stages 6–8) stay in this process, the one writer, exactly as
  without Ray.

Tasks receive what the local path's worker processes receive (a file path or URL, or a raw
article): a file path must therefore be readable at the same path on every node (a shared
filesystem), while URLs are fetched by whichever node runs the task.

Ray is an optional extra (`pip install 'newsweave[ray]'`), imported only here and only when a
`Cluster` is opened.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import re
import shutil
import socket
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from newsweave.errors import NewsweaveError
from newsweave.models import AddResult, Article
from newsweave.settings import IngestOptions

if TYPE_CHECKING:
    from newsweave.weave.storage import HasStories, StoryStorage

log = logging.getLogger(__name__)

# `--ray` with no address: start a Ray instance inside this command, stopped when it ends.
LOCAL = "local"
# A Ray instance this process starts keeps its shared-memory object store small: what travels
# through it is article text and vectors, a few megabytes at a time.
LOCAL_OBJECT_STORE_BYTES = 256 * 2**20
# Tasks in flight per CPU: enough to keep every worker busy while results are stored in order.
IN_FLIGHT_PER_CPU = 4
CPUS_ENV = "NEWSWEAVE_RAY_CPUS"

_ADDRESS = re.compile(r"^(?:auto|local|ray://\S+|[\w.\-]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5})$")

T = TypeVar("T")


def looks_like_address(token: str) -> bool:
    """Whether a word after a bare `--ray` is its address (`auto`, `local`, `host:port`,
    `ray://…`) rather than the first input; an existing file of that name is an input."""
    return bool(_ADDRESS.match(token)) and not Path(token).exists()


class Cluster:
    """A connection to Ray for one command: `with Cluster(address) as cluster: ...`.

    `address` None or "local": start a Ray instance here with `cpus` CPUs (default
    `$NEWSWEAVE_RAY_CPUS`, else one per core) and stop it on exit; otherwise connect to a
    running cluster (`auto`, `host:port` of a `ray start --head`, or `ray://host:port`) and
    only disconnect on exit.
    """

    def __init__(self, address: str | None = None, cpus: int | None = None) -> None:
        self.address = None if address in (None, LOCAL) else address
        self.cpus = cpus
        self._ray: Any = None
        self._temp: str | None = None

    # - connection -

    def __enter__(self) -> Cluster:
        try:
            import ray
        except ImportError as exc:
            raise NewsweaveError(
                "--ray needs Ray, an optional extra: pip install 'newsweave[ray]'"
            ) from exc
        self._ray = ray
        # Ray warns through `logging` about its defaults (token authentication, for one):
        # notes for an operator, not for the command's output; -v still shows them.
        if not log.isEnabledFor(logging.INFO):
            logging.getLogger("ray").setLevel(logging.ERROR)
        options: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "logging_level": logging.ERROR,
            "configure_logging": False,
        }
        if self.address is None:
            cpus = self.cpus or _env_cpus() or os.cpu_count() or 1
            options.update(
                # "local": a new instance even when $RAY_ADDRESS names a running cluster.
                address="local",
                num_cpus=cpus,
                object_store_memory=LOCAL_OBJECT_STORE_BYTES,
                _temp_dir=self._make_temp(),
            )
        else:
            _check_reachable(self.address)
            options["address"] = self.address
        try:
            ray.init(**options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = self.address or "a local instance"
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise NewsweaveError(f"--ray {where}: cannot connect to Ray ({first})") from exc
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._ray is not None and self._ray.is_initialized():
            self._ray.shutdown()
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)  # the instance's logs and sockets
            self._temp = None

    def _make_temp(self) -> str:
        self._temp = tempfile.mkdtemp(prefix="newsweave-ray-")
        return self._temp

    @property
    def total_cpus(self) -> int:
        """CPUs the cluster has, all nodes together (at least one)."""
        return max(1, int(self._ray.cluster_resources().get("CPU", 1)))

    # - stages 1–4 -

    def map_ordered(self, fn: Callable[..., T], items: Iterable[Any], *args: Any) -> Iterator[T]:
        """`fn(item, *args)` for every item as Ray tasks, yielded in the items' order, with at
        most a few tasks per CPU in flight (so a large import never sits in memory whole)."""
        ray = self._ray
        remote = ray.remote(num_cpus=1, max_retries=0)(_run_in)
        shared = [ray.put(a) for a in args]
        limit = IN_FLIGHT_PER_CPU * self.total_cpus
        cwd = str(Path.cwd())
        waiting: deque[Any] = deque()
        for item in items:
            waiting.append(remote.remote(cwd, fn, item, *shared))
            if len(waiting) >= limit:
                yield ray.get(waiting.popleft())
        while waiting:
            yield ray.get(waiting.popleft())

    def process_units(
        self, units: Sequence[str], opts: IngestOptions
    ) -> Iterator[list[Article | AddResult]]:
        """`pipeline.process_unit` for every unit on the cluster, in order."""
        from newsweave.pipeline import process_unit

        return self.map_ordered(process_unit, units, opts)

    def executor(self) -> concurrent.futures.Executor:
        """An executor whose `submit(fn, *args)` runs `fn` as a Ray task (for asyncio's
        `run_in_executor`, as refresh uses)."""
        return _TaskExecutor(self._ray)

    # - stage 6: embedding -

    def embedder(self, workers: int | None = None) -> RayEmbedder:
        """An `Embedder` backed by `workers` actors (default: one per CPU of the cluster not
        taken by another command's actors, at least one)."""
        from newsweave.weave.embed import model_name

        free = int(self._ray.available_resources().get("CPU", 0))
        return RayEmbedder(self._ray, workers or max(1, free), model_name())

    @contextlib.contextmanager
    def embedding(
        self, store: HasStories, pending: Sequence[str]
    ) -> Iterator[tuple[HasStories, RayEmbedder]]:
        """What `Weaver(source, embedder)` takes to weave `pending` with its embedding on the
        actors, a few batches ahead; the actors are freed on exit."""
        embedder = self.embedder()
        try:
            yield _ReadingAhead(store, pending, embedder, ahead=len(embedder.actors)), embedder
        finally:
            embedder.close()


class _TaskExecutor(concurrent.futures.Executor):
    def __init__(self, ray: Any) -> None:
        self._ray = ray
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_captured)

    def submit(
        self, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[T]:
        outer: concurrent.futures.Future[T] = concurrent.futures.Future()

        def settle(inner: concurrent.futures.Future[tuple[bool, Any]]) -> None:
            try:
                ok, value = inner.result()
            except BaseException as exc:  # Ray itself failed: a worker died, a node went
                outer.set_exception(exc)
                return
            if ok:
                outer.set_result(value)
            else:
                outer.set_exception(_rebuilt(value))

        self._remote.remote(fn, *args, **kwargs).future().add_done_callback(settle)
        return outer


class EmbedWorker:
    """One Ray actor: the embedding model, loaded once, encoding whole batches."""

    def __init__(self, model: str, threads: int) -> None:
        # Each actor has one CPU of the cluster: the model's own threads are kept to it.
        os.environ["NEWSWEAVE_ONNX_THREADS"] = str(threads)
        from newsweave.weave.embed import get_embedder

        self._embedder = get_embedder(model)

    def describe(self) -> tuple[str, int, float, frozenset[str] | None]:
        e = self._embedder
        return e.name, e.dim, e.unrelated, e.languages

    def encode(self, texts: list[str]) -> Any:
        return self._embedder.encode(texts)


class RayEmbedder:
    """The `Embedder` the weaver uses with `--ray`: each batch goes whole to the next actor in
    turn. `submit` starts a batch before the weaver asks for it; `encode` collects it then (or
    runs it at once if it was not submitted)."""

    def __init__(self, ray: Any, workers: int, model: str) -> None:
        self._ray = ray
        actor = ray.remote(num_cpus=1, max_restarts=0)(EmbedWorker)
        self.actors = [actor.remote(model, 1) for _ in range(max(1, workers))]
        self._turn = 0
        self._started: dict[tuple[str, ...], Any] = {}
        # `submit` runs on the weaver's thread, `encode` on its embedding thread.
        self._lock = threading.Lock()
        self.name, self.dim, self.unrelated, self.languages = ray.get(
            self.actors[0].describe.remote()
        )

    def submit(self, texts: Sequence[str]) -> None:
        key = tuple(texts)
        with self._lock:
            if key and key not in self._started:
                self._started[key] = self._send(key)

    def _send(self, texts: tuple[str, ...]) -> Any:
        actor = self.actors[self._turn % len(self.actors)]
        self._turn += 1
        return actor.encode.remote(list(texts))

    def encode(self, texts: Sequence[str]) -> Any:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        key = tuple(texts)
        with self._lock:
            ref = self._started.pop(key, None)
            if ref is None:
                ref = self._send(key)
        return np.asarray(self._ray.get(ref), dtype=np.float32)

    def close(self) -> None:
        """Free the actors' CPUs (the cluster may be shared with other commands)."""
        for actor in self.actors:
            self._ray.kill(actor)
        self.actors = []
        self._started.clear()


class _ReadingAhead:
    """The store as the weaver sees it, except that asking for an article of a pending batch
    also reads the next `ahead` batches and sends their texts to the actors. Those articles are
    kept until the weaver asks for them, so nothing is read twice."""

    def __init__(
        self, store: HasStories, pending: Sequence[str], embedder: RayEmbedder, ahead: int
    ) -> None:
        self.stories = _AheadStorage(store.stories, pending, embedder, ahead)


class _AheadStorage:
    def __init__(
        self, storage: StoryStorage, pending: Sequence[str], embedder: RayEmbedder, ahead: int
    ) -> None:
        from newsweave.weave.stories import BATCH

        self._storage = storage
        # The weaver's own batches: the same texts together, so the same vectors.
        self._batches = [list(pending[i : i + BATCH]) for i in range(0, len(pending), BATCH)]
        self._batch_of = {a: n for n, batch in enumerate(self._batches) for a in batch}
        self._read: dict[str, Article] = {}
        self._sent = 0
        self._embedder = embedder
        self._ahead = ahead

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage, name)

    def article(self, article_id: str) -> Article:
        from newsweave.weave.embed import article_text

        batch = self._batch_of.get(article_id)
        if batch is not None:
            last = min(batch + self._ahead, len(self._batches) - 1)
            while self._sent <= last:
                ids = self._batches[self._sent]
                articles = [self._storage.article(i) for i in ids]
                self._read.update(zip(ids, articles, strict=True))
                self._embedder.submit([article_text(a.title, a.body) for a in articles])
                self._sent += 1
        found = self._read.pop(article_id, None)
        return found if found is not None else self._storage.article(article_id)


def _captured(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """`fn`'s result, or what it raised in a form that survives pickling: Ray would wrap an
    exception in its own type, with the remote traceback in its message, and `IngestError`
    does not unpickle by itself. The caller sees the one-line error the local path shows."""
    from newsweave.errors import IngestError

    try:
        return True, fn(*args, **kwargs)
    except IngestError as exc:
        return False, ("ingest", exc.origin, exc.problem)
    except Exception as exc:
        return False, (type(exc).__name__, str(exc), "")


class RemoteError(Exception):
    """An exception raised by a stage on the cluster, under the name it had there."""


def _rebuilt(value: tuple[str, str, str]) -> Exception:
    from newsweave.errors import IngestError

    kind, first, second = value
    if kind == "ingest":
        return IngestError(first, second)
    error: Exception = type(kind, (RemoteError,), {})(first)
    return error


def _run_in(cwd: str, fn: Callable[..., T], item: Any, *args: Any) -> T:
    """`fn(item, *args)` in the command's working directory, so a relative path names the
    same file on a node as in the command, and is stored with the same origin."""
    with contextlib.suppress(OSError):  # a node without that folder: absolute paths still work
        os.chdir(cwd)
    return fn(item, *args)


def _env_cpus() -> int | None:
    value = os.environ.get(CPUS_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _check_reachable(address: str) -> None:
    """Fail at once, in one line, on a host:port nothing listens on (Ray itself would retry
    for a minute before giving up)."""
    target = address.removeprefix("ray://")
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto": Ray finds the address itself, and fails quickly when there is none
    host = host.strip("[]") or "127.0.0.1"
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise NewsweaveError(
            f"--ray {address}: no Ray cluster answers there ({exc.strerror or exc}); start one"
            " with `ray start --head`, or give no address to run Ray locally"
        ) from None
