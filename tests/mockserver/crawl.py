"""Run the real crawler (`python -m scrapy crawl deepseek_news`) against the fixture news web and read
the corpus it wrote. Used by tests/test_crawl_e2e.py and by `python -m tests.mockserver --demo`.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from tests.mockserver import manifest
from tests.mockserver.process import REPO_ROOT

# Settings for a fast local crawl: the fixture server needs no politeness delay.
FAST_SETTINGS = ("AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0", "LOG_LEVEL=INFO")


@dataclass
class CrawlRun:
    command: list[str]
    returncode: int | None
    timed_out: bool
    output: str = ""  # stdout and stderr of the crawl, last part only

    def describe(self) -> str:
        status = "timed out" if self.timed_out else f"exit code {self.returncode}"
        return f"crawl {status}; last output:\n{self.output[-4000:]}"


def crawl_command(bases: Mapping[str, str], db_path: Path | str, settings: Sequence[str] = FAST_SETTINGS) -> list[str]:
    return command_for(manifest.start_urls(bases), db_path, settings)


def command_for(
    start_urls: Sequence[str], db_path: Path | str, settings: Sequence[str] = FAST_SETTINGS, **spider_args: str
) -> list[str]:
    """`scrapy crawl deepseek_news` of `start_urls` into `db_path`, with `settings` ("NAME=VALUE") and
    spider arguments (`keywords=""`: no topic filter)."""
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "deepseek_news",
        "-a",
        "start_urls=" + ",".join(start_urls),
        "-s",
        f"CORPUS_DB={db_path}",
    ]
    for name, value in spider_args.items():
        command += ["-a", f"{name}={value}"]
    for setting in settings:
        command += ["-s", setting]
    return command


def run_crawl(
    bases: Mapping[str, str],
    db_path: Path | str,
    *,
    timeout: float | None = 120,
    settings: Sequence[str] = FAST_SETTINGS,
    echo: bool = False,
) -> CrawlRun:
    """Crawl the fixture web into `db_path` with cwd = repo root; never raises on crawl failure."""
    return crawl_start_urls(manifest.start_urls(bases), db_path, timeout=timeout, settings=settings, echo=echo)


def crawl_start_urls(
    start_urls: Sequence[str],
    db_path: Path | str,
    *,
    timeout: float | None = 120,
    settings: Sequence[str] = FAST_SETTINGS,
    echo: bool = False,
) -> CrawlRun:
    """Crawl `start_urls` into `db_path` with cwd = repo root; never raises on crawl failure."""
    command = command_for(start_urls, db_path, settings)
    try:
        done = subprocess.run(
            command,
            cwd=REPO_ROOT,
            timeout=timeout,
            text=True,
            errors="replace",
            stdout=None if echo else subprocess.PIPE,
            stderr=None if echo else subprocess.STDOUT,
        )
        return CrawlRun(command, done.returncode, False, done.stdout or "")
    except subprocess.TimeoutExpired as expired:
        output = expired.output or ""
        if isinstance(output, bytes):
            output = output.decode("utf-8", "replace")
        return CrawlRun(command, None, True, output)


@dataclass
class Corpus:
    """The rows of the tables the end-to-end tests look at (empty lists for missing tables)."""

    articles: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)


def read_corpus(db_path: Path | str) -> Corpus:
    corpus = Corpus()
    if not Path(db_path).exists():
        corpus.missing_tables = ["articles", "duplicates", "pages"]
        return corpus
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        for table in ("articles", "duplicates", "pages"):
            try:
                rows = connection.execute(f"SELECT * FROM {table}").fetchall()  # table names are constants
            except sqlite3.OperationalError:
                corpus.missing_tables.append(table)
                continue
            setattr(corpus, table, [dict(row) for row in rows])
    finally:
        connection.close()
    return corpus
