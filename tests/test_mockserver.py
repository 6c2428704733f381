"""The fixture news web server: it serves, replaces placeholders, logs requests, its special routes
behave, and expected.json describes every URL the web links to."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import urllib.request
import zlib
from collections import deque
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import pytest
from lxml import html as lxml_html

from tests.mockserver import manifest

TEN_MIB = 10 * 1024 * 1024


def fetch(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request without following redirects and without decoding: (status, headers, raw body)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_listeners_run_on_three_loopback_hosts(news_web):
    assert urlsplit(news_web.site_a).hostname == "127.0.0.1"
    assert urlsplit(news_web.site_b).hostname == "127.0.0.2"
    assert urlsplit(news_web.forbidden).hostname == "127.0.0.3"
    assert news_web.url("site_b", "feed.xml") == news_web.site_b + "/feed.xml"


def test_pages_are_served_with_placeholders_replaced(news_web):
    status, headers, body = fetch(news_web.url("site_a", "/"))
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"{{" not in body
    status, _, feed = fetch(news_web.url("site_b", "/feed.xml"))
    assert status == 200 and b"{{" not in feed
    assert news_web.site_b.encode() + b"/tech/" in feed


def test_legacy_page_keeps_its_windows_1252_bytes(news_web):
    path = "/archiv/2025/01/27/deepseek-v3-trainingskosten.html"
    status, headers, body = fetch(news_web.url("site_a", path))
    assert status == 200
    assert headers["content-type"] == "text/html"  # no charset: only the <meta> tag says it
    assert b"charset=windows-1252" in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("cp1252")
    assert "„Das ist eine saubere Rechnung für einen einzigen Lauf" in text
    assert "5,3 Millionen €" in text


def test_unknown_paths_and_special_bodies_are_404(news_web):
    assert fetch(news_web.url("site_a", "/gibt/es/nicht.html"))[0] == 404
    assert fetch(news_web.url("site_a", "/_special/serverausfall.html"))[0] == 404
    assert fetch(news_web.url("site_a", "/../site_b/index.html"))[0] == 404


def test_robots_txt_disallows_an_article_the_feed_links(news_web):
    _, _, robots = fetch(news_web.url("site_a", "/robots.txt"))
    assert b"Disallow: /intern/" in robots
    _, _, feed = fetch(news_web.url("site_a", "/feed.xml"))
    assert news_web.site_a.encode() + b"/intern/" in feed


@pytest.mark.parametrize("path, status", [("/weiter/partner-dossier", 302), ("/weiter/altes-archiv", 301)])
def test_redirects_lead_to_the_forbidden_host(news_web, path, status):
    got, headers, _ = fetch(news_web.url("site_a", path))
    assert got == status
    assert headers["location"].startswith(news_web.forbidden + "/")


def test_short_link_redirects_on_site(news_web):
    status, headers, _ = fetch(news_web.url("site_a", "/kurz/r1"))
    assert status == 301
    assert headers["location"] == "/artikel/2025/01/deepseek-r1-erschuettert-silicon-valley.html"


def test_calendar_never_ends(news_web):
    _, _, body = fetch(news_web.url("site_a", "/kalender/2025/01/"))
    assert b'href="/kalender/2024/12/"' in body and b'href="/kalender/2025/02/"' in body
    _, _, far = fetch(news_web.url("site_a", "/kalender/9999/12/"))
    assert b'href="/kalender/10000/01/"' in far
    assert fetch(news_web.url("site_a", "/kalender/2025/13/"))[0] == 404


def test_oversized_page_is_larger_than_download_maxsize(news_web):
    status, headers, body = fetch(news_web.url("site_a", "/artikel/2025/02/deepseek-dossier-komplett.html"))
    assert status == 200
    assert int(headers["content-length"]) == len(body) > TEN_MIB
    assert body.rstrip().endswith(b"</html>")


def test_gzip_bomb_is_small_on_the_wire_and_huge_inflated(news_web):
    status, headers, body = fetch(
        news_web.url("site_a", "/artikel/2025/02/deepseek-chronik.html"), headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert len(body) < 200_000
    inflater, inflated = zlib.decompressobj(31), 0
    for start in range(0, len(body), 4096):
        inflated += len(inflater.decompress(body[start : start + 4096]))
    assert inflated > 50 * 1024 * 1024
    assert gzip.decompress(body)[:200].lstrip().startswith(b"<!DOCTYPE html>")


def test_server_error_has_an_article_like_body(news_web):
    status, _, body = fetch(news_web.url("site_a", "/artikel/2025/02/deepseek-serverausfall.html"))
    assert status == 500
    assert b"<article" in body and b"NewsArticle" in body and b"DeepSeek" in body


def test_pdf_is_served_as_pdf(news_web):
    status, headers, body = fetch(news_web.url("site_a", "/downloads/deepseek-r1-bericht-zusammenfassung.pdf"))
    assert status == 200 and headers["content-type"] == "application/pdf"
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")


def test_requests_are_logged_and_the_log_resets(news_web):
    news_web.reset()
    fetch(news_web.url("site_b", "/tech/?x=1"), headers={"User-Agent": "fixture-test/1.0", "Referer": "http://x/"})
    fetch(news_web.url("forbidden", "/anything"), headers={"User-Agent": "fixture-test/1.0"})
    log = news_web.requests()
    assert [(e["listener"], e["method"], e["path"], e["user_agent"], e["status"]) for e in log] == [
        ("site_b", "GET", "/tech/?x=1", "fixture-test/1.0", 200),
        ("forbidden", "GET", "/anything", "fixture-test/1.0", 404),
    ]
    assert log[0]["host"] == urlsplit(news_web.site_b).netloc and log[0]["referer"] == "http://x/"
    assert news_web.requests("forbidden") == log[1:]
    news_web.reset()
    assert news_web.requests() == []  # reading the log is not logged either
    with urllib.request.urlopen(news_web.url("site_b", "/__requests")) as response:  # any site listener answers
        assert json.loads(response.read()) == []
    assert fetch(news_web.url("forbidden", "/__requests"))[0] == 404  # the private host has no control endpoint
    assert len(news_web.requests("forbidden")) == 1
    news_web.reset()


# --- broken and hostile pages (/kaputt/) -----------------------------------------------------------


def test_redirect_loop_and_overlong_chain(news_web):
    assert fetch(news_web.url("site_a", "/kaputt/schleife-a"))[1]["location"] == "/kaputt/schleife-b"
    assert fetch(news_web.url("site_a", "/kaputt/schleife-b"))[1]["location"] == "/kaputt/schleife-a"
    url, hops = news_web.url("site_a", "/kaputt/kette/1"), 0
    while True:
        status, headers, _ = fetch(url)
        if status != 302:
            break
        url, hops = urljoin(url, headers["location"]), hops + 1
    assert hops == 29 and status == 404


def test_empty_truncated_and_mislabelled_bodies(news_web):
    status, headers, body = fetch(news_web.url("site_a", "/kaputt/leer.html"))
    assert (status, body, headers["content-type"]) == (200, b"", "text/html; charset=utf-8")
    _, _, head_only = fetch(news_web.url("site_a", "/kaputt/kopf-abgeschnitten.html"))
    assert b"<head>" in head_only and b"</head>" not in head_only and b"<body" not in head_only
    _, headers, pdf = fetch(news_web.url("site_a", "/kaputt/pdf-als-html.html"))
    assert headers["content-type"].startswith("text/html") and pdf.startswith(b"%PDF-")


def test_wrong_charset_header_and_bom(news_web):
    _, headers, body = fetch(news_web.url("site_a", "/kaputt/falscher-zeichensatz.html"))
    assert headers["content-type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "Glätte" in body.decode("iso-8859-1") and b"charset=iso-8859-1" in body
    _, headers, bom = fetch(news_web.url("site_a", "/artikel/2025/02/suedkorea-stoppt-deepseek-downloads.html"))
    assert headers["content-type"] == "text/html" and bom.startswith(b"\xef\xbb\xbf")
    assert b"charset" not in bom.lower()
    assert "Südkorea stoppt Downloads" in bom.decode("utf-8-sig")


def test_brotli_bomb(news_web):
    brotli = pytest.importorskip("brotli")
    status, headers, body = fetch(
        news_web.url("site_a", "/kaputt/brotli-bombe.html"), headers={"Accept-Encoding": "br"}
    )
    assert status == 200 and headers["content-encoding"] == "br" and len(body) < 10_000
    decompressor, inflated = brotli.Decompressor(), 0
    for start in range(0, len(body), 16):
        inflated += len(decompressor.process(body[start : start + 16]))
    assert inflated > 50 * 1024 * 1024


def test_connection_reset_midway(news_web):
    with pytest.raises((OSError, http.client.HTTPException)):
        fetch(news_web.url("site_a", "/kaputt/verbindungsabbruch.html"))


def test_session_ids_vary_forever(news_web):
    _, _, body = fetch(news_web.url("site_a", "/kaputt/sitzung?sid=41"))
    assert b'href="/kaputt/sitzung?sid=42"' in body and b'href="/thema/deepseek/?sid=42"' in body


def test_single_line_oversized_page_has_no_length(news_web):
    status, headers, body = fetch(news_web.url("site_a", "/kaputt/einzeilig.html"))
    assert status == 200 and "content-length" not in headers
    assert len(body) > TEN_MIB and body.count(b"\n") == 0


def test_directory_without_slash_redirects(news_web):
    status, headers, _ = fetch(news_web.url("site_a", "/thema/deepseek"))
    assert (status, headers["location"]) == (301, "/thema/deepseek/")


def test_unlinked_huge_sitemap(news_web):
    _, _, body = fetch(news_web.url("site_a", "/kaputt/riesen-sitemap.xml"))
    assert len(ElementTree.fromstring(body)) == 50_000


def test_slow_trickle_sends_byte_by_byte(news_web):
    status, _, body = fetch(news_web.url("site_a", "/kaputt/langsam.html?sekunden=2"))
    assert status == 200 and body.endswith(b"  </article></body></html>\n")


def test_gzip_file_sitemap(news_web):
    status, headers, body = fetch(news_web.url("site_a", "/sitemaps/archiv.xml.gz"))
    assert status == 200 and headers["content-type"] == "application/x-gzip" and "content-encoding" not in headers
    xml = gzip.decompress(body)
    assert news_web.site_a.encode() + b"/artikel/2025/02/suedkorea-stoppt-deepseek-downloads.html" in xml
    assert b"sid=1" in xml and b"{{" not in xml


# --- expected.json against the served web -------------------------------------------------------

LINK_XPATH = "//a/@href | //link[@rel='alternate' or @rel='canonical' or @rel='next' or @rel='prev']/@href"
XML_LINK = re.compile(rb"<(?:loc|link)>([^<]+)</(?:loc|link)>|<link [^>]*href=\"([^\"]+)\"")


def links_of(base_url: str, content_type: str, body: bytes) -> list[str]:
    if "gzip" in content_type:
        body, content_type = gzip.decompress(body), "application/xml"
    if "xml" in content_type:
        found = [(m.group(1) or m.group(2)).decode().strip() for m in XML_LINK.finditer(body)]
        found = [f.replace("&amp;", "&") for f in found]
    elif content_type.startswith("text/html") and body.strip():
        found = lxml_html.fromstring(body).xpath(LINK_XPATH)
    elif content_type.startswith("text/plain"):
        found = re.findall(r"(?m)^Sitemap:\s*(\S+)", body.decode())
    else:
        found = []
    return [urljoin(base_url, f) for f in found if not f.startswith(("mailto:", "#"))]


def walk_fixture_web(news_web) -> dict[str, tuple[int, dict]]:
    """Follow every link on the three listeners from the start URLs: {url: (status, headers)}.
    Calendar pages beyond a few hops are left out (the calendar has no end)."""
    bases = news_web.bases
    queue = deque(
        manifest.start_urls(bases) + [news_web.url("site_a", "/robots.txt"), news_web.url("site_b", "/robots.txt")]
    )
    seen: dict[str, tuple[int, dict]] = {}
    while queue:
        url = queue.popleft()
        if url in seen or manifest.site_of(bases, url) is None:
            continue
        site, path = manifest.site_of(bases, url)
        endless = re.search(r"[?&]sid=(\d+)", path) and int(re.search(r"[?&]sid=(\d+)", path).group(1)) > 2
        if (
            site == "forbidden"
            or endless
            or (path.startswith("/kalender/") and not path.startswith("/kalender/2025/0"))
        ):
            seen[url] = (0, {})  # never fetched here: the private host must stay untouched
            continue
        try:
            status, headers, body = fetch(url)
        except (OSError, http.client.HTTPException):
            seen[url] = (599, {})  # the connection broke (on purpose)
            continue
        seen[url] = (status, headers)
        if "location" in headers:
            queue.append(urljoin(url, headers["location"]))
        if status == 200:
            queue.extend(links_of(url, headers.get("content-type", ""), body))
    news_web.reset()
    return seen


@pytest.fixture(scope="module")
def fixture_web_links(news_web):
    return walk_fixture_web(news_web)


def test_every_linked_url_has_an_expected_outcome(news_web, fixture_web_links):
    uncovered = [url for url in fixture_web_links if manifest.entry_for(*manifest.site_of(news_web.bases, url)) is None]
    assert uncovered == []


def test_every_manifest_page_is_linked_from_the_web(news_web, fixture_web_links):
    linked = {manifest.site_of(news_web.bases, url) for url in fixture_web_links}
    unlinked = [
        p["path"] for p in manifest.pages() if not any(manifest.matches(p, site, path) for site, path in linked)
    ]
    assert unlinked == []


STATUS_BY_OUTCOME = {
    "stored": {200},
    "duplicate_of": {200},
    "off_topic": {200},
    "not_article": {200, 301},
    "discovery": {200},
    "same_as": {200, 301},
    "error": {500, 404, 301, 302, 200, 599},
    "never_requested": {200, 404},
}


def test_served_status_matches_expected_outcome(news_web, fixture_web_links):
    """Status 0: not fetched by the walk (the private host, far calendar months)."""
    wrong = []
    for url, (status, _) in fixture_web_links.items():
        entry = manifest.entry_for(*manifest.site_of(news_web.bases, url))
        if status and entry and status not in STATUS_BY_OUTCOME[entry["outcome"]]:
            wrong.append((url, status, entry["outcome"]))
    assert wrong == []


def test_stored_articles_are_reachable_from_feeds_or_sitemaps(news_web, fixture_web_links):
    """Whatever depth limit the crawler uses for HTML links, every story is one hop from a start URL."""
    direct = set()
    sitemaps = ["/sitemaps/news.xml", "/sitemaps/seiten.xml", "/sitemaps/archiv.xml.gz"]
    for start in manifest.start_urls(news_web.bases) + [news_web.url("site_a", s) for s in sitemaps]:
        _, headers, body = fetch(start)
        if "xml" in headers["content-type"] or "gzip" in headers["content-type"]:
            direct |= {url.split("?", 1)[0] for url in links_of(start, headers["content-type"], body)}
    for entry in manifest.pages("stored", "duplicate_of", "off_topic"):
        assert manifest.url(news_web.bases, entry) in direct, entry["path"]


@pytest.mark.parametrize(
    "entry",
    [e for e in manifest.pages("discovery") if e.get("match") != "prefix"],
    ids=lambda e: f"{e['site']}:{e['path']}",
)
def test_feeds_and_sitemaps_are_well_formed_unless_meant_to_be_broken(news_web, entry):
    _, headers, body = fetch(manifest.url(news_web.bases, entry))
    if "gzip" in headers["content-type"]:
        body = gzip.decompress(body)
    if not headers["content-type"].startswith(("application/", "text/xml")) or entry["path"].endswith(".txt"):
        return
    if entry.get("malformed"):
        with pytest.raises(ElementTree.ParseError):
            ElementTree.fromstring(body)
    else:
        ElementTree.fromstring(body)


@pytest.mark.parametrize("entry", manifest.pages("stored", "duplicate_of"), ids=lambda e: e["path"])
def test_expected_body_and_title_are_on_the_served_page(news_web, entry):
    status, headers, body = fetch(manifest.url(news_web.bases, entry))
    assert status == 200
    encoding = "cp1252" if b"charset=windows-1252" in body[:1000] else "utf-8"
    page = lxml_html.fromstring(body.decode(encoding))
    paragraphs = " ".join(" ".join(p.text_content().split()) for p in page.xpath("//p"))
    for sentence in entry["body"]:
        assert sentence in paragraphs
    assert " ".join(page.xpath("//h1")[0].text_content().split()) == entry["title"]
    served_text = " ".join(page.text_content().split())
    for chrome in entry["chrome"]:
        assert chrome in served_text or chrome in body.decode(encoding), chrome  # chrome really is on the page
