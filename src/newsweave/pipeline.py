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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from newsweave.clean import CleanOptions, clean
from newsweave.dates import now_iso
from newsweave.errors import IngestError
from newsweave.ingest import ingest
from newsweave.metadata import detect_language, infer_source
from newsweave.models import AddResult, Article, RawArticle
from newsweave.settings import IngestOptions
from newsweave.store import Store
from newsweave.summarize import statistics, summarize
from newsweave.text import content_id

log = logging.getLogger(__name__)


def build_article(raw: RawArticle, clean_opts: CleanOptions | None = None) -> Article:
    """Stages 2–4 for one raw article. Raises IngestError when nothing is left to read."""
    cleaned = clean(raw, clean_opts)
    if not cleaned.paragraphs:
        raise IngestError(
            raw.origin, f"nothing left after cleaning ({len(cleaned.removed)} pieces were chrome)"
        )
    return Article(
        id=content_id(raw.title, raw.text),
        origin=raw.origin,
        title=cleaned.title,
        source=infer_source(cleaned),
        url=raw.url,
        published=raw.published,
        language=detect_language(cleaned),
        body=cleaned.paragraphs,
        removed=cleaned.removed,
        summary=summarize(cleaned.paragraphs),
        stats=statistics(cleaned.paragraphs, raw.read_count),
        details=replace(raw.details),
        related_titles=list(raw.related_titles),
    )


def add_sources(
    store: Store,
    sources: Iterable[str],
    opts: IngestOptions | None = None,
    on_result: Callable[[AddResult], None] | None = None,
) -> Iterator[AddResult]:
    """Ingest, clean, summarise and store every article found in `sources`."""
    for source in sources:
        for item in ingest(source, opts):
            result = _add_one(store, item)
            if on_result:
                on_result(result)
            yield result


def _add_one(store: Store, item: RawArticle | IngestError) -> AddResult:
    if isinstance(item, IngestError):
        log.info("skipped %s: %s", item.origin, item.problem, extra={"stage": "ingest"})
        return AddResult(origin=item.origin, status="error", error=str(item))
    try:
        article = build_article(item)
    except IngestError as exc:
        return AddResult(origin=item.origin, status="error", error=str(exc))
    except Exception as exc:  # a cleaning bug on odd input must not end the batch
        log.exception("failed on %s", item.origin)
        message = f"{item.origin}: could not be processed ({type(exc).__name__}: {exc})"
        return AddResult(origin=item.origin, status="error", error=message)
    article.details.added = now_iso()
    status = store.add(article)
    return AddResult(origin=item.origin, status=status, id=article.id, title=article.title)
