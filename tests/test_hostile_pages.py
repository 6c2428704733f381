"""Hostile pages (issue 15), unit level: a charset that lies about Shift-JIS bytes, and JSON-LD nested
deeper than Python's stack. The crawl-level cases are in tests/test_hostile_links.py."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from core.extract import extract_page
from core.extraction.decode import decode_body
from core.extraction.metadata import _walk_jsonld, read_jsonld

JAPANESE = (
    "東京の私立大学は、中国の新興企業DeepSeekの言語モデルを学生の論文指導に試験的に導入すると発表した。"
    "指導教員は、モデルが提案する修正点を学生と一緒に確認するという。"
)
GERMAN = (
    "<p>DeepSeek hat ein neues Sprachmodell vorgestellt, das in vielen Tests mit den besten Systemen "
    "mithalten kann, sagen Forscher aus München und Zürich.</p>"
) * 8


def page(meta: str = "", text: str = JAPANESE) -> str:
    return f"<html><head>{meta}<title>DeepSeek</title></head><body><p>{text}</p></body></html>"


def test_shift_jis_under_a_utf8_header_is_read_as_shift_jis():
    body = page().encode("shift_jis")
    assert JAPANESE in decode_body(body, "text/html; charset=utf-8")


def test_shift_jis_under_a_utf8_header_with_a_true_meta_charset():
    body = page('<meta charset="Shift_JIS">').encode("shift_jis")
    assert JAPANESE in decode_body(body, "text/html; charset=utf-8")


def test_shift_jis_under_a_lying_meta_charset():
    body = page('<meta charset="utf-8">').encode("shift_jis")
    assert JAPANESE in decode_body(body, "text/html")


def test_western_pages_under_a_lying_charset_are_still_read_as_cp1252():
    text = "Größere Niederschläge über dem Alpenvorland, sagt der Wetterdienst in München."
    for meta in ("", '<meta charset="utf-8">'):
        assert text in decode_body(page(meta, text).encode("cp1252"), "text/html; charset=utf-8")
    wrong = Path(__file__).parent / "fixtures" / "web" / "site_a" / "_special" / "falscher-zeichensatz.html"
    assert "Kühn" in decode_body(wrong.read_bytes(), "text/html; charset=utf-8")


def test_a_true_utf8_page_holding_a_replacement_character_is_left_alone():
    text = "Ein kaputtes Zeichen \ufffd im Original, und ein Umlaut: ä"
    assert text in decode_body(page('<meta charset="iso-8859-1">', text).encode("utf-8"), "text/html; charset=utf-8")


def deep(depth: int, inner: str = "{}") -> str:
    return '{"@graph":[' * depth + inner + "]}" * depth


def test_json_ld_nested_past_the_stack_is_skipped_and_the_other_blocks_read():
    html = (
        f'<html><head><script type="application/ld+json">{deep(100_000)}</script>'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "DeepSeek"}</script>'
        "</head><body></body></html>"
    )
    tree = lxml.html.fromstring(html)
    assert read_jsonld(tree.iter("script")) == [{"@type": "NewsArticle", "headline": "DeepSeek"}]


def test_walking_nested_json_ld_needs_no_recursion():
    node: dict = {"@type": "NewsArticle"}
    for _ in range(50_000):  # json.loads cannot build this, a caller could
        node = {"@graph": [node]}
    found: list = []
    _walk_jsonld(node, found)
    assert len(found) == 50_001 and found[-1] == {"@type": "NewsArticle"}
    found = []
    _walk_jsonld([{"a": 1, "@graph": [{"b": 2, "mainEntity": {"c": 3}}, {"d": 4}]}, {"e": 5}], found)
    assert [sorted(o)[0] for o in found] == ["@graph", "b", "c", "d", "e"]  # document order


def test_an_article_with_deeply_nested_json_ld_stays_an_article():
    html = (
        f'<html><head><title>DeepSeek R1</title><meta property="og:type" content="article">'
        f'<script type="application/ld+json">{deep(5_000)}</script></head>'
        f"<body><article><h1>DeepSeek R1</h1>{GERMAN}</article></body></html>"
    )
    result = extract_page(html.encode("utf-8"), "https://news.example/ki/r1")
    assert result["is_article"], result["reason"]
    assert result["title"] == "DeepSeek R1"
