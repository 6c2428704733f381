"""Bytes to text the way Scrapy does it: the encoding of a page body from the HTTP Content-Type header,
BOM, <meta charset>, then UTF-8 or cp1252, whichever decodes (w3lib.encoding.html_to_unicode with the
guess Scrapy's TextResponse makes). A declared charset that leaves undecodable bytes (a header saying
UTF-8 over Shift-JIS or cp1252 bytes) is overruled: by the page's other declaration when that one
decodes, by a Chinese, Japanese or Korean multi-byte encoding when charset_normalizer finds one, else by
the same UTF-8-or-cp1252 guess.

Light on purpose (no lxml, no extractor; charset_normalizer only when a declaration lies): extraction
decodes with it (core.extraction.decode), and so does the ingest's topic pre-filter
(core.topic.may_be_on_topic), which reads a page before it is extracted, or instead.
"""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, resolve_encoding

MAX_BODY_CHARS = 5_000_000  # larger bodies are cut: no news article needs more
DETECTION_SAMPLE = 5_000  # bytes from each end of a body charset_normalizer looks at (as trafilatura does)
# what charset_normalizer may overrule a lying declaration with: the multi-byte encodings of Chinese,
# Japanese and Korean pages, which the cp1252 guess garbles (for Western text its guesses are less sure
# than cp1252: German latin-1 comes back as cp1250)
CJK_ENCODINGS = frozenset(
    {
        "shift_jis",
        "cp932",
        "euc_jp",
        "iso2022_jp",
        "gb2312",
        "gbk",
        "gb18030",
        "big5",
        "big5hkscs",
        "cp950",
        "euc_kr",
        "cp949",
        "johab",
    }
)


def decode_body(body: bytes | str, content_type: str | None = None) -> str:
    """Return the page as str; bytes are decoded like Scrapy decodes a TextResponse."""
    if isinstance(body, str):
        return body[:MAX_BODY_CHARS]
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError(f"body must be bytes or str, not {type(body).__name__}")
    body = bytes(body[:MAX_BODY_CHARS])
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=strict_decoding)
    if "\ufffd" in text and not decodes(body, encoding):  # the declared charset lied
        return body.decode(fallback_encoding(body, content_type, encoding), errors="replace")
    return text


def decodes(body: bytes, encoding: str | None) -> bool:
    try:
        body.decode(encoding or "", errors="strict")
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def fallback_encoding(body: bytes, content_type: str | None, failed: str) -> str:
    """The encoding of a body whose declared charset ``failed`` to decode it: the other declaration (header
    or <meta>) when it decodes the bytes, a CJK encoding charset_normalizer detects, else UTF-8 or cp1252."""
    header = http_content_type_encoding(content_type) if content_type else None
    for declared in (header, html_body_declared_encoding(body)):
        declared = resolve_encoding(declared) if declared else None
        if declared and declared != failed and decodes(body, declared):
            return declared
    return detected_cjk_encoding(body) or strict_decoding(body) or "utf-8"


def detected_cjk_encoding(body: bytes) -> str | None:
    sample = body if len(body) <= 2 * DETECTION_SAMPLE else body[:DETECTION_SAMPLE] + body[-DETECTION_SAMPLE:]
    from charset_normalizer import from_bytes  # only for a page whose declared charset lied

    best = from_bytes(sample).best()
    encoding = resolve_encoding(best.encoding) if best is not None else None
    return encoding if encoding in CJK_ENCODINGS else None


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
