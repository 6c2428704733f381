"""The page pipeline, Scrapy-free: what happens to a fetched or archived page, in three stages that the
crawl's item pipelines (crawler/pipelines.py) and the offline runs (archive/offline.py: ingest,
reextract) both drive, so each judgement is written once.

- ExtractStage: extraction and dedup fingerprint (core.worker) in a pool of worker processes.
- TopicStage: keeps article pages whose clean title or text is on topic (core.topic).
- CorpusStage: dedup decision (core.decision over dedup.Deduplicator) and batched writes
  (storage.corpus), together.

Every page ends with an ``outcome`` recorded in the corpus's ``pages`` table and in the run's stats.
Each stage reads the crawl's settings (crawler/settings.py; Scrapy's Settings or a plain mapping) and
counts into a stats collector (``inc_value``).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
import weakref
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from core.decision import claimed_url, decide, new_is_original
from core.topic import compile_terms, on_topic
from core.urls import site_of
from core.worker import (
    ExtractTimeout,
    WorkerPool,
    analyse_page,
    limit_malloc_caching,
    start_worker,
    stop_pool,
    trim_every_so_many_pages,
    worker_ready,
)
from storage.context import RunContext

logger = logging.getLogger(__name__)

NO_TOPIC_TERM = "no_topic_term"  # the outcome of a page the prefilter let go: its HTML names no topic term
PAGES_HANDED_PER_WORKER = 2  # the page a worker works on and the next, waiting in the pool's queue


class ExtractStage:
    """Runs extraction off the event loop, in EXTRACT_WORKERS processes (0: in the run's own process).

    A page gets EXTRACT_TIMEOUT seconds in a worker. A worker still busy after that cannot be told to
    stop, so its pool is killed and a new one started: the page ends as an ``error`` counted
    ``extract_timeout``, and the other pages that were in the killed pool are handed to the new one.
    A pool whose worker died by itself (a crash, the OOM killer) is replaced too; its pages get one
    more try, and a page whose pool dies under it twice is counted ``extraction_worker``. With a topic
    ``prefilter`` (the ingest sets one; the crawl learns site chrome from every page), a worker first
    checks that the page's HTML can name a topic term at all, and a page that cannot ends unextracted
    as ``no_topic_term``, counted off topic. Each worker
    has one page waiting besides the one it works on, so that it starts the next as soon as it is done;
    a page's time starts when a worker is free for it, so its time is its own, not a queue's. A worker
    leaves after EXTRACT_WORKER_PAGES pages and a fresh one takes its place (its memory grows with the
    pages it has seen); the pool goes on meanwhile, no page is lost or judged twice.
    """

    def __init__(self, settings, stats):
        self.stats = stats
        workers = settings.get("EXTRACT_WORKERS")
        self.workers = (os.cpu_count() or 1) if workers in (None, "") else int(workers)
        self.timeout = float(settings.get("EXTRACT_TIMEOUT") or 0) or None
        self.pages_per_worker = int(settings.get("EXTRACT_WORKER_PAGES") or 0) or None
        self.prefilter = None  # core.topic.compile_prefilter's, for an ingest: set before open()
        self.pool = None
        self.pool_ready = None  # the new pool's workers have all started (a future; None: not asked yet)
        self.killed = weakref.WeakSet()  # pools killed for a page's time limit: their other pages go on
        limit_malloc_caching()

    def open(self, context: RunContext) -> None:
        self.context = context
        if self.workers > 0:
            self.handed = asyncio.Semaphore(self.workers * PAGES_HANDED_PER_WORKER)  # pages in the pool
            self.running = asyncio.Semaphore(self.workers)  # pages whose time runs: one per worker
            self.pool = self.new_pool()

    def new_pool(self) -> ProcessPoolExecutor:
        # forkserver: workers start from a clean server process, not a copy of the reactor's threads.
        # Nothing is preloaded there: each worker imports the extractor itself. A preloading server holds a
        # ~100 MB copy of the modules all crawl long to share it with the workers: measured, the same PSS
        # (~395 MB for the tree) and ~45 MB more RSS summed over the processes.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([])
        self.pool_ready = None
        pool = WorkerPool(
            self.workers,
            mp_context=context,
            initializer=start_worker,
            initargs=(os.getpid(), context.Barrier(self.workers)),
            max_tasks_per_child=self.pages_per_worker,
        )
        # The workers start now (each imports and warms up the extractor, ~0.5 s of CPU), while the crawl
        # or the ingest is still setting up, rather than when the first page comes.
        self.workers_started = [pool.submit(worker_ready) for _ in range(self.workers)]
        return pool

    def replace_pool(self, pool: ProcessPoolExecutor) -> None:
        """Kill ``pool`` (all its workers) and start a new one, unless another page did so already."""
        if pool is self.pool:
            stop_pool(pool)
            self.pool = self.new_pool()

    async def process_item(self, item):
        site = site_of(item.url)
        args = (
            item.body,
            item.url,
            item.content_type,
            item.hints,
            self.context.chrome.chrome_for(site),
            self.context.dedup.config,
            self.prefilter,
        )
        item.body = b""  # the worker has it; do not keep it in memory through the other pipelines
        try:
            if self.pool is None:
                item.page, item.fingerprint, seconds = analyse_page(*args)
                seconds.pop("worker_idle")  # this process does more than extract
            else:
                item.page, item.fingerprint, seconds = await self.in_worker(args, item.url)
                trim_every_so_many_pages()  # the body and its pickled copy were freed here too
        except ExtractTimeout:
            logger.warning(
                "extraction of %s took more than EXTRACT_TIMEOUT=%ss: its workers were killed", item.url, self.timeout
            )
            return self.failed(item, "extract_timeout")
        except BrokenProcessPool:
            logger.error("extraction workers died twice under %s; it is given up", item.url)
            return self.failed(item, "extraction_worker")
        except Exception as error:  # a broken page never stops the crawl
            logger.warning("extraction failed on %s: %s", item.url, repr(error)[:200])
            return self.failed(item, "extraction")
        for stage, spent in seconds.items():
            self.stats.inc_value(f"deepseek/seconds/{stage}", spent)
        if item.page is None:  # the prefilter's: its HTML names no topic term
            item.outcome = NO_TOPIC_TERM
            self.stats.inc_value(f"deepseek/off_topic/{NO_TOPIC_TERM}")
            return item
        self.context.chrome.observe(site, item.page.get("block_hashes") or ())
        return item

    async def in_worker(self, args: tuple, url: str):
        """analyse_page(*args) in a worker, within the time limit; raises ExtractTimeout past it, and
        BrokenProcessPool when the page's pool died by itself twice."""
        async with self.handed:
            deaths = 0
            while True:
                pool = self.pool
                if self.pool_ready is None:  # a page's time starts once the workers are up, not at pool start
                    self.pool_ready = asyncio.gather(*map(asyncio.wrap_future, self.workers_started))
                try:
                    await asyncio.shield(self.pool_ready)
                    if pool is not self.pool:  # replaced meanwhile
                        continue
                    result = asyncio.wrap_future(pool.submit(analyse_page, *args))
                    # The pool hands pages to its workers in the order they came, as the semaphore lets
                    # them run: a page gets a slot when the page ahead of it is done, as it gets a worker.
                    async with self.running:
                        done, _ = await asyncio.wait({result}, timeout=self.timeout)
                    if not done:
                        result.cancel()
                        if pool is self.pool:
                            self.killed.add(pool)
                            self.replace_pool(pool)
                        raise ExtractTimeout(url)
                    return result.result()
                except BrokenProcessPool:
                    if pool not in self.killed:  # a worker died by itself
                        self.replace_pool(pool)
                        deaths += 1
                        if deaths == 2:
                            raise
                    logger.info("extraction of %s goes to a new worker pool", url)
                    self.stats.inc_value("deepseek/extraction_retried")

    def failed(self, item, kind: str):
        item.outcome = "error"
        self.stats.inc_value(f"deepseek/errors/{kind}")
        return item

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


class TopicStage:
    """Sets the outcome of pages that hold no article or are off topic."""

    def __init__(self, stats):
        self.stats = stats

    def open(self, keywords) -> None:
        self.pattern = compile_terms(keywords)

    def process_item(self, item):
        if item.outcome is not None:
            return item
        page = item.page
        if not page.get("text"):
            item.outcome = "not_article"
            self.stats.inc_value(f"deepseek/not_article/{page.get('reason') or 'no_text'}")
        elif not on_topic(self.pattern, page.get("title"), page["text"]):
            item.outcome = "off_topic"
            self.stats.inc_value("deepseek/off_topic")
        return item


class CorpusStage:
    """Drops duplicates (exact and near) and stores the rest, both in the run's one corpus writer."""

    def __init__(self, settings, stats):
        self.stats = stats
        self.translations = settings.get("TRANSLATIONS")
        self.main_language = settings.get("MAIN_LANGUAGE")

    def open(self, context: RunContext) -> None:
        self.context = context

    def process_item(self, item):
        if self.context.corpus.is_finished(item.url):
            # fetched twice (a request replayed after a crash, or a URL variant): the first one counts
            return {"url": item.url, "outcome": "finished_earlier"}
        started = time.perf_counter()  # process_time is a slow call in a process with many threads
        if item.outcome is None:
            item.outcome = self.keep_or_drop(item)
        for url in [item.url, *item.aliases]:
            self.context.corpus.mark_page(url, item.outcome)
        self.stats.inc_value("deepseek/seconds/dedup_and_store", time.perf_counter() - started)
        return {"url": item.url, "outcome": item.outcome, "title": (item.page or {}).get("title")}

    def keep_or_drop(self, item) -> str:
        """Ask the dedup index, let ``core.decision.decide`` judge, and apply its decision."""
        page, fingerprint = item.page, item.fingerprint
        corpus, writer, index = self.context.corpus, self.context.corpus.writer, self.context.dedup.index
        claimed = claimed_url(item.url, page.get("canonical_url"))
        with self.context.dedup.lock:
            match = index.find(fingerprint)
            translation = None if match is not None else index.find_translation(fingerprint, page.get("language"))
            decision = decide(item.url, claimed, claimed in index, match, translation, self.translations)
            claimer = writer.claimed_from(claimed) if decision.displaces else None
            if decision.displaces and (
                claimer is None or not index.rename(claimed, claimer, writer.content_hash_of(claimed))
            ):
                logger.warning(
                    "%s: its URL holds another text and cannot be given back; left for a later run", item.url
                )
                self.stats.inc_value("deepseek/errors/canonical_conflict")
                return "error"
            if decision.indexes:
                index.add(decision.url, fingerprint)
        if decision.action == "stored_elsewhere":  # its text is kept under its URL already: by a page that
            # claimed the URL as canonical in this corpus, or by another process sharing the index
            return "stored" if writer.article_meta(item.url) else "stored_elsewhere"
        if claimer is not None:  # the page that claimed this URL gets its own back
            writer.move_article(claimed, claimer)
            corpus.mark_page(claimer, "stored")
            self.stats.inc_value("deepseek/canonical_given_back")
        if decision.action == "duplicate":
            return self.drop(item, decision.url, decision.similarity, decision.kind)
        url = decision.url
        writer.add_article(
            {
                "url": url,
                "title": page.get("title"),
                "text": page["text"],
                "language": page.get("language"),
                "published": page.get("published"),
                "author": page.get("author"),
                "site": site_of(url),
                "site_name": page.get("site_name"),
                "description": page.get("description"),
                "source": page.get("source"),
                "fetched_at": item.fetched_at,
                "content_hash": fingerprint.content_hash.hex(),
            },
            (url, fingerprint.to_bytes()),
        )
        self.stats.inc_value("deepseek/stored")
        if decision.translation_of is not None:
            self.link_translation(url, page, decision.translation_of, decision.translation_score)
        if url != item.url:  # stored under the URL it claims: the fetched URL is a copy of it
            return self.drop(item, url, 1.0, "exact")
        return "stored"

    def link_translation(self, url: str, page: dict, kept_url: str, score: float) -> None:
        """Link a new article and the kept one it translates (or that translates it), original first."""
        other = self.context.corpus.writer.article_meta(kept_url) or {}
        if new_is_original(page, other, self.main_language):
            article, original = kept_url, url
        else:
            article, original = url, kept_url
        self.context.corpus.writer.add_translation(article, original, round(score, 4), "anchors+alignment")
        self.stats.inc_value("deepseek/translations_linked")

    def drop(self, item, kept_url: str, similarity: float, kind: str) -> str:
        """Record the page as a removed copy of the article stored under ``kept_url``."""
        self.context.corpus.writer.add_duplicate(
            {
                "url": item.url,
                "duplicate_of_url": kept_url,
                "similarity": round(similarity, 4),
                "kind": kind,
                "title": item.page.get("title"),
                "language": item.page.get("language"),
                "fetched_at": item.fetched_at,
            }
        )
        self.stats.inc_value(f"deepseek/duplicates/{kind}")
        return "duplicate"
