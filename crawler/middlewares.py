"""Downloader middlewares: skip what the corpus already has, obey robots.txt in every request, and follow
meta refreshes without decoding every page."""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

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


class WaitingRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, obeyed also by requests that wait for a robots.txt download.

    Scrapy gives every request arriving while a site's robots.txt downloads the same Deferred; with
    the asyncio reactor, turning it into a Future hands its result to the first waiter and None to
    the others, which Scrapy reads as "allow all". Once the wait is over the parsed file is in
    ``_parsers``, so every waiter reads it from there.
    """

    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        return self._parsers.get(urlparse_cached(request).netloc, parser)


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, without decoding every page in full. Scrapy looks for the tag in
    the first 4,096 characters of ``response.text``, which decodes the whole body and keeps the decoded
    copy as long as the response lives (measured: ~6% of the crawl process's CPU). Those characters lie
    in the first 16 KB of the body (4 bytes a character at most) and spell ``refresh`` in ASCII unless
    the page is UTF-16 or UTF-32 (NUL bytes): pages with neither are passed on untouched."""

    def process_response(self, request, response, spider=None):
        head = response.body[:16384]
        if b"\x00" not in head and b"refresh" not in head.lower():
            return response
        return super().process_response(request, response)

