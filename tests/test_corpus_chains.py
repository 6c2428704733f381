"""A duplicate never points at another removed copy: a page whose rel=canonical URL was itself removed
as a copy is recorded as a copy of the article kept in its place (the print version of a story a second
crawl met under a new address, issue 19)."""

from __future__ import annotations

import sqlite3

from storage.corpus import CorpusWriter

STORY = {"title": "Italien sperrt DeepSeek", "text": "Die Datenschutzbehörde sperrt den Dienst.", "language": "de"}


def test_a_copy_of_a_removed_copy_points_at_the_kept_article(tmp_path):
    db = tmp_path / "corpus.db"
    writer = CorpusWriter(db)
    try:
        writer.add_article({**STORY, "url": "https://a.example/artikel"}, None)
        writer.add_duplicate(
            {
                "url": "https://b.example/artikel",
                "duplicate_of_url": "https://a.example/artikel",
                "similarity": 0.8125,
                "kind": "near",
            }
        )
        writer.add_duplicate(
            {
                "url": "https://b.example/druck",
                "duplicate_of_url": "https://b.example/artikel",
                "similarity": 1.0,
                "kind": "exact",
            }
        )
        writer.add_duplicate(
            {
                "url": "https://c.example/elsewhere",
                "duplicate_of_url": "https://shard-b.example/x",
                "similarity": 1.0,
                "kind": "exact",
            }
        )
        writer.flush()
    finally:
        writer.close()
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT d.url, a.url, d.duplicate_of_url, d.kind, d.similarity FROM duplicates d "
        "LEFT JOIN articles a ON a.id = d.duplicate_of ORDER BY d.id"
    ).fetchall()
    conn.close()
    assert rows == [
        ("https://b.example/artikel", "https://a.example/artikel", "https://a.example/artikel", "near", 0.8125),
        ("https://b.example/druck", "https://a.example/artikel", "https://a.example/artikel", "near", 0.8125),
        ("https://c.example/elsewhere", None, "https://shard-b.example/x", "exact", 1.0),  # kept by another shard
    ]
