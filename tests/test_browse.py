"""``deepseek-news browse``: a real Datasette on 127.0.0.1 serving a corpus with our metadata, whatever
the file is called; stored queries that answer with empty parameters and show highlighted snippets;
long text cut in tables; the copies-and-translations query. Expected rows come from plain SQL."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from storage.browse import metadata_for
from tests.test_cli import REPO, run_cli
from tests.test_storage_sample import NVIDIA_DE_IN_JANUARY, sample_db  # noqa: F401
from tests.test_storage_tools import free_port, wait_until_listening
from tests.corpus_checks import rows


@pytest.fixture
def browsed(sample_db, tmp_path):
    """(base URL, database name, corpus path): `deepseek-news browse` on the sample corpus saved as
    `my corpus.db`, a name the shipped metadata does not know."""
    pytest.importorskip("datasette")
    db = tmp_path / "my corpus.db"
    shutil.copy(sample_db, db)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "storage.cli", "browse", "--db", str(db), "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_listening(process, base, "browse")
        yield base, "my corpus", db
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def path(name: str) -> str:
    from datasette.utils import tilde_encode

    return tilde_encode(name)


def test_metadata_follows_the_file_name():
    metadata = metadata_for("data/demo.db")
    assert list(metadata["databases"]) == ["demo"]
    assert metadata["databases"]["demo"]["tables"]["articles"]["facets"] == ["site", "language"]
    assert "Credit line" in metadata["databases"]["demo"]["tables"]["articles"]["columns"]["source"]


def test_articles_table_has_our_metadata_facets_and_cut_cells(browsed):
    base, name, db = browsed
    page = json.loads(fetch(f"{base}/{path(name)}/articles.json?_shape=objects"))
    assert set(page["facet_results"]) == {"site", "language"}
    assert page["human_description_en"].endswith("sorted by published descending")
    html = fetch(f"{base}/{path(name)}/articles")
    assert "<h1>Articles</h1>" in html and "Publication date, ISO 8601" in html
    assert "Credit line the page gives" in html
    assert "column-descriptions-fold" in html  # the script that folds the descriptions above the facets
    (longest,) = rows(db, "SELECT text FROM articles ORDER BY length(text) DESC LIMIT 1")[0]
    assert len(longest) > 200 and longest not in html and longest[:150] in html.replace("&#39;", "'")


def test_stored_search_answers_with_empty_parameters_and_highlights(browsed):
    base, name, db = browsed
    empty = fetch(f"{base}/{path(name)}/search_by_language_and_date")  # how the page first opens
    assert "fts5: syntax error" not in empty
    listed = json.loads(
        fetch(f"{base}/{path(name)}/search_by_language_and_date.json?q=&language=&since=&until=&_shape=array")
    )
    assert len(listed) == rows(db, "SELECT count(*) FROM articles")[0][0]
    german = json.loads(
        fetch(
            f"{base}/{path(name)}/search_by_language_and_date.json?q=Nvidia&language=de"
            "&since=2025-01-27&until=2025-02-03&_shape=array"
        )
    )
    assert sorted(row["url"] for row in german) == sorted(NVIDIA_DE_IN_JANUARY)
    html = fetch(f"{base}/{path(name)}/search_by_language_and_date?q=Nvidia&language=de&since=&until=")
    snippets = re.findall(r'<td class="col-snippet[^"]*">(.*?)</td>', html, flags=re.S)
    german_hits = rows(
        db, "SELECT count(*) FROM articles WHERE language = 'de' AND (text LIKE '%nvidia%' OR title LIKE '%nvidia%')"
    )[0][0]
    assert len(snippets) == german_hits and all(
        "<mark>Nvidia</mark>" in cell and "&lt;b" not in cell for cell in snippets
    )


def test_stored_query_of_copies_and_translations(browsed):
    base, name, db = browsed
    found = json.loads(fetch(f"{base}/{path(name)}/articles_with_copies.json?language=&_shape=array"))
    expected = rows(
        db, "SELECT d.duplicate_of, d.kind, d.similarity, d.url FROM duplicates d WHERE d.duplicate_of IS NOT NULL"
    )
    by_id = {row["id"]: row for row in found}
    for kept, kind, similarity, url in expected:
        assert f"{kind} {similarity:.2f} {url}" in by_id[kept]["removed_copies"]
    ((article, original),) = rows(db, "SELECT article, translation_of FROM translations")
    assert f"translates {original} " in by_id[article]["translations"]
    assert f"translated by {article} " in by_id[original]["translations"]


def test_browse_without_a_corpus_says_so_in_one_line(tmp_path):
    done = run_cli("browse", "--db", tmp_path / "none.db", cwd=tmp_path, timeout=60)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "no corpus at" in done.stderr
    assert not (tmp_path / "none.db").exists()


def test_in_a_browser_the_column_descriptions_fold_into_one_line_above_the_facets(browsed, tmp_path):
    from tests.test_report import CHROMIUM_FLAGS, chromium

    base, name, _ = browsed
    done = subprocess.run(
        [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            f"{base}/{path(name)}/articles",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    fold = dom.index('<details class="column-descriptions-fold">')
    assert "What each column holds (13 columns)" in dom
    descriptions = dom.index('<dl class="column-descriptions">')
    assert fold < descriptions < dom.index("</details>", fold)  # inside the closed <details>: one line high
    assert fold < dom.index('class="facet-results"')
