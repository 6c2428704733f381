"""Cross-language links in a crawl: the fixture web holds an English article (site B) and its German
translation (site A); the crawl stores both and links them, the English one as the original, and
links nothing else (the same-topic articles in either language stay unlinked)."""

from __future__ import annotations

import sqlite3


from tests.mockserver import manifest
from tests.mockserver.crawl import FAST_SETTINGS, run_crawl


def crawl_links(news_web, db, settings=FAST_SETTINGS):
    run = run_crawl(news_web.bases, db, settings=settings)
    assert run.returncode == 0, run.describe()
    with sqlite3.connect(db) as conn:
        links = conn.execute(
            "SELECT a.url, o.url, t.score, t.method FROM translations t "
            "JOIN articles a ON a.id = t.article JOIN articles o ON o.id = t.translation_of"
        ).fetchall()
        translation_duplicates = conn.execute(
            "SELECT url, duplicate_of_url FROM duplicates WHERE kind = 'translation'"
        ).fetchall()
    return links, translation_duplicates


def pair(news_web):
    (german,) = [e for e in manifest.pages("stored") if "translation_of" in e]
    english = german["translation_of"]
    return manifest.url(news_web.bases, german), manifest.url(news_web.bases, english)


def test_translation_linked_to_its_original(news_web, tmp_path):
    links, removed = crawl_links(news_web, tmp_path / "corpus.db")
    german, english = pair(news_web)
    assert [(article, original) for article, original, _, _ in links] == [(german, english)]
    assert links[0][2] > 0 and links[0][3]
    assert removed == []


def test_remove_policy_records_the_translation_as_a_duplicate(news_web, tmp_path):
    links, removed = crawl_links(news_web, tmp_path / "corpus.db", (*FAST_SETTINGS, "TRANSLATIONS=remove"))
    assert links == []
    assert len(removed) == 1 and set(removed[0]) == set(pair(news_web))
