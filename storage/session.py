"""One run's hold on its corpus file (a crawl's, an ingest's): the writer, the run record, the pages
finished by earlier runs, and what happens when a write fails.

A write the corpus refuses (disk full, read-only, corrupt) stops the run: one error line names the
cause, nothing more is written, the run is closed as ``corpus_write_failed`` with the stats of what
is on disk, and the next run fetches (or reads) the pages of the unwritten batches again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import numpy as np
import xxhash

from core.urls import url_key
from storage.corpus import TERMINAL_OUTCOMES, WRITE_FAILED, CorpusWriteError, CorpusWriter

logger = logging.getLogger(__name__)


class UrlKeySet:
    """A set of URL keys (``core.urls.url_key``) kept as 64-bit hashes: a sorted array of those added
    before the last merge and a small set of the newer ones, 8 bytes a key instead of ~130 for a set of
    strings (a crawl or an ingest of 100,000 pages holds them all). Two keys of 100,000 share a hash
    with a probability of about 3e-10."""

    MERGE_AT = 4096  # newer keys held as a set before they join the array

    def __init__(self, keys: Iterable[str] = ()):
        self.sorted = np.unique(np.fromiter(map(self.hash, keys), np.uint64))
        self.newer: set[int] = set()

    @staticmethod
    def hash(key: str) -> int:
        return xxhash.xxh3_64_intdigest(key.encode("utf-8", "surrogatepass"))

    def add(self, key: str) -> None:
        value = self.hash(key)
        if not self.holds(value):
            self.newer.add(value)
            if len(self.newer) >= self.MERGE_AT:
                self.merge()

    def merge(self) -> None:
        if self.newer:
            self.sorted = np.union1d(self.sorted, np.fromiter(self.newer, np.uint64, len(self.newer)))
            self.newer = set()

    def __contains__(self, key: str) -> bool:
        return self.holds(self.hash(key))

    def holds(self, value: int) -> bool:
        if value in self.newer:
            return True
        at = int(np.searchsorted(self.sorted, np.uint64(value)))
        return at < len(self.sorted) and int(self.sorted[at]) == value

    def __len__(self) -> int:
        return len(self.sorted) + len(self.newer)


class CorpusSession:
    """The corpus ``writer`` of one run, the set of ``finished`` pages (by URL key) and the write that
    stopped the run, if one did (``write_failure``). ``settings``: Scrapy's or a plain mapping
    (CORPUS_DB, CORPUS_BATCH_SIZE); ``stats``: a stats collector (``inc_value``, ``set_value``,
    ``get_stats``); ``stop(error)``: stops the run after a failed write (the crawl stops its engine)."""

    def __init__(self, settings, stats, stop: Callable[[CorpusWriteError], None] | None = None):
        self.stats = stats
        self.stop = stop
        self.write_failure: CorpusWriteError | None = None
        self.writer = CorpusWriter(settings["CORPUS_DB"], batch_size=int(settings["CORPUS_BATCH_SIZE"]))
        self.run_id = None
        self.taken = None  # the requests taken from a shared queue (crawler.scaleout.ShardScheduler)
        self.finished_in_batch: list[str] = []  # their pages, finished since the writer's last commit
        self.commits_seen = 0
        try:
            self.finished = UrlKeySet(url_key(url) for url in self.writer.finished_urls())
            self.last_run_unfinished = self.writer.last_run_unfinished()  # killed, or a write failed
        except BaseException:
            self.writer.close()
            raise
        self.writer.on_failure = self.write_failed

    def begin_run(self, args: dict) -> None:
        try:
            self.run_id = self.writer.begin_run(args)
        except CorpusWriteError as error:
            self.write_failed(error)

    def write_failed(self, error: CorpusWriteError, closing: bool = False) -> None:
        """Stop the run after a write the corpus refused: one line says why."""
        if self.write_failure is not None:
            return
        self.write_failure = error
        logger.error("%s; the run stops, and the next run takes up the unwritten pages again", error)
        self.stats.set_value("deepseek/errors/corpus_write", 1)
        if not closing and self.stop is not None:
            self.stop(error)

    def is_finished(self, url: str) -> bool:
        return url_key(url) in self.finished

    def mark_page(self, url: str, outcome: str) -> None:
        if outcome in TERMINAL_OUTCOMES:
            self.finished.add(url_key(url))
            if self.taken is not None:
                self.let_go_of_committed_pages()
                self.finished_in_batch.append(url)
        self.writer.mark_page(url, outcome)

    def let_go_of_committed_pages(self) -> None:
        """A taken request is let go once its page's outcome is committed, not when it is decided: a kill
        before the commit must still find it taken."""
        if self.writer.commits != self.commits_seen:
            self.taken.finish_many(self.finished_in_batch)
            self.finished_in_batch, self.commits_seen = [], self.writer.commits

    def flush(self) -> bool:
        """Write what is buffered; False (and the run stopped) when the corpus refuses it."""
        if self.write_failure is None:
            try:
                self.writer.flush()
            except CorpusWriteError as error:
                self.write_failed(error, closing=True)
        return self.write_failure is None

    def finish_run(self, reason: str) -> None:
        """Close the run record with the run's stats; a shared queue keeps nothing of this shard's."""
        stats = dict(self.stats.get_stats())
        stats["finish_reason"] = reason
        if self.taken is not None:
            self.taken.clear()
        self.writer.finish_run(self.run_id, stats)

    def close_failed_run(self) -> None:
        """After a failed write: take what was never written out of the counts, and close the run as
        failed if the corpus still takes that one small write (else the next run sees it unclosed, as
        after a kill). The shared index and queue are not released: the next run of this shard takes
        back what this one indexed and took but never wrote, as after a kill."""
        stats, unwritten = self.stats, self.writer.batch
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
