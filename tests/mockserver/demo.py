"""`python -m tests.mockserver --demo [--db PATH] [--append]`: serve the fixture news web, crawl it with the
real crawler into a corpus and print what ended up where. Shows the whole pipeline without network.

The corpus is a fresh file: a previous demo's corpus at that path is replaced, any other corpus is left
alone (the demo refuses) unless --append says to add to it. The fixture web's ports change between runs,
so a second demo into one file would only add copies of the first one's pages. The run's counts are
the crawl log's (storage/runstats.py).
"""

from __future__ import annotations

import ipaddress
import json
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from storage.runstats import summary
from tests.mockserver.crawl import read_corpus, run_crawl
from tests.mockserver.process import REPO_ROOT
from tests.mockserver.server import NewsWeb


CORPUS_FILES = ("", "-wal", "-shm", ".lock")  # the SQLite file, its WAL and shared memory, the crawl's lock


def demo_runs_only(db_path: Path) -> bool:
    """Does the corpus at ``db_path`` hold only demo crawls (every start point on a loopback address)?"""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT args FROM runs").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    for (args,) in rows:
        try:
            start_urls = json.loads(args or "{}").get("start_urls") or []
        except (ValueError, AttributeError):
            return False
        if not start_urls or not all(is_loopback(url) for url in start_urls):
            return False
    return True


def is_loopback(url: str) -> bool:
    try:
        return ipaddress.ip_address(urlsplit(url).hostname or "").is_loopback
    except ValueError:
        return False


def last_run_stats(db_path: Path) -> dict:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        row = None
    finally:
        conn.close()
    try:
        return json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        return {}


def run_demo(web: NewsWeb, db: str, append: bool = False) -> int:
    db_path = Path(db) if Path(db).is_absolute() else REPO_ROOT / db
    if db_path.exists() and not append:
        if not demo_runs_only(db_path):
            print(
                f"error: {db_path} holds a corpus that is not a demo's; give the demo another --db "
                f"(or --append to add the demo's pages to it)"
            )
            return 2
        print(f"replacing the previous demo corpus {db_path}", flush=True)
        for suffix in CORPUS_FILES:
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    print(
        f"fixture news web: {web.bases['site_a']} (newsroom), {web.bases['site_b']} (republisher), "
        f"{web.bases['forbidden']} (private host)",
        flush=True,
    )
    print(f"crawling into {db_path} ...", flush=True)
    run = run_crawl(web.bases, db_path, timeout=600, echo=True)
    print()
    if run.timed_out or run.returncode != 0:
        print(f"error: {run.describe()}")
    corpus = read_corpus(db_path)
    if corpus.missing_tables:
        print(f"error: corpus {db_path} lacks tables: {', '.join(corpus.missing_tables)}")
    print(f"articles stored: {len(corpus.articles)}")
    for row in sorted(corpus.articles, key=lambda r: r.get("url") or ""):
        print(f"  [{row.get('language')}] {row.get('published') or '-':<25.25} {row.get('title')}")
    print(f"duplicates removed: {len(corpus.duplicates)}")
    for row in corpus.duplicates:
        print(f"  {row.get('kind')} {row.get('similarity')}: {row.get('url')} -> {row.get('duplicate_of_url')}")
    print(f"this crawl: {summary(last_run_stats(db_path))}")
    log = web.log.entries()
    forbidden = [e for e in log if e["listener"] == "forbidden"]
    print(f"requests served: {len(log)}; to the private host: {len(forbidden)}")
    return 0 if run.returncode == 0 and not forbidden else 1
