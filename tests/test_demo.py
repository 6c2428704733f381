"""`python -m tests.mockserver --demo`: a fresh corpus each time (a second demo into one file does not add
copies of the first one's pages), another corpus left alone, and the crawl log's counts in its summary."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.mockserver.process import REPO_ROOT
from tests.test_storage_sample import build_sample_corpus
from tests.corpus_checks import rows


def demo(db, *extra):
    return subprocess.run(
        [sys.executable, "-m", "tests.mockserver", "--demo", "--db", str(db), *extra],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_demo_twice_into_one_file_starts_afresh_and_reports_the_logs_counts(tmp_path):
    db = tmp_path / "demo.db"
    first = demo(db)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    duplicates = rows(db, "SELECT kind, count(*) FROM duplicates GROUP BY kind ORDER BY kind")
    second = demo(db)
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert f"replacing the previous demo corpus {db}" in second.stdout
    assert rows(db, "SELECT count(*) FROM runs") == [(1,)]
    assert rows(db, "SELECT kind, count(*) FROM duplicates GROUP BY kind ORDER BY kind") == duplicates
    assert rows(db, "SELECT count(*) FROM duplicates WHERE duplicate_of IS NULL") == [(0,)]
    logged = re.search(r"finished \(finished\) after [\d:]+: (.*)", second.stderr).group(1)
    assert f"this crawl: {logged}" in second.stdout
    assert not (tmp_path / "demo.db.lock").exists()


def test_demo_appended_to_its_own_corpus_never_points_at_a_removed_copy(tmp_path):
    db = tmp_path / "demo.db"
    assert demo(db).returncode == 0
    stored = rows(db, "SELECT count(*) FROM articles")
    again = demo(db, "--append")  # new ports: every page is a new URL, and a copy of a stored story
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert rows(db, "SELECT count(*) FROM runs") == [(2,)] and rows(db, "SELECT count(*) FROM articles") == stored
    assert rows(db, "SELECT count(*) FROM duplicates WHERE duplicate_of IS NULL") == [(0,)]
    assert rows(db, "SELECT count(*) FROM duplicates d JOIN duplicates e ON e.url = d.duplicate_of_url") == [(0,)]


def test_demo_leaves_another_corpus_alone(tmp_path):
    db = build_sample_corpus(tmp_path / "deepseek_news.db")
    before = db.read_bytes()
    done = demo(db)
    assert done.returncode == 2
    assert "holds a corpus that is not a demo's" in done.stdout
    assert db.read_bytes() == before
