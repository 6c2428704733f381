"""Downloader middlewares: skip what the corpus already has, obey robots.txt in every request (and say in
one line when a robots.txt cannot be fetched), and follow meta refreshes without decoding every page."""

from __future__ import annotations

import logging

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
        if CrawlContext.of(self.crawler).corpus.is_finished(request.url):
            self.crawler.stats.inc_value("deepseek/skipped/finished_earlier")
            raise AlreadyFinished(f"finished by an earlier run: {request.url[:200]}")
        return None


class OneLineRobotsErrors(logging.Filter):
    """Scrapy logs a robots.txt that cannot be downloaded (no DNS, refused, timed out) with the chained
    traceback of the download error, some 60 lines a site. The error is the site's, not a bug: one line
    says which site and why, and that the site is crawled as if it had no robots.txt (Scrapy's rule)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Error downloading"):
            args = record.args if isinstance(record.args, dict) else {}
            reason = " ".join(str(args.get("f_exception", "")).split())[:200]
            request = args.get("request")
            site = urlparse_cached(request).netloc if request is not None else "?"
            record.msg, record.args = "robots.txt of %s not fetched (%s); crawling it as allowed", (site, reason)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


ROBOTS_LOGGER = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")


class WaitingRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, obeyed also by requests that wait for a robots.txt download.

    Scrapy gives every request arriving while a site's robots.txt downloads the same Deferred; with
    the asyncio reactor, turning it into a Future hands its result to the first waiter and None to
    the others, which Scrapy reads as "allow all". Once the wait is over the parsed file is in
    ``_parsers``, so every waiter reads it from there.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        if not any(isinstance(existing, OneLineRobotsErrors) for existing in ROBOTS_LOGGER.filters):
            ROBOTS_LOGGER.addFilter(OneLineRobotsErrors())

    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        return self._parsers.get(urlparse_cached(request).netloc, parser)


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, without decoding every page in full. Scrapy looks for the tag in
    the first 4,096 characters of ``response.text``, which decodes the whole body and keeps the decoded
    copy as long as the response lives, a visible share of the crawl process's CPU. Those characters lie
    in the first 16 KB of the body (4 bytes a character at most) and spell ``refresh`` in ASCII unless
    the page is UTF-16 or UTF-32 (NUL bytes): pages with neither are passed on untouched."""

    def process_response(self, request, response, spider=None):
        head = response.body[:16384]
        if b"\x00" not in head and b"refresh" not in head.lower():
            return response
        return super().process_response(request, response)
