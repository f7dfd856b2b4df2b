"""The stages in order, for one raw article:

  1. ingest     (ingest/)       input → RawArticle: text plus the metadata the input carries
  2. clean      (clean.py)      RawArticle → CleanArticle: paragraphs, title, removals
  3. metadata   (metadata.py)   outlet and language
  4. summarize  (summarize.py)  summary and statistics → Article
  5. store      (store/)        Article → SQLite, once per id
  6–8. weave    (weave/)        stored articles → vectors, copies, origin groups and stories

`run` runs them all: `add_sources` (stages 1–5) over many inputs, reporting each result as soon
as it is stored, so anything reported "added" is already committed; then `weave_pending`
(stages 6–8) over every article not yet in a story, one process at a time (the store's
"weave" lease). With a Ray cluster (`cluster=`, cluster.py) stages 1–4 and the embedding
run on the cluster instead of local processes; storing and weaving stay here. Each article is
one transaction at stage 5; weaving commits a batch of articles at a time. A crash leaves an article stored or woven, never half of either.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING

from newsweave.clean import CleanOptions, clean, lacks_article_text
from newsweave.errors import IngestError
from newsweave.ingest import expand, ingest
from newsweave.metadata import detect_language, infer_source_how
from newsweave.models import AddResult, Article, CleanArticle, RawArticle
from newsweave.provenance import title_from_first_sentence
from newsweave.safety import defuse_raw
from newsweave.settings import IngestOptions
from newsweave.store import Store
from newsweave.summarize import statistics, summarize
from newsweave.text import content_id
from newsweave.timestamps import now_iso
from newsweave.weave import Weaver, WeaveReport

if TYPE_CHECKING:
    from newsweave.analyze import Analysis, Analyzer
    from newsweave.brief import Brief, Encode
    from newsweave.cluster import Cluster

log = logging.getLogger(__name__)


def build_article(raw: RawArticle, clean_opts: CleanOptions | None = None) -> Article:
    """Stages 2–4 for one raw article. Raises IngestError when nothing is left to read."""
    # The id stays that of the input as given, so re-adding it still finds the stored copy.
    article_id = content_id(raw.title, raw.text)
    raw = defuse_raw(raw)
    cleaned = clean(raw, clean_opts)
    if not cleaned.paragraphs:
        raise IngestError(
            raw.origin, f"nothing left after cleaning ({len(cleaned.removed)} pieces were chrome)"
        )
    no_text = lacks_article_text(cleaned.title, cleaned.paragraphs)
    if no_text:
        raise IngestError(raw.origin, f"no article text ({no_text})")
    source, found = infer_source_how(cleaned)
    provenance = _provenance(raw, cleaned, found)
    return Article(
        id=article_id,
        origin=raw.origin,
        title=cleaned.title,
        source=source,
        url=raw.url,
        published=raw.published or cleaned.published,
        language=detect_language(cleaned),
        body=cleaned.paragraphs,
        removed=cleaned.removed,
        summary=summarize(cleaned.paragraphs),
        stats=statistics(cleaned.paragraphs, raw.read_count),
        details=replace(raw.details),
        related_titles=list(raw.related_titles),
        provenance=provenance,
        title_from_text=None if cleaned.title else title_from_first_sentence(cleaned.paragraphs),
    )


def _provenance(raw: RawArticle, cleaned: CleanArticle, source_how: str | None) -> dict[str, str]:
    """Where the values the input did not declare come from (see provenance.DESCRIBE)."""
    found = {"source": source_how}
    if not raw.published and cleaned.published:
        found["published"] = "dateline"
    if not cleaned.title and title_from_first_sentence(cleaned.paragraphs):
        found["title"] = "first_sentence"
    return {k: v for k, v in found.items() if v}


def add_sources(
    store: Store,
    sources: Iterable[str],
    opts: IngestOptions | None = None,
    workers: int | None = None,
    cluster: Cluster | None = None,
) -> Iterator[AddResult]:
    """Ingest, clean, summarise and store every article found in `sources`.

    Stages 1–4 run in `workers` processes (default: one per core, at most two) when there are
    enough inputs to pay for starting them, or as tasks on a Ray `cluster`; stage 5 stays in
    this process, the one writer, and results come back in input order.
    """
    opts = opts or IngestOptions()
    units: list[str] = []
    for source in sources:
        for unit in expand(source):
            if isinstance(unit, IngestError):
                yield AddResult(origin=unit.origin, status="error", error=str(unit))
            else:
                units.append(unit)
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    if cluster is not None:
        for outcomes in cluster.process_units(units, opts):
            for outcome in outcomes:
                yield _store(store, outcome)
    elif workers > 1 and len(units) >= _PARALLEL_MIN_UNITS:
        context = multiprocessing.get_context("fork")
        with _loaded_before_fork(), context.Pool(workers) as pool:
            batches = pool.imap(partial(process_unit, opts=opts), units, chunksize=4)
            for outcomes in batches:
                for outcome in outcomes:
                    yield _store(store, outcome)
    else:
        for unit in units:
            for outcome in process_unit(unit, opts):
                yield _store(store, outcome)


# How a caller shows progress: `track(stage, total)` opens a display for one stage (total None:
# unknown) and gives the function told of each step, `advance(count, what)`.
Advance = Callable[[int, str], None]
Track = Callable[[str, int | None], AbstractContextManager[Advance]]


@dataclass
class RunReport:
    """What one `run` did: inputs added, already stored or failed, and the weaving after."""

    added: int = 0
    unchanged: int = 0
    failed: int = 0
    woven: WeaveReport = field(default_factory=WeaveReport)


def run(
    store: Store,
    sources: Iterable[str],
    opts: IngestOptions | None = None,
    on_result: Callable[[AddResult], None] | None = None,
    track: Track | None = None,
    cluster: Cluster | None = None,
) -> RunReport:
    """Every stage: store what `sources` hold (`on_result` is told of each input as it is
    committed), then weave every article not yet in a story; with a Ray `cluster`, stages 1–4
    and the embedding run there."""
    report = RunReport()
    with track("adding", None) if track else nullcontext(None) as advance:
        for result in add_sources(store, sources, opts, cluster=cluster):
            if result.status == "added":
                report.added += 1
            elif result.status == "unchanged":
                report.unchanged += 1
            else:
                report.failed += 1
            if on_result:
                on_result(result)
            if advance:
                advance(1, result.origin)
    report.woven = weave_pending(store, track, cluster=cluster)
    return report


# A weaver renews its lease after every batch; a batch takes seconds with the default model and
# under a minute with the slowest, so a holder that stops renewing for this long is gone.
WEAVE_LEASE_TTL = 180.0


def weave_pending(
    store: Store,
    track: Track | None = None,
    wait: float | None = None,
    cluster: Cluster | None = None,
) -> WeaveReport:
    """Stages 6–8 over every article not yet in a story (those just added, and any a crash
    left), under the store's "weave" lease.

    Processes adding to one store at once (a cron refresh, a manual add, the web server) each
    call this; the lease makes them take turns, and each re-reads what is pending once it holds
    the lease, so an article another process has just woven is not woven again. `wait`: see
    `Store.lease`. With a Ray `cluster`, the embedding runs on its actors (the same batches,
    so the same vectors) and everything else here.
    """
    with store.lease("weave", ttl=WEAVE_LEASE_TTL, wait=wait) as lease:
        pending = store.stories.pending_ids()
        if not pending:
            return WeaveReport()
        with (
            cluster.embedding(store, pending) if cluster else nullcontext((store, None)) as (
                source,
                embedder,
            )
        ):
            # Built inside the lease: its vector index must include what the last holder wove.
            weaver = Weaver(source, embedder)
            if track is None:
                return weaver.weave(pending, progress=lambda n: lease.renew())
            with track("weaving stories", len(pending)) as advance:

                def batch_done(count: int) -> None:
                    lease.renew()
                    advance(count, "")

                return weaver.weave(pending, progress=batch_done)


# Below this many inputs, starting worker processes costs more than it saves.
_PARALLEL_MIN_UNITS = 16


@contextmanager
def _loaded_before_fork() -> Iterator[None]:
    """What every worker uses, loaded before the workers fork so that they share one copy.

    - The language-id model (cleaning reads date lines in the text's language; metadata stores
      it): each worker loading its own cost 0.6 s of CPU (py3langid decompressed its model; now
      it is read unpacked, language_model.py), a third of what ingesting 200 texts cost. Dropped
      from this process once the workers have it, so the weaving that follows does not carry it
      (docs/performance.md, sixth round).
    - ftfy, which text.py imports for the first text that is not ASCII: 44 ms in each worker
      otherwise (`python -X importtime -c "import ftfy"`).
    """
    import ftfy  # noqa: F401
    from py3langid import langid

    from newsweave import language_model

    language_model.load()
    try:
        yield
    finally:
        langid.IDENTIFIER = None  # loaded again on first use here, as before


def process_unit(unit: str, opts: IngestOptions) -> list[Article | AddResult]:
    """Stages 1–4 for one file or URL: its articles, or an error result for each failure."""
    outcomes: list[Article | AddResult] = []
    for item in ingest(unit, opts):
        if isinstance(item, IngestError):
            log.info("skipped %s: %s", item.origin, item.problem, extra={"stage": "ingest"})
            outcomes.append(AddResult(origin=item.origin, status="error", error=str(item)))
            continue
        try:
            outcomes.append(build_article(item))
        except IngestError as exc:
            outcomes.append(AddResult(origin=item.origin, status="error", error=str(exc)))
        except Exception as exc:  # a cleaning bug on odd input must not end the batch
            log.exception("failed on %s", item.origin)
            message = f"{item.origin}: could not be processed ({type(exc).__name__}: {exc})"
            outcomes.append(AddResult(origin=item.origin, status="error", error=message))
    return outcomes


def _store(store: Store, outcome: Article | AddResult) -> AddResult:
    if isinstance(outcome, AddResult):
        return outcome
    outcome.details.added = now_iso()
    status = store.add(outcome)
    return AddResult(origin=outcome.origin, status=status, id=outcome.id, title=outcome.title)


# -- on demand: analysis and the brief ---------------------------------------------------------
# A story's articles are analysed once per analysis version and reference date (cached in
# `article_analysis`); the short texts the brief compares by meaning are embedded once
# (`text_vectors`). The stages themselves (`newsweave.analyze`, `newsweave.brief`) never see
# the store. Imports are local: the CLI's other commands need neither spaCy's rules nor numpy.


def analyze_stored(store: Store, article_id: str, analyzer: Analyzer | None = None) -> Analysis:
    """An article's analysis, computed once per article (and reference date) and kept in the
    store; offsets point into `analysis_text(title, body)`."""
    import json
    from dataclasses import asdict

    from newsweave.analyze import ANALYSIS_VERSION, Analyzer, analysis_from_json, analysis_text
    from newsweave.store.analysis import cached_analysis, put_analysis, reference_date

    ref = reference_date(store, article_id)
    row = cached_analysis(store, article_id)
    if row and row[0] == ANALYSIS_VERSION and row[1] == ref.isoformat():
        return analysis_from_json(json.loads(row[2]))
    article = store.get(article_id)
    result = (analyzer or Analyzer()).analyze(
        analysis_text(article.title, article.body), ref, article.language
    )
    put_analysis(store, article_id, ANALYSIS_VERSION, ref.isoformat(), json.dumps(asdict(result)))
    return result


def analyses_for(
    store: Store, article_ids: list[str], analyzer: Analyzer | None = None
) -> dict[str, Analysis]:
    """Each article's analysis by id, in the order given; the spaCy model is loaded only when
    some article has no cached analysis (a warm brief skips it)."""
    analyzer = analyzer or _lazy_analyzer(store, article_ids)
    return {i: analyze_stored(store, i, analyzer) for i in article_ids}


def _lazy_analyzer(store: Store, ids: list[str]) -> Analyzer | None:
    from newsweave.analyze import ANALYSIS_VERSION, Analyzer
    from newsweave.store.analysis import cached_analysis_key, reference_date

    for article_id in ids:
        row = cached_analysis_key(store, article_id)
        if (
            row is None
            or row[0] != ANALYSIS_VERSION
            or row[1] != reference_date(store, article_id).isoformat()
        ):
            return Analyzer()
    return None


def cached_encoder(store: Store) -> Encode:
    """The embedding model behind the store's `text_vectors` cache: each short text is encoded
    once per model, so a warm brief runs no model at all."""
    import hashlib
    from collections.abc import Sequence

    import numpy as np
    import numpy.typing as npt

    from newsweave.store.analysis import put_text_vectors, text_vectors
    from newsweave.weave.embed import get_embedder, model_name

    def encode(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        name = model_name()
        keys = [hashlib.sha1(f"{name}\0{t}".encode()).hexdigest() for t in texts]
        found = text_vectors(store, keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            fresh = get_embedder().encode([texts[i] for i in missing])
            put_text_vectors(
                store,
                [(keys[i], fresh[n].astype(np.float32).tobytes()) for n, i in enumerate(missing)],
            )
            for n, i in enumerate(missing):
                found[keys[i]] = fresh[n].astype(np.float32).tobytes()
        if not keys:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([np.frombuffer(found[k], dtype=np.float32) for k in keys])

    return encode


def brief_story(
    store: Store, story_id: str, since: str | None = None, analyzer: Analyzer | None = None
) -> Brief:
    """The brief of a stored story (an id, a prefix, or an article id in it): its articles and
    their cached analyses loaded here, the brief built by `newsweave.brief.build_brief`."""
    from newsweave.brief import build_brief
    from newsweave.store.stories import get_story, story_events

    story = get_story(store, story_id)
    articles = [store.get(i) for i in story.articles]
    analyses = analyses_for(store, story.articles, analyzer)
    return build_brief(
        story.id,
        story.title,
        articles,
        analyses,
        since,
        cached_encoder(store),
        story_events(store, story),
    )
