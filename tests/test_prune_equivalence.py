"""The fast paths of core.extraction.prune and core.chrome select exactly what the plainer
formulation they replaced selects (XPath queries, findall, text_content(), regexes): on every fixture
page, and on odd strings for the text functions. Pruning output must not change when the code gets
faster: the corpus and its quality numbers depend on it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from core.chrome import normalize_block
from core.extraction.decode import decode_body, parse_html
from core.extraction.prune import (
    BLOCK_TAGS,
    CAPTION_TOKENS,
    CHROME_PHRASES,
    CHROME_TOKENS,
    CONTENT_TOKENS,
    DROP_ROLES,
    _document_elements,
    _has_linked_heading,
    _is_quoted_post,
    _links_below,
    _names_teaser,
    _vocabulary_kind,
    attr_tokens,
    leaf_blocks,
    strip_scripts,
    text_content,
)

FIXTURES = sorted(Path(__file__).parent.joinpath("fixtures").rglob("*.html"))
TRICKY = (
    "<html><body><div class='Teaser-Box' id='mainTeaser'>Vor<script>x()</script>nach &amp; "
    "<b>fett</b>\u00a0\u2003Ende<![CDATA[roh]]></div><ul role='Navigation'><li>1</li><li>2</li>"
    "<li aria-hidden='true'>3</li></ul><blockquote class='twitter-tweet'><p>zitiert</p></blockquote>"
    "<div class='card'><h3><a href='/x'>Titel</a></h3></div><a href='/y'><img src='i.png'></a>"
    "<p>Text<style>p{}</style> mit\tTab\nund Zeile</p></body></html>"
)


def pages():
    for html in [decode_body(path.read_bytes()) for path in FIXTURES] + [TRICKY]:
        tree = parse_html(html)
        if tree is not None:
            strip_scripts(tree)
            yield tree


@pytest.fixture(scope="module")
def trees():
    return list(pages())


def test_element_walk_is_the_xpath_star(trees):
    for tree in trees:
        assert list(_document_elements(tree)) == tree.xpath("//*")


def test_attribute_tests_select_what_the_xpath_selected(trees):
    for tree in trees:
        elements = list(_document_elements(tree))
        assert [e for e in elements if e.get("class") is not None or e.get("id") is not None] == tree.xpath(
            "//*[@class or @id]"
        )
        assert [e for e in elements if e.get("role") is not None or e.get("aria-hidden") is not None] == tree.xpath(
            "//*[@role or @aria-hidden]"
        )
        assert [e for e in elements if _names_teaser(e.get("class")) or _names_teaser(e.get("id"))] == tree.xpath(
            "//*[contains(translate(@class, 'T', 't'), 'teaser') or contains(translate(@id, 'T', 't'), 'teaser')]"
        )
        for element in elements:
            role = element.get("role")
            assert ((role or "").lower() in DROP_ROLES) == (role is not None and role.lower() in DROP_ROLES)


def test_structure_helpers_agree_with_xpath_and_findall(trees):
    linked_heading = etree.XPath(
        ".//a[.//img or .//h2 or .//h3 or .//h4 or .//h5] | .//*[self::h2 or self::h3 or self::h4 or self::h5]//a"
    )
    quoted_post = etree.XPath(
        "descendant-or-self::blockquote[contains(@class, 'tweet') or "
        "contains(@class, 'instagram') or contains(@class, 'fb-xfbml') or "
        "contains(@class, 'tiktok')]"
    )
    for tree in trees:
        for element in tree.iter(etree.Element):
            assert _has_linked_heading(element) == bool(linked_heading(element))
            assert _is_quoted_post(element) == bool(quoted_post(element))
            assert _links_below(element, 3) == min(len(element.findall(".//a")), 3)


def test_text_content_is_lxml_text_content(trees):
    for tree in trees:
        for element in tree.iter(etree.Element):
            assert text_content(element) == element.text_content()


def test_leaf_blocks_are_the_blocks_holding_no_block(trees):
    def is_block(element):
        return element.tag in BLOCK_TAGS

    for tree in trees:
        leaves = [
            e
            for e in tree.iter(etree.Element)
            if is_block(e) and not any(is_block(d) for d in e.iterdescendants(etree.Element))
        ]
        expected = [(e, " ".join(e.text_content().split())) for e in leaves]
        assert leaf_blocks(tree) == [(e, text) for e, text in expected if text]


WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]
DIGITS = ["0", "7", "42", "\u0663", "\uff19", "\u096a"]  # ASCII, Arabic-Indic, fullwidth, Devanagari


@pytest.mark.parametrize("space", WHITESPACE, ids=lambda c: f"U+{ord(c):04X}")
def test_normalize_block_is_the_regex_formula(space):
    def reference(text):
        return re.sub(r"\s+", " ", re.sub(r"\d+", "0", text)).strip().casefold()

    for digits in DIGITS:
        for text in (
            f"{space}Kommentar{space}({digits}){space}",
            f"A{space}{space}B{digits}{space}ß",
            space,
            f"{digits}{space}{digits}",
            f"Straße{space}\n{space}IST",
        ):
            assert normalize_block(text) == reference(text)


CLASS_STRINGS = [
    "",
    " ",
    "articleBody main",
    "post-content entry",
    "relatedPosts",
    "related-posts",
    "read more",
    "readMore",
    "ReadMore",
    "share-bar",
    "socialShare",
    "wp-caption",
    "photoCredit",
    "col-md-8 sidebar",
    "teaser teaser--large",
    "comment-12345",
    "AD_slot",
    "öffnen straße",
    "mehr-zum-thema box",
    "srOnly",
    "sr-only",
    "x y z",
    "zhengwen_content",
    "BINHLUAN",
]


PAIRED_CLASS_STRINGS = [f"{a} {b}" for a in CLASS_STRINGS[::3] for b in CLASS_STRINGS[1::4]]


@pytest.mark.parametrize("raw", CLASS_STRINGS + PAIRED_CLASS_STRINGS)
def test_vocabulary_kind_is_the_token_and_substring_rules(raw):
    lowered = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", raw).lower()
    tokens = {t for t in re.split(r"[^a-z0-9]+", lowered) if t}
    glued = "".join(re.split(r"[^a-z0-9]+", lowered))
    assert attr_tokens(raw) == (tokens, glued)
    if not tokens:
        expected = None
    elif tokens & CONTENT_TOKENS or any(t in glued for t in CONTENT_TOKENS):
        expected = "content"
    elif tokens & CHROME_TOKENS or any(p in glued for p in CHROME_PHRASES):
        expected = "chrome"
    elif tokens & CAPTION_TOKENS:
        expected = "caption"
    else:
        expected = None
    assert _vocabulary_kind.__wrapped__(raw) == expected
