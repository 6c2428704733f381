"""Hostile canonicals (issue 15 item 2), crawl level: a page's rel=canonical never takes the place of
another article. Two different texts claiming one URL are both kept under their own URLs; a page that
claims another article's URL does not finish that URL, and when that article is met (here by a later
run) it takes its URL back while the claimer moves to the URL it was fetched from."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.mockserver.crawl import crawl_start_urls
from tests.mockserver.hostile_canonical import ARTICLES, CanonicalWeb
from tests.test_hostile_crawl import CRAWL_TIMEOUT_SECONDS


def crawl(start_url: str, db_path: Path) -> None:
    run = crawl_start_urls([start_url], db_path, timeout=CRAWL_TIMEOUT_SECONDS)
    assert run.returncode == 0, run.describe()


def snapshot(db_path: Path) -> dict:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {
            "articles": {url: text for url, text in conn.execute("SELECT url, text FROM articles")},
            "duplicates": {url: kept for url, kept in conn.execute("SELECT url, duplicate_of_url FROM duplicates")},
            "pages": {url: outcome for url, outcome in conn.execute("SELECT url, outcome FROM pages")},
            "fingerprint_keys": {key for (key,) in conn.execute("SELECT key FROM fingerprints")},
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("hostile-canonical") / "corpus.db"
    with CanonicalWeb() as web:
        base = web.bases["site"]
        crawl(base + "/feed-eins.xml", db_path)
        first = snapshot(db_path)
        crawl(base + "/feed-zwei.xml", db_path)
        second = snapshot(db_path)
    return base, first, second


def body(path: str) -> str:
    return ARTICLES[path][1][0]


def test_two_articles_claiming_the_front_page_are_both_kept_under_their_own_urls(runs):
    base, first, _ = runs
    for path in ("/artikel/bibliothek.html", "/artikel/hafen.html"):
        assert body(path) in first["articles"][base + path]
    assert base + "/" not in first["articles"] and not first["duplicates"].get(base + "/artikel/hafen.html")


def test_a_claimed_url_is_not_finished_by_the_page_that_claimed_it(runs):
    base, first, _ = runs
    assert base + "/artikel/opfer.html" not in first["pages"]


def test_the_claimed_article_takes_its_url_back_and_the_claimer_moves_to_its_own(runs):
    base, _, second = runs
    articles = second["articles"]
    assert body("/artikel/opfer.html") in articles[base + "/artikel/opfer.html"]
    assert body("/artikel/dieb.html") in articles[base + "/artikel/dieb.html"]
    assert base + "/artikel/dieb.html" not in second["duplicates"]
    assert second["pages"][base + "/artikel/dieb.html"] == "stored"
    assert second["pages"][base + "/artikel/opfer.html"] == "stored"
    assert {base + "/artikel/opfer.html", base + "/artikel/dieb.html"} <= second["fingerprint_keys"]


def test_an_article_met_after_its_print_version_is_stored_under_its_own_url(runs):
    base, first, second = runs
    assert body("/druck/schule.html") in first["articles"][base + "/artikel/schule.html"]
    assert first["duplicates"][base + "/druck/schule.html"] == base + "/artikel/schule.html"
    assert base + "/artikel/schule.html" not in first["pages"]
    assert second["pages"][base + "/artikel/schule.html"] == "stored"
    assert len([url for url in second["articles"] if url.endswith("schule.html")]) == 1
