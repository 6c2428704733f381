"""Scale-out over Redis: with ``-s REDIS_URL=redis://HOST:PORT/DB`` several crawl processes, on one
machine or many, share one request queue and one request-fingerprint filter (scrapy-redis) and one
near-duplicate index (dedup's Redis index), each writing its own corpus shard (CORPUS_DB).

``RedisScaleOut`` is a Scrapy add-on: without REDIS_URL it changes nothing. ``ClusterIdle`` keeps a
process from closing while another one sharing the queue is still busy (and may still push work),
so every process ends when the whole crawl is done, not when its own view of the queue is empty.
"""

from __future__ import annotations

import os
import socket
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter
from twisted.internet import task

from crawler.fingerprint import UrlKeyFingerprinter

BUSY_SECONDS = 30  # a process that stops refreshing its busy mark (killed) stops counting after this


class RedisScaleOut:
    """Switches the scheduler and the duplicate filter to Redis when REDIS_URL is set. (The dedup index
    follows REDIS_URL in CrawlContext: the spider, and with it the context, exists before add-ons run.)"""

    def update_settings(self, settings):
        redis_url = settings.get("REDIS_URL")
        if not redis_url:
            return
        for name, value in {
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            "DUPEFILTER_CLASS": "crawler.scaleout.UrlKeyRedisDupeFilter",
            "SCHEDULER_PERSIST": True,  # one process finishing must not wipe the queue the others use
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.FifoQueue",
            "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # a blocking pop would block the reactor; ClusterIdle waits
        }.items():
            settings.set(name, value, priority="addon")
        extensions = settings.getdict("EXTENSIONS")
        extensions["crawler.scaleout.ClusterIdle"] = 600
        settings.set("EXTENSIONS", extensions, priority="addon")


class UrlKeyRedisDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared filter, with our fingerprints: URL variants of one page are one request."""

    fingerprinter = UrlKeyFingerprinter()

    def request_fingerprint(self, request):
        return self.fingerprinter.fingerprint(request).hex()


class ClusterIdle:
    """Each busy process keeps a short-lived mark in Redis; an idle one closes only when the shared queue
    is empty and no other process is marked busy. A process that closes a moment too early loses no
    work: whatever the busy ones still push, they fetch themselves."""

    def __init__(self, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        self.crawler = crawler
        self.server = connection.from_settings(crawler.settings)
        self.prefix = f"{crawler.settings.get('BOT_NAME')}:busy:"
        self.mark = f"{self.prefix}{socket.gethostname()}:{os.getpid()}"
        self.loop = task.LoopingCall(self.refresh)
        self.marked_at = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.working, signal=signals.request_reached_downloader)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider):
        self.server.set(self.mark, 1, ex=BUSY_SECONDS)
        self.loop.start(5, now=False)

    def working(self, request, spider):
        now = time.monotonic()
        if now - self.marked_at > 1:
            self.server.set(self.mark, 1, ex=BUSY_SECONDS)
            self.marked_at = now

    def refresh(self):
        if not self.crawler.engine.spider_is_idle():
            self.server.set(self.mark, 1, ex=BUSY_SECONDS)

    def idle(self, spider):
        self.server.delete(self.mark)
        self.marked_at = 0.0
        queued = self.crawler.engine.scheduler.has_pending_requests()
        others = [key for key in self.server.scan_iter(f"{self.prefix}*")]
        if queued or others:
            raise DontCloseSpider

    def closed(self, spider, reason):
        if self.loop.running:
            self.loop.stop()
        self.server.delete(self.mark)
