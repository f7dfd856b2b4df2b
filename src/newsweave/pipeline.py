"""The stages in order, for one raw article:

  1. ingest     (ingest.py)     input → RawArticle: text plus the metadata the input carries
  2. clean      (clean.py)      RawArticle → CleanArticle: paragraphs, title, removals
  3. metadata   (metadata.py)   outlet and language
  4. summarize  (summarize.py)  summary and statistics → Article
  5. store      (store/)        Article → SQLite, once per id

`add_sources` runs them over many inputs, reporting each result as soon as it is stored, so
anything reported "added" is already committed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import partial

from newsweave.clean import CleanOptions, clean
from newsweave.dates import now_iso
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
) -> Iterator[AddResult]:
    """Ingest, clean, summarise and store every article found in `sources`.

    Stages 1–4 run in `workers` processes (default: one per core, at most two) when there are
    enough inputs to pay for starting them; stage 5 stays in this process, the one writer,
    and results come back in input order.
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
    if workers > 1 and len(units) >= _PARALLEL_MIN_UNITS:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            batches = pool.imap(partial(process_unit, opts=opts), units, chunksize=4)
            for outcomes in batches:
                for outcome in outcomes:
                    yield _store(store, outcome)
    else:
        for unit in units:
            for outcome in process_unit(unit, opts):
                yield _store(store, outcome)


# Below this many inputs, starting worker processes costs more than it saves.
_PARALLEL_MIN_UNITS = 16


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
