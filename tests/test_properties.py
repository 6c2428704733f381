"""Property-based tests (hypothesis) for the code that meets hostile bytes first (issue 6): discovery
parsers, URL canonicalisation, extraction and dedup never fail on arbitrary input except in the one
documented way.

- discovery: `classify` and `html_links` never raise (the spider calls them unguarded); the feed and
  sitemap parsers raise ValueError only (the spider catches it and counts a malformed document).
- URLs: `canonical_url` raises ValueError only; its result is a fixed point, requestable (http(s)),
  and has the same `url_key` as the input.
- extraction and the worker's whole job (`analyse_page`): no exception on arbitrary bytes or str,
  surrogates and legacy charsets included.
- dedup: `fingerprint`, `find` and `add` never raise on arbitrary text; a text added is found again.

Example counts are modest so the suite stays fast.
"""

from __future__ import annotations

import gzip

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.worker import analyse_page
from core.discovery import classify, html_links, parse_feed, parse_sitemap, parse_sitemap_index
from core.extract import RESULT_KEYS, extract_page
from core.urls import canonical_url, is_http_url, url_key
from dedup import DedupConfig, Deduplicator

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- inputs ------------------------------------------------------------------------------------------

XML_PARTS = [
    b'<?xml version="1.0" encoding="utf-8"?>',
    b'<?xml version="1.0" encoding="x-bogus"?>',
    b"\xef\xbb\xbf",
    b'<rss version="2.0">',
    b"</rss>",
    b"<channel>",
    b"</channel>",
    b"<item>",
    b"</item>",
    b"<link>",
    b"</link>",
    b'<guid isPermaLink="true">',
    b"</guid>",
    b"<pubDate>",
    b"</pubDate>",
    b"Tue, 28 Jan 2025 09:30:00 +0100",
    b"Feb 31 99999",
    b'<feed xmlns="http://www.w3.org/2005/Atom">',
    b"</feed>",
    b"<entry>",
    b"</entry>",
    b'<link rel="alternate" href="',
    b'"/>',
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    b"</urlset>",
    b"<url>",
    b"</url>",
    b"<loc>",
    b"</loc>",
    b"<sitemapindex>",
    b"</sitemapindex>",
    b"<sitemap>",
    b"</sitemap>",
    b"<news:news>",
    b"<news:title>",
    b"<news:publication_date>",
    b"2025-01-27",
    b"https://news.example/a",
    b"/relative/b",
    b"javascript:alert(1)",
    b"file:///etc/passwd",
    b"http://[::1",
    b"http://x:99999999/",
    b"http://\xff\xfe/",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
    b"&a;",
    b"&#0;",
    b"&#xD800;",
    b"<![CDATA[",
    b"]]>",
    b"\x00",
    b"\x1f\x8b",
    b"\n",
    b"<html>",
    b"<a href='",
    b"'>",
    b"</a>",
    b'<base href="',
    b'<link rel="alternate" type="application/rss+xml" href="',
    b"DeepSeek",
]
xml_soup = st.lists(st.sampled_from(XML_PARTS), max_size=60).map(b"".join)
documents = st.one_of(
    st.binary(max_size=3000),
    xml_soup,
    xml_soup.map(gzip.compress),
    xml_soup.map(lambda raw: gzip.compress(raw)[: max(len(raw) // 2, 3)]),
)
content_types = st.one_of(
    st.just(""),
    st.sampled_from(["text/html", "application/rss+xml", "text/plain", "application/xml; charset=utf-16"]),
    st.text(max_size=40),
)
base_urls = st.one_of(st.just("https://news.example/feed.xml"), st.text(max_size=60))
any_text = st.text(st.characters(blacklist_categories=()), max_size=2000)  # surrogates included


# -- discovery ---------------------------------------------------------------------------------------


@FAST
@given(documents, content_types)
def test_classify_never_raises(body, content_type):
    assert classify(body, content_type) in ("sitemapindex", "sitemap", "feed", "html", "other")


@FAST
@given(documents, base_urls)
def test_feed_and_sitemap_parsers_raise_value_error_only_and_return_http_links(body, base_url):
    for parse in (parse_feed, parse_sitemap, parse_sitemap_index):
        try:
            links = parse(body, base_url)
        except ValueError:
            continue
        for link in links:
            assert is_http_url(link.url), (parse.__name__, link.url)


@FAST
@given(st.one_of(documents, any_text), base_urls)
def test_html_links_never_raises_and_returns_http_links_only(document, base_url):
    pages, feeds = html_links(document, base_url)
    assert all(is_http_url(url) for url in pages + feeds)


# -- URL canonicalisation ------------------------------------------------------------------------------

url_parts = st.sampled_from(
    [
        "http://",
        "https://",
        "HTTPS://",
        "ftp://",
        "//",
        "http:///",
        "www.",
        "WWW.",
        "example.com",
        "Beispiel.DE",
        "bücher.example",
        "[::1]",
        "[::ffff:127.0.0.3]",
        "127.0.0.1",
        ":80",
        ":443",
        ":8080",
        ":0",
        ":99999",
        "@",
        "user:pw@",
        "/",
        "//",
        "/a",
        "/A/",
        ";jsessionid=1",
        "?",
        "&",
        "=",
        "utm_source=x",
        "sid=7",
        "page=2",
        "a=1",
        "%",
        "%zz",
        "%2F",
        "#",
        "#frag",
        " ",
        "\t",
        "\n",
        "\u00e4",
        "\u200b",
        "..",
    ]
)
urlish = st.one_of(st.lists(url_parts, max_size=14).map("".join), st.text(max_size=120))


@FAST
@given(urlish)
def test_canonical_url_raises_value_error_only_and_is_a_requestable_fixed_point(url):
    try:
        once = canonical_url(url)
    except ValueError:
        return
    assert is_http_url(once)
    assert canonical_url(once) == once
    assert url_key(once) == url_key(url)


# -- extraction ----------------------------------------------------------------------------------------

HTML_PARTS = [
    "<html>",
    "<head>",
    "<meta charset='",
    "windows-1252",
    "utf-16",
    "x-unknown",
    "'>",
    "<title>",
    "</title>",
    "<body>",
    "<article>",
    "</article>",
    "<p>",
    "</p>",
    "DeepSeek R1 ",
    "Nvidia ",
    "Kommentar (0)",
    "<script>",
    "</script>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "&nbsp;",
    "&#0;",
    "&#xD800;",
    "\ufeff",
    "\x00",
    "\u00e4\u00f6\u00fc",
    "\u1ea1",
    "<meta property='og:type' content='article'>",
    '<script type=\'application/ld+json\'>{"@type":"NewsArticle","datePublished":',
    '"2025-13-45"',
    "}",
    "<link rel='canonical' href='",
    "javascript:x",
    "'>",
    "<table><tr><td>",
    "</td></tr></table>",
]
html_soup = st.lists(st.sampled_from(HTML_PARTS), max_size=80).map("".join)
bodies = st.one_of(
    st.binary(max_size=3000),
    any_text,
    html_soup,
    html_soup.map(lambda s: s.encode("utf-8", "surrogatepass")),
    html_soup.map(lambda s: s.encode("utf-16")),
    html_soup.map(lambda s: s.encode("cp1252", "replace")),
)


@SLOW
@given(bodies, st.one_of(st.none(), st.text(max_size=60)), st.one_of(st.none(), content_types))
def test_extract_page_never_raises(body, url, content_type):
    result = extract_page(body, url, content_type=content_type)
    assert tuple(result) == RESULT_KEYS
    assert result["text"] is None or isinstance(result["text"], str)


@SLOW
@given(
    bodies,
    st.dictionaries(st.sampled_from(["title", "published", "language", "site_name"]), st.text(max_size=20), max_size=4),
)
def test_worker_job_never_raises(body, hints):
    """What each extraction worker runs: extract, fill gaps from feed hints, fingerprint."""
    raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    page, fingerprint, seconds = analyse_page(
        raw, "https://news.example/a/b.html", "text/html", hints, frozenset(), DedupConfig()
    )
    assert (fingerprint is None) == (not page.get("text"))


# -- dedup ---------------------------------------------------------------------------------------------

languages = st.one_of(st.none(), st.sampled_from(["de", "en", "vi", "zh", "xx", ""]), st.text(max_size=5))


@FAST
@given(st.lists(st.tuples(st.text(max_size=2000), languages), min_size=1, max_size=6))
def test_dedup_never_raises_and_finds_what_it_added(texts):
    """Arbitrary text without lone surrogates (those: the pinned test below)."""
    dedup = Deduplicator(DedupConfig())
    for number, (text, lang) in enumerate(texts):
        fingerprint = dedup.fingerprint(text, lang)
        if dedup.find(fingerprint) is None:
            dedup.add(f"https://news.example/{number}", fingerprint)
            assert dedup.find(fingerprint) is not None


@pytest.mark.parametrize("text", ["\ud800", "DeepSeek \udcff R1 " * 30])
def test_dedup_never_raises_on_lone_surrogates(text):
    dedup = Deduplicator(DedupConfig())
    fingerprint = dedup.fingerprint(text, "de")
    assert dedup.find(fingerprint) is None
    dedup.add("https://news.example/a", fingerprint)
