"""Bytes to text the way Scrapy does it, and text to an lxml tree.

Owns: choosing the encoding of a page body (HTTP Content-Type header, BOM, <meta charset>,
then UTF-8 or cp1252, whichever decodes — w3lib.encoding.html_to_unicode with the guess Scrapy's
TextResponse makes; a declared charset that leaves undecodable bytes is overruled the same way)
and parsing the result with trafilatura's forgiving HTML loader.
"""
from __future__ import annotations

from lxml.html import HtmlElement
from trafilatura.utils import load_html
from w3lib.encoding import html_to_unicode

MAX_BODY_CHARS = 5_000_000  # larger bodies are cut: no news article needs more


def decode_body(body: bytes | str, content_type: str | None = None) -> str:
    """Return the page as str; bytes are decoded like Scrapy decodes a TextResponse."""
    if isinstance(body, str):
        return body[:MAX_BODY_CHARS]
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError(f"body must be bytes or str, not {type(body).__name__}")
    body = bytes(body[:MAX_BODY_CHARS])
    _encoding, text = html_to_unicode(content_type, body, auto_detect_fun=strict_decoding)
    if "\ufffd" in text:  # the declared charset lied (a header or <meta> saying UTF-8 over cp1252 bytes)
        return body.decode(strict_decoding(body) or "utf-8", errors="replace")
    return text


def strict_decoding(body: bytes) -> str | None:
    """The first of UTF-8 and cp1252 that decodes the bytes without error, as Scrapy's TextResponse
    guesses when nothing declares a charset; None when neither does."""
    for encoding in ("utf-8", "cp1252"):
        try:
            body.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def parse_html(html: str) -> HtmlElement | None:
    """Parse HTML into an lxml tree; None when there is nothing HTML-like to parse."""
    html = html.replace("\x00", "")
    if not html.strip():
        return None
    tree = load_html(html)
    if tree is None or not isinstance(tree, HtmlElement):
        return None
    return tree
