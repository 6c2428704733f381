"""``deepseek-news crawl``: the crawl from any directory, with Scrapy's own arguments, once the project is
installed (here: ``python -m storage.cli`` with the repository on PYTHONPATH, as the console script
imports it), while ``scrapy crawl deepseek_news`` keeps working in the repository (tests/mockserver/crawl.py)."""

from __future__ import annotations

import sqlite3

from tests.mockserver import manifest
from tests.mockserver.crawl import FAST_SETTINGS
from tests.test_cli import run_cli


def test_crawl_from_another_directory_writes_the_corpus_there(news_web, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    arguments = ["crawl", "--db", "corpus/news.db", "-a", "start_urls=" + ",".join(manifest.start_urls(news_web.bases))]
    for setting in FAST_SETTINGS:
        arguments += ["-s", setting]
    done = run_cli(*arguments, cwd=elsewhere, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Unknown command" not in done.stderr and "not available" not in done.stderr
    corpus = elsewhere / "corpus" / "news.db"  # --db, relative to where it ran
    conn = sqlite3.connect(f"file:{corpus}?mode=ro", uri=True)
    try:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()
    assert stored == len(manifest.pages("stored"))
    assert "stored" in done.stderr and "finished (finished)" in done.stderr


def test_crawl_passes_scrapy_help_through(tmp_path):
    done = run_cli("crawl", "--help", cwd=tmp_path, timeout=120)
    assert done.returncode == 0
    assert "scrapy crawl" in done.stdout and "-a NAME=VALUE" in done.stdout


def test_db_names_the_corpus_like_every_other_subcommand():
    from crawler.launch import scrapy_arguments

    assert scrapy_arguments(["--db", "data/x.db", "-a", "keywords=Nvidia"]) == [
        "-s",
        "CORPUS_DB=data/x.db",
        "-a",
        "keywords=Nvidia",
    ]
    assert scrapy_arguments(["--db=y.db", "-s", "JOBDIR=job"]) == ["-s", "CORPUS_DB=y.db", "-s", "JOBDIR=job"]
