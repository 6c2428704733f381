"""decode.repair_faulty_html answers as trafilatura's for html without NUL (parse_html removes those
first), skipping its invalid-character scan when it can."""

import pytest
from trafilatura import utils

from core.extraction.decode import INVALID_XML_CHARACTERS, parse_html, repair_faulty_html


def test_invalid_characters_are_those_trafilatura_removes_but_nul():
    removed = [chr(code) for code in range(0x110000) if utils.INVALID_XML_CHARS.match(chr(code))]
    assert sorted(INVALID_XML_CHARACTERS) == [ch for ch in removed if ch != "\x00"]


def test_parse_html_removes_nul_before_the_repair():
    html = "<html><body><p>NUL\x00 im\x00 Text \x01</p></body></html>"
    tree = parse_html(html)
    assert tree.text_content() == utils.load_html(html.replace("\x00", "")).text_content() == "NUL im Text "


PAGES = [
    "<html><body><p>Gut</p></body></html>",
    "<html><body><p>Steuerzeichen \x01\x02 und \x1f im Text</p></body></html>",
    "<p>Zeichen \ufffe, \uffff und Tiếng Việt \x0b \x0c</p>",
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" />\n<html><body><p>Doctype</p></body></html>',
    "<!doctype html>\n<html/>\n<body><p>Selbstschließendes html</p></body>",
    "<html lang='de'/>\r\n<body>x</body>",
    "\n\n\n\n<html/>",
    "Nur Text \U0001f600 mit Emoji \x08",
    "",
]


@pytest.mark.parametrize("html", PAGES)
def test_same_repair_as_trafilatura(html):
    beginning = html[:50].lower()
    assert repair_faulty_html(html, beginning) == utils.repair_faulty_html(html, beginning)
