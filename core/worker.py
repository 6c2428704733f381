"""What a worker process does with one fetched page: extract it, then fingerprint its text for dedup;
and how a process of the crawl starts and stops (worker start-up and kill, memory allocator settings).

Pure and Scrapy-free, so it runs in a ProcessPoolExecutor worker; everything it needs comes in as
picklable arguments, everything it finds goes back as a plain dict and a dedup Fingerprint. The
extractor (trafilatura, lxml.html, htmldate) is imported on the first page, so the crawl
process, which imports this module to hand pages to the workers, does not carry it.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from core.topic import Prefilter, may_be_on_topic
from dedup import DedupConfig, fingerprint_text

HINTED_FIELDS = ("title", "published", "language", "site_name")
MMAP_THRESHOLD = 128 * 1024  # bytes; glibc's initial value, kept fixed (see limit_malloc_caching)
MALLOC_ARENAS = 2


def analyse_page(
    body: bytes,
    url: str,
    content_type: str,
    hints: dict,
    site_chrome: frozenset,
    dedup_config: DedupConfig,
    prefilter: Prefilter | None = None,
):
    """(page, fingerprint, seconds): the extracted page, with what a feed or news sitemap said filling its
    gaps, the dedup fingerprint of its text (None when the page holds no article), and the seconds each
    stage took (wall time: a worker does nothing else meanwhile), with ``worker_idle``, the time since
    this process's previous page (or its start) ended: handing pages over, or no page to hand. With a
    topic ``prefilter`` (the ingest's), a page whose HTML cannot name a topic term is not extracted:
    (None, None, seconds)."""
    from core.extract import extract_page
    from core.extraction.language import UNDETERMINED, normalize_language_code

    seconds = {"worker_idle": idle_since_last_page()}
    trim_every_so_many_pages()
    started = time.perf_counter()
    if prefilter is not None and not hints.get("title"):  # a feed's title may name the term where the HTML does not
        passed = may_be_on_topic(prefilter, body, content_type)
        seconds["prefilter"] = time.perf_counter() - started
        if not passed:
            page_done()
            return None, None, seconds
        started = time.perf_counter()
    page = extract_page(body, url, content_type=content_type, site_chrome=site_chrome)
    extracted = time.perf_counter()
    for name in HINTED_FIELDS:
        gap = not page.get(name) or (name == "language" and page[name] == UNDETERMINED)  # a feed's fills "und"
        if gap and hints.get(name):
            page[name] = hints[name]
    page["language"] = normalize_language_code(page.get("language")) or UNDETERMINED  # "de-DE" -> "de"
    seconds["extract"] = extracted - started
    fingerprint = None
    if page.get("text"):
        fingerprint = fingerprint_text(page["text"], page.get("language"), dedup_config)
        seconds["fingerprint"] = time.perf_counter() - extracted
    page_done()
    return page, fingerprint, seconds


_last_page_done = None  # perf_counter when this process last finished a page (or started)


def page_done() -> None:
    global _last_page_done
    _last_page_done = time.perf_counter()


def idle_since_last_page() -> float:
    """Seconds since this process finished its previous page or started (0.0 for a process that
    never did either: the crawl process extracting in-line)."""
    return 0.0 if _last_page_done is None else time.perf_counter() - _last_page_done


@functools.lru_cache(maxsize=1)
def glibc():
    """The C library when it is glibc (it has ``mallopt`` and ``malloc_trim``), else None."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return libc


def limit_malloc_caching() -> None:
    """Keep freed page-sized memory from piling up in the process (glibc; a no-op elsewhere).

    Page bodies and their copies are 100 KB to a few MB. glibc serves blocks above its mmap threshold
    with their own mmap and unmaps them on free, but raises that threshold to the size of every such
    block freed, after which bodies come from the heap, where fragments of them stay resident; and each
    thread touching malloc may get an arena of its own. A fixed threshold and two arenas keep the crawl
    process and each worker smaller at the same speed (tests/benchmarks/bench_crawl.py shows it)."""
    libc = glibc()
    if libc is None:
        return
    m_mmap_threshold, m_arena_max = -3, -8  # from glibc's malloc.h
    libc.mallopt(m_mmap_threshold, MMAP_THRESHOLD)
    libc.mallopt(m_arena_max, MALLOC_ARENAS)


def give_back_freed_memory() -> None:
    """Return the heap's free pages to the system (glibc ``malloc_trim``; a no-op elsewhere). Freed page
    bodies and trees leave free pages scattered through the heap, which stay resident until trimmed;
    a trim takes a few milliseconds, so callers do it every so often, not after every page."""
    libc = glibc()
    if libc is not None:
        libc.malloc_trim(0)


TRIM_EVERY_PAGES = 25  # bench_crawl --copies 55: peak RSS summed 388 MB, against 396-398 MB every 100 pages
_pages_since_trim = 0


def trim_every_so_many_pages() -> None:
    """In a process handling pages (a worker, or the crawl process handing them over): forget the
    extractor's text caches and give freed memory back every ``TRIM_EVERY_PAGES`` pages."""
    global _pages_since_trim
    _pages_since_trim += 1
    if _pages_since_trim >= TRIM_EVERY_PAGES:
        _pages_since_trim = 0
        forget_text_caches()
        give_back_freed_memory()


TEXT_CACHE_MODULES = ("trafilatura", "htmldate", "justext", "courlan", "core.extraction")


def forget_text_caches() -> None:
    """Empty the ``functools.lru_cache`` caches of the extractor's modules. trafilatura keeps the last
    1,024 to 16,384 lines and texts it trimmed or cleaned, the extraction its vocabulary and chrome
    patterns: bounded, but they hold the text of hundreds of pages (measured: ~16 MB per worker after
    400 pages, back to nothing once emptied). A page rarely meets another page's lines, so between pages
    they save little; within a page they work as before."""
    for name in [name for name in sys.modules if name.startswith(TEXT_CACHE_MODULES)]:
        module = sys.modules.get(name)
        for value in list(getattr(module, "__dict__", {}).values()):
            if isinstance(value, _LRU_CACHE):
                value.cache_clear()


_LRU_CACHE = type(functools.lru_cache(maxsize=1)(lambda: None))


class ExtractTimeout(Exception):
    """A page's extraction outlasted EXTRACT_TIMEOUT; the workers were stopped."""


WARM_UP_PAGE = (
    b"<html><head><title>Start</title></head><body><h1>Start</h1><ul><li><a href='/a'>Erster "
    b"Artikel</a></li><li><a href='/b'>Zweiter Artikel</a></li></ul></body></html>"
)
WORKER_START_SECONDS = 120  # the longest a worker waits for the other workers of its pool to start
_all_started = None  # in a worker: the barrier its pool's workers meet at once each has started


def worker_ready() -> int:
    """A task that returns (the worker's pid) once every worker of its pool has started: one per worker
    is awaited before a new pool gets pages, so that a page's time limit does not count the workers'
    start (each imports the extractor and runs it once)."""
    if _all_started is not None:
        try:
            _all_started.wait(timeout=WORKER_START_SECONDS)
        except threading.BrokenBarrierError:  # a worker that never came up: the others go on
            pass
    return os.getpid()


class WorkerPool(ProcessPoolExecutor):
    """A ProcessPoolExecutor that always replaces a worker leaving after ``max_tasks_per_child`` pages.
    Python 3.11's executor replaces one only when its count of idle workers, which drifts up with every
    page done, is zero; so it soon stops replacing them and, once none is left, the pages waiting in
    the pool wait for ever (CPython gh-115634; the fix went to 3.13 and later, not to 3.11). Here a
    worker is started whenever the pool has fewer than its number, as that fix does; the pool starts
    all its workers at once anyway (one ``worker_ready`` task each)."""

    def _adjust_process_count(self):
        if len(self._processes) < self._max_workers:
            self._spawn_process()


def stop_pool(pool) -> None:
    """Kill the worker processes of a ProcessPoolExecutor and shut it down without waiting: a worker
    busy with a page cannot be told to stop. The pool's pending futures fail with BrokenProcessPool."""
    kill_workers = getattr(pool, "kill_workers", None)  # Python 3.14+
    if kill_workers is not None:
        kill_workers()
    else:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def start_worker(crawl_pid: int, all_started=None) -> None:
    """Worker start-up: the allocator settings of the crawl, the extractor imported and run once before
    the first page comes, and leave when the crawl process is gone. ``all_started``: a multiprocessing Barrier for
    all the pool's workers (see worker_ready)."""
    global _all_started
    _all_started = all_started
    limit_malloc_caching()
    from core.extract import extract_page

    extract_page(WARM_UP_PAGE)  # what a first page loads lazily (readability, htmldate...), not on its time
    page_done()
    exit_with_crawl(crawl_pid)


def exit_with_crawl(crawl_pid: int) -> None:
    """Leave when the crawl process is gone. A SIGKILLed crawl cannot shut its pool down, and a
    forkserver worker holds both ends of its own task pipe, so it would wait forever."""

    def watch():
        while True:
            time.sleep(1.0)
            try:
                os.kill(crawl_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="exit-with-crawl", daemon=True).start()
