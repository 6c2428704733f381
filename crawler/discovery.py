"""Discovery: tell a feed, a sitemap or an HTML page from its bytes, and read the links each one offers.

Pure functions over bytes (no Scrapy import). Sitemaps and feeds are parsed with lxml with entities,
DTDs and network access off; Google News sitemap fields (``news:title``, ``news:publication_date``,
``news:language``), which Scrapy's own sitemap parser drops, are kept as hints for the page.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from crawler.dates import normalize_date
from crawler.markup import bound_attributes
from crawler.urls import is_http_url

SNIFF_BYTES = 4096
MAX_INFLATED_SITEMAP = 50 * 1024 * 1024
SKIPPED_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|bmp|tiff?|mp[34]|m4a|ogg|wav|avi|mov|webm|pdf|zip|gz|rar|7z|exe|dmg|"
    r"css|js|json|woff2?|ttf|eot|docx?|xlsx?|pptx?)$",
    re.IGNORECASE,
)
ROOT_TAG = re.compile(rb"<(?![?!])\s*([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


@dataclass(frozen=True)
class Link:
    """A URL to fetch, with what the place that named it said about it."""

    url: str
    hints: dict = field(default_factory=dict)


def inflate_if_gzipped(body: bytes, limit: int = MAX_INFLATED_SITEMAP) -> bytes:
    """A gzip body as served for ``sitemap.xml.gz`` (no Content-Encoding), inflated up to ``limit`` bytes.
    Raises ValueError for a body that is not valid gzip or inflates past ``limit``."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
            inflated = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as error:  # zlib.error: corrupt deflate data inside a gzip header
        raise ValueError(f"not a readable gzip document: {error}") from None
    if len(inflated) > limit:
        raise ValueError(f"gzipped document inflates past {limit} bytes")
    return inflated


def classify(body: bytes, content_type: str = "") -> str:
    """``sitemapindex``, ``sitemap``, ``feed``, ``html`` or ``other``, from the body first, the header second."""
    head = body[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    for match in ROOT_TAG.finditer(head):
        tag = match.group(2).decode("ascii").lower()
        if tag == "sitemapindex":
            return "sitemapindex"
        if tag == "urlset":
            return "sitemap"
        if tag in ("rss", "feed", "rdf"):
            return "feed"
        if tag in ("html", "head", "body", "div", "p", "meta", "title"):
            return "html"
        break
    content_type = content_type.lower()
    if "html" in content_type:
        return "html"
    if content_type.startswith("text/plain") and all(
        is_http_url(line.decode("utf-8", "replace")) for line in head.split(b"\n")[:5] if line.strip()
    ) and head.strip():
        return "sitemap"
    return "other"


def _xml_root(body: bytes):
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, recover=True, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.LxmlError as error:  # e.g. an empty document: callers handle ValueError only
        raise ValueError(f"not well-formed XML: {error}") from None
    if root is None:
        raise ValueError("not well-formed XML")
    errors = parser.error_log.filter_from_errors()
    if errors and len(root) == 0:  # recovery kept a bare root (e.g. cut off in its start tag): nothing to read
        raise ValueError(f"not well-formed XML: {errors[0].message}")
    return root


def _local(element) -> str:
    tag = element.tag
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _children(element, name: str):
    return [child for child in element if _local(child) == name]


def _text(element, name: str) -> str | None:
    for child in element:
        if _local(child) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _absolute(url: str | None, base: str) -> str | None:
    if not url:
        return None
    url = urljoin(base, url.strip())
    return url if is_http_url(url) else None


def parse_sitemap(body: bytes, base_url: str) -> list[Link]:
    """Page links of a sitemap (XML or plain text), with lastmod and Google News fields as hints."""
    body = inflate_if_gzipped(body)
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        lines = (line.strip() for line in body.decode("utf-8", "replace").splitlines())
        return [Link(url) for url in (_absolute(line, base_url) for line in lines) if url]
    links = []
    for entry in _xml_root(body).iter():
        if _local(entry) != "url":
            continue
        url = _absolute(_text(entry, "loc"), base_url)
        if not url:
            continue
        hints = {"lastmod": normalize_date(_text(entry, "lastmod"))}
        for news in _children(entry, "news"):
            hints["title"] = _text(news, "title")
            hints["published"] = normalize_date(_text(news, "publication_date"))
            for publication in _children(news, "publication"):
                hints["language"] = _text(publication, "language")
                hints["site_name"] = _text(publication, "name")
        links.append(Link(url, {k: v for k, v in hints.items() if v}))
    return links


def parse_sitemap_index(body: bytes, base_url: str) -> list[Link]:
    body = inflate_if_gzipped(body)
    return [
        Link(url)
        for url in (_absolute(_text(entry, "loc"), base_url) for entry in _xml_root(body).iter()
                    if _local(entry) == "sitemap")
        if url
    ]


def parse_feed(body: bytes, base_url: str) -> list[Link]:
    """Entry links of an RSS 0.9x/1.0/2.0 or Atom feed, with title, date and language as hints."""
    root = _xml_root(inflate_if_gzipped(body))
    feed_language = root.get("{http://www.w3.org/XML/1998/namespace}lang")
    for channel in root.iter():
        if _local(channel) == "channel":
            feed_language = _text(channel, "language") or feed_language
            break
    links = []
    for entry in root.iter():
        kind = _local(entry)
        if kind == "item":
            url = _text(entry, "link")
            guid = next((g for g in _children(entry, "guid") if g.get("isPermaLink", "true") == "true"), None)
            if not url and guid is not None:
                url = guid.text
            published = _text(entry, "pubdate") or _text(entry, "date")
        elif kind == "entry":
            alternates = [
                link.get("href") for link in _children(entry, "link") if link.get("rel", "alternate") == "alternate"
            ]
            url = alternates[0] if alternates else None
            published = _text(entry, "published") or _text(entry, "updated")
        else:
            continue
        url = _absolute(url, base_url)
        if url:
            hints = {"title": _text(entry, "title"), "published": normalize_date(published), "language": feed_language}
            links.append(Link(url, {k: v for k, v in hints.items() if v}))
    return links


MAX_HTML_LINKS = 10_000  # <a href>s read from one HTML page (the most in ~2,500 evaluation pages: ~3,900);
#                          each costs ~30 us here and more in the spider, all on the crawl's reactor thread


def html_links(document: str | bytes, base_url: str) -> tuple[list[str], list[str]]:
    """(page links, feed links) of an HTML page, absolute, http(s) only, without obvious non-pages.
    It runs on the crawl's reactor thread, so its work is bounded: linear in the page's size (start
    tags keep at most crawler.markup.MAX_ATTRIBUTES attributes) and at most MAX_HTML_LINKS links."""
    try:
        tree = html.fromstring(bound_attributes(document))
    except (etree.ParserError, ValueError):
        return [], []
    base = tree.xpath("string(//base/@href)") or base_url
    pages, feeds = [], []
    for href in tree.xpath("//a[@href]/@href")[:MAX_HTML_LINKS]:
        url = _absolute(href, base)
        if url and not SKIPPED_EXTENSIONS.search(urlsplit(url).path):
            pages.append(url)
    for link in tree.xpath("//link[@rel='alternate'][@href]"):
        if re.search(r"(rss|atom)\+xml", link.get("type", "")):
            url = _absolute(link.get("href"), base)
            if url:
                feeds.append(url)
    return list(dict.fromkeys(pages)), list(dict.fromkeys(feeds))
