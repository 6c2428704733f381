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

The records are built, digested, compressed and written by a thread (``WarcWriterThread``), a bounded
number of responses behind the crawl: hashing and ISA-L let go of the GIL, and the reactor does not wait
for the disk. Where each record went is handed back to the crawl thread, which tells the corpus; at the
spider's close every queued response is written and recorded before the corpus closes. A record is
written whole in one ``write`` (archive.warc), so a SIGKILL leaves complete records, and the corpus
never points to one that was not written.
"""

from __future__ import annotations

import json
import logging
import platform
import queue
import socket
import threading
from collections import deque
from importlib.metadata import version
from pathlib import Path

import scrapy
from scrapy.exceptions import NotConfigured

from archive.warc import Exchange, RecordLocation, WarcFiles, warc_date
from core import discovery
from crawler.context import CrawlContext
from core.urls import canonical_or_none, canonical_url

logger = logging.getLogger(__name__)

WRITE_AHEAD = 32  # responses waiting for the writer thread at most (their bodies are held meanwhile)

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


class WarcWriterThread:
    """Writes exchanges to ``WarcFiles`` in a thread. ``submit`` queues one (it waits while ``depth`` are
    queued, so memory stays bounded); ``written()`` returns, in the crawl thread, the ``(tag, location)``
    of each exchange written since the last call, location None for one that could not be written;
    ``error`` is the OSError that stopped the writing (later exchanges are not written); ``close``
    writes what is queued and closes the files."""

    def __init__(self, files: WarcFiles, depth: int = WRITE_AHEAD):
        self.files = files
        self.queue: queue.Queue = queue.Queue(maxsize=depth)
        self.done: deque = deque()  # appended by the thread, popped by the crawl thread
        self.error: OSError | None = None
        self.thread = threading.Thread(target=self.run, name="warc-writer", daemon=True)
        self.thread.start()

    def submit(self, exchange: Exchange, tag=None) -> None:
        self.queue.put((exchange, tag))

    def run(self) -> None:
        while (job := self.queue.get()) is not None:
            exchange, tag = job
            location = None
            if self.error is None:
                try:
                    location = self.files.write(exchange)
                except OSError as error:  # a full disk: nothing more is written, nothing counted as written
                    self.error = error
            self.done.append((tag, location))

    def written(self) -> list[tuple[object, RecordLocation | None]]:
        done = []
        while self.done:
            done.append(self.done.popleft())
        return done

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        self.files.close()


def warc_files(crawler) -> WarcWriterThread:
    """The crawl's WARC files and their writer thread, opened once; at the close, before the corpus
    closes (CrawlContext's closing hooks), what is queued is written and its locations recorded."""
    writer = getattr(crawler, "_deepseek_warc_files", None)
    if writer is None:
        settings = crawler.settings
        corpus = Path(settings.get("CORPUS_DB"))
        files = WarcFiles(
            archive_directory(str(corpus)),
            corpus.stem,
            max_size=settings.getint("WARC_MAX_SIZE"),
            info=warcinfo(settings),
        )
        writer = crawler._deepseek_warc_files = WarcWriterThread(files)

        def close():
            writer.close()
            record_written(crawler, writer)

        CrawlContext.of(crawler).closing.append(close)
    return writer


def record_written(crawler, writer: WarcWriterThread) -> None:
    """In the crawl thread: count the records written since the last call, tell the corpus where the
    judged pages' records are, and report once a write that stopped the archive."""
    for tag, location in writer.written():
        if location is None:
            continue
        crawler.stats.inc_value("deepseek/warc/records")
        if tag is not None:
            CrawlContext.of(crawler).corpus.writer.add_archived(
                {
                    **tag,
                    "warc_file": f"{writer.files.directory.name}/{location.file}",
                    "warc_offset": location.offset,
                    "warc_length": location.length,
                    "warc_date": location.date,
                }
            )
    if writer.error is not None and not getattr(crawler, "_deepseek_warc_failed", False):
        crawler._deepseek_warc_failed = True
        crawler.stats.inc_value("deepseek/errors/warc_write")
        logger.error(
            "WARC archive %s: %s; no more pages are archived in this run", writer.files.directory, writer.error
        )


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
    tells the corpus where its record is."""

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

    def write(self, request, response, *, inflated: bool = True, tag: dict | None = None) -> None:
        """Queue the exchange for the writer thread; ``tag``: the corpus's ``archive`` row of a judged
        page, completed with the record's location once it is written."""
        if getattr(self.crawler, "_deepseek_warc_failed", False):
            return
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
        self.files.submit(exchange, tag)
        record_written(self.crawler, self.files)

    def process_response(self, request, response, spider=None):
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        page = 200 <= response.status < 300 and discovery.classify(response.body, content_type) == "html"
        if not (page or self.keep_all):
            return response
        tag = None
        if page:
            tag = {
                "url": canonical_url(response.url),
                "hints": json.dumps(request.meta.get("hints") or {}, ensure_ascii=False),
                "aliases": json.dumps(
                    [url for url in map(canonical_or_none, request.meta.get("redirect_urls", ())) if url]
                ),
            }
        self.write(request, response, tag=tag)
        return response


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
