"""What a crawl run counted, defined once: the crawl's progress line and closing summary, the demo's
summary, ``deepseek-news stats`` and ``deepseek-news report`` all read a run's numbers through here.

A run's numbers are its Scrapy stats (kept as JSON in the corpus table ``runs``). Every count is the sum
of one ``deepseek/...`` counter and its sub-counters (``deepseek/errors/dns`` adds into ``errors``).
"""

from __future__ import annotations

COUNTS = (  # (label, stats key): the crawl's own counters, in the order every summary shows them
    ("pages fetched", "deepseek/pages"),  # responses handed to the spider (HTTP errors included), not robots.txt
    ("stored", "deepseek/stored"),
    ("duplicates", "deepseek/duplicates"),
    ("off-topic", "deepseek/off_topic"),
    ("not articles", "deepseek/not_article"),
    ("blocked", "deepseek/blocked"),  # refused by robots.txt or the address guard, never fetched
    ("errors", "deepseek/errors"),
)
LEGACY_PAGE_KEYS = ("response_received_count", "downloader/response_count")  # runs without deepseek/pages


def total(stats: dict, key: str) -> int:
    """``key`` plus every ``key/...`` sub-counter."""
    return sum(
        value
        for name, value in stats.items()
        if isinstance(value, int) and not isinstance(value, bool) and (name == key or name.startswith(key + "/"))
    )


def counts(stats: dict) -> dict[str, int]:
    """Every count of COUNTS by label. A run recorded before the crawl counted ``deepseek/pages`` takes its
    pages from Scrapy's response count."""
    result = {label: total(stats, key) for label, key in COUNTS}
    if not any(name == "deepseek/pages" or name.startswith("deepseek/pages/") for name in stats):
        result["pages fetched"] = next((stats[key] for key in LEGACY_PAGE_KEYS if isinstance(stats.get(key), int)), 0)
    return result


def summary(stats: dict) -> str:
    """One line: ``12 pages fetched, 5 stored, 1 duplicates, ...``."""
    return ", ".join(f"{value} {label}" for label, value in counts(stats).items())


def kinds(stats: dict, key: str) -> dict[str, int]:
    """The sub-counters of ``key`` by their last part: ``{"dns": 2, "http_404": 1}`` for deepseek/errors."""
    prefix = key + "/"
    found: dict[str, int] = {}
    for name, value in stats.items():
        if name.startswith(prefix) and isinstance(value, int) and not isinstance(value, bool):
            kind = name[len(prefix) :]
            found[kind] = found.get(kind, 0) + value
    return found
