"""Discovery: tell a feed, a sitemap or an HTML page from its bytes, and read the links each one offers.

Pure functions over bytes (no Scrapy import). Sitemaps and feeds are parsed with lxml with entities,
DTDs and network access off; Google News sitemap fields (``news:title``, ``news:publication_date``,
``news:language``), which Scrapy's own sitemap parser drops, are kept as hints for the page.

Real feeds and sitemaps are not always well-formed XML: before lxml reads one, a bare ``&`` that starts
no valid reference is made a literal ``&`` and HTML named entities (``&nbsp;``) become character
references, the way browsers and feed readers read them (lxml's own recovery drops or mangles both).
Each link is read on its own: a malformed one is skipped and handed to the caller's ``malformed`` list
(the spider counts it), the rest of the document is read. Feed titles are reduced to plain text.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from html.entities import html5 as HTML5_ENTITIES
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from core.dates import normalize_date
from core.markup import bound_attributes
from core.urls import is_http_url

SNIFF_BYTES = 4096
MAX_INFLATED_SITEMAP = 50 * 1024 * 1024
SKIPPED_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|bmp|tiff?|mp[34]|m4a|ogg|wav|avi|mov|webm|pdf|zip|gz|rar|7z|exe|dmg|"
    r"css|js|json|woff2?|ttf|eot|docx?|xlsx?|pptx?)$",
    re.IGNORECASE,
)
ROOT_TAG = re.compile(rb"<(?![?!])\s*([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
XML_PREDEFINED = frozenset((b"amp", b"lt", b"gt", b"quot", b"apos"))
CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
AMPERSAND = re.compile(rb"&(?:(#[0-9]+;|#[xX][0-9a-fA-F]+;)|([A-Za-z_][\w.-]*);)?")
DECLARED_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s+)?([A-Za-z_][\w.-]*)")
HTML_MARKUP = re.compile(r"<[A-Za-z/!?]")


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
    if (
        content_type.startswith("text/plain")
        and all(is_http_url(line.decode("utf-8", "replace")) for line in head.split(b"\n")[:5] if line.strip())
        and head.strip()
    ):
        return "sitemap"
    return "other"


def browser_ampersands(body: bytes) -> bytes:
    """XML bytes with each ``&`` read the way browsers read it: a character reference, an XML entity and
    an entity the document declares stay; an HTML named entity (``&nbsp;``) becomes its character
    reference; any other ``&`` (``?id=5&lang=de``, ``A & B``) is a literal ``&amp;``. CDATA is left as
    it is; so is a document in an encoding where ``&`` is not the byte 0x26 (UTF-16, UTF-32)."""
    if b"&" not in body or b"\x00" in body[:SNIFF_BYTES] or body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body
    declared = frozenset(DECLARED_ENTITY.findall(body)) if b"<!ENTITY" in body else frozenset()

    def reference(match: re.Match) -> bytes:
        number, name = match.groups()
        if number or (name and (name in XML_PREDEFINED or name in declared)):
            return match.group(0)
        character = HTML5_ENTITIES.get(name.decode("ascii", "replace") + ";") if name else None
        if character is None:
            return b"&amp;" + match.group(0)[1:]
        return "".join(f"&#{ord(c)};" for c in character).encode("ascii")

    return b"".join(
        part if part.startswith(b"<![CDATA[") else AMPERSAND.sub(reference, part) for part in CDATA.split(body)
    )


def plain_text(value: str | None) -> str | None:
    """A feed's title or similar as plain text: markup (escaped or in CDATA) removed, script and style
    content dropped, entities decoded, white space collapsed; None when nothing is left."""
    if not value:
        return None
    if HTML_MARKUP.search(value) or "&" in value:
        try:
            fragment = html.fragment_fromstring(value, create_parent="div")
        except (etree.ParserError, ValueError):
            fragment = None
        if fragment is not None:
            for element in list(fragment.iter("script", "style", "noscript", "template")):
                element.drop_tree()
            value = fragment.text_content()
    return " ".join(value.split()) or None


def _xml_root(body: bytes):
    body = browser_ampersands(body)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True, huge_tree=False)
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


def _title(element, name: str) -> str | None:
    """The plain text of a title child: HTML in it (escaped, in CDATA or Atom XHTML) reduced to its text."""
    for child in element:
        if _local(child) == name:
            if len(child):  # Atom type="xhtml": the title is markup
                return " ".join("".join(_xhtml_text(child)).split()) or None
            return plain_text(child.text)
    return None


def _xhtml_text(element):
    """The text of an XHTML element and its descendants, without script and style content."""
    if element.text and _local(element) not in ("script", "style"):
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and _local(child) not in ("script", "style"):  # not comments either
            yield from _xhtml_text(child)
        if child.tail:
            yield child.tail


def _absolute(url: str | None, base: str, malformed: list[str] | None = None) -> str | None:
    """``url`` made absolute against ``base`` when it is http(s), else None; a URL that cannot be
    parsed (``http://[::1``, a port out of range) is also None, and is added to ``malformed``."""
    if not url:
        return None
    try:
        absolute = urljoin(base, url.strip())
        urlsplit(absolute).port  # raises ValueError for a port that is not a number below 65536
    except ValueError:
        if malformed is not None:
            malformed.append(url.strip()[:200])
        return None
    return absolute if is_http_url(absolute) else None


def parse_sitemap(body: bytes, base_url: str, malformed: list[str] | None = None) -> list[Link]:
    """Page links of a sitemap (XML or plain text), with lastmod and Google News fields as hints;
    malformed links are skipped and added to ``malformed``."""
    body = inflate_if_gzipped(body)
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        lines = (line.strip() for line in body.decode("utf-8", "replace").splitlines())
        return [Link(url) for url in (_absolute(line, base_url, malformed) for line in lines) if url]
    links = []
    for entry in _xml_root(body).iter():
        if _local(entry) != "url":
            continue
        url = _absolute(_text(entry, "loc"), base_url, malformed)
        if not url:
            continue
        hints = {"lastmod": normalize_date(_text(entry, "lastmod"))}
        for news in _children(entry, "news"):
            hints["title"] = _title(news, "title")
            hints["published"] = normalize_date(_text(news, "publication_date"))
            for publication in _children(news, "publication"):
                hints["language"] = _text(publication, "language")
                hints["site_name"] = _text(publication, "name")
        links.append(Link(url, {k: v for k, v in hints.items() if v}))
    return links


def parse_sitemap_index(body: bytes, base_url: str, malformed: list[str] | None = None) -> list[Link]:
    """Sitemap links of a sitemap index; malformed links are skipped and added to ``malformed``."""
    body = inflate_if_gzipped(body)
    return [
        Link(url)
        for url in (
            _absolute(_text(entry, "loc"), base_url, malformed)
            for entry in _xml_root(body).iter()
            if _local(entry) == "sitemap"
        )
        if url
    ]


def parse_feed(body: bytes, base_url: str, malformed: list[str] | None = None) -> list[Link]:
    """Entry links of an RSS 0.9x/1.0/2.0 or Atom feed, with title (plain text), date and language as
    hints; malformed links are skipped and added to ``malformed``."""
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
        url = _absolute(url, base_url, malformed)
        if url:
            hints = {"title": _title(entry, "title"), "published": normalize_date(published), "language": feed_language}
            links.append(Link(url, {k: v for k, v in hints.items() if v}))
    return links


MAX_HTML_LINKS = 10_000  # <a href>s read from one HTML page (the most in ~2,500 evaluation pages: ~3,900);
#                          each costs ~30 us here and more in the spider, all on the crawl's reactor thread


def html_links(document: str | bytes, base_url: str, malformed: list[str] | None = None) -> tuple[list[str], list[str]]:
    """(page links, feed links) of an HTML page, absolute, http(s) only, without obvious non-pages;
    malformed links are skipped and added to ``malformed``. It runs on the crawl's reactor thread, so
    its work is bounded: linear in the page's size (start tags keep at most
    core.markup.MAX_ATTRIBUTES attributes) and at most MAX_HTML_LINKS links."""
    try:
        tree = html.fromstring(bound_attributes(document))
    except (etree.ParserError, ValueError):
        return [], []
    base = _absolute(tree.xpath("string(//base/@href)"), base_url, malformed) or base_url  # as browsers do
    pages, feeds = [], []
    for href in tree.xpath("//a[@href]/@href")[:MAX_HTML_LINKS]:
        url = _absolute(href, base, malformed)
        if url and not SKIPPED_EXTENSIONS.search(urlsplit(url).path):
            pages.append(url)
    for link in tree.xpath("//link[@rel='alternate'][@href]"):
        if re.search(r"(rss|atom)\+xml", link.get("type", "")):
            url = _absolute(link.get("href"), base, malformed)
            if url:
                feeds.append(url)
    return list(dict.fromkeys(pages)), list(dict.fromkeys(feeds))
