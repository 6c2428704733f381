"""``deepseek-news report``: one self-contained HTML page (no external asset), with every section, whose
chart headless Chromium actually draws (the bars exist only after the page's own script has run)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.test_cli import run_cli
from tests.test_storage_sample import ARTICLES, sample_db  # noqa: F401
from tests.corpus_checks import rows

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    return found


@pytest.fixture
def report(sample_db, tmp_path):
    output = tmp_path / "report.html"
    done = run_cli("report", "--db", sample_db, "--output", output, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"wrote {output}\n"
    return output


def test_report_is_one_self_contained_page_with_every_section(report, sample_db):
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"<link|<script[^>]+src=|<img|<iframe|url\(|@import", page)
    for heading in (
        "Articles per day, by language",
        "Top sites",
        "Duplicates removed, by kind",
        "Translation links",
        "Crawl runs",
    ):
        assert heading in page
    for (site,) in rows(sample_db, "SELECT DISTINCT site FROM articles"):
        assert site in page
    for (kind,) in rows(sample_db, "SELECT DISTINCT kind FROM duplicates"):
        assert f"<td>{kind}</td>" in page
    ((translation, original),) = rows(
        sample_db,
        "SELECT a.title, o.title FROM translations t JOIN articles a "
        "ON a.id = t.article JOIN articles o ON o.id = t.translation_of",
    )
    assert translation in page and original in page
    assert f"<b>{len(ARTICLES)}</b><span>articles kept</span>" in page
    assert '<td class="n">42</td>' in page  # the sample run's pages fetched


def test_chromium_draws_the_chart(report, sample_db, tmp_path):
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    bars = re.findall(r'<rect [^>]*class="day-bar" data-day="([\d-]+)" data-language="(\w+)"', done.stdout)
    expected = rows(
        sample_db, "SELECT DISTINCT substr(published, 1, 10), language FROM articles WHERE published IS NOT NULL"
    )
    assert sorted(bars) == sorted(expected)
    assert "<svg" in done.stdout and 'aria-label="Articles per day by language"' in done.stdout
    assert "<svg" not in report.read_text(encoding="utf-8")  # drawn by the page's script, not shipped


def test_report_failures_are_one_line_and_write_nothing(sample_db, tmp_path):
    done = run_cli("report", "--db", sample_db, "--output", tmp_path / "missing" / "report.html", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "cannot write" in done.stderr
    done = run_cli("report", "--db", tmp_path / "none.db", "--output", tmp_path / "r.html", cwd=tmp_path)
    assert done.returncode == 1 and "no corpus at" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deepseek_news.db"]  # the sample corpus only
