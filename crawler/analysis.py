"""What a worker process does with one fetched page: extract it, then fingerprint its text for dedup.

Pure and Scrapy-free, so it runs in a ProcessPoolExecutor worker; everything it needs comes in as
picklable arguments, everything it finds goes back as a plain dict and a dedup Fingerprint.
"""

from __future__ import annotations

import os
import threading
import time

from crawler.extract import extract_page
from crawler.extraction.language import normalize_language_code
from dedup import DedupConfig, fingerprint_text

HINTED_FIELDS = ("title", "published", "language", "site_name")


def analyse_page(body: bytes, url: str, content_type: str, hints: dict, site_chrome: frozenset,
                 dedup_config: DedupConfig):
    """(page, fingerprint, seconds): the extracted page, with what a feed or news sitemap said filling its
    gaps, the dedup fingerprint of its text (None when the page holds no article), and the seconds each
    stage took (wall time: a worker does nothing else meanwhile)."""
    started = time.perf_counter()
    page = extract_page(body, url, content_type=content_type, site_chrome=site_chrome)
    extracted = time.perf_counter()
    for name in HINTED_FIELDS:
        if not page.get(name) and hints.get(name):
            page[name] = hints[name]
    page["language"] = normalize_language_code(page.get("language"))  # a feed's "de-DE" -> "de"
    if not page.get("text"):
        return page, None, {"extract": extracted - started}
    fingerprint = fingerprint_text(page["text"], page.get("language"), dedup_config)
    return page, fingerprint, {"extract": extracted - started, "fingerprint": time.perf_counter() - extracted}


def exit_with_crawl(crawl_pid: int) -> None:
    """Worker start-up: leave when the crawl process is gone. A SIGKILLed crawl cannot shut its pool
    down, and a forkserver worker holds both ends of its own task pipe, so it would wait forever."""

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
