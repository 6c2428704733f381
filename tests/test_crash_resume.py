"""Crash safety: a crawl killed (SIGKILL) or stopped (SIGINT) at different moments and started again
with the same arguments ends with the corpus an uninterrupted crawl has.

The web here is a few hundred generated article pages (distinct stories, plus near-duplicate
rewrites of some of them) behind a sitemap index, served slowly enough on 127.0.0.1 that the kills
land mid-crawl. "The same corpus" means: the same stories, each stored once, with the same copies
recorded as its duplicates (which copy of a story is kept may differ between two uninterrupted runs
too: concurrency decides which one arrives first).
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.corpus_checks import story_clusters
from tests.memory_site import serve
from tests.mockserver.crawl import command_for
from tests.redis_server import redis_url  # noqa: F401  (pytest fixture)

REPO = Path(__file__).resolve().parent.parent
STORIES = 260
REWRITTEN = 40  # stories also published as a near-duplicate rewrite


def story_words(rng: random.Random, vocabulary: list[str], count: int) -> list[str]:
    return [rng.choice(vocabulary) for _ in range(count)]


def paragraphs_of(words: list[str]) -> list[str]:
    third = len(words) // 3
    return [" ".join(words[i : i + third]).capitalize() + "." for i in range(0, 3 * third, third)]


def article_html(title: str, paragraphs: list[str], day: int) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"><meta property="article:published_time" content="2025-02-{day:02d}">
</head><body><nav><a href="/">Start</a> <a href="/archiv/">Archiv</a></nav>
<main><article><h1>{title}</h1>{body}</article></main>
<footer>Impressum · Datenschutz</footer></body></html>""".encode()


def build_site() -> dict[str, bytes]:
    rng = random.Random(7)
    letters = "abcdefghiklmnoprstuwz"
    vocabulary = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(5, 10))) for _ in range(4000)})
    site, urls = {}, []
    for number in range(STORIES):
        words = story_words(rng, vocabulary, 180)
        title = f"Bericht {number}: " + " ".join(words[:4])
        site[f"/artikel/{number}.html"] = article_html(title, paragraphs_of(words), 1 + number % 28)
        urls.append(f"/artikel/{number}.html")
        if number < REWRITTEN:
            rewritten = [rng.choice(vocabulary) if rng.random() < 0.15 else word for word in words]
            site[f"/nachrichten/{number}-neu.html"] = article_html(title + " (neu)", paragraphs_of(rewritten), 1)
            urls.append(f"/nachrichten/{number}-neu.html")
    half = len(urls) // 2
    for name, part in (("a", urls[:half]), ("b", urls[half:])):
        site[f"/sitemap-{name}.xml"] = (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>{{base}}{url}</loc></url>" for url in part)
            + "</urlset>"
        ).encode()
    site["/sitemap.xml"] = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>{base}/sitemap-a.xml</loc></sitemap><sitemap><loc>{base}/sitemap-b.xml</loc></sitemap>"
        "</sitemapindex>"
    ).encode()
    return site


@pytest.fixture(scope="module")
def slow_site():
    server, base = serve(build_site(), delay=0.02)
    yield base
    server.shutdown()


def crawl_command(base: str, db: Path, jobdir: Path | None) -> list[str]:
    settings = [
        "AUTOTHROTTLE_ENABLED=False",
        "DOWNLOAD_DELAY=0",
        "ROBOTSTXT_OBEY=False",
        "CONCURRENT_REQUESTS=8",
        "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        "EXTRACT_WORKERS=1",
        "CORPUS_BATCH_SIZE=20",
        "LOG_LEVEL=INFO",
        # few downloaded pages waiting for the pipelines, so that a graceful stop finishes those and
        # not the rest of the crawl: every stop must land mid-crawl
        "SCRAPER_SLOT_MAX_ACTIVE_SIZE=20000",
    ]
    command = command_for([f"{base}/sitemap.xml"], db, settings, keywords="")
    if jobdir is not None:
        command += ["-s", f"JOBDIR={jobdir}"]
    return command


def run(command: list[str], log: Path, db: Path | None = None, stop_at_pages: int = 0, how=signal.SIGKILL) -> int:
    """Run a crawl to its end, or stop it with ``how`` once the corpus holds ``stop_at_pages`` finished
    pages (by progress, not by time, so the stop lands mid-crawl on a fast machine and a slow one)."""
    with open(log, "ab") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        if not stop_at_pages:
            return process.wait(timeout=300)
        deadline = time.monotonic() + 120
        while process.poll() is None and finished_pages(db) < stop_at_pages and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(how)
        return process.wait(timeout=120)


def finished_pages(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    except sqlite3.Error:
        return 0


def stored_articles(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_killed_and_resumed_crawl_equals_uninterrupted_one(slow_site, tmp_path):
    reference_db = tmp_path / "reference.db"
    assert run(crawl_command(slow_site, reference_db, None), tmp_path / "reference.log") == 0
    expected = story_clusters(reference_db)
    assert len(expected) == STORIES
    assert sum(len(cluster) for cluster in expected) == STORIES + REWRITTEN

    db, jobdir, log = tmp_path / "resumed.db", tmp_path / "job", tmp_path / "resumed.log"
    command = crawl_command(slow_site, db, jobdir)
    progress = []
    for how in (signal.SIGKILL, signal.SIGINT, signal.SIGKILL, signal.SIGINT, signal.SIGKILL):
        run(command, log, db, finished_pages(db) + 40, how)  # each run gets 40 pages further, then stops
        progress.append(stored_articles(db) if db.exists() else 0)
    assert progress[-1] < STORIES, f"the crawl finished before the last kill: {progress}"
    assert run(command, log) == 0
    assert story_clusters(db) == expected, log.read_text()[-3000:]

    # Once finished, the same command adds nothing and fetches no article again.
    run(command, log)
    assert story_clusters(db) == expected
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM frontier").fetchone()[0] == 0
        last_stats = conn.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert '"deepseek/stored"' not in last_stats


def test_second_crawl_on_the_same_corpus_refuses(slow_site, tmp_path):
    db = tmp_path / "busy.db"
    first = subprocess.Popen(
        crawl_command(slow_site, db, None), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.time() + 30
        while not (tmp_path / "busy.db.lock").exists() and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
        second = subprocess.run(
            crawl_command(slow_site, db, None), cwd=REPO, capture_output=True, text=True, timeout=60
        )
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=120)
    assert second.returncode == 2
    assert "is being written by" in second.stderr.strip().splitlines()[-1]
    assert "Traceback" not in second.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_killed_crawls_sharing_a_redis_index_lose_no_story(slow_site, redis_url, tmp_path):  # noqa: F811
    """A process killed between indexing articles and writing them (a batch of 20) must not leave
    those stories in the shared index only: started again, it stores them."""
    reference_db = tmp_path / "reference.db"
    assert run(crawl_command(slow_site, reference_db, None), tmp_path / "reference.log") == 0
    expected = story_clusters(reference_db)

    db, log = tmp_path / "shard.db", tmp_path / "shard.log"
    command = [*crawl_command(slow_site, db, None), "-s", f"REDIS_URL={redis_url}"]
    for _ in range(2):
        run(command, log, db, finished_pages(db) + 60, signal.SIGKILL)
    assert stored_articles(db) < STORIES, "the crawl finished before the last kill"
    assert run(command, log) == 0
    assert story_clusters(db) == expected, log.read_text()[-3000:]
