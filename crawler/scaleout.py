"""Scale-out over Redis: with ``-s REDIS_URL=redis://HOST:PORT/DB`` several crawl processes, on one
machine or many, share one request queue and one request-fingerprint filter (scrapy-redis) and one
near-duplicate index (dedup's Redis index), each writing its own corpus shard (CORPUS_DB).

``crawler.addons.RedisScaleOut`` switches a crawl to these classes when REDIS_URL is set. ``ClusterIdle`` keeps a
process from closing while another one sharing the queue is still busy (and may still push work),
so every process ends when the whole crawl is done, not when its own view of the queue is empty.
``ShardScheduler`` keeps the requests a process took from the shared queue until their pages are
finished, so that a process killed mid-crawl and started again fetches what it had in flight.
"""

from __future__ import annotations

import os
import socket
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import FifoQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.context import CrawlContext
from storage.dedup_service import shard_name
from crawler.request_keys import UrlKeyFingerprinter
from core.urls import url_key

BUSY_SECONDS = 30  # a process that stops refreshing its busy mark (killed) stops counting after this


class UrlKeyRedisDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared filter, with our fingerprints: URL variants of one page are one request."""

    fingerprinter = UrlKeyFingerprinter()

    def request_fingerprint(self, request):
        return self.fingerprinter.fingerprint(request).hex()


_SEE_AND_PUSH = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('LPUSH', KEYS[2], ARGV[2])
  return 1
end
return 0
"""


class ShardScheduler(Scheduler):
    """scrapy-redis's scheduler with its FIFO queue, minus two ways a killed process loses requests:

    - scrapy-redis adds a request to the shared filter and then to the queue, in two round trips: a
      kill in between leaves it seen and never queued. Here one script does both.
    - a request popped from the queue is gone from Redis: a kill before its page is finished leaves
      it seen and never fetched. Here the pop moves it, in one step (RPOPLPUSH, Redis's reliable
      queue), to a list of the requests this shard has taken (``TakenRequests``), where it stays
      until the crawl context has committed its page; when the shard starts again, what is left
      goes back into the queue.
    """

    def open(self, spider):
        super().open(spider)
        if not isinstance(self.queue, FifoQueue):
            raise ValueError(
                "ShardScheduler moves requests between Redis lists: it needs SCHEDULER_QUEUE_CLASS "
                "scrapy_redis.queue.FifoQueue"
            )
        settings = spider.crawler.settings
        self.see_and_push = self.server.register_script(_SEE_AND_PUSH)
        self.taken = TakenRequests(
            self.server, f"{settings.get('BOT_NAME')}:taken:{shard_name(settings.get('CORPUS_DB'))}", self.queue.key
        )
        CrawlContext.of(spider.crawler).corpus.taken = self.taken
        put_back = self.taken.put_back()
        spider.crawler.stats.set_value("deepseek/scaleout/requests_put_back", put_back)
        if put_back:
            spider.logger.warning(
                "shared queue: %d requests this shard had taken when it stopped are queued again", put_back
            )

    def enqueue_request(self, request):
        if request.dont_filter:
            return super().enqueue_request(request)
        fingerprint = self.df.request_fingerprint(request)
        if not self.see_and_push(
            keys=[self.df.key, self.queue.key], args=[fingerprint, self.queue._encode_request(request)]
        ):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis", spider=self.spider)
        return True

    def next_request(self):
        encoded = self.taken.take()
        if encoded is None:
            return None
        request = self.queue._decode_request(encoded)
        self.taken.remember(request.url, encoded)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis", spider=self.spider)
        return request


class TakenRequests:
    """The requests this shard took from the shared queue and has not finished: a Redis list of encoded
    requests, and in memory which URL each entry of this run belongs to."""

    def __init__(self, server, key: str, queue_key: str):
        self.server, self.key, self.queue_key = server, key, queue_key
        self.encoded: dict[str, bytes] = {}  # url key -> encoded request

    def take(self) -> bytes | None:
        """The next encoded request of the shared queue, moved to this shard's list in one step."""
        return self.server.rpoplpush(self.queue_key, self.key)

    def remember(self, url: str, encoded: bytes) -> None:
        self.encoded[url_key(url)] = encoded

    def finish_many(self, urls: list[str]) -> None:
        """Let go of the requests for these pages (their outcomes are committed)."""
        pipe = self.server.pipeline(transaction=False)
        for url in urls:
            encoded = self.encoded.pop(url_key(url), None)
            if encoded is not None:
                pipe.lrem(self.key, 1, encoded)
        pipe.execute()

    def put_back(self) -> int:
        """Move what a killed run had taken back into the shared queue (past the filter, which has
        seen them), one atomic step per request."""
        moved = 0
        while self.server.rpoplpush(self.key, self.queue_key) is not None:
            moved += 1
        return moved

    def clear(self) -> None:
        """A run that closes normally has finished or given up on everything it took."""
        self.server.delete(self.key)
        self.encoded.clear()


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
