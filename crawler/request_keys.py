"""Request fingerprints by ``url_key``: the URL variants one page is served under (www., trailing slash,
letter case, tracking parameters) are one request to Scrapy's duplicate filter."""

from __future__ import annotations

import hashlib

from core.urls import url_key


class UrlKeyFingerprinter:
    """Scrapy's request fingerprinter (REQUEST_FINGERPRINTER_CLASS), keyed by ``url_key`` and method and body."""

    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def fingerprint(self, request) -> bytes:
        try:
            key = url_key(request.url)
        except ValueError:
            key = request.url
        digest = hashlib.sha1(request.method.encode() + b" " + key.encode())
        digest.update(request.body or b"")
        return digest.digest()
