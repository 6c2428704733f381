"""Page metadata from the head, JSON-LD, the URL and the visible byline.

Owns: reading the page's meta tags and JSON-LD once, the published date (JSON-LD datePublished,
the published meta tags, dateCreated, <time>, a date in the URL, htmldate, a modification date
last), declared language, site name, canonical URL, description, and the page-kind signals read
from markup (og:type, JSON-LD @type values). Which headline and which authors: titles.py and
authors.py, given what is read here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from core.dates import normalize_date
from core.extraction.authors import AUTHOR_JOINER, page_authors, people
from core.extraction.language import normalize_language_code
from core.extraction.titles import choose_headline, decode_entities, page_title, site_keys  # noqa: F401

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "techarticle",
        "scholarlyarticle",
        "report",
        "liveblogposting",
        "socialmediaposting",
        "posting",
    }
)
LISTING_TYPES = frozenset(
    {"collectionpage", "itemlist", "searchresultspage", "profilepage", "blog", "periodical", "searchaction"}
)
DATE_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "dc.date",
    "dc:date",
    "date",
    "article.published",
    "published_time",
    "cxenseparse:recs:publishtime",
)
MODIFIED_META_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "last-modified")
URL_DATE_RE = re.compile(
    r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)"
    r"|/((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:/|[-_.]|$)"
)


@dataclass
class Metadata:
    """What a page says about itself in its markup: title, author, date, language, site, canonical URL,
    description, and the types (og:type, schema.org) that tell an article from a listing."""

    title: str | None = None
    author: str | None = None
    published: str | None = None
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    og_type: str | None = None
    schema_types: set[str] = field(default_factory=set)
    schema_body: str | None = None
    source_link: str | None = None  # href of a bare "Quelle" / "Source" / "Nguồn" link


def safe_urlsplit(url: str | None):
    """urlsplit that returns None for malformed URLs ("http://[::1") instead of raising."""
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        parts.hostname  # raises for a malformed netloc
    except ValueError:
        return None
    return parts


def safe_urljoin(base: str | None, url: str) -> str | None:
    try:
        joined = urljoin(base, url) if base else url
    except ValueError:
        return None
    parts = safe_urlsplit(joined)
    return joined if parts is not None and parts.scheme in ("http", "https") and parts.netloc else None


def _clean(value) -> str | None:
    """value with whitespace runs collapsed to one space, stripped; None when empty or no str
    (str.split() splits on the whitespace the regex \\s+ matches, faster)."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


# read_metadata walks the page once for the elements of these tags
SCANNED_TAGS = ("meta", "script", "h1", "link", "time", "a", "body")


@dataclass
class PageElements:
    """The elements of SCANNED_TAGS under some top elements (them included), per tag in document
    order, and the <a> elements that come after the first <body> in document order."""

    by_tag: dict[str, list[HtmlElement]]
    anchors_after_body: list[HtmlElement]


def scan_page(tops) -> PageElements:
    by_tag: dict[str, list[HtmlElement]] = {tag: [] for tag in SCANNED_TAGS}
    anchors_after_body: list[HtmlElement] = []
    body_seen = False
    for element in (element for top in tops for element in top.iter(SCANNED_TAGS)):
        tag = element.tag
        by_tag[tag].append(element)
        if tag == "a":
            if body_seen:
                anchors_after_body.append(element)
        elif tag == "body":
            body_seen = True
    return PageElements(by_tag, anchors_after_body)


def read_meta_tags(metas, every: dict[str, list[str]] | None = None) -> dict[str, str]:
    """name/property/itemprop/http-equiv (lowercased) -> content of the <meta> elements; the first
    one wins. An attribute may name several keys ("og:title twitter:title"). With ``every``, the
    values of a key given more than once (two <meta name="author">) are all appended there."""
    found: dict[str, str] = {}
    for meta in metas:
        content = _clean(meta.get("content"))
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            value = meta.get(attr)
            if not value:
                continue
            for key in value.lower().split():
                found.setdefault(key, content)
                if every is not None:
                    every.setdefault(key, []).append(content)
    return found


JSONLD_NESTING = ("@graph", "mainEntity", "itemListElement")


def _walk_jsonld(node, out: list[dict]) -> None:
    """Every object of a JSON-LD document, the nested ones under JSONLD_NESTING too, in document order
    (with a stack, not recursion: nesting deep enough to exhaust Python's stack only costs a list)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            out.append(node)
            stack.extend(node[key] for key in reversed(JSONLD_NESTING) if key in node)


# "<![CDATA[ ... ]]>" or "<!-- ... -->" (with or without "//" before them) around a script's JSON
JSONLD_WRAPPER_RE = re.compile(r"^(?://\s*)?(?:<!\[CDATA\[|<!--)|(?://\s*)?(?:\]\]>|-->)$")
LDJSON_LOWER = str.maketrans("LDJSON", "ldjson")  # as the XPath translate(@type, "LDJSON", "ldjson")


def read_jsonld(scripts) -> list[dict]:
    """Every JSON-LD object of the <script> elements (unparseable and too deeply nested scripts are skipped)."""
    objects: list[dict] = []
    for script in scripts:
        kind = script.get("type")
        if kind is None or "ld+json" not in kind.translate(LDJSON_LOWER):
            continue
        raw = JSONLD_WRAPPER_RE.sub("", (script.text or "").strip()).strip().rstrip(";")
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's stack
            continue
        _walk_jsonld(data, objects)
    return objects


def _types(obj: dict) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower() for v in values if isinstance(v, str)}


# a bare "Quelle" / "Source" link (any case of these letters), "Nguồn" or "Original": the first in
# the body. The length test first is only a shortcut: none of the four words has more than 8 letters.
SOURCE_LINK_XPATH = (
    "/descendant::body/descendant::a[@href][string-length(normalize-space()) < 9]"
    "[translate(normalize-space(), 'QUELNSOURCĐ', 'quelnsourcđ') = 'quelle' or "
    "translate(normalize-space(), 'QUELNSOURCĐ', 'quelnsourcđ') = 'source' or "
    "normalize-space() = 'Nguồn' or normalize-space() = 'Original']/@href"
)
SOURCE_LOWER = str.maketrans("QUELNSOURCĐ", "quelnsourcđ")
XML_SPACE = " \t\n\r"  # what XPath's normalize-space() takes for space
# p, div, span and address elements in the body with a short text holding "Von ", "By ", ...; a
# union of one path per tag, as libxml2 finds those faster than it tests self::p or self::div...
BYLINE_XPATH = " | ".join(
    f"/descendant::body/descendant::{tag}[string-length(normalize-space()) < 80]"
    "[contains(., 'Von ') or contains(., 'By ') or contains(., 'by ') or contains(., 'Bởi ')]"
    for tag in ("p", "div", "span", "address")
)


def _source_link_href(tree: HtmlElement, page: PageElements, root: HtmlElement | None) -> str | None:
    """href of the first bare source link in the body (SOURCE_LINK_XPATH); root is the document's
    only top element, None when it has several.

    When the page has one <body>, the last child of the only top element, the links after it in
    document order are exactly the links inside it; a page of any other shape asks the XPath."""
    bodies = page.by_tag["body"]
    if root is None or len(bodies) != 1 or bodies[0].getparent() is not root or bodies[0].getnext() is not None:
        hrefs = tree.xpath(SOURCE_LINK_XPATH)
        return hrefs[0] if hrefs else None
    for anchor in page.anchors_after_body:
        text = anchor.text_content() if len(anchor) else anchor.text  # the string value
        if text is None:
            continue
        # none of the four words has a space inside: normalize-space() equals one of them only
        # when the text stripped of spaces does
        text = text.strip(XML_SPACE)
        if len(text) > 8 or anchor.get("href") is None:
            continue
        if text.translate(SOURCE_LOWER) in ("quelle", "source") or text in ("Nguồn", "Original"):
            return anchor.get("href")
    return None


# elements marked as the author, in document order
AUTHOR_XPATH = '//@itemprop[.="author"]/.. | //@rel[.="author"]/..'
CANONICAL_LOWER = str.maketrans("CANOICL", "canoicl")


def _is_canonical_link(link: HtmlElement) -> bool:
    """link[@href and contains(concat(" ", translate(@rel, "CANOICL", "canoicl"), " "), " canonical ")]"""
    return link.get("href") is not None and " canonical " in f" {(link.get('rel') or '').translate(CANONICAL_LOWER)} "


def date_from_url(url: str | None) -> str | None:
    parts = safe_urlsplit(url)
    if parts is None:
        return None
    match = URL_DATE_RE.search(parts.path)
    if not match:
        return None
    parts = [g for g in match.groups() if g]
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
    except ValueError:
        return None


def _date_from_htmldate(tree: HtmlElement, url: str | None) -> str | None:
    try:
        from htmldate import find_date

        found = find_date(tree, extensive_search=False, original_date=True, url=url)
    except Exception:  # htmldate is a best-effort last resort
        return None
    return normalize_date(found) if found else None


def person_names(names: list[str], *organisations: str | None) -> list[str]:
    """The names that are people: no web address ("STERN.de", "mdr.de", "Deutsche Welle
    (www.dw.com)"), no organisation, agency or job title, and not the site's or publisher's own
    name ("NBCNews" on nbcnews.com; a personal blog's "Nicolas Perriault" stays)."""
    return people(names, site_keys(*organisations))


def _published(
    article: dict, meta: dict[str, str], page: PageElements, tree: HtmlElement, url: str | None, use_htmldate: bool
) -> str | None:
    """When the article was first published: JSON-LD datePublished, the published meta tags, JSON-LD
    dateCreated, a <time> marked as the publication (itemprop, "publish" in its class) or else the
    first readable one, a date in the URL, htmldate; a modification date only when nothing else says."""
    found = normalize_date(_clean(article.get("datePublished")))
    for key in DATE_META_KEYS:
        found = found or normalize_date(meta.get(key))
    found = found or normalize_date(_clean(article.get("dateCreated")))
    if not found:
        times = page.by_tag["time"]
        marked = [
            t
            for t in times
            if "publish" in f"{t.get('itemprop') or ''} {t.get('class') or ''} {t.get('data-testid') or ''}".lower()
        ]
        found = next(filter(None, (normalize_date(t.get("datetime")) for t in marked + times)), None)
    found = found or date_from_url(url)
    if not found and use_htmldate:
        found = _date_from_htmldate(tree, url)
    if not found:
        found = normalize_date(_clean(article.get("dateModified")))
        for key in MODIFIED_META_KEYS:
            found = found or normalize_date(meta.get(key))
    return found


def read_metadata(tree: HtmlElement, url: str | None, *, use_htmldate: bool = True) -> Metadata:
    """Collect metadata from tree (call before pruning: it needs the scripts and the head)."""
    root = tree.getroottree().getroot()
    # elements after the root element at the top of the document (libxml2 makes them of some
    # broken pages): the XPath "//" sees them, tree.iter() does not
    after_root = list(root.itersiblings())
    in_tree = scan_page([tree])  # what tree.iter() sees
    page = in_tree if tree is root and not after_root else scan_page([root, *after_root])  # what "//" sees
    meta_values: dict[str, list[str]] = {}
    meta = read_meta_tags(in_tree.by_tag["meta"], meta_values)
    objects = read_jsonld(page.by_tag["script"])
    info = Metadata()
    article = None
    for obj in objects:
        types = _types(obj)
        info.schema_types |= types
        if article is None and types & ARTICLE_TYPES:
            article = obj
    article = article or {}

    info.og_type = (meta.get("og:type") or "").lower() or None
    publisher = article.get("publisher")
    publisher_name = _clean(publisher.get("name")) if isinstance(publisher, dict) else None
    parts = safe_urlsplit(url)
    host = parts.hostname if parts is not None else None
    info.site_name = (
        meta.get("og:site_name")
        or publisher_name
        or meta.get("application-name")
        or (host[4:] if host and host.startswith("www.") else host)
    )

    keys = site_keys(info.site_name, publisher_name, host, meta.get("og:site_name"), meta.get("application-name"))
    h1s = [t for t in (_clean(e.text_content()) for e in in_tree.by_tag["h1"]) if t]
    title_tag = _clean(tree.findtext(".//title"))
    headline = choose_headline(_clean(article.get("headline")), _clean(article.get("name")), title_tag)
    info.title = page_title(headline, meta, title_tag, h1s, keys)

    authors = page_authors(
        article.get("author") or article.get("creator"),
        meta_values,
        tree,
        keys,
        marked=lambda: tree.xpath(AUTHOR_XPATH),
        byline_elements=lambda: tree.xpath(BYLINE_XPATH),
    )
    info.author = AUTHOR_JOINER.join(authors) or None

    info.published = _published(article, meta, page, tree, url, use_htmldate)

    html = tree if tree.tag == "html" else tree.getroottree().getroot()
    declared = (
        html.get("lang")
        or html.get("xml:lang")
        or meta.get("content-language")
        or meta.get("og:locale")
        or article.get("inLanguage")
    )
    info.language = normalize_language_code(declared if isinstance(declared, str) else None)

    canonical = next((link.get("href").strip() for link in page.by_tag["link"] if _is_canonical_link(link)), None)
    canonical = (canonical and safe_urljoin(url, canonical)) or (
        meta.get("og:url") and safe_urljoin(url, meta["og:url"])
    )
    info.canonical_url = canonical or (url if safe_urlsplit(url) is not None else None)

    info.description = (
        meta.get("og:description")
        or meta.get("description")
        or meta.get("twitter:description")
        or _clean(article.get("description"))
    )
    href = _source_link_href(tree, page, None if after_root else root)
    if href is not None:
        info.source_link = safe_urljoin(url, href.strip())
    body = article.get("articleBody")
    info.schema_body = body.strip() if isinstance(body, str) and body.strip() else None
    return info
