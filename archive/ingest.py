"""``deepseek-news ingest``: WARC files (Common Crawl's CC-NEWS, another crawler's, our own) read into a
corpus through the crawl's pipeline (archive.offline).

Each HTML response record becomes a page; other records are counted, and bad ones (a truncated or
corrupt gzip member, a Content-Length that does not match, a payload that cannot be decoded) and
pages that are no HTML or revisits get one line each on the log and never stop the run. How far
each file has been read is committed with the pages read before that point (corpus table
``ingested``), so a killed run started again continues where it stopped, nothing lost or doubled.
With Redis, the files are a shared queue (archive.queue) and the dedup index is shared.

A page whose HTML cannot name a topic term in any form (core.topic.may_be_on_topic: an exact necessary
condition) is not extracted: the extraction worker checks that first (on two cores it costs the ingest's
one main process more than extraction costs the workers), and the page ends as ``no_topic_term``,
counted as off topic. CC-NEWS holds about a million pages a day, few of them on the topic.

Records are read (inflated and parsed) by a thread a few records ahead of the pipeline
(``read_ahead``): the event loop, which hands pages to the extraction workers and judges their
results, spends its time waiting for those, and inflating (ISA-L) lets go of the GIL.
"""

from __future__ import annotations

import asyncio
import glob
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

from archive.offline import OfflinePipeline, page_item
from archive.warc import BadRecord, Member, archived_page, parse_record, read_members
from core.dates import normalize_date
from core.seeds import DEFAULT_SEEDS, load_seeds
from core.topic import compile_prefilter
from core.urls import canonical_or_none, site_of
from storage.dedup_service import shard_name
from storage.corpus import CorpusError
from storage.pipeline import NO_TOPIC_TERM

PROGRESS_EVERY = 5.0  # seconds between progress lines
READ_AHEAD = 16  # records read ahead of the pipeline (each one's body is held meanwhile)
QUIET_SKIPS = ("warcinfo", "request", "metadata", "resource", "conversion")  # normal records: counted only


@dataclass
class IngestFilters:
    """Which pages to keep. ``since``/``until`` (YYYY-MM-DD, both days included) apply to the page's own
    date when it has one, else to its WARC-Date; a record fetched before ``since`` is skipped unread (a
    page cannot be published after it was fetched). ``site`` keeps the site and its subdomains."""

    since: str | None = None
    until: str | None = None
    language: str | None = None
    site: str | None = None

    def __post_init__(self):
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and (not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) or normalize_date(value) is None):
                raise CorpusError(f"--{name} must be a date as YYYY-MM-DD, got {value!r}")
        if self.site:
            self.site = self.site.lower().removeprefix("www.")

    def before_reading(self, url: str, warc_date: str) -> str | None:
        """Why a record is left out before extraction, or None."""
        if self.site:
            site = site_of(url)
            if site != self.site and not site.endswith("." + self.site):
                return "site"
        if self.since and warc_date[:10] < self.since:
            return "date"
        return None

    def keep(self, page: dict, warc_date: str) -> bool:
        """After extraction: the page's language and date."""
        if self.language and page.get("language") != self.language:
            return False
        day = str(page.get("published") or "")[:10] or warc_date[:10]
        return not (self.since and day < self.since or self.until and day > self.until)


@dataclass
class Report:
    """What an ingest run did: files, records, pages judged and their outcomes, records skipped and why."""

    files: int = 0
    files_done_earlier: int = 0
    records: int = 0
    pages: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        outcomes = ", ".join(f"{count} {name}" for name, count in sorted(self.outcomes.items())) or "none"
        skipped = ", ".join(f"{count} {name}" for name, count in sorted(self.skipped.items())) or "none"
        return (
            f"ingested {self.files} WARC files ({self.files_done_earlier} done by an earlier run): "
            f"{self.records} records, {self.pages} HTML pages judged ({outcomes}); skipped: {skipped}"
        )


def expand_paths(arguments: Iterable[str]) -> list[str]:
    """Paths from the command line: plain paths, globs, and @LIST files of paths (one a line, # comments)."""
    paths: list[str] = []
    for argument in arguments:
        if argument.startswith("@"):
            try:
                lines = Path(argument[1:]).read_text(encoding="utf-8").splitlines()
            except OSError as error:
                raise CorpusError(f"cannot read the list {argument[1:]}: {error.strerror}") from None
            paths += expand_paths(line.strip() for line in lines if line.strip() and not line.startswith("#"))
        elif glob.has_magic(argument):
            matched = sorted(glob.glob(argument))
            if not matched:
                raise CorpusError(f"no file matches {argument}")
            paths += matched
        else:
            if not Path(argument).is_file():
                raise CorpusError(f"no WARC file at {argument}")
            paths.append(argument)
    return list(dict.fromkeys(os.path.abspath(path) for path in paths))


class Ingest:
    """One ingest run over WARC files: filters, progress, resume offsets, and the pipeline it feeds."""

    def __init__(
        self,
        pipeline: OfflinePipeline,
        filters: IngestFilters,
        report: Report,
        progress: IO[str] | None,
        prefilter: bool = False,
    ):
        self.pipeline, self.filters, self.report, self.progress = pipeline, filters, report, progress
        self.prefilter = prefilter  # pages that cannot be on topic are not extracted (counted on progress)
        self.started = time.monotonic()
        self.last_line = self.started
        self.bytes_total = 0
        self.bytes_done = 0
        self.records_at_start = 0
        self.read_seconds = 0.0  # wall time the pipeline waited for the next record (reading runs ahead)
        self.read_cpu_seconds = 0.0  # CPU time spent reading WARC (inflating and parsing records)

    def say(self, line: str) -> None:
        if self.progress is not None:
            self.progress.write(line + "\n")
            self.progress.flush()

    def skip(self, path: str, offset: int, key: str, detail: str | None = None, loud: bool = True) -> None:
        self.report.skipped[key] = self.report.skipped.get(key, 0) + 1
        self.pipeline.stats.inc_value(f"deepseek/ingest/skipped/{key}")
        if loud:
            self.say(f"ingest: skipped {path}@{offset}: {key}" + (f": {detail}" if detail else ""))

    def done_so_far(self, path: str) -> tuple[int, bool, int]:
        """(next offset, finished, records read) for a file, as committed."""
        row = self.pipeline.writer.conn.execute(
            "SELECT next_offset, finished_at, records FROM ingested WHERE warc_file = ?", (path,)
        ).fetchone()
        return (row[0], row[1] is not None, row[2] or 0) if row else (0, False, 0)

    async def file(self, path: str) -> None:
        start, finished, records = self.done_so_far(path)
        if finished:
            self.report.files_done_earlier += 1
            return
        if start:
            self.say(f"ingest: {path}: continuing at byte {start}")
        self.report.files += 1
        writer = self.pipeline.writer

        def on_done(tag, result):
            end, records_done, archived = tag
            if result:
                outcome = result.get("outcome") or "unknown"
                self.report.outcomes[outcome] = self.report.outcomes.get(outcome, 0) + 1
                if outcome not in ("filtered", "finished_earlier"):  # what reextract judges again: the
                    # pages the filters let through, each URL's first copy
                    writer.add_archived(archived)
            writer.note_ingested(path, end, records_done)

        async def entries():
            nonlocal records
            before = time.perf_counter()
            async for member, page in read_ahead(read_pages(path, start), spent=self.add_read_cpu):
                self.read_seconds += time.perf_counter() - before
                records += 1
                self.report.records += 1
                self.bytes_done += member.length
                item, archived = self.entry(path, member, page)
                if item is not None:
                    self.report.pages += 1
                yield (member.offset + member.length, records, archived), item
                self.tick()
                before = time.perf_counter()

        await self.pipeline.judge(entries(), on_done, keep=lambda item: self.filters.keep(item.page, item.fetched_at))
        writer.note_ingested(path, os.path.getsize(path), records, finished=True)
        writer.flush()

    def add_read_cpu(self, seconds: float) -> None:
        self.read_cpu_seconds += seconds

    def entry(self, path: str, member, page):
        """(PageItem, its ``archive`` row) for a member and what ``read_pages`` found in it, or
        (None, None) when it holds no page to judge (counted, and reported when it is a bad record)."""
        if member.error:
            self.skip(path, member.offset, member.kind, member.error)
            return None, None
        if isinstance(page, BadRecord):
            self.skip(path, member.offset, page.kind, str(page))
            return None, None
        if isinstance(page, str):
            self.skip(path, member.offset, page, loud=page not in QUIET_SKIPS)
            return None, None
        url = canonical_or_none(page.url)
        if url is None:
            self.skip(path, member.offset, "not_http")
            return None, None
        why = self.filters.before_reading(url, page.date)
        if why:
            self.skip(path, member.offset, f"filtered_{why}", loud=False)
            return None, None
        fetched_at = page.date[:19] + "+00:00" if len(page.date) >= 19 else page.date
        archived = {
            "url": url,
            "warc_file": path,
            "warc_offset": member.offset,
            "warc_length": member.length,
            "warc_date": page.date,
            "hints": "{}",
            "aliases": "[]",
        }
        return page_item(url, page.body, page.content_type, fetched_at, via="warc"), archived

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.last_line < PROGRESS_EVERY:
            return
        self.last_line = now
        seconds = now - self.started
        rate = (self.report.records - self.records_at_start) / seconds if seconds else 0.0
        share = self.bytes_done / self.bytes_total if self.bytes_total else 0.0
        eta = seconds * (1 - share) / share if share > 0 else float("nan")
        stored = self.report.outcomes.get("stored", 0)
        unread = f", {self.report.outcomes.get(NO_TOPIC_TERM, 0)} without a topic term" if self.prefilter else ""
        self.say(
            f"ingest: {self.report.records} records ({rate:.0f}/s), {self.report.pages} pages, {stored} stored"
            f"{unread}, {share:.0%} of the bytes, ETA {format_seconds(eta)}"
        )


async def read_ahead(items: Iterator, depth: int = READ_AHEAD, spent: Callable[[float], None] | None = None):
    """The items of ``items`` (an iterator that reads a WARC file), produced by a thread at most ``depth``
    items ahead; ``spent(seconds)`` gets the thread's CPU time at its end. An error in the thread is
    raised here; leaving the loop early stops the thread."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Queue = asyncio.Queue()
    room = threading.Semaphore(depth)
    stop = threading.Event()
    end = object()

    def produce():
        outcome = (end, None)
        started = time.thread_time()
        try:
            for item in items:
                while not room.acquire(timeout=0.2):
                    if stop.is_set():
                        return
                if stop.is_set():
                    return
                loop.call_soon_threadsafe(ready.put_nowait, (item, None))
        except BaseException as error:  # raised again in the event loop
            outcome = (end, error)
        finally:
            if hasattr(items, "close"):
                items.close()
            if spent is not None:
                spent(time.thread_time() - started)
        if not stop.is_set():
            loop.call_soon_threadsafe(ready.put_nowait, outcome)

    reader = threading.Thread(target=produce, name="warc-reader", daemon=True)
    reader.start()
    try:
        while True:
            item, error = await ready.get()
            if item is end:
                if error is not None:
                    raise error
                return
            room.release()
            yield item
    finally:
        stop.set()
        reader.join()


def read_pages(path: str, start: int):
    """(Member, what it holds) for each gzip member of a WARC file from ``start`` on: an ArchivedPage,
    why it holds none (a string, see ``archived_page``), a BadRecord, or None when the member could
    not be read (``member.error``). The member's bytes are let go once parsed."""
    for member in read_members(path, start):
        if member.error:
            yield member, None
            continue
        try:
            page = archived_page(parse_record(member.data))
        except BadRecord as error:
            page = error
        yield Member(member.offset, member.length), page  # without the record's bytes


def format_seconds(seconds: float) -> str:
    if seconds != seconds:
        return "?"
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def ingest(
    arguments: Iterable[str],
    corpus_db: str,
    *,
    filters: IngestFilters | None = None,
    workers: int | None = None,
    keywords=None,
    redis_url: str | None = None,
    progress: IO[str] | None = None,
    settings: dict | None = None,
    prefilter: bool = True,
) -> Report:
    """Read WARC files into ``corpus_db``; with ``redis_url``, push them to the shared queue and work on it.
    ``settings``: the crawl's settings to override (crawler/settings.py). ``prefilter``: pages whose HTML
    names no topic term in any form are not extracted (outcome ``no_topic_term``; False: every page is
    extracted, for measuring; the corpus is the same)."""
    paths = expand_paths(arguments)
    if not paths and not redis_url:
        raise CorpusError("no WARC files given")
    filters = filters or IngestFilters()
    keywords = tuple(keywords) if keywords is not None else load_seeds(DEFAULT_SEEDS).keywords
    report = Report()
    compiled = compile_prefilter(keywords) if prefilter else None  # None: no terms, or every page extracted
    pipeline = OfflinePipeline(
        corpus_db,
        keywords,
        workers=workers,
        settings={**(settings or {}), "REDIS_URL": redis_url},
        run_args={"ingest": paths, "keywords": list(keywords)},
        prefilter=compiled,
    )
    run = Ingest(pipeline, filters, report, progress, compiled is not None)
    reason = "finished"
    try:
        if redis_url:
            from archive.queue import WarcQueue

            queue = WarcQueue(redis_url, shard_name(corpus_db))
            queue.push(paths)
            asyncio.run(work_on_queue(run, queue))
        else:
            run.bytes_total = sum(os.path.getsize(path) - run.done_so_far(path)[0] for path in paths)
            asyncio.run(work_on_files(run, paths))
    except BaseException:
        reason = "interrupted"
        raise
    finally:
        pipeline.stats.set_value("deepseek/seconds/read_warc", run.read_seconds)
        pipeline.stats.set_value("deepseek/cpu_seconds/read_warc", run.read_cpu_seconds)
        pipeline.close(reason)
    return report


async def work_on_files(run: Ingest, paths: list[str]) -> None:
    for path in paths:
        await run.file(path)


async def work_on_queue(run: Ingest, queue) -> None:
    while True:
        path = queue.take()
        if path is None:
            return
        run.bytes_total = run.bytes_done + os.path.getsize(path) + queue.waiting_bytes()
        await run.file(path)
        queue.done(path)
