"""The site chrome a run learns (a crawl, an ingest), kept in its corpus: loaded at start-up, saved every so many pages
(``CHROME_SAVE_EVERY``) and at the end, so a killed crawl loses little of it. A save writes the counts
that changed since the last one, not all of them again."""

from __future__ import annotations

from collections.abc import Iterable

from core.chrome import SiteChrome
from storage.corpus import CorpusWriter


class ChromeMemory:
    """``SiteChrome`` counts for the run, persisted through the corpus writer."""

    def __init__(self, writer: CorpusWriter, save_every: int):
        self.writer = writer
        self.save_every = save_every
        self.chrome = SiteChrome()
        self.chrome.load(writer.chrome_rows())
        self.pages_since_save = 0

    def chrome_for(self, site: str) -> frozenset[str]:
        return self.chrome.chrome_for(site)

    def observe(self, site: str, block_hashes: Iterable[str]) -> None:
        """Count one extracted page of ``site``; every ``save_every`` pages the counts go into the
        corpus's next batch."""
        self.chrome.observe(site, block_hashes)
        self.pages_since_save += 1
        if self.pages_since_save >= self.save_every:
            self.save()

    def save(self) -> None:
        self.writer.save_chrome(self.chrome.changed_rows())
        self.pages_since_save = 0
