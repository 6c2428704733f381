"""Security, crawl level (issue 6): the address guard holds for every form of a private address and for
redirects, and only http(s) is ever requested. Proven with the servers' own logs: the hostile web's
forbidden listeners (127.0.0.3 and [::1]) record every request, its site_a records the Host header
of each (a request for localhost:PORT or 0.0.0.0:PORT would reach it), and a bare TCP tripwire on
127.0.0.1 records every connection, whatever the protocol (the ftp: and gopher: links point at it).

The crawl is the hostile one of tests/test_hostile_crawl.py (run once per session). The start points
name 127.0.0.1, .4, .5 and .6 only; the unit tests of the guard are in tests/test_guard.py.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from tests.mockserver.hostile_web import (
    ARTICLES,
    META_REFRESHES,
    OTHER_SCHEME_LINKS,
    PARSER_TRICKS,
    PRIVATE_LINKS,
    REDIRECTS,
)
from tests.test_hostile_crawl import Crawl, hostile_crawl, hostile_run, hostile_web  # noqa: F401

PRIVATE_REDIRECTS = [name for name, target in REDIRECTS.items() if target.startswith(("http:", "{forbidden"))]
OTHER_SCHEME_REDIRECTS = [name for name in REDIRECTS if name not in PRIVATE_REDIRECTS]


def test_the_crawl_saw_every_trap(hostile_crawl, hostile_web):  # noqa: F811
    """The traps were there to be found: the feed and every redirect route were fetched."""
    paths = {r["path"] for r in hostile_crawl.requests if r["listener"] == "site_a"}
    assert "/feindlich/feed.xml" in paths and "/feindlich/" in paths
    for name in REDIRECTS:
        assert f"/feindlich/umleitung/{name}" in paths


def test_no_request_reaches_a_private_listener(hostile_crawl):  # noqa: F811
    reached = [r for r in hostile_crawl.requests if r["listener"] in ("forbidden", "forbidden_v6")]
    assert reached == []


def test_name_resolving_to_loopback_is_not_requested(hostile_crawl, hostile_web):  # noqa: F811
    """http://localhost:PORT/ is site_a's own port under a name the start points do not use: the guard
    resolves it, finds 127.0.0.1 and refuses; site_a never sees Host: localhost (nor 0.0.0.0)."""
    hosts = {r["host"].rsplit(":", 1)[0].lower() for r in hostile_crawl.requests}
    assert "localhost" not in hosts and "0.0.0.0" not in hosts
    for path in ("/feindlich/lokal.html", "/feindlich/lokal-umgeleitet.html", "/feindlich/null.html"):
        assert not [r for r in hostile_crawl.requests if r["path"] == path]
    port = urlsplit(hostile_web.bases["site_a"]).port
    assert hostile_crawl.pages.get(f"http://localhost:{port}/feindlich/lokal.html") == "blocked"


def test_every_private_form_is_refused_and_counted(hostile_crawl):  # noqa: F811
    """IPv6 loopback, IPv4-mapped (dotted, hex, long), decimal, hex and short IPv4, trailing dot, 0.0.0.0,
    a name resolving to loopback, the plain address: each link and each redirect to one is counted."""
    assert hostile_crawl.stat("deepseek/blocked/private_address") >= len(PRIVATE_LINKS) + len(PRIVATE_REDIRECTS), (
        hostile_crawl.describe()
    )
    for url, outcome in hostile_crawl.pages.items():
        host = urlsplit(url).hostname or ""
        if host not in ("127.0.0.1", "127.0.0.4", "127.0.0.5", "127.0.0.6", "nicht-aufloesbar.invalid"):
            assert outcome == "blocked", (url, outcome)


def test_redirects_to_private_addresses_are_not_followed(hostile_crawl):  # noqa: F811
    for name in PRIVATE_REDIRECTS:
        hops = [r for r in hostile_crawl.requests if r["path"] == f"/feindlich/umleitung/{name}"]
        assert [r["status"] for r in hops] == [302], name
    assert not [r for r in hostile_crawl.requests if "umgeleitet" in r["path"]]


def test_other_schemes_are_never_fetched(hostile_crawl):  # noqa: F811
    """file:, ftp:, gopher:, data:, javascript:, mailto:, view-source: links in a feed and in a page, and
    redirects to ftp:, file: and data:: no connection of any kind, no row, no download attempt."""
    assert hostile_crawl.tripwire == []
    for url in list(hostile_crawl.pages) + hostile_crawl.frontier:
        assert urlsplit(url).scheme in ("http", "https"), url
    exceptions = hostile_crawl.stats_under("downloader/exception_type_count/")
    assert not [name for name in exceptions if "Scheme" in name or "NotSupported" in name], exceptions
    assert OTHER_SCHEME_LINKS  # the feed and the listing carried them


def test_redirects_to_other_schemes_end_as_errors(hostile_crawl, hostile_web):  # noqa: F811
    for name in OTHER_SCHEME_REDIRECTS:
        assert hostile_crawl.pages.get(hostile_web.url("site_a", f"/feindlich/umleitung/{name}")) == "error", name
    assert hostile_crawl.stat("deepseek/errors/http_302") == len(OTHER_SCHEME_REDIRECTS)


def test_only_http_was_ever_requested(hostile_crawl):  # noqa: F811
    methods = hostile_crawl.stats_under("downloader/request_method_count/")
    assert set(methods) == {"downloader/request_method_count/GET"}
    assert hostile_crawl.stat("downloader/request_count") >= len(hostile_crawl.requests)  # all of ours reached a log


def test_nothing_private_is_stored(hostile_crawl):  # noqa: F811
    for row in hostile_crawl.articles:
        assert urlsplit(row["url"]).hostname in ("127.0.0.1", "127.0.0.4", "127.0.0.5"), row["url"]


def test_sql_in_a_page_is_stored_as_text(hostile_crawl, hostile_web):  # noqa: F811
    """A title and text made of SQL fragments go through the crawl's writes as data: stored exactly."""
    path = "/feindlich/artikel/sql-zeichen.html"
    title, paragraphs = ARTICLES[path]
    rows = [row for row in hostile_crawl.articles if row["url"] == hostile_web.url("site_a", path)]
    assert len(rows) == 1
    assert rows[0]["title"] == title
    assert paragraphs[0] in " ".join(rows[0]["text"].split())
    assert hostile_crawl.stat("deepseek/stored") == len(hostile_crawl.articles)  # no table was dropped or emptied


def test_urls_parsers_disagree_about_go_where_the_guard_looked(hostile_crawl):  # noqa: F811
    """Userinfo, a backslash or a %2f before '@', '#' or '?' before '@': the crawl requests the canonical
    form, whose host is the one the guard checked. Those naming 127.0.0.1 after the '@' reach site_a;
    the others are refused; none reaches the forbidden listener."""
    assert PARSER_TRICKS
    site_a_paths = {r["path"] for r in hostile_crawl.requests if r["listener"] == "site_a"}
    assert {"/feindlich/trick-backslash.html", "/feindlich/trick-prozent.html"} <= site_a_paths
    assert not [r for r in hostile_crawl.requests if r["listener"] == "forbidden"]
    assert [url for url, outcome in hostile_crawl.pages.items() if "userinfo" in url] and all(
        outcome == "blocked" for url, outcome in hostile_crawl.pages.items() if "userinfo" in url
    )


def test_meta_refresh_to_private_hosts_and_files_is_not_followed(hostile_crawl, hostile_web):  # noqa: F811
    """Scrapy follows <meta http-equiv=refresh> like a redirect: the guard sees those requests too."""
    for name in META_REFRESHES:
        assert [r for r in hostile_crawl.requests if r["path"] == f"/feindlich/auffrischen/{name}"], name
    assert not [r for r in hostile_crawl.requests if "aufgefrischt" in r["path"]]
    port = urlsplit(hostile_web.bases["site_a"]).port
    assert hostile_crawl.pages.get(f"http://localhost:{port}/feindlich/aufgefrischt.html") == "blocked"
    assert hostile_crawl.pages.get(hostile_web.url("forbidden", "/aufgefrischt.html")) == "blocked"


def test_base_href_on_a_private_host_leads_nowhere(hostile_crawl):  # noqa: F811
    assert [r for r in hostile_crawl.requests if r["path"] == "/feindlich/basis.html"]
    assert not [r for r in hostile_crawl.requests if "geheim" in r["path"]]


def test_xml_external_entities_are_never_resolved(hostile_crawl, hostile_web):  # noqa: F811
    """A feed's DTD names /etc/hostname, the private host and the tripwire: none is read or asked for."""
    assert hostile_crawl.pages.get(hostile_web.url("site_a", "/feindlich/xxe.xml")) == "feed"
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    for request in hostile_crawl.requests:
        assert (
            "xxe" not in request["path"]
            or request["path"] == "/feindlich/xxe.xml"
            or request["path"] == "/feindlich/xxe-"
        ), request
        if hostname:
            assert not request["path"].startswith("/feindlich/xxe-" + hostname), request
    assert hostile_crawl.tripwire == []
    for row in hostile_crawl.articles:
        assert not hostname or hostname not in (row["title"] or ""), row["url"]


def test_billion_laughs_feed_is_read_without_expanding(hostile_crawl, hostile_web):  # noqa: F811
    assert hostile_crawl.pages.get(hostile_web.url("site_a", "/feindlich/lachen.xml")) in ("feed", "error")
    assert hostile_crawl.stats.get("finish_reason") == "finished"
    assert not [r for r in hostile_crawl.requests if "haha" in r["path"]]
