"""The crawl's shared state (``storage.context.RunContext``), opened once per crawl and reached through
``CrawlContext.of(crawler)``, with what Scrapy's engine adds to it: the closing signal, requests the
scheduler drops, Scrapy's job files after a kill, and stopping the engine when a write fails."""

from __future__ import annotations

import contextlib
import logging

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from core.urls import url_key
from crawler.recovery import recover_from_crash
from storage.context import RunContext
from storage.corpus import WRITE_FAILED, CorpusWriteError

logger = logging.getLogger(__name__)


class CrawlerStats:
    """The crawler's stats collector, looked up when used: the context opens with the spider, before
    Scrapy makes the collector."""

    def __init__(self, crawler):
        self.crawler = crawler

    def __getattr__(self, name):
        return getattr(self.crawler.stats, name)


class CrawlContext(RunContext):
    """A ``RunContext`` (``corpus``, ``dedup``, ``chrome``) bound to one Scrapy crawler."""

    def __init__(self, crawler):
        self.crawler = crawler
        super().__init__(crawler.settings, CrawlerStats(crawler), stop=self.stop_crawl)
        if self.corpus.last_run_unfinished:
            try:
                recover_from_crash(crawler.settings.get("JOBDIR"))
            except BaseException:
                with contextlib.suppress(Exception):
                    self.corpus.writer.close()
                raise
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

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

    def stop_crawl(self, error: CorpusWriteError) -> None:
        stopping = deferred_from_coro(self.crawler.engine.close_spider_async(reason=WRITE_FAILED))
        stopping.addErrback(lambda failure: logger.error("could not stop the crawl: %s", failure.value))

    def spider_closed(self, spider, reason):
        self.close(reason)

    def request_dropped(self, request, spider):
        """The scheduler's duplicate filter refused it: it will never finish, so it is not in flight.
        A redirect back into its own chain is a loop: the chain's pages end as errors. A redirect to a
        page already asked for lets the URLs that led there go (the page finishes under its own URL)."""
        chain = [*request.meta.get("redirect_urls", ()), request.url]
        if url_key(request.url) in {url_key(url) for url in chain[:-1]}:
            self.stats.inc_value("deepseek/errors/redirect_loop")
            for url in chain:
                self.corpus.mark_page(url, "error")
            return
        for url in chain:
            self.corpus.writer.forget_request(url)
