"""read_metadata's one walk over the page finds what its XPath queries found."""

import random

import pytest

from core.extraction import metadata
from core.extraction.decode import parse_html

# the queries read_metadata asked before it walked the page itself
XPATH_SOURCE = (
    "//body//a[@href][translate(normalize-space(), 'QUELNSOURCĐ', 'quelnsourcđ') = 'quelle' or "
    "translate(normalize-space(), 'QUELNSOURCĐ', 'quelnsourcđ') = 'source' or "
    "normalize-space() = 'Nguồn' or normalize-space() = 'Original']/@href"
)
XPATH_CANONICAL = '//link[@href and contains(concat(" ", translate(@rel, "CANOICL", "canoicl"), " "), " canonical ")]'
XPATH_BYLINE = (
    "//body//*[self::p or self::div or self::span or self::address]"
    "[string-length(normalize-space()) < 80][contains(., 'Von ') or contains(., 'By ') "
    "or contains(., 'by ') or contains(., 'Bởi ')]"
)
XPATH_JSONLD = '//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'

TEXTS = [
    "Quelle",
    " source ",
    "SOURCE",
    "Nguồn",
    "Original",
    "Quel le",
    "By Jane Doe",
    "Von Max Muster",
    "Bởi Minh Anh",
    "Jane",
    "A longer text of the article that goes on for a while, well past eighty characters.",
    "x",
    "",
    " ",
    "\n\t",
    "QUELLE",
    "sOuRcE",
    "\u00a0Quelle",
]
TAGS = [
    "div",
    "p",
    "span",
    "address",
    "a",
    "b",
    "time",
    "body",
    "html",
    "head",
    "h1",
    "title",
    "link",
    "meta",
    "script",
    "li",
]


def random_page(rnd: random.Random) -> str:
    def attributes(tag):
        out = []
        if tag == "a" and rnd.random() < 0.8:
            out.append(f"href='/l{rnd.randint(0, 9)}'")
        if rnd.random() < 0.15:
            out.append("itemprop='author'")
        if rnd.random() < 0.1:
            out.append("rel='author'")
        if tag == "time" and rnd.random() < 0.7:
            out.append(f"datetime='2024-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}'")
        if tag == "link":
            out.append(
                rnd.choice(
                    [
                        "rel='canonical' href='/c1'",
                        "rel='Alternate CANONICAL' href='/c2'",
                        "rel='canonical'",
                        "href='/c3'",
                    ]
                )
            )
        if tag == "meta":
            out.append(rnd.choice(["name='author' content='M A'", "property='og:title' content='T'"]))
        if tag == "script":
            out.append(rnd.choice(["type='application/ld+json'", "type='APPLICATION/LD+JSON'", "type='text/js'"]))
        return " ".join(out)

    def node(depth):
        tag = rnd.choice(TAGS)
        inner = "".join(
            node(depth + 1) if rnd.random() < 0.5 and depth < 4 else rnd.choice(TEXTS) for _ in range(rnd.randint(0, 3))
        )
        if tag == "script":
            inner = rnd.choice(['{"@type": "NewsArticle", "datePublished": "2022-02-02"}', "var x", "{"])
        close = f"</{tag}>" if rnd.random() < 0.85 else ""
        return f"<{tag} {attributes(tag)}>{inner}{close}" + rnd.choice(TEXTS)

    html = "".join(node(0) for _ in range(rnd.randint(1, 4)))
    if rnd.random() < 0.5:  # a whole page, sometimes with markup after it
        html = "<html><head></head><body>" + html + "</body></html>" + (node(0) if rnd.random() < 0.3 else "")
    return html


def pages(count=400, seed=11):
    rnd = random.Random(seed)
    fixed = [
        "<html><body><p>x</p></body></html><body><a href='/q'>quelle</a></body>",
        "<p>By Jane Doe</p><a href='/x'>Quelle</a>",
        "<a href=/s> SOURCE </a>",
        "<html><body><a href='/r'><b>Sour</b>ce</a></body></html>",
    ]
    for html in fixed + [random_page(rnd) for _ in range(count)]:
        tree = parse_html(html)
        if tree is not None:
            yield html, tree


@pytest.mark.parametrize("html,tree", list(pages()))
def test_walk_finds_what_the_queries_found(html, tree):
    root = tree.getroottree().getroot()
    after_root = list(root.itersiblings())
    page = metadata.scan_page([root, *after_root])
    in_tree = metadata.scan_page([tree])

    assert in_tree.by_tag["meta"] == list(tree.iter("meta"))
    assert in_tree.by_tag["h1"] == list(tree.iter("h1"))
    assert [
        s for s in page.by_tag["script"] if (s.get("type") or "").translate(metadata.LDJSON_LOWER).find("ld+json") >= 0
    ] == tree.xpath(XPATH_JSONLD)
    assert [link for link in page.by_tag["link"] if metadata._is_canonical_link(link)] == tree.xpath(XPATH_CANONICAL)
    assert tree.xpath(metadata.AUTHOR_XPATH) == tree.xpath('//*[@itemprop="author" or @rel="author"]')
    assert page.by_tag["time"] == tree.xpath("//time")
    hrefs = tree.xpath(XPATH_SOURCE)
    assert metadata._source_link_href(tree, page, None if after_root else root) == (hrefs[0] if hrefs else None)
    assert tree.xpath(metadata.SOURCE_LINK_XPATH) == hrefs
    assert tree.xpath(metadata.BYLINE_XPATH) == tree.xpath(XPATH_BYLINE)


def test_clean_collapses_whitespace_as_the_regex_did():
    import re

    for value in ["  a \t b\n", "\u00a0x\u2003y\u3000", "", " ", "x", "a\x1cb\x85c"]:
        expected = re.sub(r"\s+", " ", value).strip() or None
        assert metadata._clean(value) == expected
    assert metadata._clean(None) is None and metadata._clean(3) is None
