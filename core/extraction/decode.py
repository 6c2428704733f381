"""Bytes to text the way Scrapy does it (``decode_body``, from core.charset), and text to an lxml tree.

Owns: parsing the decoded page the way trafilatura's forgiving loader (trafilatura.utils.load_html) does, with
lxml.html's element classes assigned in C: lxml.html's own parser asks a Python function for the class
of every element it hands out (thousands of calls a page), to give <form>, <input>
and <label> their own classes, which nothing here uses. The tree is bounded: no start tag holds more
attributes than core.markup allows, and no tree more than MAX_ELEMENTS elements.
"""

from __future__ import annotations

import re
from itertools import islice

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction, fromstring
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, INVALID_XML_CHARS, is_dubious_html
from core.charset import decode_body as decode_body  # re-exported: extraction decodes through this module
from core.markup import bound_attributes

MAX_ELEMENTS = 20_000  # elements of a parsed page; the rest is cut (the most in ~2,500 evaluation pages: ~10,500)


LEADING_JUNK_CHARS = 4096
DOCUMENT_START_RE = re.compile(r"<!doctype|<html[\s>]", re.I)


def strip_leading_junk(html: str) -> str:
    """The page from its <!DOCTYPE> or <html> on, when something else comes first (a wrapper line
    such as `<text id=...>`, a stray header line): libxml2 would make that the root and file the
    whole page under it without a <body>, and trafilatura then finds nothing."""
    match = DOCUMENT_START_RE.search(html, 0, LEADING_JUNK_CHARS)
    if match is None or match.start() == 0 or not html[: match.start()].strip():
        return html
    if "<body" in html[: match.start()].lower():
        return html
    return html[match.start() :]


def parse_html(html: str) -> HtmlElement | None:
    """Parse HTML into an lxml tree; None when there is nothing HTML-like to parse. The tree is
    bounded: a start tag keeps at most core.markup.MAX_ATTRIBUTES attributes (libxml2 is quadratic
    in them), and elements past the first MAX_ELEMENTS are cut (see cut_after)."""
    return parse_html_plainly(html)[0]


def parse_html_plainly(html: str) -> tuple[HtmlElement | None, bool]:
    """parse_html(html), and whether html went to the parser as it is, as a whole document (see
    load_html_plainly), with nothing cut."""
    bounded = bound_attributes(html.replace("\x00", ""))
    if not bounded.strip():
        return None, False
    tree, plain = load_html_plainly(bounded)
    if tree is None or not isinstance(tree, HtmlElement):
        return None, False
    if tree.xpath("count(//*)") > MAX_ELEMENTS:  # as cut_after tests it
        return cut_after(tree, MAX_ELEMENTS), False
    return tree, plain and bounded is html


def cut_after(tree: HtmlElement, limit: int) -> HtmlElement:
    """The tree without its elements after the first ``limit`` in document order, and without the
    text after them. libxml2's XPath takes time quadratic in the nodes a query like trafilatura's
    ``//p//text()`` returns (a page of 100,000 paragraphs: minutes), so a page is cut like a long body is."""
    if tree.xpath("count(//*)") <= limit:  # counted in C, without a Python object for each element
        return tree
    node = next(islice(tree.iter(etree.Element), limit, None))
    parent = node.getparent()
    for doomed in [node, *node.itersiblings()]:
        parent.remove(doomed)  # removes its tail too
    while parent.getparent() is not None:
        parent.tail = None
        for doomed in list(parent.itersiblings()):
            parent.getparent().remove(doomed)
        parent = parent.getparent()
    return tree


# a fragment is wrapped only when it has markup a page body has (not a PDF's "<<" or a text's "a < b")
HTML_TAG_RE = re.compile(
    r"<(?:p|div|span|a|br|hr|img|pre|blockquote|em|strong|code|tt|table|tr|td|font|b|i|ul|ol|li|dl|dt|dd|h[1-6]"
    r"|body|main|header|footer|nav|article|section|center)[\s/>]",
    re.I,
)


def parse_page(html: str) -> HtmlElement | None:
    """A whole page as parse_html parses it, with what comes before <!DOCTYPE>/<html> dropped, and a
    body fragment with no <html> parsed inside one: trafilatura's loader refuses such a fragment,
    or libxml2 makes its first tag (a `<text id=...>` wrapper) the root with no <body>, where no
    extractor looks."""
    return parse_page_plainly(html)[0]


def parse_page_plainly(html: str) -> tuple[HtmlElement | None, bool]:
    """parse_page(html), and whether the tree is the one readability-lxml's parser makes of html
    (core.vendor.readability.htmls.build_doc of core.markup.bound_attributes(html)) but for its
    comments and processing instructions, which readability's cleaner removes: true when html went
    to the parser as it is (see load_html_plainly), nothing was cut, and the tree is the document's
    only element at the top (readability's "//" XPaths see the whole document)."""
    stripped = strip_leading_junk(html.replace("\x00", ""))
    tree, plain = parse_html_plainly(stripped)
    if (
        (tree is None or tree.tag != "html")
        and HTML_TAG_RE.search(stripped, 0, 100_000)
        and not stripped.lstrip().startswith("%PDF")
    ):
        wrapped = parse_html(f"<html><body>{stripped}</body></html>")
        if wrapped is not None and wrapped.tag == "html":
            return wrapped, False
    plain = (
        plain
        and stripped is html
        and tree.tag == "html"
        and tree.getparent() is None
        and next(tree.itersiblings(etree.Element), None) is None
        and next(tree.itersiblings(etree.Element, preceding=True), None) is None
    )
    return tree, plain


def html_parser() -> HTMLParser:
    """trafilatura's parser settings, with every element an HtmlElement chosen in C."""
    parser = HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
        )
    )
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
    return load_html_plainly(html)[0]


# lxml.html.fromstring's test for a whole document, which it parses as lxml.html.document_fromstring does
WHOLE_DOCUMENT_RE = re.compile(r"^\s*<(?:html|!doctype)", re.I)


def load_html_plainly(html: str) -> tuple[HtmlElement | None, bool]:
    """load_html(html), and whether html went to the parser as it is: as a whole document, not
    repaired, the str itself (no surrogates, which readability-lxml encodes as "?") and not its bytes."""
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    repaired = repair_faulty_html(html, beginning)
    tree, parsed_bytes = None, False
    try:
        tree = fromstring(repaired, parser=HTML_PARSER)
    except ValueError:  # a str with an encoding declaration
        tree, parsed_bytes = parse_bytes(repaired), True
    except Exception:
        tree = None
    if (tree is None or len(tree) < 1) and not parsed_bytes:
        tree, parsed_bytes = parse_bytes(repaired), True
    if tree is not None and dubious and len(tree) < 2:
        return None, False
    plain = (
        tree is not None
        and not parsed_bytes
        and (repaired == html or only_doctype_dropped(html, repaired))
        and WHOLE_DOCUMENT_RE.match(html) is not None
        and WHOLE_DOCUMENT_RE.match(repaired) is not None
        and encodes(html)
    )
    return tree, plain


def encodes(html: str) -> bool:
    """Does html encode to UTF-8: no lone surrogates (which lxml cuts a str at, and readability-lxml
    encodes as "?")? Encoding takes less time than a search for one."""
    if html.isascii():
        return True
    try:
        html.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def only_doctype_dropped(html: str, repaired: str) -> bool:
    """Did repair_faulty_html only drop the <!DOCTYPE ...> declaration that opens html (one holding
    a "/", as every XHTML doctype does)? That changes no element of the tree libxml2 builds."""
    match = DOCTYPE_TAG.match(html.partition("\n")[0])
    return match is not None and match.group().count(">") == 1 and repaired == html[match.end() :]


def parse_bytes(html: str) -> HtmlElement | None:
    try:
        return fromstring(html.encode("utf8", "surrogatepass"), parser=HTML_PARSER)
    except Exception:
        return None
