"""One run's shared state (a crawl's or an offline run's: ingest, reextract), opened once and kept in the
one corpus file: the corpus session, the dedup service and the learned chrome, saved together. The crawl
reaches it through ``crawler.context.CrawlContext``, which adds what Scrapy's engine needs."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from storage.chrome_memory import ChromeMemory
from storage.corpus import CorpusWriteError
from storage.dedup_service import DedupService
from storage.session import CorpusSession

logger = logging.getLogger(__name__)


class RunContext:
    """One run's state in three parts with one job each: ``corpus`` (``CorpusSession``: writer, run,
    finished pages, failed writes), ``dedup`` (``DedupService``: the near-duplicate index and its lock)
    and ``chrome`` (``ChromeMemory``: the learned site chrome). ``settings``: Scrapy's or a plain
    mapping of the crawl's settings (crawler/settings.py); ``stats``: a stats collector; ``stop``:
    called with the error when a write fails."""

    def __init__(self, settings, stats, stop: Callable[[CorpusWriteError], None] | None = None):
        self.settings = settings
        self.stats = stats
        self.corpus = CorpusSession(settings, stats, stop)
        try:
            self.dedup = DedupService(settings, self.corpus.writer)
            self.chrome = ChromeMemory(self.corpus.writer, int(settings["CHROME_SAVE_EVERY"]))
        except BaseException:
            with contextlib.suppress(Exception):
                self.corpus.writer.close()
            raise
        logger.info("corpus %s: %d pages finished by earlier runs", settings["CORPUS_DB"], len(self.corpus.finished))

    def close(self, reason: str) -> None:
        """Save the chrome, write what is buffered and close the run record (as failed after a failed write)."""
        corpus = self.corpus
        try:
            if corpus.write_failure is None:
                self.chrome.save()
            if not corpus.flush():
                corpus.close_failed_run()
            elif corpus.run_id is not None:
                self.dedup.release()
                corpus.finish_run(reason)
        finally:
            corpus.writer.close()
