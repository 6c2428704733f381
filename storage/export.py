"""Exporting articles for other projects: JSON Lines, CSV and Parquet, streamed row by row.

JSON Lines loads as is with ``datasets.load_dataset("json", data_files=...)`` (see ``typed_first``
for why a few records may come before the id order) and ``pandas.read_json(..., lines=True)``; Parquet (pyarrow, the optional extra ``parquet``) with
``pyarrow.parquet.read_table`` / ``pandas.read_parquet``. Every record has the article columns
(``id, url, title, text, language, published, author, site, site_name, description, source,
fetched_at, content_hash``) and, with ``with_duplicates``, ``duplicates``: the URLs of the copies the
crawl removed as duplicates of it.

Nothing is written but the output asked for: a bad format, query or path fails before the output is
opened, and an export that fails half-way removes the file it created.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import IO, Iterable, Iterator

from storage.corpus import CorpusError
from storage.query import EXPORT_FIELDS, Corpus, Filters

FORMATS = ("jsonl", "csv", "parquet")
PARQUET_BATCH_ROWS = 1000


class ExportError(CorpusError):
    """An export that cannot be done: unknown format, unwritable output, pyarrow missing."""


def records(corpus: Corpus, filters: Filters = Filters(), *, with_duplicates: bool = False) -> Iterator[dict]:
    """Stream the export records: the article columns, plus ``duplicates`` (URLs) when asked."""
    for article in corpus.articles(filters):
        if with_duplicates:
            article["duplicates"] = [copy["url"] for copy in corpus.duplicates_of(article["id"])]
        yield article


def typed_first(corpus: Corpus, filters: Filters = Filters(), *, with_duplicates: bool = False) -> Iterator[dict]:
    """The export records for JSON Lines: id order, except that the first records are, for each field,
    the first article where it has a value (usually the first records anyway).

    Loaders that guess column types from the first block of a file (as Hugging Face ``datasets`` does)
    would otherwise type a field that is empty in the first thousands of articles (an
    ``author`` or ``description`` a later crawl started to fill, ``duplicates`` lists) as null and
    fail on the first value further down.
    """
    fields = list(EXPORT_FIELDS) + (["duplicates"] if with_duplicates else [])
    first_ids = sorted({article_id for article_id in (corpus.first_with(f, filters) for f in fields) if article_id})
    for article_id in first_ids:
        article = corpus.get(article_id)
        record = {name: article[name] for name in EXPORT_FIELDS}
        if with_duplicates:
            record["duplicates"] = [copy["url"] for copy in corpus.duplicates_of(article_id)]
        yield record
    hoisted = set(first_ids)
    for record in records(corpus, filters, with_duplicates=with_duplicates):
        if record["id"] not in hoisted:
            yield record


def write_jsonl(rows: Iterable[dict], stream: IO[str]) -> int:
    count = 0
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict], stream: IO[str], fields: list[str]) -> int:
    """CSV with a header row; ``duplicates`` becomes one space-separated string of URLs."""
    writer = csv.DictWriter(stream, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        if "duplicates" in row:
            row = {**row, "duplicates": " ".join(row["duplicates"])}
        writer.writerow(row)
        count += 1
    return count


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ExportError(
            "parquet export needs pyarrow: pip install 'deepseek-news[parquet]' (or pip install pyarrow)"
        ) from None
    return pyarrow


def parquet_schema(fields: list[str]):
    pa = _pyarrow()
    types = {"id": pa.int64(), "duplicates": pa.list_(pa.string())}
    return pa.schema([(name, types.get(name, pa.string())) for name in fields])


def write_parquet(rows: Iterable[dict], path: str | os.PathLike, fields: list[str]) -> int:
    """Parquet written in row groups of PARQUET_BATCH_ROWS, so memory stays flat."""
    pa = _pyarrow()
    schema = parquet_schema(fields)
    count = 0
    with pa.parquet.ParquetWriter(str(path), schema) as writer:
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= PARQUET_BATCH_ROWS:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


class Progress:
    """A one-line progress bar on a terminal stream, redrawn when the percentage changes."""

    def __init__(self, total: int, stream: IO[str], label: str = "exporting", width: int = 30):
        self.total, self.stream, self.label, self.width = total, stream, label, width
        self.done = 0
        self.shown = -1

    def advance(self, rows: Iterable[dict]) -> Iterator[dict]:
        for row in rows:
            yield row
            self.done += 1
            self.draw()
        self.draw(final=True)

    def draw(self, final: bool = False) -> None:
        percent = 100 if not self.total else min(100, self.done * 100 // self.total)
        if percent == self.shown and not final:
            return
        self.shown = percent
        filled = self.width * percent // 100
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {self.done:,}/{self.total:,}")
        if final:
            self.stream.write("\n")
        self.stream.flush()


def _is_same_file(output: Path, corpus_path: Path) -> bool:
    for suffix in ("", "-wal", "-shm"):
        target = Path(f"{corpus_path}{suffix}")
        if output.resolve() == target.resolve():
            return True
        if output.exists() and target.exists() and os.path.samefile(output, target):
            return True
    return False


def export(
    corpus: Corpus,
    fmt: str,
    output: str | os.PathLike | None = None,
    filters: Filters = Filters(),
    *,
    with_duplicates: bool = False,
    stdout: IO[str] | None = None,
    progress: IO[str] | None = None,
) -> int:
    """Write the matching articles as ``fmt`` to ``output`` (or ``stdout`` for jsonl/csv); return the count.

    ``progress``: a stream to draw a progress bar on (the CLI passes stderr when it is a terminal).
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt == "parquet":
        _pyarrow()
        if output is None:
            raise ExportError("parquet is a binary format: give --output FILE")
    if filters.query:
        corpus.check_query(filters.query)
    fields = list(EXPORT_FIELDS) + (["duplicates"] if with_duplicates else [])
    if fmt == "jsonl":
        rows = typed_first(corpus, filters, with_duplicates=with_duplicates)
    else:
        rows = records(corpus, filters, with_duplicates=with_duplicates)
    if progress is not None:
        rows = Progress(corpus.count(filters), progress).advance(rows)

    if output is None:
        stream = stdout or sys.stdout
        return write_jsonl(rows, stream) if fmt == "jsonl" else write_csv(rows, stream, fields)

    path = Path(output)
    if _is_same_file(path, corpus.path):
        raise ExportError(f"refusing to export over the corpus itself ({path})")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    existed = path.exists()
    try:
        if fmt == "parquet":
            with open(path, "wb"):  # fail on an unwritable path before pyarrow does, with a plain message
                pass
            return write_parquet(rows, path, fields)
        with open(path, "w", encoding="utf-8", newline="") as stream:
            return write_jsonl(rows, stream) if fmt == "jsonl" else write_csv(rows, stream, fields)
    except BaseException as error:
        if not existed:
            path.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise ExportError(f"cannot write {path}: {error.strerror or error}") from None
        raise
