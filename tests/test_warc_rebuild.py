"""Rebuild: `deepseek-news reextract` judges the pages a crawl archived again, without the network,
and gives the corpus the crawl gave; it reports what changed, and refuses bad input in one line."""

from __future__ import annotations

import sqlite3

import pytest

from storage.cli import main
from storage.corpus import CorpusWriter
from tests.mockserver.crawl import FAST_SETTINGS, run_crawl


@pytest.fixture(scope="module")
def crawled(news_web, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("rebuild") / "corpus.db"
    news_web.reset()
    run = run_crawl(news_web.bases, db_path, settings=(*FAST_SETTINGS, "EXTRACT_WORKERS=1"))
    assert run.returncode == 0, run.describe()
    return db_path


def table(db_path, sql) -> list[tuple]:
    connection = sqlite3.connect(db_path)
    try:
        return sorted(connection.execute(sql).fetchall(), key=repr)
    finally:
        connection.close()


ARTICLES = "SELECT url, title, text, language, published, author, site, description, content_hash FROM articles"
DUPLICATES = "SELECT url, duplicate_of_url, kind, round(similarity, 2) FROM duplicates"
TRANSLATIONS = (
    "SELECT a.url, o.url FROM translations t JOIN articles a ON a.id = t.article "
    "JOIN articles o ON o.id = t.translation_of"
)


def test_reextract_from_the_archive_gives_the_same_corpus(crawled, capsys):
    rebuilt = crawled.parent / "rebuilt.db"
    assert main(["reextract", "--db", str(crawled), "--into", str(rebuilt), "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "0 added, 0 removed, 0 with changed text" in out
    assert table(rebuilt, ARTICLES) == table(crawled, ARTICLES) != []
    assert table(rebuilt, DUPLICATES) == table(crawled, DUPLICATES) != []
    assert table(rebuilt, TRANSLATIONS) == table(crawled, TRANSLATIONS)


def test_reextract_reports_added_removed_and_changed_articles(crawled, tmp_path, capsys):
    old = crawled.parent / "older.db"  # beside the archive, whose files it names relative to itself
    source = sqlite3.connect(crawled)
    source.execute(f"VACUUM INTO '{old}'")
    source.close()
    connection = sqlite3.connect(old)  # what an older extractor might have left
    urls = [url for (url,) in connection.execute("SELECT url FROM articles ORDER BY id")]
    connection.execute("UPDATE articles SET text = text || ' Kommentar (0)' WHERE url = ?", (urls[0],))
    connection.execute("DELETE FROM articles WHERE url = ?", (urls[1],))
    connection.execute("INSERT INTO articles (url, title, text) VALUES ('https://example.de/weg', 'Weg', 'Text')")
    connection.commit()
    connection.close()
    assert main(["reextract", "--db", str(old), "--into", str(tmp_path / "new.db")]) == 0
    out = capsys.readouterr().out
    assert "1 added, 1 removed, 1 with changed text" in out
    assert f"added: {urls[1]}" in out and "removed: https://example.de/weg" in out
    assert f"changed: {urls[0]}" in out and "Kommentar (0)" in out


def test_reextract_refuses_bad_input_in_one_line(crawled, tmp_path, capsys):
    assert main(["reextract", "--db", str(crawled), "--into", str(crawled)]) == 1
    assert main(["reextract", "--db", str(tmp_path / "missing.db"), "--into", str(tmp_path / "new.db")]) == 1
    bare = tmp_path / "bare.db"
    sqlite3.connect(bare).execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, url TEXT)").connection.close()
    assert main(["reextract", "--db", str(bare), "--into", str(tmp_path / "new.db")]) == 1
    merged = tmp_path / "merged.db"
    CorpusWriter(merged).close()  # what merge writes: articles, and no archived pages
    assert main(["reextract", "--db", str(merged), "--into", str(tmp_path / "new.db")]) == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 4 and all(line.startswith("deepseek-news reextract: error: ") for line in errors)
    assert "no WARC archive" in errors[2] and "no archived pages" in errors[3]
    assert not (tmp_path / "new.db").exists()
