"""The ``deepseek-news reextract`` and ``deepseek-news ingest`` subcommands (wired into storage.cli)."""

from __future__ import annotations

import argparse
import sys
from typing import IO

from core.seeds import split_argument


def add_commands(commands, add_db, add_filters) -> None:
    reextract = commands.add_parser(
        "reextract", help="rebuild a corpus from its archived pages (WARC): extraction, topic filter, dedup again"
    )
    reextract.add_argument("--into", required=True, metavar="NEW.db", help="the new corpus (must not exist)")
    reextract.add_argument("--workers", type=int, default=None, help="extraction processes (default: one per core)")
    reextract.add_argument(
        "--keywords",
        metavar="TERM[,TERM...]",
        help="topic terms (default: those of the old corpus's last run; empty: no topic filter)",
    )
    add_db(reextract)

    ingest = commands.add_parser("ingest", help="read WARC files (e.g. CC-NEWS) into the corpus, resumably")
    ingest.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="WARC files (.warc.gz): paths, globs ('crawl/*.warc.gz'), @LIST (a file of paths)",
    )
    add_filters(ingest)
    ingest.add_argument("--workers", type=int, default=None, help="extraction processes (default: one per core)")
    ingest.add_argument(
        "--keywords", metavar="TERM[,TERM...]", help="topic terms (default: the seeds'; empty: no topic filter)"
    )
    ingest.add_argument(
        "--redis",
        metavar="URL",
        help="share the file queue and the dedup index with other ingest processes (one --db each)",
    )
    add_db(ingest)


def run(args: argparse.Namespace, out: IO[str]) -> int:
    keywords = split_argument(args.keywords) if args.keywords is not None else None
    if args.command == "reextract":
        from archive.rebuild import reextract

        changes = reextract(args.db, args.into, workers=args.workers, keywords=keywords)
        for line in changes.lines():
            out.write(line + "\n")
        return 0
    from archive.ingest import IngestFilters, ingest

    filters = IngestFilters(since=args.since, until=args.until, language=args.lang, site=args.site)
    report = ingest(
        args.files,
        args.db,
        filters=filters,
        workers=args.workers,
        keywords=keywords,
        redis_url=args.redis,
        progress=sys.stderr,
    )
    out.write(report.summary() + "\n")
    return 0
