"""The crawl's shared state, opened once per crawl: the corpus writer, the dedup index, the site-chrome
memory and the set of pages finished by earlier runs.

Spider and pipelines reach it through ``CrawlContext.of(crawler)``, so the dedup decision, the SQLite
writes and the learned site chrome live in one place and one process, and are saved together.

A write the corpus refuses (disk full, read-only, corrupt) stops the crawl: one error line names the
cause, nothing more is written, the run is closed as ``corpus_write_failed`` with the stats of what
is on disk, and the next run fetches the pages of the unwritten batches again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
from pathlib import Path

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from core.chrome import SiteChrome
from core.urls import url_key
from dedup import DedupConfig, Deduplicator
from dedup.fingerprint import FORMAT_MAGIC
from storage.corpus import TERMINAL_OUTCOMES, WRITE_FAILED, CorpusWriteError, CorpusWriter, refresh_fingerprints

logger = logging.getLogger(__name__)


def shared_lock(redis_url: str | None):
    """The lock that makes "is it a duplicate? then keep it" one step for every process sharing a Redis
    dedup index (without it two processes could each keep one copy of a story); no lock otherwise."""
    if not redis_url:
        return contextlib.nullcontext()
    import redis

    return redis.Redis.from_url(redis_url).lock("deepseek_news:dedup-lock", timeout=30, blocking_timeout=60)


def shard_name(corpus_db: str) -> str:
    """The name a corpus shard indexes under in a shared dedup index: host and absolute path."""
    return f"{socket.gethostname()}:{os.path.realpath(corpus_db)}"


class CrawlContext:
    """The shared state of one crawl, kept in its corpus file: the corpus writer, the dedup index and
    its lock, the learned site chrome, the pages finished by earlier runs and the crash recovery.
    Every component reaches it through ``CrawlContext.of(crawler)``."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.write_failure: CorpusWriteError | None = None
        self.writer = CorpusWriter(settings.get("CORPUS_DB"), batch_size=settings.getint("CORPUS_BATCH_SIZE"))
        try:
            self.load(settings)
        except BaseException:
            with contextlib.suppress(Exception):
                self.writer.close()
            raise
        self.writer.on_failure = self.write_failed
        crawler.signals.connect(self.close, signal=signals.spider_closed)
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)
        logger.info(
            "corpus %s: %d pages finished by earlier runs", settings.get("CORPUS_DB"), len(self.finished)
        )

    def load(self, settings) -> None:
        """The dedup index, the learned chrome and the finished pages, from the corpus."""
        dedup_settings = settings.copy_to_dict()
        if settings.get("REDIS_URL") and not settings.get("DEDUP_REDIS_URL"):
            dedup_settings["DEDUP_REDIS_URL"] = settings.get("REDIS_URL")  # processes sharing a queue share the index
        self.dedup_config = DedupConfig.from_settings(dedup_settings)
        self.dedup = Deduplicator(self.dedup_config)
        self.load_dedup_index(settings.get("CORPUS_DB"))
        self.dedup_lock = shared_lock(settings.get("REDIS_URL"))
        self.chrome = SiteChrome()
        self.chrome.load(self.writer.chrome_rows())
        self.finished = {url_key(url) for url in self.writer.finished_urls()}
        self.run_id = None
        self.taken = None  # the requests taken from a shared queue (crawler.scaleout.ShardScheduler)
        self.finished_in_batch: list[str] = []  # their pages, finished since the writer's last commit
        self.commits_seen = 0
        self.pages_since_save = 0
        self.chrome_save_every = settings.getint("CHROME_SAVE_EVERY")  # the default is in crawler/settings.py
        if self.writer.last_run_unfinished():
            self.recover_from_crash(settings.get("JOBDIR"))

    def load_dedup_index(self, corpus_db: str) -> None:
        """Index the stored articles. A shared (Redis) index also forgets what this shard indexed in a
        run killed before it stored it: otherwise those stories would be nowhere, and every later copy
        a duplicate of a missing article. Fingerprints of an older format are made again first."""
        remade = refresh_fingerprints(
            self.writer.conn, FORMAT_MAGIC, lambda text, language: self.dedup.fingerprint(text, language).to_bytes()
        )
        if remade:
            logger.info("corpus %s: %d dedup fingerprints made again in the current format", corpus_db, remade)
        if not self.dedup_config.redis_url:
            self.dedup.load(self.writer.fingerprints())
            return
        stored: set[str] = set()

        def rows_noting_keys():
            for key, blob in self.writer.fingerprints():
                stored.add(key)
                yield key, blob

        self.dedup.load(rows_noting_keys())
        forgotten = self.dedup.claim(shard_name(corpus_db), stored)
        if forgotten:
            logger.warning("shared dedup index: forgot %d articles this shard indexed but never stored", forgotten)

    @classmethod
    def of(cls, crawler) -> "CrawlContext":
        context = getattr(crawler, "_deepseek_context", None)
        if context is None:
            context = crawler._deepseek_context = cls(crawler)
        return context

    @staticmethod
    def write_failure_of(crawler) -> CorpusWriteError | None:
        """The write that stopped this crawl, if one did (read by the crawl command for its exit status)."""
        context = getattr(crawler, "_deepseek_context", None)
        return context.write_failure if context is not None else None

    def begin_run(self, args: dict) -> None:
        try:
            self.run_id = self.writer.begin_run(args)
        except CorpusWriteError as error:
            self.write_failed(error)

    def write_failed(self, error: CorpusWriteError, closing: bool = False) -> None:
        """Stop the crawl after a write the corpus refused: one line says why."""
        if self.write_failure is not None:
            return
        self.write_failure = error
        logger.error("%s; the crawl stops, and the next run fetches the unwritten pages again", error)
        self.crawler.stats.set_value("deepseek/errors/corpus_write", 1)
        if not closing:
            stopping = deferred_from_coro(self.crawler.engine.close_spider_async(reason=WRITE_FAILED))
            stopping.addErrback(lambda failure: logger.error("could not stop the crawl: %s", failure.value))

    def is_finished(self, url: str) -> bool:
        return url_key(url) in self.finished

    def recover_from_crash(self, jobdir: str | None) -> None:
        """The last crawl on this corpus was killed. Its committed batches are whole (SQLite transactions);
        Scrapy's JOBDIR queue and seen-set are only written consistently on a graceful stop, and the seen
        set marks requests that were in flight and are now lost. Drop both: the start points and the
        corpus frontier (requests scheduled and never finished) rebuild the queue."""
        logger.warning("the last crawl on this corpus did not finish (killed, or a write failed); "
                       "resuming from the corpus frontier")
        if jobdir:
            for name in ("requests.seen", "requests.queue"):
                path = Path(jobdir) / name
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()

    def request_dropped(self, request, spider):
        """The scheduler's duplicate filter refused it: it will never finish, so it is not in flight.
        A redirect back into its own chain is a loop: the chain's pages end as errors. A redirect to a
        page already asked for lets the URLs that led there go (the page finishes under its own URL)."""
        chain = [*request.meta.get("redirect_urls", ()), request.url]
        if url_key(request.url) in {url_key(url) for url in chain[:-1]}:
            self.crawler.stats.inc_value("deepseek/errors/redirect_loop")
            for url in chain:
                self.mark_page(url, "error")
            return
        for url in chain:
            self.writer.forget_request(url)

    def mark_page(self, url: str, outcome: str) -> None:
        if outcome in TERMINAL_OUTCOMES:
            self.finished.add(url_key(url))
            if self.taken is not None:
                self.let_go_of_committed_pages()
                self.finished_in_batch.append(url)
        self.writer.mark_page(url, outcome)
        self.pages_since_save += 1
        if self.pages_since_save >= self.chrome_save_every:
            self.writer.save_chrome(self.chrome.rows())
            self.pages_since_save = 0

    def let_go_of_committed_pages(self) -> None:
        """A taken request is let go once its page's outcome is committed, not when it is decided: a kill
        before the commit must still find it taken."""
        if self.writer.commits != self.commits_seen:
            self.taken.finish_many(self.finished_in_batch)
            self.finished_in_batch, self.commits_seen = [], self.writer.commits

    def close(self, spider, reason):
        try:
            if self.write_failure is None:
                self.writer.save_chrome(self.chrome.rows())
                try:
                    self.writer.flush()
                except CorpusWriteError as error:
                    self.write_failed(error, closing=True)
            if self.write_failure is not None:
                self.close_failed_run()
            elif self.run_id is not None:
                stats = dict(self.crawler.stats.get_stats())
                stats["finish_reason"] = reason
                self.dedup.release()
                if self.taken is not None:
                    self.taken.clear()
                self.writer.finish_run(self.run_id, stats)
        finally:
            self.writer.close()

    def close_failed_run(self) -> None:
        """After a failed write: take what was never written out of the counts, and close the run as
        failed if the corpus still takes that one small write (else the next run sees it unclosed, as
        after a kill). The shared index and queue are not released: the next run of this shard takes
        back what this one indexed and took but never wrote, as after a kill."""
        stats, unwritten = self.crawler.stats, self.writer.batch
        if unwritten.articles:
            stats.inc_value("deepseek/stored", -len(unwritten.articles))
        for duplicate in unwritten.duplicates:
            stats.inc_value(f"deepseek/duplicates/{duplicate['kind']}", -1)
        stats.set_value("deepseek/unwritten_pages", len(unwritten.pages))
        if self.run_id is None:
            return
        record = dict(stats.get_stats())
        record["finish_reason"] = WRITE_FAILED
        record["corpus_write_error"] = str(self.write_failure)
        try:
            self.writer.finish_run(self.run_id, record, make_room=True)
        except CorpusWriteError as error:
            logger.debug("the failed run stays unclosed: %s", error)
