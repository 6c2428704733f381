"""The vendored readability-lxml's shortcuts (core/vendor/readability, listed in its NOTICE) answer as
the code they replace: the cleaned text's length without building it, the block-element test without
serializing each child, the parser with its element classes chosen in C; and readability_text reads
a copy of extract_page's tree as it reads the page, when parse_page_plainly says the trees agree."""

import re
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from lxml.etree import tostring, tounicode

from core.extraction.decode import decode_body, parse_page, parse_page_plainly
from core.extraction.extractor import readability_text, readability_tree
from core.extraction.prune import strip_scripts
from core.vendor.readability import Document, htmls
from core.vendor.readability.cleaners import clean_in_place, html_cleaner
from core.vendor.readability import readability as readability_module
from core.vendor.readability.readability import (
    REGEXES,
    clean,
    cleaned_length,
    holding_block_elements,
    lowercase_search,
)

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "extraction").glob("*.html"))


def upstream_clean(text):
    """readability-lxml 0.9's clean(), as released."""
    text = re.sub(r"\s{255,}", " " * 255, text)
    text = re.sub(r"\s*\n\s*", "\n", text)
    text = re.sub(r"\t|[ \t]{2,}", " ", text)
    return text.strip()


TEXTS = [
    "",
    "   ",
    "Kurz",
    "  Straße  und\tWeg ",
    "Zeile\n  \t  nächste Zeile",
    "\t\tEingerückt\t \tmit Tabs\t",
    "geschütztes\xa0\xa0Leerzeichen \xa0 hier\xa0",
    "Wagenrücklauf\r\n und \r allein",
    "Geviert\u2003\u2003Leerraum \u3000 und \x0b\x0c",
    "viele" + " " * 300 + "Leerzeichen",
    "viele" + "\t" * 300 + "Tabs" + " \xa0" * 200 + "Ende",
    "Absatz\n" + " " * 254 + "\nnoch einer\t\t",
    "Liste:\n\t- eins,\n\t- zwei,\n\t- drei",
]


@pytest.mark.parametrize("text", TEXTS)
def test_clean_and_its_length_answer_as_upstream(text):
    assert clean(text) == upstream_clean(text)
    assert cleaned_length(text) == len(upstream_clean(text))


NAMES = [
    "",
    "Sidebar",
    "article-comments",
    "AD-BREAK teaser",
    "MainContent",
    "navi_Kommentare",
    "Fußzeile footer",
    "ſidebar",  # a long s: re.I finds "sidebar" in it
    "\u212aomment",  # a Kelvin sign: re.I finds nothing ("comment" needs a c)
    "sponsored-Beiträge",
    "x-SHOUTBOX y",
]


@pytest.mark.parametrize("name", NAMES)
def test_lowercase_searches_find_what_the_patterns_find(name):
    for key in ("unlikelyCandidatesRe", "okMaybeItsACandidateRe", "negativeRe", "positiveRe"):
        found = lowercase_search(key)(name)
        expected = REGEXES[key].search(name)
        assert (found and found.group().lower()) == (expected and expected.group().lower())
        assert (found and found.span()) == (expected and expected.span())


def test_clean_length_on_every_text_of_the_fixture_pages():
    for path in FIXTURES:
        tree = lxml.html.document_fromstring(decode_body(path.read_bytes(), "text/html"))
        for element in tree.iter(etree.Element):
            text = element.text_content()
            assert cleaned_length(text) == len(upstream_clean(text)), (path.name, element.tag)


INLINE_TAGS = ("a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u")


def test_holding_block_elements_is_the_regex_on_the_markup():
    """A div holds a block element exactly when divToPElementsRe finds one in its children's markup
    (as readability serialized them), an inline child exactly when it finds one in the child's; on
    the tree as readability has it then, without comments, scripts and styles."""
    pages = [decode_body(path.read_bytes(), "text/html") for path in FIXTURES]
    pages.append(
        '<html><body><div><span title="<div>">Titel &lt;p&gt;</span> Text &lt;div</div>'
        "<div><a href='/x'><img src='bild.jpg'></a></div><div><svg><path d='M0'/></svg></div>"
        "<div><b><o:p>Word</o:p></b><em>Schön <Pre>code</Pre></em></div></body></html>"
    )
    checked = 0
    for page in pages:
        tree = lxml.html.document_fromstring(page)
        etree.strip_elements(tree, etree.Comment, "script", "style", with_tail=False)
        holding = holding_block_elements(tree)
        for div in tree.iter("div"):
            markup = str(b"".join(tostring(child, encoding="utf-8") for child in div))
            assert (div in holding) == bool(REGEXES["divToPElementsRe"].search(markup))
            for child in div:
                if child.tag in INLINE_TAGS:
                    found = REGEXES["divToPElementsRe"].search(tounicode(child, method="html"))
                    assert (child in holding) == bool(found)
                    checked += 1
    assert checked > 50


CLEANER_PAGES = [
    "<html><head><style>p {}</style><link rel='stylesheet' href='a.css'><?php echo 1 ?></head><body>"
    "<!-- Anzeige --><p style='color:red'>Text<script>x()</script> nach dem Skript</p>"
    "<image src='b.png'>Bildunterschrift</image><!-- Ende -->Schluss</body></html>",
    '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>XHTML-Absatz</p></body></html>',
]


@pytest.mark.parametrize("page", [*CLEANER_PAGES, *FIXTURES], ids=str)
def test_clean_in_place_is_what_the_cleaner_does(page):
    html = page if isinstance(page, str) else page.read_bytes().decode("utf-8", "replace")
    ours, theirs = (htmls.build_doc(html)[0] for _ in range(2))
    clean_in_place(ours)
    html_cleaner(theirs)
    assert tostring(ours) == tostring(theirs)
    for script in ("<script>", "<style>", "<!--"):
        assert script not in tounicode(ours)


def test_clean_in_place_on_a_root_that_is_killed():
    ours, theirs = (lxml.html.fromstring("<script>var x = 1;</script>") for _ in range(2))
    clean_in_place(ours)
    html_cleaner(theirs)
    assert tostring(ours) == tostring(theirs)


def summary_with_parser(html, parser, monkeypatch):
    monkeypatch.setattr(htmls, "utf8_parser", parser)
    return Document(html).summary(html_partial=True)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_parser_with_classes_chosen_in_c_gives_the_same_summary(path, monkeypatch):
    html = decode_body(path.read_bytes(), "text/html")
    ours = summary_with_parser(html, htmls.utf8_parser, monkeypatch)
    assert ours == summary_with_parser(html, lxml.html.HTMLParser(encoding="utf-8"), monkeypatch)


# --- readability-lxml on a copy of extract_page's tree instead of its own parse of the page ------------

GERMAN = decode_body((Path(__file__).parent / "fixtures" / "extraction" / "de_legacy_cp1252.html").read_bytes())
XHTML_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)


@pytest.mark.parametrize("stripped", [True, False], ids=["scripts stripped", "as parsed"])
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_readability_on_the_copied_tree_reads_as_on_the_page(path, stripped):
    """extract_page copies its tree after strip_scripts: readability removes scripts, styles and
    comments itself, their tails kept."""
    html = decode_body(path.read_bytes(), "text/html")
    tree, plain = parse_page_plainly(html)
    assert plain  # every fixture page opens with <!DOCTYPE html> and <html>
    if stripped:
        strip_scripts(tree)
    assert readability_text(html, readability_tree(tree, plain)) == readability_text(html)


def test_the_german_page_in_a_legacy_encoding_reads_the_same_from_the_tree():
    assert "charset=windows-1252" in GERMAN and "Günstige KI" in GERMAN
    tree, plain = parse_page_plainly(GERMAN)
    strip_scripts(tree)
    text = readability_text(GERMAN, readability_tree(tree, plain))
    assert plain and text == readability_text(GERMAN)
    assert "Für viele mittelständische Unternehmen in Österreich" in text


@pytest.mark.parametrize(
    "html, plain",
    [
        (GERMAN, True),
        (GERMAN.replace("<!DOCTYPE html>", XHTML_DOCTYPE, 1), True),  # the repair drops the doctype only
        ("\n  " + GERMAN, True),
        ("<!-- Cache: 12 ms -->\n" + GERMAN, False),  # lxml.html parses it as a fragment
        ('<text id="seite-1">\n' + GERMAN, False),  # a wrapper line dropped before parsing
        (GERMAN.replace("</h1>", "</h1>\x00", 1), False),  # NUL removed before parsing
        (GERMAN.replace("</h1>", "</h1>\x01", 1), False),  # a character libxml2 rejects, removed
        (GERMAN.replace("<html>", "<html/>", 1), False),  # a self-closing <html/> repaired
        (GERMAN.replace("</h1>", "</h1>\ud800", 1), False),  # a lone surrogate: lxml stops reading there
        ("<div><p>Nur ein Ausschnitt, kein Dokument.</p></div>", False),
        ("<html><body>" + "<p>Absatz</p>" * 20_001 + "</body></html>", False),  # cut after MAX_ELEMENTS
    ],
)
def test_parse_page_plainly_says_when_the_tree_is_readabilitys(html, plain):
    tree, found = parse_page_plainly(html)
    assert found is plain
    assert tostring(tree) == tostring(parse_page(html))
    if plain:
        assert readability_text(html, readability_tree(tree, plain)) == readability_text(html)


def test_readability_parses_the_page_itself_when_it_tries_again(monkeypatch):
    """A short page: readability's first reading (ruthless) keeps too little, its second parses the page."""
    html = (
        "<!DOCTYPE html>\n<html><body><div class='comment-body'><p>Ein kurzer Beitrag über DeepSeek, "
        "nur zwei Sätze lang. Mehr steht hier nicht.</p></div></body></html>\n"
    )
    tree, plain = parse_page_plainly(html)
    parses = []

    def counted_build_doc(page):
        parses.append(page)
        return htmls.build_doc(page)

    monkeypatch.setattr(readability_module, "build_doc", counted_build_doc)
    text = readability_text(html, readability_tree(tree, plain))
    assert plain and parses == [html]  # the copy served the first reading only
    assert text == readability_text(html) != ""


def test_no_copy_for_a_page_that_is_not_plain():
    assert readability_tree(parse_page("<p>Ausschnitt</p>"), False) is None
    assert readability_tree(None, True) is None
