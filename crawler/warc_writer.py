"""Downloader middleware that keeps what the crawl fetched as WARC (archive.warc.WarcFiles) and records
in the corpus where each page's record is. A thin adapter: the files, records and rotation are
archive.warc's.

It sits just after HttpCompressionMiddleware in the response chain, so it stores the body the
pipelines judge: inflated and de-chunked, with Content-Encoding, Transfer-Encoding and the wire
Content-Length kept as X-Crawler-* headers beside the true Content-Length (as Common Crawl does), so
the records stay valid. By default it keeps the pages the crawl judges (2xx HTML responses);
``WARC_ALL`` keeps every response that reaches it (feeds, sitemaps, robots.txt, error pages; a
redirect is followed before it gets here, so only where it led is kept).
"""

from __future__ import annotations

import json
import logging
import platform
import socket
from importlib.metadata import version
from pathlib import Path

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.warc import Exchange, WarcFiles, warc_date
from crawler import discovery
from crawler.context import CrawlContext
from crawler.urls import canonical_or_none, canonical_url

logger = logging.getLogger(__name__)

INFO_SETTINGS = ("CORPUS_DB", "USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_MAXSIZE", "CONCURRENT_REQUESTS_PER_DOMAIN",
                 "HTML_FOLLOW_DEPTH", "MAX_PAGES_PER_SITE", "WARC_ALL", "WARC_MAX_SIZE")


def archive_directory(corpus_db: str) -> Path:
    """Where a corpus's WARC files go: beside it, ``data/deepseek_news.db`` -> ``data/deepseek_news.warc/``."""
    return Path(corpus_db).with_suffix(".warc")


def headers_of(headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]


class WarcWriterMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off")
        self.crawler = crawler
        self.keep_all = settings.getbool("WARC_ALL")
        corpus = Path(settings.get("CORPUS_DB"))
        self.directory = archive_directory(str(corpus))
        info = {
            "software": f"deepseek_news/0.1 (Scrapy {scrapy.__version__}; warcio {version('warcio')};"
                        f" Python {platform.python_version()})",
            "hostname": socket.gethostname(),
            "operator": settings.get("CONTACT_URL") or "",
            "isPartOf": settings.get("BOT_NAME"),
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "http-header-user-agent": settings.get("USER_AGENT") or "",
            "payload": "decoded; wire Content-Encoding, Transfer-Encoding and Content-Length as X-Crawler-*",
            "settings": json.dumps({name: settings.get(name) for name in INFO_SETTINGS}, default=str),
        }
        self.files = WarcFiles(self.directory, corpus.stem, max_size=settings.getint("WARC_MAX_SIZE"), info=info)
        self.failed = False
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        page = 200 <= response.status < 300 and discovery.classify(response.body, content_type) == "html"
        if not (page or self.keep_all) or self.failed:
            return response
        exchange = Exchange(
            url=response.url, status=response.status, response_headers=headers_of(response.headers),
            body=response.body, method=request.method, request_headers=headers_of(request.headers),
            protocol=response.protocol or "HTTP/1.1", date=warc_date(),
            ip_address=str(response.ip_address) if response.ip_address else None,
        )
        try:
            location = self.files.write(exchange)
        except OSError as error:  # a full disk stops the archive, not the crawl; never counted as written
            self.failed = True
            self.crawler.stats.inc_value("deepseek/errors/warc_write")
            logger.error("WARC archive %s: %s; no more pages are archived in this run", self.directory, error)
            return response
        self.crawler.stats.inc_value("deepseek/warc/records")
        if page:
            CrawlContext.of(self.crawler).writer.add_archived({
                "url": canonical_url(response.url),
                "warc_file": f"{self.directory.name}/{location.file}",
                "warc_offset": location.offset, "warc_length": location.length, "warc_date": exchange.date,
                "hints": json.dumps(request.meta.get("hints") or {}, ensure_ascii=False),
                "aliases": json.dumps([url for url in map(canonical_or_none, request.meta.get("redirect_urls", ()))
                                       if url]),
            })
        return response

    def close(self, spider, reason):
        self.files.close()
