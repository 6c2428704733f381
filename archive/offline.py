"""The crawl's pipeline without the network and without Scrapy: archived pages go through the stages
the crawl's item pipelines adapt (storage.pipeline: ExtractStage with core.worker in worker processes,
TopicStage, CorpusStage with dedup.Deduplicator and storage.corpus) and its shared state
(storage.context.RunContext), on the crawl's own settings (crawler/settings.py, a plain module), in the
order they are given.

No judgement is written twice: the keep/drop decision is CorpusStage's, as in the crawl. Pages are
handed to the workers a few at a time and finished in their order, so the dedup decisions (which copy
of a story is kept) follow the order of the input.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from typing import AsyncIterator, Callable, Iterable

import crawler.settings
from crawler.items import PageItem
from storage.context import RunContext
from storage.pipeline import CorpusStage, ExtractStage, TopicStage

IN_FLIGHT_PER_WORKER = 4  # pages handed to each worker ahead: keeps it busy, bounds the memory held


class Stats:
    """What Scrapy's stats collector offers the pipeline: counters by name."""

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


def crawl_settings(corpus_db: str, overrides: dict | None = None) -> dict:
    """The crawl's settings (crawler/settings.py) with the corpus and any overrides."""
    settings = {name: getattr(crawler.settings, name) for name in dir(crawler.settings) if name.isupper()}
    settings["CORPUS_DB"] = str(corpus_db)
    settings.update((name, value) for name, value in (overrides or {}).items() if value is not None)
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
        prefilter=None,
    ):
        overrides = dict(settings or {})
        if workers is not None:
            overrides["EXTRACT_WORKERS"] = workers
        settings = crawl_settings(corpus_db, overrides)
        self.stats = Stats()
        self.context = RunContext(settings, self.stats)
        self.context.corpus.writer.on_failure = self.write_failed
        self.stages = [ExtractStage(settings, self.stats), TopicStage(self.stats), CorpusStage(settings, self.stats)]
        extract, topic, corpus = self.stages
        extract.prefilter = prefilter  # core.topic.compile_prefilter's: pages that cannot be on topic
        extract.open(self.context)
        topic.open(tuple(keywords))
        corpus.open(self.context)
        self.context.corpus.begin_run(run_args or {})
        self.closed = False

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
        ``on_done(tag, result)`` is called for each in input order, ``result`` being the CorpusStage's
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
        the command, which says it in one line; RunContext.close then closes the run as failed."""
        self.context.corpus.write_failure = error
        self.stats.set_value("deepseek/errors/corpus_write", 1)
        raise error

    def close(self, reason: str = "finished") -> None:
        if self.closed:
            return
        self.closed = True
        self.stages[0].close()
        self.context.close(reason)


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
