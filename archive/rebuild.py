"""``deepseek-news reextract``: a new corpus rebuilt from the pages an old one archived as WARC, through
the crawl's pipeline (archive.offline), without the network, and what changed between the two.

The pages are judged in the order the old corpus archived them (the order they were fetched), with
the topic terms of its last run, so an unchanged extractor gives the same articles; an improved one
reaches the corpus this way.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

from archive.offline import OfflinePipeline, page_item
from archive.warc import archived_page, parse_record, read_members
from core.seeds import DEFAULT_SEEDS, load_seeds
from storage.corpus import CorpusError, open_database

EXAMPLES = 3


@dataclass
class Changes:
    """Articles of the new corpus against the old one, by URL."""

    old: int = 0
    new: int = 0
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[tuple[dict, dict]] = field(default_factory=list)
    pages: int = 0
    unreadable: int = 0

    def lines(self) -> Iterator[str]:
        yield (
            f"{self.pages} archived pages judged again ({self.unreadable} unreadable): {self.old} articles before, "
            f"{self.new} now; {len(self.added)} added, {len(self.removed)} removed, "
            f"{len(self.changed)} with changed text"
        )
        for title, rows in (("added", self.added), ("removed", self.removed)):
            for row in rows[:EXAMPLES]:
                yield f"  {title}: {row['url']}  {row['title'] or ''}"
        for old, new in self.changed[:EXAMPLES]:
            yield (
                f"  changed: {new['url']}  {len(old['text'] or '')} -> {len(new['text'] or '')} characters; "
                f"first difference: {first_difference(old['text'] or '', new['text'] or '')}"
            )


def first_difference(old: str, new: str, width: int = 60) -> str:
    at = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    start = max(0, at - 10)
    return f"{old[start : start + width]!r} -> {new[start : start + width]!r}"


def last_keywords(db) -> tuple[str, ...] | None:
    row = db.execute("SELECT args FROM runs WHERE args LIKE '%keywords%' ORDER BY id DESC LIMIT 1").fetchone()
    if not row:
        return None
    keywords = json.loads(row[0]).get("keywords")
    return tuple(keywords) if keywords is not None else None


def archived_rows(db) -> list[dict]:
    try:
        cursor = db.execute("SELECT url, warc_file, warc_offset, warc_date, hints, aliases FROM archive ORDER BY rowid")
    except sqlite3.OperationalError:
        raise CorpusError(
            "the corpus has no WARC archive (crawled before archiving, or with WARC_ENABLED=False)"
        ) from None
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def reextract(
    old_db: str, into: str, *, workers: int | None = None, keywords=None, log: IO[str] | None = None
) -> Changes:
    """Rebuild ``old_db``'s articles from its WARC archive into the new corpus ``into``."""
    if Path(into).resolve() == Path(old_db).resolve():
        raise CorpusError("--into must be a new corpus file, not the one being rebuilt")
    if Path(into).exists():
        raise CorpusError(f"{into} exists already; reextract writes a new corpus")
    old = open_database(old_db)
    try:
        rows = archived_rows(old.conn)
        if not rows:
            raise CorpusError("the corpus has no archived pages (a merged corpus keeps none: rebuild its shards)")
        if keywords is None:
            keywords = last_keywords(old.conn)
        if keywords is None:
            keywords = load_seeds(DEFAULT_SEEDS).keywords
        base = Path(old_db).resolve().parent
        log = log or sys.stderr
        changes = Changes(pages=len(rows))
        pipeline = OfflinePipeline(
            into, keywords, workers=workers, run_args={"reextract": str(old_db), "keywords": list(keywords)}
        )
        try:
            asyncio.run(pipeline.judge(entries(rows, base, changes, log), lambda tag, result: None))
        finally:
            pipeline.close()
        compare(old.conn, open_database(into).conn, changes)
    finally:
        old.conn.close()
    return changes


def entries(rows: list[dict], base: Path, changes: Changes, log: IO[str]):
    for row in rows:
        path = base / row["warc_file"]
        try:
            member = next(read_members(path, row["warc_offset"]))
            if member.error:
                raise ValueError(member.error)
            page = archived_page(parse_record(member.data))
        except (OSError, ValueError, StopIteration) as error:  # BadRecord is a ValueError
            changes.unreadable += 1
            log.write(f"reextract: skipped {row['url']}: {path}@{row['warc_offset']}: {error}\n")
            continue
        if isinstance(page, str):
            changes.unreadable += 1
            log.write(f"reextract: skipped {row['url']}: {path}@{row['warc_offset']}: {page}\n")
            continue
        yield (
            row["url"],
            page_item(
                row["url"],
                page.body,
                page.content_type,
                row["warc_date"][:19] + "+00:00",
                via="warc",
                hints=row["hints"],
                aliases=row["aliases"],
            ),
        )


def compare(old, new, changes: Changes) -> None:
    def articles(conn):
        cursor = conn.execute("SELECT url, title, text FROM articles ORDER BY id")
        return {url: {"url": url, "title": title, "text": text} for url, title, text in cursor}

    before, after = articles(old), articles(new)
    new.close()
    changes.old, changes.new = len(before), len(after)
    changes.added = [row for url, row in after.items() if url not in before]
    changes.removed = [row for url, row in before.items() if url not in after]
    changes.changed = [
        (before[url], row) for url, row in after.items() if url in before and before[url]["text"] != row["text"]
    ]
