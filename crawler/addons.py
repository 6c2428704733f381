"""Scrapy add-ons of the crawl.

``WithoutRemoteControl`` takes Scrapy's RemoteControl extension out of EXTENSIONS_BASE, so its module
(which imports aiohttp) is never imported; crawler/settings.py cannot, as it imports nothing of Scrapy.

``RedisScaleOut`` switches the crawl to the shared Redis queue, filter and index of ``crawler.scaleout``
when REDIS_URL is set, and changes nothing otherwise (Scrapy then does not list it as enabled). It
names those classes by path, so this module imports nothing of scrapy-redis: a crawl without Redis
does not load redis-py.
"""

from __future__ import annotations

from scrapy.exceptions import NotConfigured


class RedisScaleOut:
    """Switches the scheduler and the duplicate filter to Redis when REDIS_URL is set. (The dedup index
    follows REDIS_URL in CrawlContext: the spider, and with it the context, exists before add-ons run.)"""

    def update_settings(self, settings):
        redis_url = settings.get("REDIS_URL")
        if not redis_url:  # not used: Scrapy then leaves it out of its "Enabled addons" list
            raise NotConfigured()
        for name, value in {
            "SCHEDULER": "crawler.scaleout.ShardScheduler",
            "DUPEFILTER_CLASS": "crawler.scaleout.UrlKeyRedisDupeFilter",
            "SCHEDULER_PERSIST": True,  # one process finishing must not wipe the queue the others use
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.FifoQueue",
            "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # a blocking pop would block the reactor; ClusterIdle waits
        }.items():
            settings.set(name, value, priority="addon")
        extensions = settings.getdict("EXTENSIONS")
        extensions["crawler.scaleout.ClusterIdle"] = 600
        settings.set("EXTENSIONS", extensions, priority="addon")


class WithoutRemoteControl:
    """Leaves RemoteControl out of Scrapy's EXTENSIONS_BASE (REMOTE_CONTROL_ENABLED is False): Scrapy
    imports every extension listed there, even one set to None in EXTENSIONS."""

    def update_settings(self, settings):
        base = settings.getdict("EXTENSIONS_BASE")
        settings.set(
            "EXTENSIONS_BASE",
            {name: order for name, order in base.items() if not name.endswith(".remote_control.RemoteControl")},
            priority="addon",
        )
