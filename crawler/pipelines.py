"""Item pipelines: thin adapters from a fetched PageItem to the Scrapy-free stages of storage.pipeline,
which the offline runs (ingest, reextract) drive too.

- ExtractPipeline: extraction and dedup fingerprint (core.worker) in a pool of worker processes.
- TopicPipeline: keeps article pages whose clean title or text is on topic (core.topic).
- CorpusPipeline: dedup decision (dedup.Deduplicator) and batched writes (storage.corpus), together.

Every page ends with an ``outcome`` recorded in the corpus's ``pages`` table and in the crawl stats.
"""

from __future__ import annotations

from crawler.context import CrawlContext
from storage.pipeline import CorpusStage, ExtractStage, TopicStage


class CrawlerAdapter:
    """What Scrapy asks of an item pipeline (``from_crawler``); the stage keeps its crawler at hand."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


class StageOnCrawl(CrawlerAdapter):
    """A stage on the crawl's settings, stats and CrawlContext."""

    def __init__(self, crawler):
        self.crawler = crawler
        super().__init__(crawler.settings, crawler.stats)

    def open_spider(self):
        self.open(CrawlContext.of(self.crawler))


class ExtractPipeline(StageOnCrawl, ExtractStage):
    """``ExtractStage`` in the crawl."""

    def close_spider(self):
        self.close()


class TopicPipeline(CrawlerAdapter, TopicStage):
    """``TopicStage`` with the spider's topic terms."""

    def __init__(self, crawler):
        self.crawler = crawler
        super().__init__(crawler.stats)

    def open_spider(self):
        self.open(self.crawler.spider.keywords)


class CorpusPipeline(StageOnCrawl, CorpusStage):
    """``CorpusStage`` in the crawl."""
