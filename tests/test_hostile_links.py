"""Hostile links (issue 15), crawl level: the real `scrapy crawl deepseek_news` against the hostile links
web (tests/mockserver/hostile_links.py). One bad link never costs a document its other links; bare
ampersands reach the server as written; feed titles are plain text; a URL too long for Scrapy and a
bad start point are counted, logged and finished; naming a host on one port opens that port only;
Shift-JIS under a false charset and deeply nested JSON-LD do not spoil an article.

One crawl, shared by the tests below, and one more with a bad start point added; the unit tests of the pure functions are in tests/test_discovery.py,
tests/test_guard.py and tests/test_extract_parse.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.corpus import CorpusWriter
from tests.mockserver.crawl import crawl_start_urls
from tests.mockserver.hostile_links import (
    ARTICLES,
    BAD_START_POINT,
    FEED_TITLES,
    LONG_QUERY,
    SHIFT_JIS_ARTICLE,
    SHIFT_JIS_PATH,
    URL_LENGTH_LIMIT,
    LinksWeb,
)
from tests.test_hostile_crawl import CRAWL_TIMEOUT_SECONDS, Crawl, no_spider_exception, read_crawl

AFTER_A_BAD_LINK = [
    "/artikel/eins.html",
    "/artikel/fuenf.html",
    "/artikel/vier.html",
    "/artikel/sechs.html",
    "/artikel/sieben.html",
]  # in the documents with a bad link, before or after it
STORED = AFTER_A_BAD_LINK + [
    "/artikel/zwei.html?id=5&lang=de",
    "/artikel/drei.html?id=7&lang=de",
    "/artikel/ohne-titel.html",
    "/artikel/json-ld-tief.html",
    SHIFT_JIS_PATH,
]


def crawl_links_web(web: LinksWeb, start_urls: list[str], db_path: Path) -> Crawl:
    run = crawl_start_urls(start_urls, db_path, timeout=CRAWL_TIMEOUT_SECONDS)
    crawl = read_crawl(db_path, run.returncode, run.output)
    crawl.requests = web.requests()
    web.web.log.clear()
    return crawl


@pytest.fixture(scope="module")
def links_run(tmp_path_factory) -> tuple[Crawl, dict, Crawl, Crawl]:
    """The crawl of the links web; a second one with a bad start point before the same start points; a third
    on a corpus whose frontier an earlier run left holding a URL too long for Scrapy."""
    with LinksWeb() as web:
        crawl = crawl_links_web(web, web.start_urls(), tmp_path_factory.mktemp("hostile-links") / "corpus.db")
        with_bad_start = crawl_links_web(
            web, web.start_urls_with_a_bad_one(), tmp_path_factory.mktemp("hostile-links-start") / "corpus.db"
        )
        db_path = tmp_path_factory.mktemp("hostile-links-frontier") / "corpus.db"
        writer = CorpusWriter(db_path)
        writer.add_to_frontier(
            web.bases["site"] + "/artikel/lang.html" + LONG_QUERY, {"via": "sitemap", "hints": {}, "html_depth": 0}
        )
        writer.flush()
        writer.close()
        replay = crawl_links_web(web, [web.bases["site"] + "/"], db_path)
        return crawl, dict(web.bases), with_bad_start, replay


@pytest.fixture(scope="module")
def crawl(links_run) -> Crawl:
    return links_run[0]


@pytest.fixture(scope="module")
def site(links_run) -> str:
    return links_run[1]["site"]


def article(crawl: Crawl, url: str) -> dict | None:
    return next((row for row in crawl.articles if row["url"] == url), None)


def test_the_crawl_finishes_without_a_spider_exception(crawl):
    assert crawl.returncode == 0, crawl.describe()
    assert crawl.stats.get("finish_reason") == "finished", crawl.describe()
    no_spider_exception(crawl)


def test_exactly_the_real_articles_are_stored(crawl, site):
    assert sorted(row["url"] for row in crawl.articles) == sorted(site + path for path in STORED), crawl.describe()


# -- one bad link -------------------------------------------------------------------------------------------


def test_a_bad_link_costs_its_feed_sitemap_and_page_nothing_else(crawl, site):
    """`http://[::1` (urljoin raises) and a port above 65535, in a feed, a sitemap and a listing: each is
    skipped and counted, and every good link of the same document, before and after it, is requested."""
    for path in AFTER_A_BAD_LINK:
        assert [r for r in crawl.requests if r["listener"] == "site" and r["path"] == path], path
        assert crawl.pages.get(site + path) == "stored", path
    assert crawl.stat("deepseek/errors/malformed_link") == 4, crawl.describe()  # feed 2, sitemap 1, listing 1
    assert not crawl.stats_under("deepseek/errors/malformed_feed")
    assert not crawl.stats_under("deepseek/errors/malformed_sitemap")
    assert "malformed link(s) skipped" in crawl.output


# -- bare ampersands and feed titles ---------------------------------------------------------------------------


def test_bare_ampersands_in_feed_and_sitemap_urls_reach_the_server_as_written(crawl, site):
    paths = {r["path"] for r in crawl.requests if r["listener"] == "site"}
    assert {"/artikel/zwei.html?id=5&lang=de", "/artikel/drei.html?id=7&lang=de"} <= paths
    assert not [r for r in crawl.requests if r["status"] == 404 and r["path"].startswith("/artikel/")]


def test_feed_titles_are_plain_text_with_every_word_kept(crawl, site):
    """A page without a title takes the feed's: `DeepSeek&nbsp;R1 ... &amp; ...` reads as a reader sees it."""
    row = article(crawl, site + "/artikel/ohne-titel.html")
    assert row is not None and row["title"] == FEED_TITLES["/artikel/ohne-titel.html"][1]
    for row in crawl.articles:
        assert "<" not in (row["title"] or "") and "script" not in (row["title"] or ""), row


def test_a_script_in_a_feed_title_does_not_put_a_page_on_topic(crawl, site):
    """The off-topic quarterly report is named in the feed by `<script>var thema = 'DeepSeek'</script><b>...`:
    the script is dropped, the plain title does not name the topic, the page is off topic."""
    assert crawl.pages.get(site + "/artikel/ohne-titel-quartal.html") == "off_topic", crawl.describe()


# -- a URL too long for Scrapy ------------------------------------------------------------------------------------


def test_a_url_too_long_for_scrapy_is_counted_and_never_enters_the_frontier(crawl, site):
    assert len(site + "/artikel/lang.html" + LONG_QUERY) > URL_LENGTH_LIMIT
    assert crawl.stat("deepseek/errors/url_too_long") == 1, crawl.describe()
    assert crawl.frontier == [], crawl.frontier
    assert not [r for r in crawl.requests if LONG_QUERY[:40] in r["path"]]
    assert crawl.stat("urllength/request_ignored_count") == 0  # Scrapy never had to drop it silently
    assert "longer than URLLENGTH_LIMIT" in crawl.output


def test_a_url_too_long_for_scrapy_left_in_the_frontier_by_an_earlier_run_is_finished(links_run):
    crawl, site = links_run[3], links_run[1]["site"]
    assert crawl.returncode == 0 and crawl.stats.get("finish_reason") == "finished", crawl.describe()
    assert crawl.frontier == []
    assert crawl.pages.get(site + "/artikel/lang.html" + LONG_QUERY) == "error"
    assert crawl.stat("deepseek/errors/url_too_long") == 1, crawl.describe()


# -- a bad start point --------------------------------------------------------------------------------------------


def test_a_bad_start_point_is_counted_and_the_others_run(links_run):
    crawl = links_run[2]
    assert crawl.returncode == 0 and crawl.stats.get("finish_reason") == "finished", crawl.describe()
    assert crawl.stat("deepseek/errors/bad_start_point") == 1, crawl.describe()
    assert f"start point skipped, not a valid URL: {BAD_START_POINT}" in crawl.output
    start_paths = {r["path"] for r in crawl.requests if r["listener"] == "site"}
    assert {"/feed.xml", "/feed-kaputt.xml", "/sitemap.xml", "/sitemap-kaputt.xml", "/"} <= start_paths
    assert len(crawl.articles) == len(STORED)


# -- another port of a named private host ---------------------------------------------------------------------------


def test_naming_a_host_on_one_port_does_not_open_its_other_ports(crawl, links_run):
    """A feed link, a redirect and a meta refresh to 127.0.0.1 on a port no start point names: refused,
    counted, and the listener on that port sees nothing."""
    other = links_run[1]["other_port"]
    assert [r for r in crawl.requests if r["listener"] == "other_port"] == []
    for path in ("/artikel/anderer-port.html", "/artikel/umgeleitet.html", "/artikel/aufgefrischt.html"):
        assert crawl.pages.get(other + path) == "blocked", path
    assert crawl.stat("deepseek/blocked/private_address") == 3, crawl.describe()  # link, redirect, refresh
    assert [r["status"] for r in crawl.requests if r["path"] == "/umleitung/anderer-port"] == [302]
    assert [r for r in crawl.requests if r["path"] == "/auffrischen/anderer-port"]


# -- encodings and JSON-LD --------------------------------------------------------------------------------------


def test_shift_jis_under_a_false_utf8_header_is_stored_readable(crawl, site):
    row = article(crawl, site + SHIFT_JIS_PATH)
    assert row is not None, crawl.describe()
    assert row["title"] == SHIFT_JIS_ARTICLE[0]
    assert SHIFT_JIS_ARTICLE[1][0][:30] in row["text"] and "\ufffd" not in row["text"]


def test_deeply_nested_json_ld_is_ignored_and_the_article_kept(crawl, site):
    row = article(crawl, site + "/artikel/json-ld-tief.html")
    assert row is not None, crawl.describe()
    assert row["title"] == ARTICLES["/artikel/json-ld-tief.html"][0]
