"""The crawl's progress and its closing summary, from the crawl's stats.

On a terminal a live status line (pages/s, queue, stored, duplicates, errors, elapsed) is redrawn every
second under the log; elsewhere (a pipe, a file, CI) a plain log line every PROGRESS_INTERVAL seconds
says the same. The closing summary counts what storage.runstats defines, and when start points failed
it says how many and why. Pure functions format; ``CrawlProgress`` is the Scrapy extension.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from collections import deque

from scrapy import signals
from twisted.internet import task

from storage.runstats import counts, kinds, summary

logger = logging.getLogger("deepseek_news.progress")

FAILURE_CAUSES = {  # deepseek/start_failed/<kind> -> what a person reads
    "dns": "DNS lookup failed",
    "timeout": "timed out",
    "refused": "connection refused",
    "connection": "connection failed",
    "too_large": "response too large",
    "too_many_redirects": "too many redirects",
    "blocked": "blocked by robots.txt or the address guard",
    "other": "download failed",
}
NETWORK_CAUSES = {"dns", "timeout", "refused", "connection"}
LIVE_INTERVAL = 1.0  # seconds between redraws of the live line
RATE_WINDOW = 10.0  # pages/s is measured over this many recent seconds


def cause(kind: str) -> str:
    if kind.startswith("http_"):
        return f"HTTP {kind[5:]}"
    return FAILURE_CAUSES.get(kind, kind.replace("_", " "))


def start_points_line(failed: dict[str, int], start_points: int) -> str | None:
    """``19 of 19 start points unreachable: DNS lookup failed; is this machine online?``, or None when
    none failed. Several causes are listed with their counts, the most frequent first."""
    number = sum(failed.values())
    if not number:
        return None
    ranked = sorted(failed.items(), key=lambda item: (-item[1], item[0]))
    causes = cause(ranked[0][0]) if len(ranked) == 1 else ", ".join(f"{cause(k)} ({n})" for k, n in ranked)
    word = "unreachable" if set(failed) <= NETWORK_CAUSES else "failed"
    line = f"{number} of {max(start_points, number)} start points {word}: {causes}"
    if number >= start_points and "dns" in failed:
        line += "; is this machine online?"
    return line


def elapsed_text(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def status_line(stats: dict, rate: float, queue: int | None, elapsed: float) -> str:
    """The live line and the periodic log line: ``42 pages (3.5/s), queue 17, 12 stored, ...``."""
    numbers = counts(stats)
    queued = "?" if queue is None else str(queue)
    return (
        f"{numbers['pages fetched']} pages ({rate:.1f}/s), queue {queued}, {numbers['stored']} stored, "
        f"{numbers['duplicates']} duplicates, {numbers['errors']} errors, {elapsed_text(elapsed)} elapsed"
    )


class ClearLiveLine(logging.Filter):
    """On the stderr log handler: wipes the live line before a log record is written over it."""

    def __init__(self, progress: "CrawlProgress"):
        super().__init__()
        self.progress = progress

    def filter(self, record: logging.LogRecord) -> bool:
        self.progress.clear()
        return True


class RedrawLiveLine(logging.Handler):
    """Beside the stderr log handler, after it: draws the live line again under the record just written."""

    def __init__(self, progress: "CrawlProgress", level: int):
        super().__init__(level)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        self.progress.draw()


class CrawlProgress:
    """The live progress line on a terminal (or a log line every so often): pages, rate, outcomes."""

    def __init__(self, crawler, interval: float, live: bool):
        self.crawler = crawler
        self.interval = interval
        self.live = live
        self.loop = None
        self.started = time.monotonic()
        self.recent: deque[tuple[float, int]] = deque()
        self.drawn = False
        self.current = ""  # the live line's text, computed each tick
        self.handlers: list[tuple[logging.Handler, ClearLiveLine]] = []
        self.redraw: RedrawLiveLine | None = None

    @classmethod
    def from_crawler(cls, crawler):
        setting = crawler.settings.get("PROGRESS_LIVE")  # None: on when stderr is a terminal
        live = (
            (sys.stderr.isatty() and getattr(sys.stderr, "name", "") == "<stderr>")
            if setting is None
            else crawler.settings.getbool("PROGRESS_LIVE")
        )
        extension = cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL"), live)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    # -- figures -------------------------------------------------------------------------------------
    def stats(self) -> dict:
        return self.crawler.stats.get_stats()

    def queue(self) -> int | None:
        try:
            return len(self.crawler.engine.scheduler)
        except Exception:  # noqa: BLE001 - a scheduler without a length (or none yet) shows "?"
            return None

    def rate(self, pages: int) -> float:
        now = time.monotonic()
        self.recent.append((now, pages))
        while len(self.recent) > 2 and now - self.recent[0][0] > RATE_WINDOW:
            self.recent.popleft()
        then, before = self.recent[0]
        return (pages - before) / (now - then) if now > then else 0.0

    def line(self) -> str:
        stats = self.stats()
        return status_line(
            stats, self.rate(counts(stats)["pages fetched"]), self.queue(), time.monotonic() - self.started
        )

    # -- output --------------------------------------------------------------------------------------
    def spider_opened(self, spider):
        self.started = time.monotonic()
        self.recent.append((self.started, 0))  # the first rate is measured from the start
        if self.live:
            root = logging.getLogger()
            for handler in root.handlers:
                if getattr(handler, "stream", None) is sys.stderr:
                    clear = ClearLiveLine(self)
                    handler.addFilter(clear)
                    self.handlers.append((handler, clear))
            if self.handlers:
                self.redraw = RedrawLiveLine(self, min(handler.level for handler, _ in self.handlers))
                root.addHandler(self.redraw)  # called after the handlers already there
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(LIVE_INTERVAL if self.live else self.interval, now=False)

    def tick(self):
        if self.live:
            self.current = self.line()
            self.draw()
        else:
            logger.info("progress: %s", self.line())

    def draw(self):
        if not self.current:
            return
        width = shutil.get_terminal_size((100, 24)).columns - 1
        sys.stderr.write("\r\x1b[K" + self.current[:width])
        sys.stderr.flush()
        self.drawn = True

    def clear(self):
        if self.drawn:
            self.drawn = False
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    def spider_closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.redraw is not None:
            logging.getLogger().removeHandler(self.redraw)
        self.clear()
        for handler, clear in self.handlers:
            handler.removeFilter(clear)
        stats = self.stats()
        logger.info("finished (%s) after %s: %s", reason, elapsed_text(time.monotonic() - self.started), summary(stats))
        failed = start_points_line(kinds(stats, "deepseek/start_failed"), len(getattr(spider, "start_points", ())))
        if failed:
            logger.warning(failed)
