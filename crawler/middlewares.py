"""Downloader middleware that keeps a crawl from fetching what the corpus already has."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

from crawler.context import CrawlContext


class AlreadyFinished(IgnoreRequest):
    """The page was finished by an earlier run (stored, removed as a duplicate, off topic)."""


class SkipFinishedMiddleware:
    """Refuses requests for pages an earlier run finished, redirect targets and replayed requests
    included; start points are always fetched (feeds and listings change)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if request.meta.get("via", "start") == "start" and not request.meta.get("redirect_urls"):
            return None
        if CrawlContext.of(self.crawler).is_finished(request.url):
            self.crawler.stats.inc_value("deepseek/skipped/finished_earlier")
            raise AlreadyFinished(f"finished by an earlier run: {request.url[:200]}")
        return None
