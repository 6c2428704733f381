"""The crawl's progress line every few seconds and its closing summary, from the crawl's stats."""

from __future__ import annotations

import logging

from scrapy import signals
from twisted.internet import task

logger = logging.getLogger("deepseek_news.progress")

COUNTERS = (
    ("pages fetched", "deepseek/pages"),
    ("stored", "deepseek/stored"),
    ("duplicates", "deepseek/duplicates"),
    ("off-topic", "deepseek/off_topic"),
    ("not articles", "deepseek/not_article"),
    ("blocked", "deepseek/blocked"),
    ("errors", "deepseek/errors"),
)


def summary(stats: dict) -> str:
    """One line: each counter, sub-counters (``deepseek/errors/timeout``) added into their parent."""
    parts = []
    for label, key in COUNTERS:
        total = sum(value for name, value in stats.items()
                    if isinstance(value, int) and (name == key or name.startswith(key + "/")))
        parts.append(f"{total} {label}")
    return ", ".join(parts)


class CrawlProgress:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL", 10.0))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider):
        self.loop = task.LoopingCall(self.log)
        self.loop.start(self.interval, now=False)

    def log(self):
        logger.info("progress: %s", summary(self.crawler.stats.get_stats()))

    def spider_closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        logger.info("finished (%s): %s", reason, summary(self.crawler.stats.get_stats()))
