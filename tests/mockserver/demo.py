"""`python -m tests.mockserver --demo [--db PATH]`: serve the fixture news web, crawl it with the real
crawler into a corpus and print what ended up where. Shows the whole pipeline without network.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.mockserver.crawl import read_corpus, run_crawl
from tests.mockserver.process import REPO_ROOT
from tests.mockserver.server import NewsWeb


def run_demo(web: NewsWeb, db: str) -> int:
    db_path = Path(db) if Path(db).is_absolute() else REPO_ROOT / db
    db_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"fixture news web: {web.bases['site_a']} (newsroom), {web.bases['site_b']} (republisher), "
          f"{web.bases['forbidden']} (private host)", flush=True)
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
    outcomes = Counter(row.get("outcome") for row in corpus.pages)
    print("pages by outcome: " + (", ".join(f"{k}={v}" for k, v in sorted(outcomes.items(), key=str)) or "none"))
    log = web.log.entries()
    forbidden = [e for e in log if e["listener"] == "forbidden"]
    print(f"requests served: {len(log)}; to the private host: {len(forbidden)}")
    return 0 if run.returncode == 0 and not forbidden else 1
