"""Site chrome learned while crawling: text blocks that recur on many pages of one site.

Owns the hash of a text block (``block_hash``, shared with extraction) and ``SiteChrome``, a pure
in-memory count of how many pages of each site carried each block. The crawl feeds it the
``block_hashes`` of every extracted page and passes ``chrome_for(site)`` back to extraction, so later
pages of a site lose those blocks whatever their markup. ``rows()`` / ``load()`` persist the counts in
the corpus table ``chrome(site, block, pages)``, and ``changed_rows()`` those counted since the last
save; the row with block ``PAGES_ROW`` ("*") holds how many pages of the site were observed. Memory is
bounded per page, per site and over all sites (the rarest blocks go first: chrome recurs on most pages,
so it is never the rarest), and the counts are kept compact: per site, sorted 64-bit hashes in one
numpy array beside their counts (16 bytes a block, against ~90 for a dict of hex strings), the
blocks first seen since the last merge in a small dict.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

import numpy as np
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


def hash_key(fp: str) -> int | None:
    """The 64-bit integer of a ``block_hash`` (16 hex digits), None for anything else."""
    if len(fp) != 16:
        return None
    try:
        return int(fp, 16)
    except ValueError:
        return None


def hash_keys(hashes: list[str]) -> tuple[list[str], np.ndarray]:
    """(the block hashes, their 64-bit integers as a uint64 array), leaving out what is no block hash."""
    if hashes and min(map(len, hashes)) == max(map(len, hashes)) == 16:
        try:
            return hashes, np.frombuffer(bytes.fromhex("".join(hashes)), ">u8").astype(np.uint64)
        except ValueError:
            pass
    kept = [(fp, key) for fp in hashes if (key := hash_key(fp)) is not None]
    return [fp for fp, _ in kept], np.array([key for _, key in kept], np.uint64)


def hash_text(key: int) -> str:
    return f"{key:016x}"


class SiteCounts:
    """One site's block counts: ``keys`` (sorted uint64 hashes) with their ``counts`` and the counts last
    saved (``saved``), and the blocks first seen since the last merge in ``fresh`` (hash -> count),
    merged into the arrays once it holds an eighth of them."""

    __slots__ = ("keys", "counts", "saved", "fresh")
    MERGE_AT = 64

    def __init__(self, counts: dict[int, int] | None = None, saved: bool = False):
        self.keys = np.empty(0, np.uint64)
        self.counts = np.empty(0, np.uint32)
        self.saved = np.empty(0, np.uint32)
        self.fresh: Counter[int] = Counter(counts or {})
        self.merge(saved=saved)

    def __len__(self) -> int:
        return len(self.keys) + len(self.fresh)

    def add(self, wanted: np.ndarray) -> np.ndarray:
        """Count one page carrying these (distinct) blocks; their counts after it."""
        after = np.empty(len(wanted), np.uint32)
        found = np.zeros(len(wanted), bool)
        if len(self.keys):
            at = np.searchsorted(self.keys, wanted)
            at[at == len(self.keys)] = 0
            found = self.keys[at] == wanted
            at = at[found]
            self.counts[at] += 1
            after[found] = self.counts[at]
        fresh = self.fresh
        new = np.flatnonzero(~found)
        if len(new):
            keys = wanted[new].tolist()
            fresh.update(keys)  # a Counter: counted in C
            after[new] = list(map(fresh.__getitem__, keys))
        if len(fresh) >= max(self.MERGE_AT, len(self.keys) // 8):
            self.merge()
        return after

    def get(self, key: int) -> int:
        if key in self.fresh:
            return self.fresh[key]
        at = int(np.searchsorted(self.keys, np.uint64(key)))
        return int(self.counts[at]) if at < len(self.keys) and int(self.keys[at]) == key else 0

    def merge(self, saved: bool = False) -> None:
        """Move ``fresh`` into the arrays (``saved``: as counts the corpus already holds)."""
        if not self.fresh:
            return
        size = len(self.fresh)
        keys = np.fromiter(self.fresh.keys(), np.uint64, size)
        counts = np.fromiter(self.fresh.values(), np.uint32, size)
        order = np.argsort(np.concatenate([self.keys, keys]), kind="stable")
        self.keys = np.concatenate([self.keys, keys])[order]
        self.counts = np.concatenate([self.counts, counts])[order]
        self.saved = np.concatenate([self.saved, counts if saved else np.zeros(size, np.uint32)])[order]
        self.fresh = Counter()

    def drop_rare(self, floor: int) -> int:
        """Drop the blocks seen on at most ``floor`` pages; how many went."""
        self.merge()
        keep = self.counts > floor
        dropped = len(keep) - int(keep.sum())
        if dropped:
            self.keys, self.counts, self.saved = self.keys[keep], self.counts[keep], self.saved[keep]
        return dropped

    def items(self, at_least: int = 1, changed: bool = False) -> Iterator[tuple[int, int]]:
        """(hash, count) of the blocks counted at least ``at_least`` times (``changed``: only those whose
        count changed since the last call with ``changed``, which marks them saved)."""
        self.merge()
        chosen = self.counts >= at_least
        if changed:
            chosen &= self.counts != self.saved
            self.saved[chosen] = self.counts[chosen]
        return zip(self.keys[chosen].tolist(), self.counts[chosen].tolist())


class SiteChrome:
    """Counts, per site, on how many pages each text block was seen.

    A block is chrome for a site once it was seen on at least `min_pages` pages and on at
    least `min_share` of the pages observed for that site. Blocks are ``block_hash`` values (16 hex
    digits); anything else is not counted.
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
        self._counts: dict[str, SiteCounts] = {}
        self._pages: dict[str, int] = {}
        self._pages_saved: dict[str, int] = {}
        # kept equal to {hash: count >= threshold} as pages come, not recomputed for each page
        self._chrome: dict[str, set[str]] = {}
        self._chrome_cache: dict[str, frozenset[str]] = {}

    def observe(self, site: str, hashes: Iterable[str]) -> None:
        """Count one page of `site` carrying these block hashes (duplicates count once)."""
        unique, keys = hash_keys(list(dict.fromkeys(fp for fp in hashes if fp))[: self.max_blocks_per_page])
        counts = self._counts.get(site)
        if counts is None:
            counts = self._counts[site] = SiteCounts()
        chrome = self._chrome.setdefault(site, set())
        before = len(chrome)
        need_before = self.threshold(site)
        self._pages[site] = self._pages.get(site, 0) + 1
        need = self.threshold(site)
        if need > need_before:  # the bar rose: blocks just at the old one are chrome no more
            chrome.difference_update([fp for fp in chrome if counts.get(hash_key(fp)) < need])
        added = False
        size_before = len(counts)
        if len(keys):
            after = counts.add(keys)
            for i in np.flatnonzero(after >= need).tolist():
                if unique[i] not in chrome:
                    chrome.add(unique[i])
                    added = True
        if len(counts) > self.max_blocks_per_site:
            self._shrink(counts)
            self._recheck(site)
        self._blocks += len(counts) - size_before
        if added or len(chrome) != before:
            self._chrome_cache.pop(site, None)
        if self._blocks > self.max_blocks:
            self._shrink_all()

    def _recheck(self, site: str) -> None:
        """Keep the chrome of ``site`` whose counts are still at its threshold (after blocks were dropped)."""
        counts, chrome, need = self._counts[site], self._chrome.get(site), self.threshold(site)
        if chrome:
            chrome.difference_update([fp for fp in chrome if counts.get(hash_key(fp)) < need])
        self._chrome_cache.pop(site, None)

    def _shrink(self, counts: SiteCounts) -> None:
        """Drop the rarest hashes until the site is back under three quarters of its cap."""
        target = self.max_blocks_per_site * 3 // 4
        floor = 1
        while len(counts) > target:
            counts.drop_rare(floor)
            floor += 1

    def _shrink_all(self) -> None:
        """Drop the rarest hashes of every site until all sites together are back under three quarters
        of ``max_blocks``: blocks seen once go first, and chrome, seen on several pages, last."""
        target = self.max_blocks * 3 // 4
        floor = 1
        while self._blocks > target:
            for site, counts in self._counts.items():
                dropped = counts.drop_rare(floor)
                if dropped:
                    self._blocks -= dropped
                    self._recheck(site)
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

    def count(self, site: str, fp: str) -> int:
        """On how many pages of ``site`` the block was counted (0 when it is not, or no longer, counted)."""
        counts, key = self._counts.get(site), hash_key(fp)
        return counts.get(key) if counts is not None and key is not None else 0

    def blocks(self, site: str) -> int:
        """How many blocks of ``site`` are counted."""
        counts = self._counts.get(site)
        return len(counts) if counts is not None else 0

    def rows(self) -> Iterator[tuple[str, str, int]]:
        """(site, hash, pages) for every counted block, plus one (site, "*", pages seen).

        Blocks seen on a single page are left out: they cannot become chrome soon.
        """
        return self._rows(changed=False)

    def changed_rows(self) -> Iterator[tuple[str, str, int]]:
        """The rows (as ``rows``) whose count changed since the last ``changed_rows`` or ``load``: what a
        save adds to the rows saved before (blocks dropped from memory keep their saved row)."""
        return self._rows(changed=True)

    def _rows(self, changed: bool) -> Iterator[tuple[str, str, int]]:
        for site, counts in self._counts.items():
            pages = self._pages.get(site, 0)
            if not changed or self._pages_saved.get(site) != pages:
                self._pages_saved[site] = pages
                yield site, PAGES_ROW, pages
            for key, n in counts.items(at_least=2, changed=changed):
                yield site, hash_text(key), n

    def load(self, rows: Iterable[tuple[str, str, int]]) -> None:
        """Add counts from persisted rows (the output of `rows()`)."""
        loaded: dict[str, dict[int, int]] = {}
        for site, fp, pages in rows:
            pages = int(pages)
            if fp == PAGES_ROW:
                self._pages[site] = self._pages.get(site, 0) + pages
                continue
            key = hash_key(fp)
            if key is not None:
                counts = loaded.setdefault(site, {})
                counts[key] = counts.get(key, 0) + pages
        for site, counts in loaded.items():
            known = self._counts.get(site)
            if known is not None:
                for key, n in known.items():
                    counts[key] = counts.get(key, 0) + n
            self._counts[site] = SiteCounts(counts, saved=True)
        for site, counts in self._counts.items():
            self._pages[site] = max(self._pages.get(site, 0), int(counts.counts.max(initial=0)))
            self._pages_saved[site] = self._pages[site]
            if len(counts) > self.max_blocks_per_site:
                self._shrink(counts)
            need = self.threshold(site)
            self._chrome[site] = {hash_text(key) for key, _n in counts.items(at_least=need)}
        self._blocks = sum(len(counts) for counts in self._counts.values())
        self._chrome_cache.clear()
        if self._blocks > self.max_blocks:
            self._shrink_all()
