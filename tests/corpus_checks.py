"""Assertions on corpus files shared by the crawl tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def story_clusters(*dbs: Path | str) -> set[frozenset[str]]:
    """Each stored story as the set of its URLs: the kept one and the copies removed as its duplicates,
    over one corpus or over the shards of one crawl (a copy may point to a story kept in another shard).

    Checks on the way that every database is intact, that no URL is stored twice and that no story is
    kept twice by content. Which copy of a story is kept may differ between two equally good crawls
    (concurrency decides which arrives first), so crawls are compared by these sets.
    """
    stored, hashes, removed = [], [], []
    for db in dbs:
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            for url, content_hash in conn.execute("SELECT url, content_hash FROM articles"):
                stored.append(url)
                hashes.append(content_hash)
            removed += conn.execute("SELECT url, duplicate_of_url FROM duplicates").fetchall()
    assert len(stored) == len(set(stored)), "a URL is stored twice"
    assert len(hashes) == len(set(hashes)), "a story is stored twice"
    members = {url: {url} for url in stored}
    for url, kept in removed:
        members[kept].add(url)
    return {frozenset(urls) for urls in members.values()}


def rows(db: Path | str, sql: str, *params) -> list[tuple]:
    """The rows of ``sql`` on a corpus file, opened read-only (a test never changes what it checks)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
