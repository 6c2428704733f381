"""The one item the spider yields: a fetched HTML page, and what the pipelines learn about it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageItem:
    """A fetched page on its way through the pipelines: what the spider knew of it, then what extraction
    found (``page``, ``fingerprint``) and how it ended (``outcome``)."""

    url: str  # canonical URL of the response (after redirects)
    body: bytes
    content_type: str
    fetched_at: str
    via: str = "start"  # how it was found: start, sitemap, feed, html
    hints: dict = field(default_factory=dict)  # title/published/language said by a feed or news sitemap
    aliases: list = field(default_factory=list)  # URLs that redirected here: finished along with it
    # Set by the pipelines:
    page: dict | None = None  # core.extract.extract_page's result
    fingerprint: object | None = None  # dedup.Fingerprint of the text
    outcome: str | None = None  # stored, duplicate, off_topic, not_article, error
