"""A corpus that refuses writes (issue 15): a full disk, a read-only file or directory, a corrupt page,
an unusable CORPUS_DB. The crawl stops with one line naming the cause and a non-zero exit, reports
nothing as stored that is not in the file, closes its run as failed, and the next run on a usable
corpus ends with what an uninterrupted crawl has.

The crawls are the real `scrapy crawl deepseek_news` over the generated web of tests/test_crash_resume.py
(a few hundred articles behind a sitemap index, served on 127.0.0.1).

How the faults are made, without root:
- Disk full: the crawl process runs under RLIMIT_FSIZE (``ulimit -f``). The kernel then refuses every
  write that would grow a file of the process past the limit (EFBIG; Python ignores SIGXFSZ), which is
  what a full disk does to the corpus and its write-ahead log (ENOSPC), at a size that does not depend on
  the machine. SQLite reports it as "disk I/O error", so the crawl names the file size limit as the cause;
  a true ENOSPC (SQLITE_FULL) is named "the disk is full" (checked on the writer below, and by hand on a
  2 MB tmpfs).
- Read-only: a read-only bind mount in a private mount namespace (``unshare``), so the kernel answers
  EROFS as for a disk mounted read-only; where unshare is not allowed, file permissions for a user other
  than root.
- Corrupt: bytes of one b-tree page overwritten, the way a failing disk or a careless copy leaves them.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage import corpus
from storage.corpus import CorpusWriter
from tests.corpus_checks import story_clusters
from tests.memory_site import serve
from tests.test_crash_resume import REWRITTEN, STORIES, build_site, crawl_command
from tests.corpus_checks import rows

REPO = Path(__file__).resolve().parent.parent
FILE_SIZE_LIMIT = 1_500_000  # bytes: the corpus of ~45 articles, a sixth of the crawl (measured)
NOWHERE = "http://127.0.0.1:9/"  # a start point never fetched: these crawls stop before fetching


@pytest.fixture(scope="module")
def site():
    server, base = serve(build_site())
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory):
    """The story clusters of an uninterrupted crawl."""
    db = tmp_path_factory.mktemp("reference") / "reference.db"
    done = run(crawl_command(site, db, None))
    assert done.returncode == 0, done.stderr[-3000:]
    clusters = story_clusters(db)
    assert len(clusters) == STORIES and sum(map(len, clusters)) == STORIES + REWRITTEN
    return clusters


def run(
    command: list[str], *, file_size_limit: int | None = None, cwd: Path = REPO, env=None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run ``command``; with ``file_size_limit``, under that RLIMIT_FSIZE (set by a small Python that then
    execs the command: a preexec_fn is unsafe in a process with threads, like the site's server)."""
    if file_size_limit:
        limit = (
            "import os, resource, sys; "
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({file_size_limit}, {file_size_limit})); "
            "os.execvp(sys.argv[1], sys.argv[1:])"
        )
        command = [sys.executable, "-c", limit, *command]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, errors="replace", timeout=timeout)


def error_lines(output: str) -> list[str]:
    """The lines that report an error: log records at ERROR and the command's own one-line errors."""
    return [line for line in output.splitlines() if " ERROR: " in line or line.startswith("deepseek_news: error")]


def assert_one_line(done: subprocess.CompletedProcess, *words: str) -> str:
    assert "Traceback" not in done.stderr, done.stderr[-5000:]
    lines = error_lines(done.stderr)
    assert len(lines) == 1, "\n".join(lines) or done.stderr[-3000:]
    assert all(word in lines[0] for word in words), lines[0]
    return lines[0]


def last_run(db: Path) -> tuple[str | None, dict]:
    finished_at, stats = rows(db, "SELECT finished_at, stats FROM runs ORDER BY id DESC LIMIT 1")[0]
    return finished_at, json.loads(stats or "{}")


def test_disk_full_stops_the_crawl_and_the_next_run_completes_it(site, reference, tmp_path):
    db, jobdir = tmp_path / "corpus.db", tmp_path / "job"
    command = crawl_command(site, db, jobdir)  # with JOBDIR: its seen-set must not hide unwritten pages
    done = run(command, file_size_limit=FILE_SIZE_LIMIT)

    assert done.returncode == 1
    assert_one_line(done, f"cannot write the corpus {db}", "file size limit")
    assert "finished (corpus_write_failed)" in done.stderr
    finished_at, stats = last_run(db)
    assert finished_at is not None and stats["finish_reason"] == "corpus_write_failed"
    ((stored,),) = rows(db, "SELECT count(*) FROM articles")
    ((removed,),) = rows(db, "SELECT count(*) FROM duplicates")
    assert 0 < stored < STORIES, "the limit must land mid-crawl"
    # nothing is reported as stored that is not in the file
    assert stats.get("deepseek/stored", 0) == stored
    assert sum(v for k, v in stats.items() if k.startswith("deepseek/duplicates/")) == removed
    # no page is finished whose article is not in the file
    ((finished_without_article,),) = rows(
        db, "SELECT count(*) FROM pages p WHERE p.outcome = 'stored' AND p.url NOT IN (SELECT url FROM articles)"
    )
    assert finished_without_article == 0
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]

    again = run(command)
    assert again.returncode == 0, again.stderr[-3000:]
    assert story_clusters(db) == reference


@pytest.mark.parametrize("batch_size", [20, 1_000_000], ids=["mid-crawl", "at-close"])
def test_corrupt_page_met_by_a_write_stops_the_crawl(batch_size, site, tmp_path):
    """The articles table's root page is garbage: start-up never reads it, the first stored article does,
    in a batch written mid-crawl or in the last one, written when the crawl closes."""
    db = tmp_path / "corpus.db"
    CorpusWriter(db).close()
    corrupt_page(db, "articles")
    done = run([*crawl_command(site, db, None), "-s", f"CORPUS_BATCH_SIZE={batch_size}"])

    assert done.returncode == 1
    assert_one_line(done, f"cannot write the corpus {db}", "the file is corrupt")
    finished_at, stats = last_run(db)
    assert finished_at is not None and stats["finish_reason"] == "corpus_write_failed"
    assert stats.get("deepseek/stored", 0) == 0
    ((finished,),) = rows(db, "SELECT count(*) FROM pages WHERE outcome IN ('stored', 'duplicate')")
    assert finished == 0


def test_corrupt_page_read_at_start_is_one_line(site, tmp_path):
    db = tmp_path / "corpus.db"
    CorpusWriter(db).close()
    corrupt_page(db, "pages")
    before = db.read_bytes()
    done = run(crawl_command(site, db, None))

    assert done.returncode == 2
    assert_one_line(done, f"cannot read the corpus {db}", "the file is corrupt")
    assert db.read_bytes() == before


def corrupt_page(db: Path, table: str) -> None:
    """Overwrite the root page of ``table`` (its b-tree's first page) with bytes that are no page."""
    with sqlite3.connect(db) as conn:
        ((root,),) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchall()
        ((page_size,),) = conn.execute("PRAGMA page_size").fetchall()
    conn.close()
    with open(db, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)


# -- read-only ------------------------------------------------------------------------------------------
def unshare_prefix() -> list[str] | None:
    """A command prefix giving the command a private mount namespace, or None when unshare is refused."""
    if shutil.which("unshare") is None:
        return None
    prefix = ["unshare", "--mount"] + (["--map-root-user"] if os.geteuid() != 0 else [])
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if probe.returncode == 0 else None


def crawl_read_only(command: list[str], path: Path) -> subprocess.CompletedProcess:
    """Run the crawl with ``path`` (a file or a directory) read-only."""
    prefix = unshare_prefix()
    if prefix is not None:
        script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
        return run([*prefix, "sh", "-c", script, str(path), *command])
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions and unshare is not allowed here")
    mode = path.stat().st_mode
    path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        return run(command)
    finally:
        path.chmod(mode)


def test_read_only_corpus_file_is_one_line(site, tmp_path):
    db = tmp_path / "corpus.db"
    CorpusWriter(db).close()
    before = db.read_bytes()
    done = crawl_read_only(crawl_command(site, db, None), db)

    assert done.returncode == 2
    assert_one_line(done, f"cannot write the corpus {db}", "read-only")
    assert db.read_bytes() == before


def test_read_only_directory_is_one_line(site, tmp_path):
    directory = tmp_path / "corpora"
    directory.mkdir()
    db = directory / "corpus.db"
    done = crawl_read_only(crawl_command(site, db, None), directory)

    assert done.returncode == 2
    assert_one_line(done, f"cannot write the corpus {db}", "read-only")
    assert list(directory.iterdir()) == []


# -- CORPUS_DB values that name no file -----------------------------------------------------------------
@pytest.mark.parametrize(
    "value, words",
    [
        ("", ["CORPUS_DB is empty"]),
        ("{dir}", ["is a directory"]),
        ("{dir}/", ["is a directory"]),
    ],
)
def test_corpus_db_that_names_no_file_is_one_line(value, words, tmp_path):
    """Run from a directory of its own (the project found through SCRAPY_SETTINGS_MODULE), so that any
    file the crawl would make of the value shows up there."""
    work = tmp_path / "work"
    (work / "corpora").mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(REPO), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    command = crawl_command(NOWHERE.rstrip("/"), value.format(dir=work / "corpora"), None)
    done = run(command, cwd=work, env=env)

    assert done.returncode == 2
    assert_one_line(done, *words)
    assert sorted(str(p.relative_to(work)) for p in work.rglob("*")) == ["corpora"]


# -- the writer itself ----------------------------------------------------------------------------------
def article(number: int) -> dict:
    return {
        "url": f"https://example.org/{number}",
        "title": f"Artikel {number}",
        "text": "Wort " * 400,
        "language": "de",
        "site": "example.org",
        "content_hash": f"{number:064x}",
    }


def test_a_batch_sqlite_refuses_stays_queued_and_is_written_by_a_later_flush(tmp_path):
    """SQLITE_FULL for real, without filling a disk: ``PRAGMA max_page_count`` caps the file at its
    present size, and SQLite refuses to grow it with the same error a full disk gives."""
    writer = CorpusWriter(tmp_path / "corpus.db", batch_size=1000)
    ((pages,),) = writer.conn.execute("PRAGMA page_count").fetchall()
    writer.conn.execute(f"PRAGMA max_page_count = {pages}")
    for number in range(20):
        writer.add_article(article(number))
        writer.mark_page(f"https://example.org/{number}", "stored")

    with pytest.raises(corpus.CorpusWriteError) as refused:
        writer.flush()
    assert refused.value.cause == "the disk is full"
    assert writer.conn.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    assert writer.conn.execute("SELECT count(*) FROM pages").fetchone() == (0,)
    assert len(writer.batch.articles) == 20 and len(writer.batch.pages) == 20

    writer.conn.execute("PRAGMA max_page_count = 1000000")
    writer.flush()
    assert writer.conn.execute("SELECT count(*) FROM articles").fetchone() == (20,)
    assert writer.conn.execute("SELECT count(*) FROM pages").fetchone() == (20,)
    writer.close()


def test_a_failed_flush_started_by_a_write_is_reported_once_and_raises_nowhere(tmp_path):
    writer = CorpusWriter(tmp_path / "corpus.db", batch_size=5)
    failures = []
    writer.on_failure = failures.append
    ((pages,),) = writer.conn.execute("PRAGMA page_count").fetchall()
    writer.conn.execute(f"PRAGMA max_page_count = {pages}")
    for number in range(30):  # six batches' worth: each add would start a flush
        writer.add_article(article(number))
    assert len(failures) == 1 and failures[0] is writer.failure
    assert len(writer.batch.articles) == 30
    writer.close()  # a writer whose write failed writes nothing more, also when it closes
    with sqlite3.connect(tmp_path / "corpus.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    conn.close()


def test_merge_into_a_full_disk_is_one_line(tmp_path):
    """`deepseek-news merge` is the other writer of a corpus: the same refusal, the same one line."""
    from tests.test_storage_sample import build_sample_corpus

    shard = build_sample_corpus(tmp_path / "shard.db")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = run(
        [sys.executable, "-m", "storage.cli", "merge", str(shard), "--into", str(tmp_path / "merged.db")],
        file_size_limit=shard.stat().st_size // 2,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    assert "file size limit" in done.stderr and str(tmp_path / "merged.db") in done.stderr
