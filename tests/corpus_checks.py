"""Assertions on corpus files shared by the crawl tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def story_clusters(db: Path | str) -> set[frozenset[str]]:
    """Each stored story as the set of its URLs: the kept one and the copies removed as its duplicates.

    Checks on the way that the database is intact and that no URL is stored twice. Which copy of a
    story is kept may differ between two equally good crawls (concurrency decides which arrives
    first), so crawls are compared by these sets.
    """
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = [url for (url,) in conn.execute("SELECT url FROM articles")]
        members = {url: {url} for url in stored}
        for url, kept in conn.execute("SELECT url, duplicate_of_url FROM duplicates"):
            members[kept].add(url)
    assert len(stored) == len(set(stored)), "a URL is stored twice"
    return {frozenset(urls) for urls in members.values()}
