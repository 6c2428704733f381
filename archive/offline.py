"""The crawl's pipeline without the network: archived pages go through the crawl's own ExtractPipeline
(core.worker in worker processes), TopicPipeline and CorpusPipeline (dedup.Deduplicator and
storage.corpus), and its CrawlContext, in the order they are given.

A small adapter (``OfflineCrawler``) stands in for the Scrapy crawler those classes read their
settings, stats, topic terms and shared state from, so no judgement is written twice: the keep/drop
decision is CorpusPipeline's. Pages are handed to the workers a few at a time and finished in their
order, so the dedup decisions (which copy of a story is kept) follow the order of the input.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass
from typing import AsyncIterator, Callable, Iterable

from scrapy.settings import Settings

from crawler.context import CrawlContext
from crawler.items import PageItem
from crawler.pipelines import CorpusPipeline, ExtractPipeline, TopicPipeline

IN_FLIGHT_PER_WORKER = 4  # pages handed to each worker ahead: keeps it busy, bounds the memory held


class Stats:
    """What Scrapy's stats collector offers the pipelines: counters by name."""

    def __init__(self):
        self.values: dict[str, float] = {}

    def inc_value(self, key: str, count: float = 1, start: float = 0) -> None:
        self.values[key] = self.values.get(key, start) + count

    def set_value(self, key: str, value) -> None:
        self.values[key] = value

    def get_value(self, key: str, default=None):
        return self.values.get(key, default)

    def get_stats(self) -> dict:
        return dict(self.values)


class NoSignals:
    """A crawler's signal manager that connects nothing: offline, no engine sends signals."""

    def connect(self, *args, **kwargs) -> None:
        pass


@dataclass
class OfflineSpider:
    """The attribute of a spider that the pipelines read: the topic keywords."""

    keywords: tuple[str, ...]


class OfflineCrawler:
    """The attributes of a Scrapy crawler that CrawlContext and the pipelines use."""

    def __init__(self, settings: Settings, keywords: Iterable[str]):
        self.settings = settings
        self.stats = Stats()
        self.signals = NoSignals()
        self.spider = OfflineSpider(tuple(keywords))


def crawl_settings(corpus_db: str, overrides: dict | None = None) -> Settings:
    """The crawl's settings (crawler/settings.py) with the corpus and any overrides."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("CORPUS_DB", str(corpus_db), priority="cmdline")
    for name, value in (overrides or {}).items():
        if value is not None:
            settings.set(name, value, priority="cmdline")
    return settings


class OfflinePipeline:
    """Opens a corpus as the crawl does (its lock, dedup index, learned chrome) and judges pages into it."""

    def __init__(
        self,
        corpus_db: str,
        keywords: Iterable[str],
        *,
        workers: int | None = None,
        settings: dict | None = None,
        run_args: dict | None = None,
    ):
        overrides = dict(settings or {})
        if workers is not None:
            overrides["EXTRACT_WORKERS"] = workers
        self.crawler = OfflineCrawler(crawl_settings(corpus_db, overrides), keywords)
        self.context = CrawlContext.of(self.crawler)
        self.context.corpus.writer.on_failure = self.write_failed
        self.stages = [ExtractPipeline(self.crawler), TopicPipeline(self.crawler), CorpusPipeline(self.crawler)]
        for stage in self.stages:
            stage.open_spider()
        self.context.corpus.begin_run(run_args or {})
        self.closed = False

    @property
    def stats(self) -> Stats:
        return self.crawler.stats

    @property
    def writer(self):
        return self.context.corpus.writer

    async def judge(
        self,
        entries: AsyncIterator | Iterable,
        on_done: Callable[[object, dict], None],
        keep: Callable[[PageItem], bool] | None = None,
    ) -> None:
        """Judge ``(tag, PageItem)`` entries (``None`` items pass through, for the caller's bookkeeping);
        ``on_done(tag, result)`` is called for each in input order, ``result`` being the CorpusPipeline's
        ``{"url", "outcome", ...}`` (or ``{}`` for a None item). ``keep(item)``, after extraction, may
        reject a page (outcome ``filtered``)."""
        extract, topic, corpus = self.stages
        window = max(1, extract.workers) * IN_FLIGHT_PER_WORKER
        pending: deque = deque()

        async def finish_oldest():
            tag, item, task = pending.popleft()
            if item is None:
                on_done(tag, {})
                return
            item = await task
            if item.outcome is None and keep is not None and not keep(item):
                item.outcome = "filtered"
                self.stats.inc_value("deepseek/filtered")
            on_done(tag, corpus.process_item(topic.process_item(item)))

        async for tag, item in _aiter(entries):
            task = None if item is None else asyncio.ensure_future(extract.process_item(item))
            pending.append((tag, item, task))
            while len(pending) > window or (pending and (pending[0][2] is None or pending[0][2].done())):
                await finish_oldest()
            await asyncio.sleep(0)
        while pending:
            await finish_oldest()

    def write_failed(self, error) -> None:
        """A batch the corpus refused stops the run: there is no engine to stop, so the error goes up to
        the command, which says it in one line; CrawlContext.close then closes the run as failed."""
        self.context.corpus.write_failure = error
        self.stats.set_value("deepseek/errors/corpus_write", 1)
        raise error

    def close(self, reason: str = "finished") -> None:
        if self.closed:
            return
        self.closed = True
        self.stages[0].close_spider()
        self.context.close(None, reason)


async def _aiter(entries):
    if hasattr(entries, "__aiter__"):
        async for entry in entries:
            yield entry
    else:
        for entry in entries:
            yield entry


def page_item(
    url: str,
    body: bytes,
    content_type: str,
    fetched_at: str,
    *,
    via: str,
    hints: str | dict | None = None,
    aliases: str | list | None = None,
) -> PageItem:
    """A PageItem as the spider yields it, for an archived page."""
    if isinstance(hints, str):
        hints = json.loads(hints or "{}")
    if isinstance(aliases, str):
        aliases = json.loads(aliases or "[]")
    return PageItem(
        url=url,
        body=body,
        content_type=content_type,
        fetched_at=fetched_at,
        via=via,
        hints=hints or {},
        aliases=list(aliases or ()),
    )
