"""The CLI on a corpus made the real way: the crawler run over the fixture news web (tests/conftest.py
``news_web``), then search, show, export, stats and merge on what it wrote.

The expected answers come from the corpus by plain SQL (no FTS), so the CLI is checked against the
data, not against itself; whether the crawl stored the right pages is tests/test_crawl_e2e.py's job.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.mockserver.crawl import run_crawl
from tests.test_cli import run_cli
from tests.test_storage_sample import build_sample_corpus

EXPORT_CONTROLS = "/tech/exportkontrollen-deepseek-gedrosselte-chips-20544.html"


@pytest.fixture(scope="module")
def crawled(news_web, tmp_path_factory):
    """(corpus path, base URLs): the fixture web crawled once by the real crawler."""
    db = tmp_path_factory.mktemp("crawl") / "deepseek_news.db"
    run = run_crawl(news_web.bases, db, timeout=300)
    if run.timed_out or run.returncode != 0:
        pytest.fail(run.describe())
    return db, news_web.bases


def query(db, sql, params=()):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def cli_json(*args):
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_german_nvidia_articles_in_a_date_range(crawled):
    db, bases = crawled
    expected = {
        url
        for (url,) in query(
            db,
            "SELECT url FROM articles WHERE language = 'de' AND (title LIKE '%nvidia%' OR text LIKE '%nvidia%') "
            "AND substr(published, 1, 10) BETWEEN '2025-01-27' AND '2025-02-03'",
        )
    }
    assert bases["site_b"] + EXPORT_CONTROLS in expected
    hits = cli_json(
        "search",
        "Nvidia",
        "--lang",
        "de",
        "--since",
        "2025-01-27",
        "--until",
        "2025-02-03",
        "--limit",
        "0",
        "--json",
        "--db",
        db,
    )
    assert {hit["url"] for hit in hits} == expected
    assert all("**Nvidia**" in hit["snippet"] for hit in hits)


def test_show_lists_the_copy_the_crawl_removed(crawled):
    db, _ = crawled
    (kept_url, copy_url, kind), *_ = query(
        db, "SELECT a.url, d.url, d.kind FROM duplicates d JOIN articles a ON a.id = d.duplicate_of ORDER BY d.kind"
    )
    record = cli_json("show", kept_url, "--json", "--db", db)
    assert (copy_url, kind) in {(copy["url"], copy["kind"]) for copy in record["duplicates"]}
    table = run_cli("show", kept_url, "--db", db)
    assert table.returncode == 0 and copy_url in table.stdout


def test_exports_hold_every_stored_article(crawled, tmp_path):
    parquet = pytest.importorskip("pyarrow.parquet")
    db, _ = crawled
    (count,) = query(db, "SELECT count(*) FROM articles")[0]
    result = run_cli("export", "--format", "parquet", "--output", tmp_path / "corpus.parquet", "--db", db)
    assert result.returncode == 0, result.stderr
    table = parquet.read_table(tmp_path / "corpus.parquet")
    urls = set(table.column("url").to_pylist())
    assert table.num_rows == count and urls == {url for (url,) in query(db, "SELECT url FROM articles")}
    result = run_cli("export", "--with-duplicates", "--db", db)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    removed = {url for (url,) in query(db, "SELECT url FROM duplicates WHERE duplicate_of IS NOT NULL")}
    assert len(records) == count and removed == {url for r in records for url in r["duplicates"]}


def test_stats_report_the_crawl(crawled):
    db, _ = crawled
    stats = cli_json("stats", "--json", "--db", db)
    assert stats["corpus"]["articles"] == query(db, "SELECT count(*) FROM articles")[0][0]
    assert {row["language"] for row in stats["by_language"]} >= {"de", "en"}
    assert {row["kind"] for row in stats["duplicates_by_kind"]} >= {"near"}
    (run,) = stats["runs"]
    assert run["pages"] > 0 and run["finished_at"] and run["seconds"] is not None


def test_merge_with_another_shard_keeps_both(crawled, tmp_path):
    db, _ = crawled
    other = build_sample_corpus(tmp_path / "other.db")
    merged = tmp_path / "merged.db"
    result = run_cli("merge", db, other, "--into", merged)
    assert result.returncode == 0, result.stderr
    total = query(db, "SELECT count(*) FROM articles")[0][0] + query(other, "SELECT count(*) FROM articles")[0][0]
    assert query(merged, "SELECT count(*) FROM articles")[0][0] == total
    assert query(merged, "SELECT count(*) FROM duplicates WHERE duplicate_of IS NULL")[0][0] == 1  # the sample's
    assert len(cli_json("search", "Nvidia", "--limit", "0", "--json", "--db", merged)) > 5


def test_two_independent_crawls_merge_into_one_crawls_corpus(crawled, news_web, tmp_path):
    """A second crawl of the same web, merged with the first: nothing lost, no story twice (issue 7's merge).

    Written as properties, not as "equals the first crawl", because either copy of a near-duplicate
    pair may be the one a crawl keeps."""
    db, _ = crawled
    second = tmp_path / "second.db"
    run = run_crawl(news_web.bases, second, timeout=300)
    if run.timed_out or run.returncode != 0:
        pytest.fail(run.describe())
    merged = tmp_path / "merged.db"
    result = run_cli("merge", db, second, "--into", merged)
    assert result.returncode == 0, result.stderr
    kept = {url for (url,) in query(merged, "SELECT url FROM articles")}
    removed = {url for (url,) in query(merged, "SELECT url FROM duplicates")}
    for shard in (db, second):
        # nothing lost: every story a crawl kept is kept or recorded as a copy of one kept
        assert {url for (url,) in query(shard, "SELECT url FROM articles")} <= kept | removed
        # no story twice: no pair a crawl judged to be copies of one story is kept twice
        pairs = query(shard, "SELECT url, duplicate_of_url FROM duplicates")
        assert [pair for pair in pairs if pair[0] in kept and pair[1] in kept] == []
    assert query(merged, "SELECT count(*) = count(DISTINCT content_hash) FROM articles") == [(1,)]
    assert query(merged, "SELECT count(*) FROM duplicates WHERE duplicate_of IS NULL")[0][0] == 0
