"""The corpus file: schema, the crawl's batched transactional writes, and the single-writer lock.

One SQLite file in WAL mode, laid out with sqlite-utils so that `sqlite-utils`, Datasette, pandas and
DuckDB read it without help. Tables:

- ``articles``: one row per kept story; FTS5 on ``title`` and ``text`` (sqlite-utils triggers).
- ``duplicates``: every copy the crawl removed, with the kept article and why (``exact``, ``near``,
  ``translation``). ``duplicate_of`` is NULL when the kept copy lives in another shard; then
  ``duplicate_of_url`` names it (``deepseek-news merge`` resolves it).
- ``translations``: cross-language links between kept articles.
- ``fingerprints``: the dedup index's state, so duplicates are caught across runs.
- ``chrome``: site chrome learned while crawling: how many pages of a site carried each text block.
- ``pages``: every URL the crawl finished with and how, so a second run skips them.
- ``frontier``: requests scheduled and not finished yet, so a killed crawl loses none.
- ``runs``: one row per crawl with its arguments and closing stats.
- ``archive``: for each page kept in the WARC archive, its file, offset and length (``archive/``).
- ``ingested``: how far ``deepseek-news ingest`` has read each WARC file, so a killed run resumes.

Writes are buffered by :class:`CorpusWriter` and flushed in one transaction, so a crash leaves either a
whole batch or none of it. A batch SQLite refuses (disk full, read-only, corrupt file) stays queued and
raises :class:`CorpusWriteError`, which names the cause in one line. Only parameterised SQL reaches SQLite.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import resource
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator


def _import_sqlite_utils_without_pandas():
    """sqlite_utils, imported without pandas. sqlite-utils imports pandas at module import whenever it
    is installed (only to map pandas.Timestamp to TEXT, which the corpus never stores), in every crawl
    process; ``tests/benchmarks/bench_imports.py`` prints what this saves. A ``None`` in ``sys.modules`` makes that import fail as if pandas were
    missing; it is removed again at once, so a later ``import pandas`` (by a user, or an export) works."""
    if "pandas" in sys.modules or "sqlite_utils" in sys.modules:
        import sqlite_utils

        return sqlite_utils
    sys.modules["pandas"] = None
    try:
        import sqlite_utils
    finally:
        if sys.modules.get("pandas", 0) is None:
            del sys.modules["pandas"]
    return sqlite_utils


sqlite_utils = _import_sqlite_utils_without_pandas()

ARTICLE_COLUMNS = {
    "id": int,
    "url": str,
    "title": str,
    "text": str,
    "language": str,
    "published": str,
    "author": str,
    "site": str,
    "site_name": str,
    "description": str,
    "source": str,
    "fetched_at": str,
    "content_hash": str,
}
DUPLICATE_COLUMNS = {
    "id": int,
    "url": str,
    "duplicate_of": int,
    "duplicate_of_url": str,
    "similarity": float,
    "kind": str,
    "title": str,
    "language": str,
    "fetched_at": str,
}
ARCHIVE_COLUMNS = {
    "url": str,  # the page's canonical URL, as in ``pages``
    "warc_file": str,  # relative to the corpus file's directory, or absolute
    "warc_offset": int,  # of the response record's gzip member
    "warc_length": int,
    "warc_date": str,
    "hints": str,  # JSON: what a feed or news sitemap said about the page
    "aliases": str,  # JSON: URLs that redirected to it
}
TERMINAL_OUTCOMES = ("stored", "stored_elsewhere", "duplicate", "off_topic", "no_topic_term")
"""Page outcomes that a later crawl need not fetch again (listings and errors are retried)."""
WRITE_FAILED = "corpus_write_failed"
"""The finish reason of a crawl stopped because its corpus refused a write."""


class CorpusError(Exception):
    """A corpus file that cannot be used: not SQLite, locked by another crawl, unreadable."""


class CorpusWriteError(CorpusError):
    """SQLite refused a write: nothing of the batch is on disk and all of it is still queued."""

    def __init__(self, path: str | os.PathLike, error: BaseException):
        self.cause = failure_cause(error, path)
        super().__init__(f"cannot write the corpus {path}: {self.cause} ({error})")


SQLITE_CODES = {
    "FULL": 13,
    "READONLY": 8,
    "CORRUPT": 11,
    "NOTADB": 26,
    "IOERR": 10,
    "CANTOPEN": 14,
    "BUSY": 5,
    "LOCKED": 6,
    "PERM": 3,
}  # primary result codes (the low byte of extended ones)
LOW_DISK_BYTES = 1 << 20  # free space under which an I/O error on the corpus is taken for a full disk


def failure_cause(error: BaseException, path: str | os.PathLike) -> str:
    """Why a corpus file could not be opened or written, in the words a user acts on: the disk is full,
    it is read-only, it is corrupt, the file size limit is reached. SQLite reports some of these as a
    plain I/O error, so the file system is asked too (free space, read-only mount, ``ulimit -f``)."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    number = getattr(error, "errno", None)
    if primary == SQLITE_CODES["FULL"] or number in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if primary in (SQLITE_CODES["CORRUPT"], SQLITE_CODES["NOTADB"]):
        return "the file is corrupt"
    if primary in (SQLITE_CODES["BUSY"], SQLITE_CODES["LOCKED"]):
        return "another program holds a lock on it"
    if number == errno.EFBIG or (primary == SQLITE_CODES["IOERR"] and _over_size_limit(path)):
        return "the file size limit (ulimit -f) is reached"
    directory = Path(path).resolve().parent
    if (
        primary == SQLITE_CODES["READONLY"]
        or number in (errno.EROFS, errno.EACCES, errno.EPERM)
        or _read_only(directory)
    ):
        return "it is read-only"
    if primary in (SQLITE_CODES["IOERR"], SQLITE_CODES["CANTOPEN"]) and _disk_nearly_full(directory):
        return "the disk is full"
    if number is not None:
        return os.strerror(number).lower()
    return "SQLite refused the write"


def _read_only(directory: Path) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY) or not os.access(directory, os.W_OK)
    except OSError:
        return False


def _disk_nearly_full(directory: Path) -> bool:
    try:
        stat = os.statvfs(directory)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < LOW_DISK_BYTES


def _over_size_limit(path: str | os.PathLike) -> bool:
    """Has the corpus or its write-ahead log grown to the process's file size limit (RLIMIT_FSIZE)?"""
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if limit == resource.RLIM_INFINITY:
        return False
    sizes = []
    for name in (str(path), f"{path}-wal", f"{path}-journal"):
        try:
            sizes.append(os.path.getsize(name))
        except OSError:
            pass
    return any(size + LOW_DISK_BYTES >= limit for size in sizes)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def create_schema(db: sqlite_utils.Database) -> None:
    """Create every table and index the corpus needs; a no-op on an existing corpus."""
    db["articles"].create(ARTICLE_COLUMNS, pk="id", not_null={"url"}, if_not_exists=True)
    db["articles"].create_index(["url"], unique=True, if_not_exists=True)
    db["articles"].create_index(["content_hash"], if_not_exists=True)
    db["articles"].create_index(["site"], if_not_exists=True)
    db["articles"].create_index(["published"], if_not_exists=True)
    if not db["articles"].detect_fts():
        db["articles"].enable_fts(
            ["title", "text"],
            create_triggers=True,
            tokenize="unicode61 remove_diacritics 2",  # "co phieu" finds "cổ phiếu", "Munchen" "München"
        )
    db["duplicates"].create(
        DUPLICATE_COLUMNS,
        pk="id",
        not_null={"url"},
        foreign_keys=[("duplicate_of", "articles", "id")],
        if_not_exists=True,
    )
    db["duplicates"].create_index(["url"], unique=True, if_not_exists=True)
    db["duplicates"].create_index(["duplicate_of"], if_not_exists=True)
    db["translations"].create(
        {"article": int, "translation_of": int, "score": float, "method": str},
        pk=("article", "translation_of"),
        foreign_keys=[("article", "articles", "id"), ("translation_of", "articles", "id")],
        if_not_exists=True,
    )
    db["fingerprints"].create(
        {"article_id": int, "key": str, "data": bytes},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    if "boilerplate" in db.table_names() and "chrome" not in db.table_names():  # its name before 2026-12
        with db.conn:
            db.execute("ALTER TABLE boilerplate RENAME TO chrome")
            db.execute("ALTER TABLE chrome RENAME COLUMN fingerprint TO block")
    db["chrome"].create({"site": str, "block": str, "pages": int}, pk=("site", "block"), if_not_exists=True)
    db["pages"].create({"url": str, "outcome": str, "fetched_at": str}, pk="url", if_not_exists=True)
    db["frontier"].create({"url": str, "request": str, "added_at": str}, pk="url", if_not_exists=True)
    db["runs"].create(
        {"id": int, "started_at": str, "finished_at": str, "args": str, "stats": str},
        pk="id",
        if_not_exists=True,
    )
    create_archive_schema(db)


def create_archive_schema(db: sqlite_utils.Database) -> None:
    """The WARC archive's tables; also what an older corpus file gains when a writer opens it."""
    db["archive"].create(ARCHIVE_COLUMNS, pk="url", if_not_exists=True)
    db["ingested"].create(
        {"warc_file": str, "next_offset": int, "records": int, "finished_at": str},
        pk="warc_file",
        if_not_exists=True,
    )


def refresh_fingerprints(conn: sqlite3.Connection, current_magic: bytes, make) -> int:
    """Fingerprint again, from its stored text, every article whose dedup fingerprint is of an older
    format (its first bytes are not ``current_magic``; ``make(text, language)`` gives the new blob), in
    one transaction. Only those articles' texts are read. Returns how many were made again."""
    stale = conn.execute(
        "SELECT f.article_id, a.text, a.language FROM fingerprints f JOIN articles a ON a.id = f.article_id "
        "WHERE substr(f.data, 1, ?) != ?",
        (len(current_magic), current_magic),
    ).fetchall()
    if stale:
        with conn:
            conn.executemany(
                "UPDATE fingerprints SET data = ? WHERE article_id = ?",
                [(make(text or "", language), article_id) for article_id, text, language in stale],
            )
    return len(stale)


def open_database(path: str | os.PathLike, *, create: bool = False) -> sqlite_utils.Database:
    """Open a corpus file; with ``create`` make it (and its schema) when missing.

    Raises CorpusError for a missing file (without ``create``) or a file that is not SQLite, without
    creating or changing anything.
    """
    path = Path(path)
    if create and path.is_dir():
        raise CorpusError(f"{path} is a directory, not a corpus file")
    if not create and not path.is_file():
        raise CorpusError(f"no corpus at {path} (a crawl makes one: deepseek-news crawl --db {path})")
    try:
        if path.exists():
            with open(path, "rb") as handle:
                head = handle.read(16)
            if head and head != b"SQLite format 3\x00":
                raise CorpusError(f"{path} is not an SQLite database")
        elif create:
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CorpusError(f"cannot open the corpus {path}: {failure_cause(error, path)} ({error.strerror})") from None
    try:
        db = sqlite_utils.Database(sqlite3.connect(str(path), timeout=30, check_same_thread=False))
        db.execute("PRAGMA busy_timeout = 30000")
        if create:
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")
            create_schema(db)
        else:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        if not create:
            raise CorpusError(f"{path}: {error}") from None
        raise CorpusError(f"cannot open the corpus {path}: {failure_cause(error, path)} ({error})") from None
    return db


class WriterLock:
    """An exclusive advisory lock beside the corpus: one crawl writes a corpus file at a time.

    flock is released by the kernel when the process dies, SIGKILL included, so a killed crawl never
    leaves a stale lock behind. A clean release removes the file (while still holding the lock; a
    taker checks that the file it locked is still the one at the path, so none locks a removed one).
    """

    def __init__(self, db_path: str | os.PathLike):
        self.path = Path(f"{db_path}.lock")
        self.handle = None

    def acquire(self) -> None:
        corpus = self.path.with_suffix("")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+")
        except OSError as error:
            raise CorpusError(
                f"cannot write the corpus {corpus}: {failure_cause(error, corpus)} ({error.strerror}: {error.filename})"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise CorpusError(
                f"{corpus} is being written by {holder}; "
                "wait for that crawl to finish or give this one another CORPUS_DB"
            ) from None
        try:
            same_file = os.fstat(handle.fileno()).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            same_file = False
        if not same_file:  # released and removed by its holder between our open and our flock
            handle.close()
            return self.acquire()
        handle.truncate(0)
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            self.path.unlink(missing_ok=True)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


@dataclass
class Batch:
    """Rows waiting for the next flush, in the order they were produced."""

    articles: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    translations: list[dict] = field(default_factory=list)
    pages: list[tuple[str, str, str]] = field(default_factory=list)
    frontier_add: list[tuple[str, str, str]] = field(default_factory=list)
    frontier_done: list[str] = field(default_factory=list)
    chrome: list[tuple[str, str, int]] = field(default_factory=list)
    moves: list[tuple[str, str]] = field(default_factory=list)
    archive: list[tuple] = field(default_factory=list)
    ingested: dict[str, tuple] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.articles) + len(self.duplicates) + len(self.pages) + len(self.frontier_add) + len(self.archive)


class CorpusWriter:
    """The crawl's one writer: buffers rows and flushes each batch in a single transaction.

    A batch that cannot be written stays queued, and ``failure`` holds the CorpusWriteError until a
    flush succeeds. ``flush`` raises it; a flush that the ``add_*`` methods start reports it to
    ``on_failure`` instead, and while it stands they start no other (the rows go on queueing), so the
    crawl can stop without a traceback in every callback that meets the writer. ``close`` does not
    write a batch that failed.
    """

    def __init__(self, path: str | os.PathLike, *, batch_size: int = 100):
        if path is None or not str(path).strip():
            raise CorpusError("no corpus file given (CORPUS_DB is empty)")
        self.path = Path(path)
        if self.path.is_dir():
            raise CorpusError(f"{path} is a directory, not a corpus file")
        self.batch_size = batch_size
        self.lock = WriterLock(self.path)
        self.lock.acquire()
        try:
            self.db = open_database(self.path, create=True)
            self.conn = self.db.conn
            self._check_writable()
        except Exception:
            self.lock.release()
            raise
        self.batch = Batch()
        self.commits = 0  # batches written so far: what was added before a commit is on disk
        self.failure: CorpusWriteError | None = None
        self.on_failure = None  # called with the CorpusWriteError of a flush an add_* method started

    def _check_writable(self) -> None:
        """Refuse a corpus that SQLite opened read-only (it does so silently when the file is). A row
        inserted and rolled back never leaves the page cache, so this writes nothing."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.execute("INSERT INTO runs (started_at) VALUES (NULL)")
            finally:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error as error:
            self.conn.close()
            raise CorpusError(
                f"cannot write the corpus {self.path}: {failure_cause(error, self.path)} ({error})"
            ) from None

    def _read(self, sql: str, params=()) -> list:
        """Rows the crawl needs at start-up; a file SQLite cannot read is a CorpusError (one line)."""
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise self._unreadable(error) from None

    def _rows(self, sql: str) -> Iterator[tuple]:
        """Stream the rows of a start-up read (the corpus may hold millions), as ``_read`` does."""
        try:
            yield from self.conn.execute(sql)
        except sqlite3.Error as error:
            raise self._unreadable(error) from None

    def _unreadable(self, error: sqlite3.Error) -> CorpusError:
        return CorpusError(f"cannot read the corpus {self.path}: {failure_cause(error, self.path)} ({error})")

    # -- reads the crawl needs at start-up ---------------------------------------------------------
    def finished_urls(self) -> set[str]:
        """URLs a new crawl must not fetch again: stored articles, removed copies, off-topic pages."""
        marks = ",".join("?" for _ in TERMINAL_OUTCOMES)
        rows = self._read(f"SELECT url FROM pages WHERE outcome IN ({marks})", TERMINAL_OUTCOMES)
        return {url for (url,) in rows}

    def fingerprints(self) -> Iterator[tuple[str, bytes]]:
        yield from self._rows("SELECT key, data FROM fingerprints ORDER BY article_id")

    def chrome_rows(self) -> Iterator[tuple[str, str, int]]:
        yield from self._rows("SELECT site, block, pages FROM chrome")

    def frontier(self) -> Iterator[tuple[str, dict]]:
        for url, request in self._rows("SELECT url, request FROM frontier ORDER BY rowid"):
            yield url, json.loads(request)

    def last_run_unfinished(self) -> bool:
        """Did the last crawl on this corpus stop without writing all it had decided: killed (SIGKILL, a
        second Ctrl-C, a crash: its run was never closed) or stopped by a write that failed?"""
        rows = self._read(
            "SELECT finished_at, json_extract(stats, '$.finish_reason') FROM runs ORDER BY id DESC LIMIT 1"
        )
        return bool(rows) and (rows[0][0] is None or rows[0][1] == WRITE_FAILED)

    def article_meta(self, url: str) -> dict | None:
        """``published`` and ``language`` of a stored article, whether flushed yet or not."""
        for entry in reversed(self.batch.articles):
            if entry["row"]["url"] == url:
                return {"published": entry["row"].get("published"), "language": entry["row"].get("language")}
        row = self.conn.execute("SELECT published, language FROM articles WHERE url = ?", (url,)).fetchone()
        return {"published": row[0], "language": row[1]} if row else None

    # -- buffered writes ----------------------------------------------------------------------------
    def add_article(self, article: dict, fingerprint: tuple[str, bytes] | None = None) -> None:
        """Queue an article (keys of ARTICLE_COLUMNS but ``id``) and its dedup fingerprint."""
        self.batch.articles.append({"row": article, "fingerprint": fingerprint})
        self._maybe_flush()

    def add_duplicate(self, duplicate: dict) -> None:
        """Queue a removed copy: ``url, duplicate_of_url, similarity, kind`` (+ title, language)."""
        self.batch.duplicates.append(duplicate)
        self._maybe_flush()

    def add_translation(self, article_url: str, original_url: str, score: float, method: str) -> None:
        self.batch.translations.append(
            {"article": article_url, "translation_of": original_url, "score": score, "method": method}
        )

    def claimed_from(self, url: str) -> str | None:
        """The page whose article is stored under ``url`` because it claimed ``url`` as its canonical
        (it is recorded as an exact copy of that article), or None. Writes what is queued first; when that
        write is refused, the failure goes where a refused batch goes (``on_failure``) and None comes back."""
        if self.batch.articles or self.batch.duplicates:
            if self.failure is not None:
                return None
            try:
                self.flush()
            except CorpusWriteError as error:
                if self.on_failure is not None:
                    self.on_failure(error)
                return None
        row = self._read(
            "SELECT url FROM duplicates WHERE duplicate_of_url = ? AND kind = 'exact' AND url != ? ORDER BY id LIMIT 1",
            (url, url),
        )
        return row[0][0] if row else None

    def content_hash_of(self, url: str) -> bytes:
        """The dedup content hash of the article stored under ``url`` (b"" when there is none)."""
        row = self._read("SELECT content_hash FROM articles WHERE url = ?", (url,))
        return bytes.fromhex(row[0][0]) if row and row[0][0] else b""

    def move_article(self, old_url: str, new_url: str) -> None:
        """Queue the move of the article stored under ``old_url`` to ``new_url``: its row, its
        fingerprint's key and the removed copies pointing at it; ``new_url`` is no longer one of its
        copies. Moves are written before the articles of their batch (``claimed_from`` wrote the
        article being moved), so that an article can take ``old_url`` in the same batch."""
        self.batch.moves.append((old_url, new_url))

    def mark_page(self, url: str, outcome: str) -> None:
        self.batch.pages.append((url, outcome, utc_now()))
        self.batch.frontier_done.append(url)
        self._maybe_flush()

    def add_to_frontier(self, url: str, request: dict) -> None:
        self.batch.frontier_add.append((url, json.dumps(request), utc_now()))
        self._maybe_flush()

    def forget_request(self, url: str) -> None:
        """Take a request out of the frontier without recording a page for it."""
        self.batch.frontier_done.append(url)

    def add_archived(self, row: dict) -> None:
        """Queue where a page's WARC record is (keys of ARCHIVE_COLUMNS); the latest fetch wins."""
        self.batch.archive.append(tuple(row.get(name) for name in ARCHIVE_COLUMNS))
        self._maybe_flush()

    def note_ingested(self, warc_file: str, next_offset: int, records: int, finished: bool = False) -> None:
        """Queue how far a WARC file has been read: committed with the pages read before that offset."""
        self.batch.ingested[warc_file] = (warc_file, next_offset, records, utc_now() if finished else None)

    def save_chrome(self, rows: Iterable[tuple[str, str, int]]) -> None:
        self.batch.chrome.extend(rows)

    def _maybe_flush(self) -> None:
        if self.failure is None and len(self.batch) >= self.batch_size:
            try:
                self.flush()
            except CorpusWriteError as error:
                if self.on_failure is not None:
                    self.on_failure(error)

    def flush(self) -> None:
        """Write the whole batch in one transaction (all of it or, after a crash, none of it). When SQLite
        refuses it, nothing of it is on disk, all of it stays queued, and CorpusWriteError says why."""
        batch = self.batch
        try:
            self._write(batch)
        except sqlite3.Error as error:
            if self.conn.in_transaction:
                try:
                    self.conn.rollback()
                except sqlite3.Error:
                    pass
            self.failure = CorpusWriteError(self.path, error)
            raise self.failure from None
        self.batch = Batch()
        self.failure = None
        self.commits += 1

    def _write(self, batch: Batch) -> None:
        with self.conn:
            for old_url, new_url in batch.moves:
                self.conn.execute("DELETE FROM duplicates WHERE url = ?", (new_url,))
                self.conn.execute("UPDATE articles SET url = ? WHERE url = ?", (new_url, old_url))
                self.conn.execute("UPDATE fingerprints SET key = ? WHERE key = ?", (new_url, old_url))
                self.conn.execute(
                    "UPDATE duplicates SET duplicate_of_url = ? WHERE duplicate_of_url = ?", (new_url, old_url)
                )
            for entry in batch.articles:
                self._insert_article(entry["row"], entry["fingerprint"])
            for duplicate in batch.duplicates:
                self._insert_duplicate(duplicate)
            for link in batch.translations:
                self._insert_translation(link)
            self.conn.executemany(
                "INSERT INTO frontier (url, request, added_at) VALUES (?, ?, ?) ON CONFLICT(url) DO NOTHING",
                batch.frontier_add,
            )
            self.conn.executemany(
                "INSERT INTO pages (url, outcome, fetched_at) VALUES (?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET outcome = excluded.outcome, fetched_at = excluded.fetched_at",
                batch.pages,
            )
            self.conn.executemany("DELETE FROM frontier WHERE url = ?", [(url,) for url in batch.frontier_done])
            self.conn.executemany(
                "INSERT INTO chrome (site, block, pages) VALUES (?, ?, ?) "
                "ON CONFLICT(site, block) DO UPDATE SET pages = excluded.pages",
                batch.chrome,
            )
            columns = ", ".join(ARCHIVE_COLUMNS)
            self.conn.executemany(
                f"INSERT OR REPLACE INTO archive ({columns}) VALUES ({', '.join('?' for _ in ARCHIVE_COLUMNS)})",
                batch.archive,
            )
            self.conn.executemany(
                "INSERT OR REPLACE INTO ingested (warc_file, next_offset, records, finished_at) VALUES (?, ?, ?, ?)",
                list(batch.ingested.values()),
            )

    def _insert_article(self, row: dict, fingerprint: tuple[str, bytes] | None) -> None:
        columns = [name for name in ARTICLE_COLUMNS if name != "id"]
        values = [row.get(name) for name in columns]
        cursor = self.conn.execute(
            f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
            "ON CONFLICT(url) DO NOTHING",
            values,
        )
        if cursor.rowcount and fingerprint is not None:
            key, data = fingerprint
            self.conn.execute(
                "INSERT INTO fingerprints (article_id, key, data) VALUES (?, ?, ?)",
                (cursor.lastrowid, key, data),
            )

    def _insert_duplicate(self, duplicate: dict) -> None:
        duplicate = self._to_kept(duplicate)
        kept = self.conn.execute("SELECT id FROM articles WHERE url = ?", (duplicate["duplicate_of_url"],)).fetchone()
        self.conn.execute(
            "INSERT INTO duplicates (url, duplicate_of, duplicate_of_url, similarity, kind, title, language,"
            " fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO NOTHING",
            (
                duplicate["url"],
                kept[0] if kept else None,
                duplicate["duplicate_of_url"],
                duplicate.get("similarity"),
                duplicate["kind"],
                duplicate.get("title"),
                duplicate.get("language"),
                duplicate.get("fetched_at") or utc_now(),
            ),
        )

    def _to_kept(self, duplicate: dict) -> dict:
        """A copy of a removed copy (a page whose rel=canonical URL was itself removed) is recorded as a
        copy of the article kept in its place, so a duplicate never points at another removed copy. An
        exact copy of a removed copy has that copy's kind and similarity."""
        seen = {duplicate["url"]}
        while not self.conn.execute(
            "SELECT 1 FROM articles WHERE url = ?", (duplicate["duplicate_of_url"],)
        ).fetchone():
            removed = self.conn.execute(
                "SELECT duplicate_of_url, similarity, kind FROM duplicates WHERE url = ?",
                (duplicate["duplicate_of_url"],),
            ).fetchone()
            if removed is None or removed[0] in seen:  # kept in another shard (merge resolves it), or a loop
                break
            seen.add(duplicate["duplicate_of_url"])
            duplicate = {**duplicate, "duplicate_of_url": removed[0]}
            if duplicate["kind"] == "exact":
                duplicate["similarity"], duplicate["kind"] = removed[1], removed[2]
        return duplicate

    def _insert_translation(self, link: dict) -> None:
        self.conn.execute(
            "INSERT INTO translations (article, translation_of, score, method) "
            "SELECT a.id, o.id, ?, ? FROM articles a, articles o WHERE a.url = ? AND o.url = ? "
            "ON CONFLICT DO NOTHING",
            (link["score"], link["method"], link["article"], link["translation_of"]),
        )

    # -- runs ---------------------------------------------------------------------------------------
    def begin_run(self, args: dict) -> int:
        try:
            with self.conn:
                cursor = self.conn.execute(
                    "INSERT INTO runs (started_at, args) VALUES (?, ?)", (utc_now(), json.dumps(args, sort_keys=True))
                )
        except sqlite3.Error as error:
            raise CorpusWriteError(self.path, error) from None
        return cursor.lastrowid

    def finish_run(self, run_id: int, stats: dict, *, make_room: bool = False) -> None:
        """Close a run with its stats. ``make_room``: after a failed write, when the disk has no room
        left for the log to grow, move the log into the file first and empty it, then try again."""
        try:
            self._close_run(run_id, stats)
        except sqlite3.Error as error:
            if not make_room:
                raise CorpusWriteError(self.path, error) from None
            try:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._close_run(run_id, stats)
            except sqlite3.Error:
                raise CorpusWriteError(self.path, error) from None

    def _close_run(self, run_id: int, stats: dict) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, stats = ? WHERE id = ?",
                (utc_now(), json.dumps(stats, sort_keys=True, default=str), run_id),
            )

    def close(self) -> None:
        """Write what is queued (unless a write failed: then it stays unwritten) and let the file go."""
        try:
            if self.failure is None:
                self.flush()
        finally:
            try:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass  # a full disk: the log keeps the committed batches, SQLite checkpoints them next time
            try:
                self.conn.close()
            finally:
                self.lock.release()
