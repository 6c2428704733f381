"""The crawl's shared state, opened once per crawl and reached through ``CrawlContext.of(crawler)``:
the corpus session, the dedup service and the learned chrome, all kept in the one corpus file, in one
process, and saved together."""

from __future__ import annotations

import contextlib
import logging

from scrapy import signals

from crawler.chrome_memory import ChromeMemory
from crawler.corpus_session import CorpusSession
from crawler.dedup_service import DedupService
from storage.corpus import CorpusWriteError

logger = logging.getLogger(__name__)


class CrawlContext:
    """One crawl's state in three parts with one job each: ``corpus`` (``CorpusSession``: writer, run,
    finished pages, failed writes, recovery after a kill), ``dedup`` (``DedupService``: the
    near-duplicate index and its lock) and ``chrome`` (``ChromeMemory``: the learned site chrome)."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.corpus = CorpusSession(crawler)
        try:
            self.dedup = DedupService(settings, self.corpus.writer)
            self.chrome = ChromeMemory(self.corpus.writer, settings.getint("CHROME_SAVE_EVERY"))
        except BaseException:
            with contextlib.suppress(Exception):
                self.corpus.writer.close()
            raise
        crawler.signals.connect(self.close, signal=signals.spider_closed)
        crawler.signals.connect(self.corpus.request_dropped, signal=signals.request_dropped)
        logger.info(
            "corpus %s: %d pages finished by earlier runs", settings.get("CORPUS_DB"), len(self.corpus.finished)
        )

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
        return context.corpus.write_failure if context is not None else None

    def close(self, spider, reason):
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
