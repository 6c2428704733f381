"""Downloader middleware that keeps what the crawl fetched as WARC (archive.warc.WarcFiles) and records
in the corpus where each page's record is. A thin adapter: the files, records and rotation are
archive.warc's.

It sits just after HttpCompressionMiddleware in the response chain, so it stores the body the
pipelines judge: inflated and de-chunked, with Content-Encoding, Transfer-Encoding and the wire
Content-Length kept as X-Crawler-* headers beside the true Content-Length (as Common Crawl does), so
the records stay valid. By default it keeps the pages the crawl judges (2xx HTML responses);
``WARC_ALL`` keeps every response: feeds, sitemaps, robots.txt and error pages here, and redirects in
WarcRedirectMiddleware, which sees them before RedirectMiddleware follows them (and before they would
be inflated: they are stored as they came, Content-Encoding included). Both write to the crawl's one
set of files (``warc_files``).
"""

from __future__ import annotations

import json
import logging
import platform
import socket
import time
from importlib.metadata import version
from pathlib import Path

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.warc import Exchange, WarcFiles, warc_date
from core import discovery
from crawler.context import CrawlContext
from core.urls import canonical_or_none, canonical_url

logger = logging.getLogger(__name__)

INFO_SETTINGS = (
    "CORPUS_DB",
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "DOWNLOAD_MAXSIZE",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "HTML_FOLLOW_DEPTH",
    "MAX_PAGES_PER_SITE",
    "WARC_ALL",
    "WARC_MAX_SIZE",
)


def archive_directory(corpus_db: str) -> Path:
    """Where a corpus's WARC files go: beside it, ``data/deepseek_news.db`` -> ``data/deepseek_news.warc/``."""
    return Path(corpus_db).with_suffix(".warc")


def headers_of(headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]


def warc_files(crawler) -> WarcFiles:
    """The crawl's WARC files, opened once, closed when the spider closes."""
    files = getattr(crawler, "_deepseek_warc_files", None)
    if files is None:
        settings = crawler.settings
        corpus = Path(settings.get("CORPUS_DB"))
        files = WarcFiles(
            archive_directory(str(corpus)),
            corpus.stem,
            max_size=settings.getint("WARC_MAX_SIZE"),
            info=warcinfo(settings),
        )
        crawler._deepseek_warc_files = files

        def close(**_):
            files.close()

        crawler.signals.connect(close, signal=signals.spider_closed, weak=False)
    return files


def warcinfo(settings) -> dict:
    return {
        "software": f"deepseek_news/0.1 (Scrapy {scrapy.__version__}; warcio {version('warcio')};"
        f" Python {platform.python_version()})",
        "hostname": socket.gethostname(),
        "operator": settings.get("CONTACT_URL") or "",
        "isPartOf": settings.get("BOT_NAME"),
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "http-header-user-agent": settings.get("USER_AGENT") or "",
        "payload": "decoded; wire Content-Encoding, Transfer-Encoding and Content-Length as X-Crawler-*"
        " (redirects: Content-Encoding kept, body as received)",
        "settings": json.dumps({name: settings.get(name) for name in INFO_SETTINGS}, default=str),
    }


class WarcWriterMiddleware:
    """Writes each response the crawl judges (or every one, with WARC_ALL) to the WARC archive and
    tells the corpus where its record is. The CPU time it takes is counted in the crawl's stats
    (``deepseek/cpu_seconds/warc_write``)."""

    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        self.crawler = crawler
        self.keep_all = settings.getbool("WARC_ALL")
        self.files = warc_files(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def write(self, request, response, *, inflated: bool = True):
        """Write the exchange; where its response record is, or None when the archive cannot be written."""
        if getattr(self.crawler, "_deepseek_warc_failed", False):
            return None
        exchange = Exchange(
            url=response.url,
            status=response.status,
            response_headers=headers_of(response.headers),
            body=response.body,
            method=request.method,
            request_headers=headers_of(request.headers),
            protocol=response.protocol or "HTTP/1.1",
            date=warc_date(),
            inflated=inflated,
            ip_address=str(response.ip_address) if response.ip_address else None,
        )
        try:
            location = self.files.write(exchange)
        except OSError as error:  # a full disk stops the archive, not the crawl; never counted as written
            self.crawler._deepseek_warc_failed = True
            self.crawler.stats.inc_value("deepseek/errors/warc_write")
            logger.error("WARC archive %s: %s; no more pages are archived in this run", self.files.directory, error)
            return None
        self.crawler.stats.inc_value("deepseek/warc/records")
        return location

    def process_response(self, request, response, spider=None):
        started = time.thread_time()
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        page = 200 <= response.status < 300 and discovery.classify(response.body, content_type) == "html"
        if page or self.keep_all:
            self.archive(request, response, page)
        self.crawler.stats.inc_value("deepseek/cpu_seconds/warc_write", time.thread_time() - started)
        return response

    def archive(self, request, response, page: bool) -> None:
        location = self.write(request, response)
        if location is not None and page:
            CrawlContext.of(self.crawler).corpus.writer.add_archived(
                {
                    "url": canonical_url(response.url),
                    "warc_file": f"{self.files.directory.name}/{location.file}",
                    "warc_offset": location.offset,
                    "warc_length": location.length,
                    "warc_date": location.date,
                    "hints": json.dumps(request.meta.get("hints") or {}, ensure_ascii=False),
                    "aliases": json.dumps(
                        [url for url in map(canonical_or_none, request.meta.get("redirect_urls", ())) if url]
                    ),
                }
            )


class WarcRedirectMiddleware(WarcWriterMiddleware):
    """With WARC_ALL, the redirects: placed before RedirectMiddleware, which follows them."""

    def __init__(self, crawler):
        if not crawler.settings.getbool("WARC_ALL"):
            raise NotConfigured("WARC_ALL is off")
        super().__init__(crawler)

    def process_response(self, request, response, spider=None):
        if 300 <= response.status < 400:
            self.write(request, response, inflated=False)
        return response
