"""Site chrome learned while crawling: text blocks that recur on many pages of one site.

Owns the hash of a text block (``block_hash``, shared with extraction) and ``SiteChrome``, a pure
in-memory count of how many pages of each site carried each block. The crawl feeds it the
``block_hashes`` of every extracted page and passes ``chrome_for(site)`` back to extraction, so later
pages of a site lose those blocks whatever their markup. ``rows()`` / ``load()`` persist the counts in
the corpus table ``chrome(site, block, pages)``; the row with block ``PAGES_ROW`` ("*") holds how many
pages of the site were observed. Memory is bounded per page, per site and over all sites (the rarest
blocks go first: chrome recurs on most pages, so it is never the rarest).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import xxhash

PAGES_ROW = "*"
_DIGITS_RE = re.compile(r"\d+")


def normalize_block(text: str) -> str:
    """Casefolded, whitespace-collapsed text with every number replaced by 0.

    "Kommentar (3)" and "Kommentar (12)" are the same block. (str.split() splits on exactly the
    characters the regex \\s matches and str.strip() strips, so split/join collapses and strips in one
    step, faster than a second regex.)
    """
    return " ".join(_DIGITS_RE.sub("0", text).split()).casefold()


def block_hash(text: str) -> str | None:
    """16-hex-digit hash of a text block, None for blocks too short to mean anything."""
    norm = normalize_block(text)
    if len(norm) < 3:
        return None
    return xxhash.xxh3_64_hexdigest(norm.encode("utf-8"))


class SiteChrome:
    """Counts, per site, on how many pages each text block was seen.

    A block is chrome for a site once it was seen on at least `min_pages` pages and on at
    least `min_share` of the pages observed for that site.
    """

    def __init__(
        self,
        *,
        min_pages: int = 3,
        min_share: float = 0.1,
        max_blocks_per_site: int = 20_000,
        max_blocks_per_page: int = 500,
        max_blocks: int = 300_000,
    ):
        if min_pages < 2:
            raise ValueError("min_pages must be at least 2: one page cannot show recurrence")
        self.min_pages = min_pages
        self.min_share = min_share
        self.max_blocks_per_site = max_blocks_per_site
        self.max_blocks_per_page = max_blocks_per_page
        self.max_blocks = max_blocks  # over all sites: a crawl or an archive of thousands of sites stays bounded
        self._blocks = 0  # sum of len(counts) over the sites
        self._counts: dict[str, dict[str, int]] = {}
        self._pages: dict[str, int] = {}
        # kept equal to {hash: count >= threshold} as pages come, not recomputed for each page
        self._chrome: dict[str, set[str]] = {}
        self._chrome_cache: dict[str, frozenset[str]] = {}

    def observe(self, site: str, hashes: Iterable[str]) -> None:
        """Count one page of `site` carrying these block hashes (duplicates count once)."""
        unique = []
        seen = set()
        for fp in hashes:
            if fp and fp != PAGES_ROW and fp not in seen:
                seen.add(fp)
                unique.append(fp)
                if len(unique) >= self.max_blocks_per_page:
                    break
        counts = self._counts.setdefault(site, {})
        chrome = self._chrome.setdefault(site, set())
        before = len(chrome)
        need_before = self.threshold(site)
        self._pages[site] = self._pages.get(site, 0) + 1
        need = self.threshold(site)
        if need > need_before:  # the bar rose: blocks just at the old one are chrome no more
            chrome.difference_update([fp for fp in chrome if counts[fp] < need])
        added = False
        size_before = len(counts)
        for fp in unique:
            n = counts[fp] = counts.get(fp, 0) + 1
            if n >= need and fp not in chrome:
                chrome.add(fp)
                added = True
        if len(counts) > self.max_blocks_per_site:
            self._shrink(counts)
            chrome.intersection_update(counts)
        self._blocks += len(counts) - size_before
        if added or len(chrome) != before:
            self._chrome_cache.pop(site, None)
        if self._blocks > self.max_blocks:
            self._shrink_all()

    def _shrink(self, counts: dict[str, int]) -> None:
        """Drop the rarest hashes until the site is back under three quarters of its cap."""
        target = self.max_blocks_per_site * 3 // 4
        floor = 1
        while len(counts) > target:
            for fp in [fp for fp, n in counts.items() if n <= floor]:
                del counts[fp]
            floor += 1

    def _shrink_all(self) -> None:
        """Drop the rarest hashes of every site until all sites together are back under three quarters
        of ``max_blocks``: blocks seen once go first, and chrome, seen on several pages, last."""
        target = self.max_blocks * 3 // 4
        floor = 1
        while self._blocks > target:
            for site, counts in self._counts.items():
                rare = [fp for fp, n in counts.items() if n <= floor]
                for fp in rare:
                    del counts[fp]
                if rare:
                    self._blocks -= len(rare)
                    chrome = self._chrome.get(site)
                    if chrome:
                        chrome.intersection_update(counts)
                    self._chrome_cache.pop(site, None)
            floor += 1

    def threshold(self, site: str) -> int:
        """How many pages a block of `site` must be seen on to count as chrome."""
        pages = self._pages.get(site, 0)
        return max(self.min_pages, int(self.min_share * pages + 0.999))

    def chrome_for(self, site: str) -> frozenset[str]:
        """Fingerprints of the blocks that are chrome on `site` (empty for unknown sites)."""
        cached = self._chrome_cache.get(site)
        if cached is None:
            cached = self._chrome_cache[site] = frozenset(self._chrome.get(site, ()))
        return cached

    def pages_seen(self, site: str) -> int:
        return self._pages.get(site, 0)

    def rows(self) -> Iterator[tuple[str, str, int]]:
        """(site, hash, pages) for every counted block, plus one (site, "*", pages seen).

        Blocks seen on a single page are left out: they cannot become chrome soon.
        """
        for site, counts in self._counts.items():
            yield site, PAGES_ROW, self._pages.get(site, 0)
            for fp, n in counts.items():
                if n >= 2:
                    yield site, fp, n

    def load(self, rows: Iterable[tuple[str, str, int]]) -> None:
        """Add counts from persisted rows (the output of `rows()`)."""
        for site, fp, pages in rows:
            pages = int(pages)
            if fp == PAGES_ROW:
                self._pages[site] = self._pages.get(site, 0) + pages
                continue
            counts = self._counts.setdefault(site, {})
            counts[fp] = counts.get(fp, 0) + pages
        for site, counts in self._counts.items():
            self._pages[site] = max(self._pages.get(site, 0), max(counts.values(), default=0))
            if len(counts) > self.max_blocks_per_site:
                self._shrink(counts)
            need = self.threshold(site)
            self._chrome[site] = {fp for fp, n in counts.items() if n >= need}
        self._blocks = sum(len(counts) for counts in self._counts.values())
        self._chrome_cache.clear()
        if self._blocks > self.max_blocks:
            self._shrink_all()
