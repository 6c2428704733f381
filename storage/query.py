"""Reading the corpus: filtered article streams, full-text search, one article, duplicate clusters, stats.

The library behind the ``deepseek-news`` CLI; usable on its own::

    from storage.query import Corpus, Filters

    with Corpus("data/deepseek_news.db") as corpus:
        for hit in corpus.search("Nvidia", Filters(language="de", since="2025-01-27", until="2025-02-03")):
            print(hit["published"], hit["title"], hit["snippet"])

Every read goes through ``storage.corpus.open_database`` (a missing or non-SQLite file raises
CorpusError and is left alone) and runs with ``PRAGMA query_only``, so reading never changes the file.
Rows are streamed from a cursor, never loaded all at once; only bound parameters reach SQLite.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterator

from storage import runstats
from storage.corpus import ARTICLE_COLUMNS, CorpusError, open_database

EXPORT_FIELDS = tuple(ARTICLE_COLUMNS)
"""Article fields in the order exports and ``Corpus.articles`` give them."""


class QueryError(CorpusError):
    """A query the corpus cannot run: FTS5 syntax error, a bad date."""


MAX_LIMIT = 2**63 - 1  # SQLite's largest integer


def check_limit(limit: int | None) -> None:
    if limit is not None and not 0 <= limit <= MAX_LIMIT:
        raise QueryError(f"a limit must be 0 (all) to {MAX_LIMIT}, not {limit}")


def parse_day(value: str, *, option: str) -> str:
    """Check a ``--since``/``--until`` value (``YYYY-MM-DD`` or an ISO datetime); return it normalised."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        raise QueryError(f"{option} {value!r} is not a date (use YYYY-MM-DD)") from None


def quote_fts(query: str) -> str:
    """Turn free text into an FTS5 query of quoted terms, so punctuation (``DeepSeek-R1``) is literal."""
    terms = query.replace('"', " ").split()
    return " ".join(f'"{term}"' for term in terms)


@dataclass(frozen=True)
class Filters:
    """Which articles to read. ``since``/``until`` bound ``published`` (``until`` takes the whole day)."""

    language: str | None = None
    site: str | None = None
    since: str | None = None
    until: str | None = None
    query: str | None = None

    def where(self, alias: str = "a") -> tuple[list[str], list]:
        """SQL conditions on ``articles AS alias`` (FTS excluded) and their bound parameters."""
        clauses, params = [], []
        if self.language:
            clauses.append(f"{alias}.language = ?")
            params.append(self.language)
        if self.site:
            clauses.append(f"{alias}.site = ?")
            params.append(self.site)
        if self.since:
            clauses.append(f"{alias}.published >= ?")
            params.append(parse_day(self.since, option="--since"))
        if self.until:
            until = parse_day(self.until, option="--until")
            if until == date.max.isoformat():  # the last day there is: every dated article
                clauses.append(f"{alias}.published IS NOT NULL")
            elif len(until) == 10:  # a day: everything published on it, whatever the time
                clauses.append(f"{alias}.published < ?")
                params.append((date.fromisoformat(until) + timedelta(days=1)).isoformat())
            else:
                clauses.append(f"{alias}.published <= ?")
                params.append(until)
        return clauses, params


def _fts_error(error: sqlite3.Error, query: str) -> QueryError:
    message = str(error).splitlines()[0]
    return QueryError(
        f"cannot search for {query!r}: {message} "
        '(quote phrases like "DeepSeek-R1", or pass --quote to search the words literally)'
    )


class Corpus:
    """A corpus file opened for reading. Use as a context manager, or call ``close()``."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.db = open_database(self.path)
        self.conn = self.db.conn
        self.conn.row_factory = sqlite3.Row
        try:
            self.conn.execute("PRAGMA query_only = ON")
            tables = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as error:
            self.close()
            raise CorpusError(f"{self.path}: {error}") from None
        if not {"articles", "articles_fts", "duplicates"} <= tables:
            self.close()
            raise CorpusError(f"{self.path} is not a deepseek_news corpus (no articles table)")
        self.tables = tables

    def __enter__(self) -> "Corpus":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # -- articles ------------------------------------------------------------------------------------
    def check_query(self, query: str) -> None:
        """Raise QueryError now if ``query`` is not valid FTS5, before any output is written."""
        try:
            self.conn.execute("SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1", (query,)).fetchall()
        except sqlite3.OperationalError as error:
            raise _fts_error(error, query) from None

    def _select(self, columns: str, filters: Filters, tail: str = "", extra: tuple = ()) -> tuple[str, list]:
        clauses, params = filters.where("a")
        source = "articles AS a"
        if filters.query:
            source = "articles_fts JOIN articles AS a ON a.id = articles_fts.rowid"
            clauses.insert(0, "articles_fts MATCH ?")
            params.insert(0, filters.query)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return f"SELECT {columns} FROM {source}{where}{tail}", [*extra, *params]

    def _rows(self, sql: str, params: list, query: str | None) -> Iterator[dict]:
        try:
            cursor = self.conn.execute(sql, params)
            for row in cursor:
                yield dict(row)
        except sqlite3.OperationalError as error:
            if query and ("fts5" in str(error) or "syntax" in str(error)):
                raise _fts_error(error, query) from None
            raise

    def count(self, filters: Filters = Filters()) -> int:
        """How many articles match ``filters``."""
        sql, params = self._select("count(*) AS n", filters)
        return next(self._rows(sql, params, filters.query))["n"]

    def articles(self, filters: Filters = Filters(), *, limit: int | None = None) -> Iterator[dict]:
        """Stream matching articles (every column of ``articles``) in id order."""
        check_limit(limit)
        columns = ", ".join(f"a.{name}" for name in EXPORT_FIELDS)
        tail = " ORDER BY a.id" + (" LIMIT ?" if limit else "")
        sql, params = self._select(columns, filters, tail)
        if limit:
            params.append(limit)
        return self._rows(sql, params, filters.query)

    def first_with(self, field: str, filters: Filters = Filters()) -> int | None:
        """Id of the first matching article whose ``field`` (an article column, or ``duplicates``:
        has removed copies) has a value; None when no article has one."""
        if field == "duplicates":
            condition = "EXISTS (SELECT 1 FROM duplicates d WHERE d.duplicate_of = a.id)"
        elif field in EXPORT_FIELDS:
            condition = f"a.{field} IS NOT NULL"
        else:
            raise ValueError(f"unknown article field {field!r}")
        sql, params = self._select("a.id", filters)
        sql += (" AND " if " WHERE " in sql else " WHERE ") + condition + " ORDER BY a.id LIMIT 1"
        row = next(self._rows(sql, params, filters.query), None)
        return row["id"] if row else None

    def search(
        self,
        query: str,
        filters: Filters = Filters(),
        *,
        limit: int | None = 20,
        highlight: tuple[str, str] = ("**", "**"),
        snippet_tokens: int = 16,
    ) -> Iterator[dict]:
        """Rank articles matching the FTS5 ``query`` (bm25, title weighs double), best first.

        Each hit has ``id, url, title, language, published, site, rank`` and ``snippet``: a short
        passage of the title or text with every hit wrapped in ``highlight``.
        """
        check_limit(limit)
        filters = replace(filters, query=query)
        start, end = highlight
        columns = (
            "a.id, a.url, a.title, a.language, a.published, a.site, "
            "snippet(articles_fts, -1, ?, ?, '…', ?) AS snippet, bm25(articles_fts, 2.0, 1.0) AS rank"
        )
        tail = " ORDER BY rank" + (" LIMIT ?" if limit else "")
        sql, params = self._select(columns, filters, tail, extra=(start, end, snippet_tokens))
        if limit:
            params.append(limit)
        return self._rows(sql, params, query)

    def get(self, id_or_url: int | str) -> dict | None:
        """One article by id (an int or a string of digits) or by URL; None when absent."""
        key = str(id_or_url)
        column = "id" if key.isdigit() else "url"
        row = self.conn.execute(f"SELECT * FROM articles WHERE {column} = ?", (key,)).fetchone()
        return dict(row) if row else None

    # -- duplicates and translations -----------------------------------------------------------------
    def removed_copy(self, url: str) -> dict | None:
        """The ``duplicates`` row of a URL the crawl removed as a copy (None when it was not)."""
        row = self.conn.execute("SELECT * FROM duplicates WHERE url = ?", (url,)).fetchone()
        return dict(row) if row else None

    def duplicates_of(self, article_id: int) -> list[dict]:
        """The copies removed as duplicates of one article (exact, near, translation)."""
        rows = self.conn.execute(
            "SELECT url, kind, similarity, title, language, fetched_at FROM duplicates "
            "WHERE duplicate_of = ? ORDER BY kind, similarity DESC, url",
            (article_id,),
        )
        return [dict(row) for row in rows]

    def translations_of(self, article_id: int) -> list[dict]:
        """Kept articles linked to this one across languages, either way round.

        ``relation`` is ``translation_of`` when this article translates the other one, else
        ``translated_by``.
        """
        if "translations" not in self.tables:
            return []
        rows = self.conn.execute(
            "SELECT 'translation_of' AS relation, o.id, o.url, o.title, o.language, t.score, t.method "
            "FROM translations t JOIN articles o ON o.id = t.translation_of WHERE t.article = ? "
            "UNION ALL "
            "SELECT 'translated_by', o.id, o.url, o.title, o.language, t.score, t.method "
            "FROM translations t JOIN articles o ON o.id = t.article WHERE t.translation_of = ? "
            "ORDER BY 1, 2",
            (article_id, article_id),
        )
        return [dict(row) for row in rows]

    def clusters(self) -> Iterator[dict]:
        """Stream every article that has removed copies or translation links, with them.

        Each item: ``{"article": {id, url, title, language, published, site}, "duplicates": [...],
        "translations": [...]}``, in article id order.
        """
        ids_sql = "SELECT duplicate_of AS id FROM duplicates WHERE duplicate_of IS NOT NULL"
        if "translations" in self.tables:
            ids_sql += " UNION SELECT article FROM translations UNION SELECT translation_of FROM translations"
        cursor = self.conn.cursor()  # its own cursor: the per-article lookups below must not reset it
        for (article_id,) in cursor.execute(f"SELECT DISTINCT id FROM ({ids_sql}) ORDER BY id"):
            article = self.conn.execute(
                "SELECT id, url, title, language, published, site FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if article is None:
                continue
            yield {
                "article": dict(article),
                "duplicates": self.duplicates_of(article_id),
                "translations": self.translations_of(article_id),
            }

    def unresolved_duplicates(self) -> Iterator[dict]:
        """Removed copies whose kept article lives in another shard (``merge`` resolves them)."""
        rows = self.conn.execute(
            "SELECT url, duplicate_of_url, kind, similarity FROM duplicates WHERE duplicate_of IS NULL ORDER BY id"
        )
        return (dict(row) for row in rows)

    # -- stats ---------------------------------------------------------------------------------------
    def _grouped(self, sql: str) -> list[dict]:
        return [dict(row) for row in self.conn.execute(sql)]

    def stats(self) -> dict:
        """Counts by site, language and publication day, duplicates by kind, crawl runs and size."""
        size = sum(
            Path(f"{self.path}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{self.path}{suffix}").exists()
        )
        totals = self.conn.execute(
            "SELECT count(*) AS articles, coalesce(sum(length(text)), 0) AS characters FROM articles"
        ).fetchone()
        return {
            "corpus": {
                "path": str(self.path),
                "bytes": size,
                "articles": totals["articles"],
                "characters": totals["characters"],
                "duplicates": self.conn.execute("SELECT count(*) FROM duplicates").fetchone()[0],
                "unresolved_duplicates": self.conn.execute(
                    "SELECT count(*) FROM duplicates WHERE duplicate_of IS NULL"
                ).fetchone()[0],
                "translations": (
                    self.conn.execute("SELECT count(*) FROM translations").fetchone()[0]
                    if "translations" in self.tables
                    else 0
                ),
            },
            "by_site": self._grouped(
                "SELECT site, count(*) AS articles FROM articles GROUP BY site ORDER BY articles DESC, site"
            ),
            "by_language": self._grouped(
                "SELECT language, count(*) AS articles FROM articles GROUP BY language ORDER BY articles DESC, language"
            ),
            "by_day": self._grouped(
                "SELECT substr(published, 1, 10) AS day, count(*) AS articles FROM articles "
                "GROUP BY day ORDER BY day IS NULL, day"
            ),
            "duplicates_by_kind": self._grouped(
                "SELECT kind, count(*) AS duplicates FROM duplicates GROUP BY kind ORDER BY duplicates DESC, kind"
            ),
            "runs": [run_summary(row) for row in self.conn.execute("SELECT * FROM runs ORDER BY id")]
            if "runs" in self.tables
            else [],
        }


def run_summary(row: sqlite3.Row) -> dict:
    """One crawl run: when it started and finished, pages fetched, seconds taken and how it ended (from its
    stats)."""
    try:
        stats = json.loads(row["stats"] or "{}")
    except ValueError:
        stats = {}
    stats = stats if isinstance(stats, dict) else {}
    numbers = runstats.counts(stats)  # the crawl log's and the demo's definitions
    seconds = stats.get("elapsed_time_seconds")
    if not isinstance(seconds, (int, float)) and row["started_at"] and row["finished_at"]:
        try:
            seconds = (
                datetime.fromisoformat(row["finished_at"]) - datetime.fromisoformat(row["started_at"])
            ).total_seconds()
        except ValueError:
            seconds = None
    return {
        "id": row["id"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "pages": numbers["pages fetched"],
        "items": stats.get("item_scraped_count"),
        "stored": numbers["stored"],
        "duplicates": numbers["duplicates"],
        "errors": numbers["errors"],
        "seconds": round(seconds, 1) if isinstance(seconds, (int, float)) else None,
        "ended": stats.get("finish_reason"),  # "finished"; "corpus_write_failed" when a write was refused
        "stats": stats,
    }
