"""Discovery: what kind of document a response is, and the links each kind offers."""

import gzip

import pytest

from core.discovery import (
    browser_ampersands,
    classify,
    html_links,
    parse_feed,
    parse_sitemap,
    parse_sitemap_index,
    plain_text,
)

BASE = "https://news.example/"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Newsroom</title><language>de-DE</language>
<item><title>DeepSeek legt nach</title><link>https://news.example/ki/deepseek-r2?utm_source=rss</link>
<pubDate>Tue, 28 Jan 2025 09:30:00 +0100</pubDate></item>
<item><title>Nur guid</title><guid isPermaLink="true">/ki/guid-only</guid></item>
<item><title>Kein Link</title><guid isPermaLink="false">tag:news.example,2025:1</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>Wire</title>
<entry><title>DeepSeek R1 tops the charts</title>
<link rel="alternate" href="https://wire.example/deepseek-r1"/><link rel="edit" href="https://wire.example/edit/1"/>
<published>2025-01-27T08:00:00Z</published></entry>
</feed>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/ki/deepseek-v3</loc><lastmod>2025-01-02</lastmod>
<news:news><news:publication><news:name>Newsroom</news:name><news:language>de</news:language></news:publication>
<news:publication_date>2025-01-02T10:00:00+01:00</news:publication_date>
<news:title>DeepSeek V3 ist da</news:title></news:news></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/sitemap-news.xml</loc></sitemap>
<sitemap><loc>https://news.example/sitemap-2025.xml.gz</loc></sitemap></sitemapindex>"""

HTML = b"""<!DOCTYPE html><html><head><title>KI</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>
<body><a href="/ki/a">A</a><a href="https://other.example/b">B</a><a href="mailto:x@y.z">M</a>
<a href="/bild.jpg">img</a><a href="/ki/a#kommentare">A again</a></body></html>"""


@pytest.mark.parametrize(
    "body, content_type, kind",
    [
        (RSS, "application/rss+xml", "feed"),
        (ATOM, "text/html", "feed"),  # the body wins over a wrong header
        (NEWS_SITEMAP, "text/xml", "sitemap"),
        (INDEX, "application/xml", "sitemapindex"),
        (HTML, "application/xml", "html"),
        (b"\xef\xbb\xbf  <html><body>x</body></html>", "", "html"),
        (b"<div>fragment</div>", "text/html", "html"),
        (b"%PDF-1.7 ...", "application/pdf", "other"),
        (b"", "text/html", "html"),
        (b"https://news.example/a\nhttps://news.example/b\n", "text/plain", "sitemap"),
    ],
)
def test_classify(body, content_type, kind):
    assert classify(body, content_type) == kind


def test_rss_links_with_hints():
    links = parse_feed(RSS, BASE)
    assert [link.url for link in links] == [
        "https://news.example/ki/deepseek-r2?utm_source=rss",
        "https://news.example/ki/guid-only",
    ]
    assert links[0].hints == {
        "title": "DeepSeek legt nach",
        "published": "2025-01-28T09:30:00+01:00",
        "language": "de-DE",
    }


def test_atom_links_with_hints():
    (link,) = parse_feed(ATOM, BASE)
    assert link.url == "https://wire.example/deepseek-r1"
    # dates in the form the corpus stores (core.dates), whatever form the feed wrote
    assert link.hints == {
        "title": "DeepSeek R1 tops the charts",
        "published": "2025-01-27T08:00:00+00:00",
        "language": "en",
    }


def test_feed_and_sitemap_dates_are_read_like_page_dates():
    rss = RSS.replace(b"Tue, 28 Jan 2025 09:30:00 +0100", b"Tue, 28 Jan 2025 09:30:00 GMT")
    assert parse_feed(rss, BASE)[0].hints["published"] == "2025-01-28T09:30:00+00:00"
    broken = NEWS_SITEMAP.replace(b"<lastmod>2025-01-02</lastmod>", b"<lastmod>2025-13-45</lastmod>")
    assert "lastmod" not in parse_sitemap(broken, BASE)[0].hints  # was passed on as it was


def test_news_sitemap_fields_are_kept():
    (link,) = parse_sitemap(NEWS_SITEMAP, BASE)
    assert link.url == "https://news.example/ki/deepseek-v3"
    assert link.hints == {
        "lastmod": "2025-01-02",
        "title": "DeepSeek V3 ist da",
        "published": "2025-01-02T10:00:00+01:00",
        "language": "de",
        "site_name": "Newsroom",
    }


def test_sitemap_index_and_gzipped_sitemap():
    assert [link.url for link in parse_sitemap_index(INDEX, BASE)] == [
        "https://news.example/sitemap-news.xml",
        "https://news.example/sitemap-2025.xml.gz",
    ]
    assert [link.url for link in parse_sitemap(gzip.compress(NEWS_SITEMAP), BASE)] == [
        "https://news.example/ki/deepseek-v3"
    ]


def test_gzip_bomb_sitemap_refused():
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024))
    with pytest.raises(ValueError):
        parse_sitemap(bomb, BASE)


def test_entities_are_not_expanded():
    billion_laughs = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<urlset><url><loc>https://news.example/&c;</loc></url></urlset>"""
    for link in parse_sitemap(billion_laughs, BASE):
        assert len(link.url) < 200


def test_malformed_feed_keeps_what_it_can():
    truncated = RSS[: RSS.index(b"<item><title>Nur")]
    assert [link.url for link in parse_feed(truncated, BASE)] == ["https://news.example/ki/deepseek-r2?utm_source=rss"]


def test_html_links():
    pages, feeds = html_links(HTML, BASE)
    assert pages == ["https://news.example/ki/a", "https://other.example/b", "https://news.example/ki/a#kommentare"]
    assert feeds == ["https://news.example/feed.xml"]


# -- issue 15: one bad link, bare ampersands, HTML in titles --------------------------------------------

FEED_WITH_A_BAD_LINK = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Newsroom</title>
<item><title>Erste Meldung</title><link>https://news.example/ki/eins</link></item>
<item><title>Kaputt</title><link>http://[::1</link></item>
<item><title>Falscher Port</title><link>https://news.example:99999/ki/port</link></item>
<item><title>Zweite Meldung</title><link>https://news.example/ki/zwei</link></item>
</channel></rss>"""


def test_a_malformed_feed_link_is_skipped_and_reported_and_the_rest_is_read():
    malformed = []
    links = parse_feed(FEED_WITH_A_BAD_LINK, BASE, malformed)
    assert [link.url for link in links] == ["https://news.example/ki/eins", "https://news.example/ki/zwei"]
    assert malformed == ["http://[::1", "https://news.example:99999/ki/port"]
    assert len(parse_feed(FEED_WITH_A_BAD_LINK, BASE)) == 2  # the list is optional


def test_a_malformed_sitemap_link_is_skipped_and_the_rest_is_read():
    sitemap = NEWS_SITEMAP.replace(
        b"<url><loc>javascript:alert(1)</loc></url>",
        b"<url><loc>http://[::1</loc></url><url><loc>https://news.example/ki/b</loc></url>",
    )
    malformed = []
    assert [link.url for link in parse_sitemap(sitemap, BASE, malformed)] == [
        "https://news.example/ki/deepseek-v3",
        "https://news.example/ki/b",
    ]
    assert malformed == ["http://[::1"]
    index = INDEX.replace(
        b"<sitemap><loc>https://news.example/sitemap-2025",
        b"<sitemap><loc>http://[::1/x</loc></sitemap><sitemap><loc>https://news.example/sitemap-2025",
    )
    malformed = []
    assert len(parse_sitemap_index(index, BASE, malformed)) == 2 and malformed == ["http://[::1/x"]
    plain = b"https://news.example/a\nhttp://[::1\nhttps://news.example/b\n"
    assert [link.url for link in parse_sitemap(plain, BASE)] == ["https://news.example/a", "https://news.example/b"]


def test_a_malformed_html_link_is_skipped_and_the_rest_of_the_page_is_read():
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="http://[::1/feed">'
        b'<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>'
        b'<a href="/ki/a">A</a><a href="http://[::1">kaputt</a><a href="//news.example:70000/x">Port</a>'
        b'<a href="/ki/b">B</a></body></html>'
    )
    malformed = []
    pages, feeds = html_links(page, BASE, malformed)
    assert pages == ["https://news.example/ki/a", "https://news.example/ki/b"]
    assert feeds == ["https://news.example/feed.xml"]
    assert len(malformed) == 3


def test_a_malformed_base_href_is_ignored_as_browsers_do():
    page = b'<html><head><base href="http://[::1/"></head><body><a href="ki/a">A</a></body></html>'
    assert html_links(page, "https://news.example/start/") == (["https://news.example/start/ki/a"], [])


def test_bare_ampersands_stay_in_feed_urls_and_titles():
    feed = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<item><title>A & B</title><link>https://news.example/artikel?id=5&lang=de</link></item>
<item><title>DeepSeek&nbsp;R1 &amp; V3&hellip;</title><link>https://news.example/artikel?id=6&amp;lang=de&copy=1</link></item>
<item><title>Tom &unbekannt; Jerry &#x44;eepSeek</title><link>https://news.example/?a=1&&b=2&</link></item>
</channel></rss>"""
    links = parse_feed(feed, BASE)
    assert [link.url for link in links] == [
        "https://news.example/artikel?id=5&lang=de",
        "https://news.example/artikel?id=6&lang=de&copy=1",
        "https://news.example/?a=1&&b=2&",
    ]
    assert [link.hints["title"] for link in links] == ["A & B", "DeepSeek R1 & V3…", "Tom &unbekannt; Jerry DeepSeek"]


def test_bare_ampersands_stay_in_atom_attributes():
    atom = ATOM.replace(b'href="https://wire.example/deepseek-r1"', b'href="https://wire.example/a?id=5&lang=en"')
    assert parse_feed(atom, BASE)[0].url == "https://wire.example/a?id=5&lang=en"


def test_bare_ampersands_stay_in_sitemap_urls_and_news_titles():
    sitemap = NEWS_SITEMAP.replace(
        b"https://news.example/ki/deepseek-v3", b"https://news.example/ki?id=5&lang=de"
    ).replace(b"DeepSeek V3 ist da", b"Nvidia & DeepSeek&nbsp;V3")
    (link,) = parse_sitemap(sitemap, BASE)
    assert link.url == "https://news.example/ki?id=5&lang=de"
    assert link.hints["title"] == "Nvidia & DeepSeek V3"


def test_ampersands_inside_cdata_are_text_as_they_are():
    feed = (
        b"<rss><channel><item><title><![CDATA[Fragen & Antworten &amp; mehr]]></title>"
        b"<link><![CDATA[https://news.example/a?x=1&y=2]]></link></item></channel></rss>"
    )
    (link,) = parse_feed(feed, BASE)
    assert link.url == "https://news.example/a?x=1&y=2"
    assert link.hints["title"] == "Fragen & Antworten & mehr"  # CDATA holds HTML: &amp; is an ampersand


def test_feed_titles_are_plain_text_without_scripts():
    feed = b"""<rss><channel>
<item><title>&lt;script&gt;document.write('Nvidia')&lt;/script&gt;&lt;b&gt;DeepSeek&lt;/b&gt; legt nach</title>
<link>https://news.example/a</link></item>
<item><title><![CDATA[<style>b{color:red}</style><i>Nur</i> Text]]></title><link>https://news.example/b</link></item>
<item><title>&lt;script&gt;DeepSeek&lt;/script&gt;</title><link>https://news.example/c</link></item>
</channel></rss>"""
    assert [link.hints.get("title") for link in parse_feed(feed, BASE)] == ["DeepSeek legt nach", "Nur Text", None]
    atom = ATOM.replace(
        b"<title>DeepSeek R1 tops the charts</title>",
        b'<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><b>DeepSeek</b> R1'
        b"<script>alert(1)</script></div></title>",
    )
    assert parse_feed(atom, BASE)[0].hints["title"] == "DeepSeek R1"


def test_plain_text():
    assert plain_text("x < y & z") == "x < y & z"
    assert plain_text(" <p>a</p>\n<p>b&nbsp;c</p> ") == "a b c"
    assert plain_text("<script>x</script>") is None and plain_text("") is None and plain_text(None) is None


def test_browser_ampersands_keeps_declared_entities_unexpanded_and_utf16_untouched():
    dtd = b'<!DOCTYPE rss [<!ENTITY datei SYSTEM "file:///etc/hostname">]><rss>&datei; & &nbsp;</rss>'
    assert browser_ampersands(dtd) == dtd.replace(b"& &nbsp;", b"&amp; &#160;")
    utf16 = "<rss>A & B</rss>".encode("utf-16")
    assert browser_ampersands(utf16) == utf16
