"""Discovery: what kind of document a response is, and the links each kind offers."""

import gzip

import pytest

from crawler.discovery import classify, html_links, parse_feed, parse_sitemap, parse_sitemap_index

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
        "https://news.example/ki/deepseek-r2?utm_source=rss", "https://news.example/ki/guid-only"]
    assert links[0].hints == {"title": "DeepSeek legt nach", "published": "2025-01-28T09:30:00+01:00",
                              "language": "de-DE"}


def test_atom_links_with_hints():
    (link,) = parse_feed(ATOM, BASE)
    assert link.url == "https://wire.example/deepseek-r1"
    # dates in the form the corpus stores (crawler.dates), whatever form the feed wrote
    assert link.hints == {"title": "DeepSeek R1 tops the charts", "published": "2025-01-27T08:00:00+00:00",
                          "language": "en"}


def test_feed_and_sitemap_dates_are_read_like_page_dates():
    rss = RSS.replace(b"Tue, 28 Jan 2025 09:30:00 +0100", b"Tue, 28 Jan 2025 09:30:00 GMT")
    assert parse_feed(rss, BASE)[0].hints["published"] == "2025-01-28T09:30:00+00:00"
    broken = NEWS_SITEMAP.replace(b"<lastmod>2025-01-02</lastmod>", b"<lastmod>2025-13-45</lastmod>")
    assert "lastmod" not in parse_sitemap(broken, BASE)[0].hints  # was passed on as it was


def test_news_sitemap_fields_are_kept():
    (link,) = parse_sitemap(NEWS_SITEMAP, BASE)
    assert link.url == "https://news.example/ki/deepseek-v3"
    assert link.hints == {"lastmod": "2025-01-02", "title": "DeepSeek V3 ist da",
                          "published": "2025-01-02T10:00:00+01:00", "language": "de", "site_name": "Newsroom"}


def test_sitemap_index_and_gzipped_sitemap():
    assert [link.url for link in parse_sitemap_index(INDEX, BASE)] == [
        "https://news.example/sitemap-news.xml", "https://news.example/sitemap-2025.xml.gz"]
    assert [link.url for link in parse_sitemap(gzip.compress(NEWS_SITEMAP), BASE)] == [
        "https://news.example/ki/deepseek-v3"]


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
    assert [link.url for link in parse_feed(truncated, BASE)] == [
        "https://news.example/ki/deepseek-r2?utm_source=rss"]


def test_html_links():
    pages, feeds = html_links(HTML, BASE)
    assert pages == ["https://news.example/ki/a", "https://other.example/b", "https://news.example/ki/a#kommentare"]
    assert feeds == ["https://news.example/feed.xml"]
