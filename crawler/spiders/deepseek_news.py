"""The deepseek_news spider: reads the start points, tells feeds, sitemaps and HTML pages apart from
each response, follows what each offers, and yields every HTML page it meets as a PageItem.

It judges nothing about content: extraction, the article/listing decision, the topic filter, dedup
and storage are the pipelines' (crawler/pipelines.py). Links in feeds and sitemaps may go to any
public host; links inside HTML pages are followed on the page's own site only, HTML_FOLLOW_DEPTH hops
from a start point.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter

from lxml import etree
from scrapy import Request, Spider
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TimeoutError, TCPTimedOutError, ConnectionRefusedError
from twisted.web._newclient import ResponseNeverReceived

from core import discovery
from crawler.context import CrawlContext
from core.addresses import named_hosts_of
from crawler.guard import allow_named_hosts
from crawler.items import PageItem
from crawler.middlewares import AlreadyFinished
from core.seeds import DEFAULT_SEEDS, load_seeds, split_argument
from core.urls import canonical_or_none, canonical_url, is_http_url, site_of, url_key
from storage.corpus import CorpusError, utc_now

logger = logging.getLogger(__name__)

DISCOVERY_PARSERS = {
    "sitemapindex": discovery.parse_sitemap_index,
    "sitemap": discovery.parse_sitemap,
    "feed": discovery.parse_feed,
}
ERROR_KINDS = (  # Scrapy's own download exceptions (2.19) and the Twisted ones they wrap
    ((HttpError,), "http"),
    ((CannotResolveHostError, DNSLookupError), "dns"),
    ((DownloadTimeoutError, TimeoutError, TCPTimedOutError), "timeout"),
    ((DownloadConnectionRefusedError, ConnectionRefusedError), "refused"),
    ((DownloadCancelledError,), "too_large"),
    ((ResponseDataLossError, DownloadFailedError, ResponseNeverReceived), "connection"),
)
IGNORED_AS_ERRORS = (  # IgnoreRequest reasons that are the page's fault, not our policy's
    ("max redirections reached", "too_many_redirects"),
    ("DOWNLOAD_MAXSIZE", "too_large"),
)


class DeepseekNewsSpider(Spider):
    """Discovers coverage from the start points (feeds, sitemaps, listings, articles) and yields every
    HTML page as a PageItem; it judges nothing itself (the pipelines do)."""

    name = "deepseek_news"

    def __init__(self, start_urls: str | None = None, keywords: str | None = None, seeds: str | None = None, **kwargs):
        super().__init__(**kwargs)
        seed = load_seeds(seeds or DEFAULT_SEEDS)
        self.start_points = split_argument(start_urls) if start_urls is not None else seed.start_urls
        invalid = [url for url in self.start_points if not is_http_url(url)]
        if invalid or not self.start_points:
            raise ValueError(f"start_urls must be http(s) URLs, got: {', '.join(invalid) or 'nothing'}")
        self.keywords = split_argument(keywords) if keywords is not None else seed.keywords
        allow_named_hosts(named_hosts_of(self.start_points))
        self.requests_per_site = Counter()
        self.requested: set[int] = set()  # hashes of url_key: each page is asked for once per run

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        """The spider, with the crawl's corpus opened before Scrapy opens its scheduler (see CrawlContext);
        bad arguments or an unusable corpus end the command with one line, before anything is fetched."""
        try:
            spider = super().from_crawler(crawler, *args, **kwargs)
            CrawlContext.of(crawler)
        except (ValueError, CorpusError) as error:
            sys.stderr.write(f"deepseek_news: error: {error}\n")
            raise SystemExit(2) from None
        return spider

    async def start(self):
        corpus = CrawlContext.of(self.crawler).corpus
        corpus.begin_run({"start_urls": list(self.start_points), "keywords": list(self.keywords)})
        for url in self.start_points:
            request = self.new_request(url, {"via": "start", "html_depth": 0}, dont_filter=True)
            if request is None or canonical_or_none(url) is None:  # e.g. a port out of range: the others run
                self.crawler.stats.inc_value("deepseek/errors/bad_start_point")
                logger.warning("start point skipped, not a valid URL: %s", url[:200])
                continue
            if self.too_long(request):
                continue
            self.requested.add(hash(url_key(url)))  # fetched once, even when pages link back to it
            yield request
        for url, meta in corpus.writer.frontier():
            request = self.new_request(url, meta)
            if request is None or self.too_long(request):  # left in the frontier by a run before these checks
                corpus.mark_page(url, "error")
                continue
            yield request

    # -- responses ---------------------------------------------------------------------------------
    def parse(self, response):
        stats = self.crawler.stats
        stats.inc_value("deepseek/pages")
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        body = response.body
        if body.startswith(b"\x1f\x8b"):  # sitemap.xml.gz served as a file, without Content-Encoding
            try:
                body = discovery.inflate_if_gzipped(body, self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, EOFError, ValueError) as error:
                stats.inc_value("deepseek/errors/bad_gzip")
                logger.warning("unreadable gzip body at %s: %s", response.url, str(error)[:200])
                CrawlContext.of(self.crawler).corpus.mark_page(response.url, "error")
                return
        kind = discovery.classify(body, content_type)
        if kind in DISCOVERY_PARSERS:
            yield from self.discovered(response, kind, body)
        elif kind == "html" and isinstance(response, TextResponse):
            yield from self.html_page(response, content_type)
        else:
            stats.inc_value("deepseek/not_article/not_html")
            CrawlContext.of(self.crawler).corpus.mark_page(response.url, "not_article")

    def discovered(self, response, kind: str, body: bytes):
        malformed: list[str] = []
        try:
            links = DISCOVERY_PARSERS[kind](body, response.url, malformed)
        except (ValueError, etree.LxmlError, OSError, EOFError) as error:
            self.crawler.stats.inc_value(f"deepseek/errors/malformed_{kind}")
            logger.warning("unreadable %s at %s: %s", kind, response.url, str(error)[:200])
            CrawlContext.of(self.crawler).corpus.mark_page(response.url, "error")
            return
        self.crawler.stats.inc_value(f"deepseek/discovery/{kind}")
        self.count_malformed(malformed, response.url)
        CrawlContext.of(self.crawler).corpus.mark_page(response.url, kind)
        via = "sitemap" if kind.startswith("sitemap") else "feed"
        for link in links:
            request = self.page_request(link.url, via, link.hints, response.meta.get("html_depth", 0))
            if request is not None:
                yield request

    def html_page(self, response, content_type: str):
        via = response.meta.get("via", "start")
        url = canonical_url(response.url)
        yield PageItem(
            url=url,
            body=response.body,
            content_type=content_type,
            fetched_at=utc_now(),
            via=via,
            hints=response.meta.get("hints", {}),
            aliases=[url for url in map(canonical_or_none, response.meta.get("redirect_urls", ())) if url],
        )
        depth = response.meta.get("html_depth", 0)
        if via not in ("start", "html") or depth >= self.settings.getint("HTML_FOLLOW_DEPTH"):
            return
        malformed: list[str] = []
        pages, feeds = discovery.html_links(response.body, response.url, malformed)
        self.count_malformed(malformed, response.url)
        site = site_of(url)
        for link in map(canonical_or_none, feeds + pages):
            if link is not None and site_of(link) == site:
                request = self.request_for(link, "html", {}, depth + 1)
                if request is not None:
                    yield request

    def page_request(self, url: str, via: str, hints: dict, depth: int) -> Request | None:
        """A request for a URL a feed or sitemap named, or None when it is not http(s) (see request_for)."""
        canonical = canonical_or_none(url)
        if canonical is None:
            self.crawler.stats.inc_value("deepseek/blocked/scheme")
            return None
        return self.request_for(canonical, via, hints, depth)

    def request_for(self, url: str, via: str, hints: dict, depth: int) -> Request | None:
        """A request for a canonical URL, or None when it was asked for already, finished by an earlier
        run or over its site's budget; it enters the corpus frontier until its page is finished."""
        stats = self.crawler.stats
        corpus = CrawlContext.of(self.crawler).corpus
        key = url_key(url)
        if hash(key) in self.requested:
            return None
        if key in corpus.finished:
            stats.inc_value("deepseek/skipped/finished_earlier")
            return None
        self.requested.add(hash(key))
        site = site_of(url)
        if self.requests_per_site[site] >= self.settings.getint("MAX_PAGES_PER_SITE"):
            stats.inc_value("deepseek/skipped/site_budget")
            return None
        meta = {"via": via, "hints": hints, "html_depth": depth}
        request = self.new_request(url, meta)
        if request is None:
            self.count_malformed([url])
            return None
        if self.too_long(request):
            return None
        self.requests_per_site[site] += 1
        corpus.writer.add_to_frontier(url, meta)
        return request

    def new_request(self, url: str, meta: dict, **kwargs) -> Request | None:
        """A request for ``url``, or None when Scrapy refuses the URL (its parser is stricter than ours)."""
        try:
            return Request(url, callback=self.parse, errback=self.failed, meta=meta, **kwargs)
        except ValueError:
            return None

    def too_long(self, request: Request) -> bool:
        """Is the URL longer than Scrapy's UrlLengthMiddleware lets through (URLLENGTH_LIMIT)? Such a
        request is counted and logged here, never requested, and never enters the frontier (Scrapy
        would drop it silently after it had)."""
        limit = self.settings.getint("URLLENGTH_LIMIT")
        if not limit or len(request.url) <= limit:
            return False
        self.crawler.stats.inc_value("deepseek/errors/url_too_long")
        logger.info("skipped a URL longer than URLLENGTH_LIMIT (%d characters): %s...", limit, request.url[:200])
        return True

    def count_malformed(self, links: list[str], document: str | None = None) -> None:
        """Count links that could not be parsed (each skipped, the rest of their document followed)."""
        if links:
            self.crawler.stats.inc_value("deepseek/errors/malformed_link", len(links))
            logger.warning(
                "%d malformed link(s) skipped%s, first: %s",
                len(links),
                f" in {document}" if document else "",
                links[0][:200],
            )

    def failed(self, failure):
        """Count a failed request by kind and finish its page; a broken page never stops the crawl."""
        request = failure.request
        if failure.check(AlreadyFinished):
            return
        stats = self.crawler.stats
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            reason = str(failure.value)
            kind = next((kind for words, kind in IGNORED_AS_ERRORS if words in reason), None)
            if kind is None:  # our policy: robots.txt, or the address guard (which counts its own)
                if "robots.txt" in reason:
                    stats.inc_value("deepseek/blocked/robots")
                if request.meta.get("via") == "start":
                    stats.inc_value("deepseek/start_failed/blocked")
                self.finish_failed(request, "blocked")
                return
        else:
            kind = next((name for types, name in ERROR_KINDS if failure.check(*types)), "other")
        if kind == "http":
            kind = f"http_{failure.value.response.status}"
            stats.inc_value("deepseek/pages")
        stats.inc_value(f"deepseek/errors/{kind}")
        if request.meta.get("via") == "start":  # the closing summary names why start points failed
            stats.inc_value(f"deepseek/start_failed/{kind}")
        logger.info("failed %s: %s (%s)", request.url, kind, " ".join(str(failure.value).split())[:200])
        self.finish_failed(request, "error")

    def finish_failed(self, request, outcome: str) -> None:
        """Record a failed page, and the URLs that redirected to it, so the frontier lets them go."""
        if request.meta.get("via") == "start":
            return
        corpus = CrawlContext.of(self.crawler).corpus
        for url in [request.url, *request.meta.get("redirect_urls", ())]:
            corpus.mark_page(url, outcome)
