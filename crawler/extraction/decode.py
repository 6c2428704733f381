"""Bytes to text the way Scrapy does it, and text to an lxml tree.

Owns: choosing the encoding of a page body (HTTP Content-Type header, BOM, <meta charset>,
then UTF-8 or cp1252, whichever decodes — w3lib.encoding.html_to_unicode with the guess Scrapy's
TextResponse makes; a declared charset that leaves undecodable bytes is overruled the same way)
and parsing the result the way trafilatura's forgiving loader (trafilatura.utils.load_html) does, with
lxml.html's element classes assigned in C: lxml.html's own parser asks a Python function for the class
of every element it hands out (~2,400 calls a page, ~4% of extraction time), to give <form>, <input>
and <label> their own classes, which nothing here uses.
"""
from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction, fromstring
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, INVALID_XML_CHARS, is_dubious_html
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


LEADING_JUNK_CHARS = 4096
DOCUMENT_START_RE = re.compile(r"<!doctype|<html[\s>]", re.I)


def strip_leading_junk(html: str) -> str:
    """The page from its <!DOCTYPE> or <html> on, when something else comes first (a wrapper line
    such as `<text id=...>`, a stray header line): libxml2 would make that the root and file the
    whole page under it without a <body>, and trafilatura then finds nothing."""
    match = DOCUMENT_START_RE.search(html, 0, LEADING_JUNK_CHARS)
    if match is None or match.start() == 0 or not html[:match.start()].strip():
        return html
    if "<body" in html[:match.start()].lower():
        return html
    return html[match.start():]


def parse_html(html: str) -> HtmlElement | None:
    """Parse HTML into an lxml tree; None when there is nothing HTML-like to parse."""
    html = html.replace("\x00", "")
    if not html.strip():
        return None
    tree = load_html(html)
    if tree is None or not isinstance(tree, HtmlElement):
        return None
    return tree


# a fragment is wrapped only when it has markup a page body has (not a PDF's "<<" or a text's "a < b")
HTML_TAG_RE = re.compile(r"<(?:p|div|span|a|br|table|td|font|b|i|ul|ol|li|h[1-6]|body|article|section|center)[\s/>]",
                         re.I)


def parse_page(html: str) -> HtmlElement | None:
    """A whole page as parse_html parses it, with what comes before <!DOCTYPE>/<html> dropped, and a
    body fragment with no <html> parsed inside one: trafilatura's loader refuses such a fragment,
    or libxml2 makes its first tag (a `<text id=...>` wrapper) the root with no <body>, where no
    extractor looks."""
    html = strip_leading_junk(html.replace("\x00", ""))
    tree = parse_html(html)
    if (tree is None or tree.tag != "html") and HTML_TAG_RE.search(html, 0, 100_000) \
            and not html.lstrip().startswith("%PDF"):
        wrapped = parse_html(f"<html><body>{html}</body></html>")
        if wrapped is not None and wrapped.tag == "html":
            tree = wrapped
    return tree


def html_parser() -> HTMLParser:
    """trafilatura's parser settings, with every element an HtmlElement chosen in C."""
    parser = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                        remove_pis=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
    return parser


HTML_PARSER = html_parser()


# the characters trafilatura's INVALID_XML_CHARS removes but NUL, which parse_html has removed before
# (a test checks them against the pattern; looking for NUL costs as much as the other 30 together)
INVALID_XML_CHARACTERS = tuple(map(chr, [*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]))


def repair_faulty_html(html: str, beginning: str) -> str:
    """trafilatura.utils.repair_faulty_html for html without NUL characters, step by step, with its
    first step (removing the characters libxml2 rejects) run only when one of them occurs:
    one-character `in` tests over the page take a fifth of the time of the regex scan, and pages
    rarely have any."""
    if any(map(html.__contains__, INVALID_XML_CHARACTERS)):
        html = INVALID_XML_CHARS.sub("", html)
    if "doctype" in beginning:  # libxml2/lxml issue: a doctype closed by "/>"
        firstline, _, rest = html.partition("\n")
        html = DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:  # a self-closing <html/> in the first lines
        if "<html" in line and line.endswith("/>"):
            html = FAULTY_HTML.sub(r"\1>", html, count=1)
            break
    return html


def load_html(html: str) -> HtmlElement | None:
    """trafilatura.utils.load_html for a str without NUL characters (parse_html removes them),
    step by step, with HTML_PARSER: repair what libxml2 chokes on, parse the str (its bytes when
    lxml refuses it or finds nothing), and reject a document with no <html> in its first 50
    characters that parses to fewer than two children."""
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    html = repair_faulty_html(html, beginning)
    tree, parsed_bytes = None, False
    try:
        tree = fromstring(html, parser=HTML_PARSER)
    except ValueError:  # a str with an encoding declaration
        tree, parsed_bytes = parse_bytes(html), True
    except Exception:
        tree = None
    if (tree is None or len(tree) < 1) and not parsed_bytes:
        tree = parse_bytes(html)
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree


def parse_bytes(html: str) -> HtmlElement | None:
    try:
        return fromstring(html.encode("utf8", "surrogatepass"), parser=HTML_PARSER)
    except Exception:
        return None
