"""Merging corpus shards written by several crawler processes into one corpus, each story kept once.

``merge_shards(["a.db", "b.db"], "merged.db")`` reads every shard (read-only) and writes ``merged.db``
(created when missing, or extended) in one transaction:

- articles, in the order they were fetched across all shards (a k-way merge on ``fetched_at``), so
  the copy kept is the one fetched first, as a single crawl would have kept it. An article whose URL
  is already in the merged corpus is skipped; one whose ``content_hash`` is already there becomes an
  ``exact`` duplicate of it; one whose dedup fingerprint matches a merged article's (the crawl's own
  MinHash index, ``dedup``, with default settings) becomes a ``near`` duplicate of it, so two shards
  that each kept a different copy of one story (independent crawls, or a race between processes)
  end up with one. Each kept article's fingerprint comes with it.
- duplicates: ``duplicate_of`` is re-pointed by ``duplicate_of_url`` to the merged ids, including
  copies whose kept article was stored by another shard (NULL in their own shard), and copies whose
  kept article was itself merged away as a duplicate (then both point at the story kept).
- translations (re-linked by URL), runs, pages, chrome and the unfinished frontier.

Merge shards after their crawls have finished; the merged file is locked like a crawl's corpus.
"""

from __future__ import annotations

import heapq
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator, Sequence

from storage.corpus import (
    ARCHIVE_COLUMNS,
    ARTICLE_COLUMNS,
    TERMINAL_OUTCOMES,
    CorpusError,
    WriterLock,
    create_archive_schema,
    open_database,
)
from storage.export import Progress
from storage.query import Corpus

ARTICLE_FIELDS = [name for name in ARTICLE_COLUMNS if name != "id"]


@dataclass
class MergeReport:
    """What a merge did, row by row."""

    shards: int = 0
    articles: int = 0
    """Articles added to the merged corpus."""
    same_url: int = 0
    """Articles skipped because their URL was already there."""
    same_content: int = 0
    """Articles recorded as exact duplicates because their content_hash was already there."""
    near: int = 0
    """Articles recorded as near duplicates of a merged article by their dedup fingerprint."""
    near_check: str = "on"
    """"on", or why near duplicates across shards were not looked for."""
    duplicates: int = 0
    """Removed copies carried over."""
    unresolved: int = 0
    """Removed copies whose kept article is in none of the shards (duplicate_of stays NULL)."""
    translations: int = 0
    fingerprints: int = 0
    runs: int = 0


def _same_path(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    return a.exists() and b.exists() and os.path.samefile(a, b)


def _articles_by_fetch_time(shards: Sequence[Corpus]) -> Iterator[sqlite3.Row]:
    """Every shard's articles with their fingerprint, merged into one stream ordered by fetched_at."""

    def stream(shard: Corpus) -> Iterator[sqlite3.Row]:
        yield from shard.conn.execute(
            "SELECT a.*, f.key AS fingerprint_key, f.data AS fingerprint_data FROM articles a "
            "LEFT JOIN fingerprints f ON f.article_id = a.id ORDER BY coalesce(a.fetched_at, ''), a.id"
        )

    return heapq.merge(*(stream(shard) for shard in shards), key=lambda row: row["fetched_at"] or "")


class _Target:
    """The merged corpus being written: lookups by URL and content hash, and the inserts."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def one(self, sql: str, params: tuple):
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def article_id(self, url: str) -> int | None:
        return self.one("SELECT id FROM articles WHERE url = ?", (url,))

    def kept(self, url: str | None) -> tuple[int, str] | None:
        """The merged article a URL stands for: itself, or the story it was removed as a copy of."""
        if url is None:
            return None
        article_id = self.article_id(url)
        if article_id is not None:
            return article_id, url
        row = self.conn.execute(
            "SELECT a.id, a.url FROM duplicates d JOIN articles a ON a.id = d.duplicate_of WHERE d.url = ?",
            (url,),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def insert_article(self, row: sqlite3.Row) -> int:
        cursor = self.conn.execute(
            f"INSERT INTO articles ({', '.join(ARTICLE_FIELDS)}) VALUES ({', '.join('?' for _ in ARTICLE_FIELDS)})",
            [row[name] for name in ARTICLE_FIELDS],
        )
        return cursor.lastrowid

    def insert_duplicate(self, values: dict) -> bool:
        cursor = self.conn.execute(
            "INSERT INTO duplicates (url, duplicate_of, duplicate_of_url, similarity, kind, title, language,"
            " fetched_at) VALUES (:url, :duplicate_of, :duplicate_of_url, :similarity, :kind, :title, :language,"
            " :fetched_at) ON CONFLICT(url) DO NOTHING",
            values,
        )
        return cursor.rowcount > 0


class _NearDuplicates:
    """The crawl's MinHash index over the merged articles' fingerprints, when they can be read.

    Fingerprints made with other dedup settings (or none at all) turn the check off, with the reason
    in the report; the merge by URL and content hash goes on regardless.
    """

    def __init__(self, conn: sqlite3.Connection, report: MergeReport):
        self.report = report
        try:
            from dedup import Deduplicator, Fingerprint
        except ImportError:
            self.off("the dedup package is not importable")
            return
        self.fingerprint = Fingerprint.from_bytes
        self.index = Deduplicator()
        try:
            self.index.load(conn.execute("SELECT key, data FROM fingerprints ORDER BY article_id"))
        except ValueError as error:
            self.off(f"the merged corpus's fingerprints cannot be used: {error}")

    def off(self, reason: str) -> None:
        self.index = None
        self.report.near_check = f"off: {reason}"

    def find(self, data: bytes | None):
        """The Match for a fingerprint blob (None when none, or when the check is off)."""
        if self.index is None or data is None:
            return None
        try:
            return self.index.find(self.fingerprint(data))
        except ValueError as error:
            self.off(f"a shard's fingerprints cannot be used: {error}")
            return None

    def add(self, key: str, data: bytes | None) -> None:
        if self.index is not None and data is not None:
            self.index.add(key, self.fingerprint(data))


def _merge_articles(target: _Target, shards: Sequence[Corpus], report: MergeReport, progress: IO[str] | None) -> None:
    near = _NearDuplicates(target.conn, report)
    stream = _articles_by_fetch_time(shards)
    if progress is not None:
        stream = Progress(sum(shard.count() for shard in shards), progress, label="merging").advance(stream)
    for row in stream:
        if target.article_id(row["url"]) is not None:
            report.same_url += 1
            continue
        same = (
            row["content_hash"]
            and target.conn.execute(
                "SELECT id, url FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1", (row["content_hash"],)
            ).fetchone()
        )
        if same:
            target.insert_duplicate(
                {
                    "url": row["url"],
                    "duplicate_of": same[0],
                    "duplicate_of_url": same[1],
                    "similarity": 1.0,
                    "kind": "exact",
                    "title": row["title"],
                    "language": row["language"],
                    "fetched_at": row["fetched_at"],
                }
            )
            report.same_content += 1
            continue
        match = near.find(row["fingerprint_data"])
        kept = target.article_id(match.key) if match else None
        if kept is not None:
            target.insert_duplicate(
                {
                    "url": row["url"],
                    "duplicate_of": kept,
                    "duplicate_of_url": match.key,
                    "similarity": round(match.similarity, 4),
                    "kind": match.kind,
                    "title": row["title"],
                    "language": row["language"],
                    "fetched_at": row["fetched_at"],
                }
            )
            report.same_content += match.kind == "exact"
            report.near += match.kind != "exact"
            continue
        article_id = target.insert_article(row)
        report.articles += 1
        if row["fingerprint_key"] is not None:
            target.conn.execute(
                "INSERT INTO fingerprints (article_id, key, data) VALUES (?, ?, ?)",
                (article_id, row["fingerprint_key"], row["fingerprint_data"]),
            )
            report.fingerprints += 1
            near.add(row["fingerprint_key"], row["fingerprint_data"])


def _merge_duplicates(target: _Target, shard: Corpus, report: MergeReport) -> None:
    for row in shard.conn.execute("SELECT * FROM duplicates ORDER BY id"):
        if target.article_id(row["url"]) is not None:
            continue  # another shard kept this URL as an article
        kept = target.kept(row["duplicate_of_url"])
        values = {name: row[name] for name in row.keys() if name != "id"}
        values["duplicate_of"], values["duplicate_of_url"] = kept if kept else (None, row["duplicate_of_url"])
        if target.insert_duplicate(values):
            report.duplicates += 1


def _merge_translations(target: _Target, shard: Corpus, report: MergeReport) -> None:
    rows = shard.conn.execute(
        "SELECT a.url AS article_url, o.url AS original_url, t.score, t.method FROM translations t "
        "JOIN articles a ON a.id = t.article JOIN articles o ON o.id = t.translation_of"
    )
    for row in rows:
        article, original = target.kept(row["article_url"]), target.kept(row["original_url"])
        if article and original and article[0] != original[0]:
            cursor = target.conn.execute(
                "INSERT INTO translations (article, translation_of, score, method) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (article[0], original[0], row["score"], row["method"]),
            )
            report.translations += cursor.rowcount


def _merge_archive(target: _Target, shard: Corpus, into: Path) -> None:
    """Where each page of the shard is in the WARC archive, and how far its WARC inputs were read, so
    that ``deepseek-news reextract`` works on the merged corpus: file names relative to a shard's
    directory are made relative to the merged corpus's directory."""
    tables = shard.tables
    here = into.resolve().parent
    if "archive" in tables:
        columns = list(ARCHIVE_COLUMNS)
        base = shard.path.resolve().parent
        rows = []
        for row in shard.conn.execute(f"SELECT {', '.join(columns)} FROM archive ORDER BY rowid"):
            values = list(row)
            values[1] = os.path.relpath(base / values[1], here)  # warc_file; an absolute one stays where it is
            rows.append(values)
        target.conn.executemany(
            f"INSERT INTO archive ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
            "ON CONFLICT(url) DO NOTHING",
            rows,
        )
    if "ingested" in tables:
        target.conn.executemany(
            "INSERT INTO ingested (warc_file, next_offset, records, finished_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(warc_file) DO UPDATE SET next_offset = max(next_offset, excluded.next_offset), "
            "records = max(records, excluded.records), finished_at = coalesce(finished_at, excluded.finished_at)",
            (
                tuple(row)
                for row in shard.conn.execute("SELECT warc_file, next_offset, records, finished_at FROM ingested")
            ),
        )


def _merge_crawl_state(target: _Target, shard: Corpus, report: MergeReport) -> None:
    """Runs, pages, chrome and frontier: what a later crawl on the merged corpus resumes from."""
    conn = target.conn
    if "runs" in shard.tables:
        for run in shard.conn.execute("SELECT started_at, finished_at, args, stats FROM runs ORDER BY id"):
            if target.one("SELECT 1 FROM runs WHERE started_at IS ? AND args IS ?", (run[0], run[2])) is None:
                conn.execute("INSERT INTO runs (started_at, finished_at, args, stats) VALUES (?, ?, ?, ?)", tuple(run))
                report.runs += 1
    terminal = ", ".join(f"'{outcome}'" for outcome in TERMINAL_OUTCOMES)
    if "pages" in shard.tables:
        conn.executemany(
            "INSERT INTO pages (url, outcome, fetched_at) VALUES (?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
            f"outcome = excluded.outcome, fetched_at = excluded.fetched_at WHERE pages.outcome NOT IN ({terminal})",
            (tuple(row) for row in shard.conn.execute("SELECT url, outcome, fetched_at FROM pages")),
        )
    chrome = (
        "SELECT site, block, pages FROM chrome"
        if "chrome" in shard.tables
        else "SELECT site, fingerprint, pages FROM boilerplate"
        if "boilerplate" in shard.tables  # older shard
        else None
    )
    if chrome:
        conn.executemany(
            "INSERT INTO chrome (site, block, pages) VALUES (?, ?, ?) ON CONFLICT(site, block) "
            "DO UPDATE SET pages = max(pages, excluded.pages)",
            (tuple(row) for row in shard.conn.execute(chrome)),
        )
    if "frontier" in shard.tables:
        conn.executemany(
            "INSERT INTO frontier (url, request, added_at) VALUES (?, ?, ?) ON CONFLICT(url) DO NOTHING",
            (tuple(row) for row in shard.conn.execute("SELECT url, request, added_at FROM frontier")),
        )


def merge_shards(
    shards: Sequence[str | os.PathLike],
    into: str | os.PathLike,
    *,
    progress: IO[str] | None = None,
) -> MergeReport:
    """Merge corpus ``shards`` into ``into`` (created when missing); return what was merged.

    ``progress``: a stream to draw a progress bar over the articles on (the CLI passes a terminal).

    Raises CorpusError, before writing anything, when a shard is missing or not a corpus, when
    ``into`` is one of the shards or not SQLite, or when another process writes ``into``.
    """
    if not shards:
        raise CorpusError("merge needs at least one shard")
    into = Path(into)
    opened: list[Corpus] = []
    lock = WriterLock(into)
    try:
        for shard in shards:
            if _same_path(Path(shard), into):
                raise CorpusError(f"{shard} is both a shard and the merge target: choose another --into")
            opened.append(Corpus(shard))
        if into.exists():
            open_database(into).conn.close()  # a non-SQLite target fails here, untouched
        lock.acquire()
        db = open_database(into, create=True)
        create_archive_schema(db)  # a target written before the archive existed gains its tables
        target = _Target(db.conn)
        report = MergeReport(shards=len(opened))
        try:
            with db.conn:
                _merge_articles(target, opened, report, progress)
                for shard in opened:
                    _merge_duplicates(target, shard, report)
                db.conn.execute(
                    "UPDATE duplicates SET duplicate_of = (SELECT id FROM articles WHERE url = duplicates.duplicate_of_url) "
                    "WHERE duplicate_of IS NULL"
                )
                for shard in opened:
                    if "translations" in shard.tables:
                        _merge_translations(target, shard, report)
                    _merge_crawl_state(target, shard, report)
                    _merge_archive(target, shard, into)
                db.conn.execute("DELETE FROM frontier WHERE url IN (SELECT url FROM pages)")
            report.unresolved = target.one("SELECT count(*) FROM duplicates WHERE duplicate_of IS NULL", ())
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.conn.close()
        return report
    finally:
        for corpus in opened:
            corpus.close()
        lock.release()
