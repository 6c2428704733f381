"""Page metadata from the head, JSON-LD, the URL and the visible byline.

Owns: title, author, published date (JSON-LD, meta tags, <time>, a date in the URL, then
htmldate as the last resort), declared language, site name, canonical URL, description,
and the page-kind signals read from markup (og:type, JSON-LD @type values).
"""
from __future__ import annotations

import json
import html
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from core.dates import normalize_date
from core.extraction.cleanup import BYLINE_RE
from core.extraction.language import normalize_language_code

ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "reportagenewsarticle",
                           "analysisnewsarticle", "opinionnewsarticle", "backgroundnewsarticle",
                           "reviewnewsarticle", "techarticle", "scholarlyarticle", "report",
                           "liveblogposting", "socialmediaposting", "posting"})
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage",
                           "blog", "periodical", "searchaction"})
DATE_META_KEYS = ("article:published_time", "og:published_time", "og:article:published_time",
                  "datepublished", "publishdate", "publish-date", "publish_date", "pubdate",
                  "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.created",
                  "dc.date", "date", "article.published", "published_time", "cxenseparse:recs:publishtime",
                  "article:modified_time", "og:updated_time", "datemodified", "last-modified")
AUTHOR_META_KEYS = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                    "byl", "twitter:creator")
URL_DATE_RE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)"
                         r"|/((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:/|[-_.]|$)")
TITLE_SPLIT_RE = re.compile(r"\s+[|\-–—:·»]\s+")
SPACE_RE = re.compile(r"\s+")
BY_PREFIX_RE = re.compile(r"^(?:by|von|bởi|tác giả|作者)[:：]?\s+", re.I)


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


def read_meta_tags(metas) -> dict[str, str]:
    """name/property/itemprop/http-equiv (lowercased) -> content of the <meta> elements; the first
    one wins."""
    found: dict[str, str] = {}
    for meta in metas:
        content = _clean(meta.get("content"))
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                found.setdefault(key.strip().lower(), content)
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


LDJSON_LOWER = str.maketrans("LDJSON", "ldjson")  # as the XPath translate(@type, "LDJSON", "ldjson")


def read_jsonld(scripts) -> list[dict]:
    """Every JSON-LD object of the <script> elements (unparseable and too deeply nested scripts are skipped)."""
    objects: list[dict] = []
    for script in scripts:
        kind = script.get("type")
        if kind is None or "ld+json" not in kind.translate(LDJSON_LOWER):
            continue
        raw = (script.text or "").strip().rstrip(";")
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


def _names(value) -> list[str]:
    """Author-ish JSON-LD value -> list of names."""
    if isinstance(value, str):
        return [value] if not value.startswith("http") else []
    if isinstance(value, dict):
        name = _clean(value.get("name"))
        return [name] if name else []
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    return []


# a bare "Quelle" / "Source" link (any case of these letters), "Nguồn" or "Original": the first in
# the body. The length test first is only a shortcut: none of the four words has more than 8 letters.
SOURCE_LINK_XPATH = ("/descendant::body/descendant::a[@href][string-length(normalize-space()) < 9]"
                     "[translate(normalize-space(), 'QUELNSOURCĐ', 'quelnsourcđ') = 'quelle' or "
                     "translate(normalize-space(), 'QUELNSOURCĐ', 'quelnsourcđ') = 'source' or "
                     "normalize-space() = 'Nguồn' or normalize-space() = 'Original']/@href")
SOURCE_LOWER = str.maketrans("QUELNSOURCĐ", "quelnsourcđ")
XML_SPACE = " \t\n\r"  # what XPath's normalize-space() takes for space
# p, div, span and address elements in the body with a short text holding "Von ", "By ", ...; a
# union of one path per tag, as libxml2 finds those faster than it tests self::p or self::div...
BYLINE_XPATH = " | ".join(
    f"/descendant::body/descendant::{tag}[string-length(normalize-space()) < 80]"
    "[contains(., 'Von ') or contains(., 'By ') or contains(., 'by ') or contains(., 'Bởi ')]"
    for tag in ("p", "div", "span", "address"))


def _source_link_href(tree: HtmlElement, page: PageElements, root: HtmlElement | None) -> str | None:
    """href of the first bare source link in the body (SOURCE_LINK_XPATH); root is the document's
    only top element, None when it has several.

    When the page has one <body>, the last child of the only top element, the links after it in
    document order are exactly the links inside it; a page of any other shape asks the XPath."""
    bodies = page.by_tag["body"]
    if (root is None or len(bodies) != 1 or bodies[0].getparent() is not root
            or bodies[0].getnext() is not None):
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
    return link.get("href") is not None and \
        " canonical " in f" {(link.get('rel') or '').translate(CANONICAL_LOWER)} "


def _byline_names(tree: HtmlElement) -> list[str]:
    """The name in the first visible "Von Jonas Keller" / "By Ruth Okafor" line."""
    for element in tree.xpath(BYLINE_XPATH):
        match = BYLINE_RE.match(SPACE_RE.sub(" ", element.text_content()).strip())
        if match:
            return [match.group("name")]
    return []


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


def _clean_title(title: str | None, site_name: str | None) -> str | None:
    if not title or not site_name:
        return title
    parts = TITLE_SPLIT_RE.split(title)
    if len(parts) > 1:
        key = site_name.casefold()
        kept = [p for p in parts if p.casefold() != key and key not in p.casefold()]
        if kept:
            return " - ".join(kept) if len(kept) > 1 else kept[0]
    return title


def decode_entities(title: str | None) -> str | None:
    """A title with the character references a publisher escaped twice ("&quot;", "&#039;",
    "&ouml;" left in the text after parsing) decoded."""
    if not title or "&" not in title:
        return title
    return _clean(html.unescape(title))


ORGANISATION_RE = re.compile(r"\bwww\.|\.(?:com|de|net|org|co\.uk|vn|cn)\b|\((?:www\.)?[\w-]+\.\w+\)", re.I)


def person_names(names: list[str], *organisations: str | None) -> list[str]:
    """The names that are people: no web address ("STERN.de", "mdr.de", "Deutsche Welle
    (www.dw.com)") and no one-word name of the site or publisher ("NBCNews" on nbcnews.com; a
    personal blog's "Nicolas Perriault" stays)."""
    keys = {_squeezed(o) for o in organisations if o}
    keys |= {k.split(".")[0] for k in list(keys) if "." in k}
    return [n for n in names if not ORGANISATION_RE.search(n) and (" " in n.strip() or _squeezed(n) not in keys)]


def _squeezed(value: str) -> str:
    value = value.casefold().removeprefix("www.")
    return "".join(ch for ch in value if ch.isalnum() or ch == ".").strip(".")


def read_metadata(tree: HtmlElement, url: str | None, *, use_htmldate: bool = True) -> Metadata:
    """Collect metadata from tree (call before pruning: it needs the scripts and the head)."""
    root = tree.getroottree().getroot()
    # elements after the root element at the top of the document (libxml2 makes them of some
    # broken pages): the XPath "//" sees them, tree.iter() does not
    after_root = list(root.itersiblings())
    in_tree = scan_page([tree])  # what tree.iter() sees
    page = in_tree if tree is root and not after_root else scan_page([root, *after_root])  # what "//" sees
    meta = read_meta_tags(in_tree.by_tag["meta"])
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
    info.site_name = (meta.get("og:site_name") or publisher_name or meta.get("application-name")
                      or (host[4:] if host and host.startswith("www.") else host))

    h1 = next((t for t in (_clean(e.text_content()) for e in in_tree.by_tag["h1"]) if t), None)
    title_tag = _clean(tree.findtext(".//title"))
    title = (_clean(article.get("headline")) or meta.get("og:title") or meta.get("twitter:title")
             or h1 or title_tag)
    info.title = _clean_title(decode_entities(title), info.site_name)

    organisations = (info.site_name, publisher_name, host, meta.get("og:site_name"))
    authors = person_names(_names(article.get("author")), *organisations)
    if not authors:
        for key in AUTHOR_META_KEYS:
            value = meta.get(key)
            if value and not value.startswith(("http", "@")) and person_names([value], *organisations):
                authors = [value]
                break
    if not authors:
        marked = tree.xpath(AUTHOR_XPATH)
        for element in marked:  # the first that holds a name; a box around an inner one is not a name
            if len(marked) > 1 and any(other in marked for other in element.iterdescendants()):
                continue
            name = _clean(element.text_content())
            if name and len(name) <= 80:
                authors = [name]
                break
    if not authors:
        authors = _byline_names(tree)
    authors = [BY_PREFIX_RE.sub("", a).strip() for a in authors]
    info.author = "; ".join(dict.fromkeys(a for a in authors if a)) or None

    published = normalize_date(_clean(article.get("datePublished")) or _clean(article.get("dateCreated")))
    for key in DATE_META_KEYS:
        if published:
            break
        published = normalize_date(meta.get(key))
    if not published:
        published = next(filter(None, (normalize_date(element.get("datetime")) for element in page.by_tag["time"])),
                         None)  # the first <time> with a readable datetime
    if not published:
        published = date_from_url(url)
    if not published and use_htmldate:
        published = _date_from_htmldate(tree, url)
    info.published = published

    html = tree if tree.tag == "html" else tree.getroottree().getroot()
    declared = (html.get("lang") or html.get("xml:lang") or meta.get("content-language")
                or meta.get("og:locale") or article.get("inLanguage"))
    info.language = normalize_language_code(declared if isinstance(declared, str) else None)

    canonical = next((link.get("href").strip() for link in page.by_tag["link"] if _is_canonical_link(link)),
                     None)
    canonical = (canonical and safe_urljoin(url, canonical)) or (
        meta.get("og:url") and safe_urljoin(url, meta["og:url"]))
    info.canonical_url = canonical or (url if safe_urlsplit(url) is not None else None)

    info.description = (meta.get("og:description") or meta.get("description")
                        or meta.get("twitter:description") or _clean(article.get("description")))
    href = _source_link_href(tree, page, None if after_root else root)
    if href is not None:
        info.source_link = safe_urljoin(url, href.strip())
    body = article.get("articleBody")
    info.schema_body = body.strip() if isinstance(body, str) and body.strip() else None
    return info
