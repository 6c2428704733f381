"""core.extraction.decode.parse_html builds the tree trafilatura's own loader builds (same parser
settings, same repairs and fallbacks), only with element classes chosen in C: the same markup, the same
text, on every fixture page and on the odd inputs the loader has special cases for."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from core.extraction.decode import decode_body, parse_html
from core.extraction.prune import leaf_blocks, text_of

FIXTURES = sorted(Path(__file__).parent.joinpath("fixtures").rglob("*.html"))
ODD_INPUTS = [
    "<p>one block, no html tag</p>",
    "<div>a</div><div>b</div><div>c</div>",
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>Erklärung mit Deklaration</p></body></html>',
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" />\n<html><body><p>Doctype mit Schrägstrich</p></body></html>',
    "<html/>\n<body><p>Selbstschließendes html</p></body>",
    "<html><body><p>Steuerzeichen \x01\x02 im Text</p><!-- Kommentar --><form><input value='x'>"
    "<label>Feld</label><select><option>eins</option></select></form></body></html>",
    "Nur Text, gar kein Markup",
]


def same_tree(ours: HtmlElement | None, theirs: HtmlElement | None) -> None:
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert lxml.html.tostring(ours, encoding="unicode") == lxml.html.tostring(theirs, encoding="unicode")
        assert ours.text_content() == theirs.text_content()


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_pages_parse_as_trafilatura_parses_them(path):
    html = decode_body(path.read_bytes())
    same_tree(parse_html(html), load_html(html.replace("\x00", "")))


@pytest.mark.parametrize("html", ODD_INPUTS)
def test_odd_inputs_parse_as_trafilatura_parses_them(html):
    same_tree(parse_html(html), load_html(html))


def test_every_element_is_an_html_element():
    tree = parse_html(ODD_INPUTS[5])
    assert all(isinstance(element, HtmlElement) for element in tree.iter(lxml.etree.Element))
    assert [text for _element, text in leaf_blocks(tree)] == ["Steuerzeichen im Text", "Feldeins"]


def test_text_of_collapses_every_kind_of_whitespace():
    tree = parse_html("<html><body><p>\u00a0 Zeile\u2003eins\n\t zwei\u3000 </p></body></html>")
    assert text_of(tree.find(".//p")) == "Zeile eins zwei"
