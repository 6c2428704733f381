"""The corpus opened by the tools people already use, with no help from us: sqlite-utils, Datasette, pandas."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_storage_sample import NVIDIA_DE_IN_JANUARY, VI_STOCKS, sample_db  # noqa: F401

METADATA = Path(__file__).resolve().parents[1] / "storage" / "datasette-metadata.json"


def test_sqlite_utils_search_finds_articles(sample_db):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sqlite_utils",
            "search",
            str(sample_db),
            "articles",
            "Nvidia",
            "-c",
            "url",
            "-c",
            "language",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    hits = json.loads(result.stdout)
    assert len(hits) == 5 and VI_STOCKS in {hit["url"] for hit in hits}


def test_pandas_reads_the_tables(sample_db):
    pandas = pytest.importorskip("pandas")
    conn = sqlite3.connect(sample_db)
    frame = pandas.read_sql_query(
        "SELECT a.url FROM articles a JOIN articles_fts ON articles_fts.rowid = a.id "
        "WHERE articles_fts MATCH ? AND a.language = 'de' AND a.published >= ? AND a.published < ?",
        conn,
        params=("Nvidia", "2025-01-27", "2025-02-04"),
    )
    conn.close()
    assert sorted(frame["url"]) == sorted(NVIDIA_DE_IN_JANUARY)


def test_metadata_names_the_corpus_tables_and_columns():
    metadata = json.loads(METADATA.read_text())
    articles = metadata["databases"]["deepseek_news"]["tables"]["articles"]
    assert articles["facets"] == ["site", "language"] and articles["sort_desc"] == "published"
    assert {"id", "url", "title", "text", "language", "published", "author", "site"} <= set(articles["columns"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(process: subprocess.Popen, base: str, what: str) -> None:
    """Wait (up to ~30 s; nothing is timed) until the Datasette ``process`` answers at ``base``; fail with
    the end of its stderr if it exits first."""
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail(f"{what} exited: {process.stderr.read().decode()[-800:]}")
        try:
            urllib.request.urlopen(f"{base}/-/versions.json", timeout=5).close()
            return
        except OSError:
            time.sleep(0.1)


@pytest.fixture
def datasette_url(sample_db):
    """Datasette serving the sample corpus with our metadata on 127.0.0.1; yields the base URL."""
    pytest.importorskip("datasette")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(sample_db),
            "--metadata",
            str(METADATA),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_listening(process, base, "datasette")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def test_datasette_full_text_search_with_facets_and_metadata(datasette_url):
    rows = get_json(f"{datasette_url}/deepseek_news/articles.json?_search=Nvidia&_shape=array")
    assert len(rows) == 5
    german = get_json(
        f"{datasette_url}/deepseek_news/articles.json?_search=Nvidia&language=de"
        "&published__gte=2025-01-27&published__lt=2025-02-04&_shape=array"
    )
    assert sorted(row["url"] for row in german) == sorted(NVIDIA_DE_IN_JANUARY)
    page = get_json(f"{datasette_url}/deepseek_news/articles.json?_search=Nvidia&_shape=objects")
    assert set(page["facet_results"]) == {"site", "language"}
    assert page["human_description_en"].endswith("sorted by published descending")
    assert [row["published"] for row in page["rows"]] == sorted(
        (row["published"] for row in page["rows"]), reverse=True
    )
    assert get_json(f"{datasette_url}/-/metadata.json")["title"] == "deepseek_news corpus"


def test_datasette_canned_query_by_language_and_dates(datasette_url):
    rows = get_json(
        f"{datasette_url}/deepseek_news/search_by_language_and_date.json?q=Nvidia&language=de"
        "&since=2025-01-27&until=2025-02-03&_shape=array"
    )
    assert sorted(row["url"] for row in rows) == sorted(NVIDIA_DE_IN_JANUARY)
    assert all("<b>Nvidia</b>" in row["snippet"] for row in rows)
    unbounded = get_json(
        f"{datasette_url}/deepseek_news/search_by_language_and_date.json?q=Nvidia&language=&since=&until=&_shape=array"
    )
    assert len(unbounded) == 5


def test_datasette_html_page_has_the_search_box_and_finds(datasette_url):
    with urllib.request.urlopen(f"{datasette_url}/deepseek_news/articles?_search=Grafikchips", timeout=30) as response:
        page = response.read().decode()
    assert 'name="_search"' in page  # the UI's search box
    assert "DeepSeek-Schock: Nvidia-Aktie bricht an einem Tag ein" in page
    assert "Was DeepSeek R1 für Nvidia bedeutet" not in page
    assert "Publication date, ISO 8601" in page  # column descriptions from our metadata
