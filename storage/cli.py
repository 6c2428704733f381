"""The ``deepseek-news`` command: search, show, export, stats and merge over a corpus file; ``crawl`` runs
the crawler (crawler/launch.py).

A thin layer over ``storage.query``, ``storage.export`` and ``storage.merge``. Every subcommand takes
``--db PATH`` (default ``data/deepseek_news.db``, where the crawler writes). Bad input ends with one
line on stderr and exit status 1 (2 for a bad command line), never a traceback, and a read never
creates or changes a file.

The modules behind the commands are imported when a command runs, not with this module: the extraction
workers of ``ingest`` and ``reextract`` (forkserver processes) import the main module again, which is
this one, and need none of them (sqlite-utils, the queries, the export: about 4 MB each).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
from typing import IO, Sequence

PROG = "deepseek-news"
DEFAULT_DB = "data/deepseek_news.db"
ANSI_BOLD, ANSI_RESET = "\x1b[1m", "\x1b[0m"


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line (no usage dump) and exits 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"corpus file (default: {DEFAULT_DB})")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang", metavar="CODE", help="only articles in this language (ISO 639-1: de, en, vi; und: not known)"
    )
    parser.add_argument("--site", metavar="DOMAIN", help="only articles from this site")
    parser.add_argument("--since", metavar="DATE", help="published on or after DATE (YYYY-MM-DD)")
    parser.add_argument("--until", metavar="DATE", help="published on or before DATE (YYYY-MM-DD, inclusive)")


def build_parser() -> argparse.ArgumentParser:
    from storage.export import FORMATS

    parser = OneLineParser(prog=PROG, description="Search, show, export and merge a deepseek_news corpus.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser, required=True)

    search = commands.add_parser("search", help="full-text search, best matches first, with highlighted snippets")
    search.add_argument("query", metavar="QUERY", help='FTS5 query: words, "a phrase", AND/OR/NOT, prefix*, title:word')
    _add_filters(search)
    search.add_argument("--limit", type=int, default=20, help="at most this many results; 0 for all (default 20)")
    search.add_argument("--quote", action="store_true", help="search the words literally, ignoring FTS5 syntax")
    search.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    _add_db(search)

    show = commands.add_parser("show", help="one article: metadata, removed duplicate copies, translations")
    show.add_argument("article", metavar="ID|URL", help="article id or URL")
    show.add_argument("--text", action="store_true", help="print the article text too")
    show.add_argument("--json", action="store_true", help="print JSON (text included)")
    _add_db(show)

    exporter = commands.add_parser("export", help="write articles as JSON Lines, CSV or Parquet")
    exporter.add_argument("--format", default="jsonl", help=f"one of {', '.join(FORMATS)} (default jsonl)")
    exporter.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE (default: stdout; required for parquet)"
    )
    exporter.add_argument("--query", "-q", metavar="QUERY", help="only articles matching this FTS5 query")
    _add_filters(exporter)
    exporter.add_argument(
        "--with-duplicates", action="store_true", help="add the URLs of each article's removed copies"
    )
    _add_db(exporter)

    stats = commands.add_parser("stats", help="articles by site, language and day, duplicates, crawl runs, size")
    stats.add_argument("--json", action="store_true", help="print JSON")
    _add_db(stats)

    merge = commands.add_parser("merge", help="combine corpus shards from several crawler processes into one")
    merge.add_argument("shards", nargs="+", metavar="SHARD", help="corpus files written by the crawler processes")
    merge.add_argument(
        "--into",
        "--db",
        dest="into",
        required=True,
        metavar="PATH",
        help="the merged corpus, created when missing (--db is another name for it)",
    )
    add_more_commands(commands)

    from archive.cli import add_commands  # reextract and ingest: the WARC archive (archive/)

    add_commands(commands, _add_db, _add_filters)
    return parser


def add_more_commands(commands) -> None:
    """The subcommands beyond the corpus queries: the crawl itself (crawler/launch.py), Datasette
    (storage/browse.py) and the HTML report (storage/report.py)."""
    crawl = commands.add_parser(
        "crawl",
        help="crawl into the corpus, from any directory: deepseek-news crawl "
        "[--db PATH] [scrapy crawl arguments: -a start_urls=..., -s NAME=VALUE]",
    )
    _add_db(crawl)

    browse = commands.add_parser(
        "browse", help="open the corpus in Datasette (search, facets, stored queries) on 127.0.0.1"
    )
    browse.add_argument("--port", type=int, default=8001, help="port to serve on (default 8001)")
    _add_db(browse)

    report = commands.add_parser(
        "report",
        help="write one self-contained HTML page about the corpus: articles "
        "per day by language, sites, duplicates, translations, runs",
    )
    report.add_argument(
        "--output", "-o", default="report.html", metavar="FILE", help="the HTML file to write (default: report.html)"
    )
    _add_db(report)


def cmd_report(args: argparse.Namespace, out: IO[str]) -> int:
    from storage.report import write_report

    written = write_report(args.db, args.output)
    sys.stderr.write(f"wrote {written}\n")
    return 0


def cmd_browse(args: argparse.Namespace, out: IO[str]) -> int:
    from storage.browse import browse

    return browse(args.db, port=args.port)


# -- output helpers ----------------------------------------------------------------------------------
def _fit(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _table(rows: list[dict], columns: list[str], out: IO[str]) -> None:
    widths = {
        name: max([len(name)] + [len(str(row.get(name) if row.get(name) is not None else "")) for row in rows])
        for name in columns
    }
    out.write("  ".join(name.ljust(widths[name]) for name in columns).rstrip() + "\n")
    for row in rows:
        cells = [str(row.get(name) if row.get(name) is not None else "").ljust(widths[name]) for name in columns]
        out.write("  ".join(cells).rstrip() + "\n")


def a_or_an(word: str | None) -> str:
    return "an" if (word or "x")[0].lower() in "aeiou" else "a"


def _filters(args: argparse.Namespace, query: str | None = None):
    from storage.query import Filters

    return Filters(language=args.lang, site=args.site, since=args.since, until=args.until, query=query)


# -- commands ----------------------------------------------------------------------------------------
def cmd_search(args: argparse.Namespace, out: IO[str]) -> int:
    from storage.corpus import CorpusError
    from storage.query import Corpus, quote_fts

    query = quote_fts(args.query) if args.quote else args.query
    if not query.strip():
        raise CorpusError("the search query is empty")
    if args.limit < 0:
        raise CorpusError("--limit must be 0 (all) or more")
    tty = out.isatty()
    highlight = (ANSI_BOLD, ANSI_RESET) if tty and not args.json else ("**", "**")
    with Corpus(args.db) as corpus:
        corpus.check_query(query)
        hits = corpus.search(query, _filters(args), limit=args.limit or None, highlight=highlight)
        if args.json:
            out.write("[")
            for number, hit in enumerate(hits):
                out.write(("," if number else "") + "\n  " + json.dumps(hit, ensure_ascii=False))
            out.write("\n]\n")
            return 0
        width = shutil.get_terminal_size((120, 24)).columns if tty else 120
        found = 0
        for hit in hits:
            if not found:  # labels over the first line of each hit; `show ID` takes the id
                out.write(f"{'id':>6}  {'published':<10}  {'lang':<4} {'site':<24}  title\n")
            found += 1
            day = (hit["published"] or "")[:10] or "-"
            out.write(
                f"{hit['id']:>6}  {day:<10}  {hit['language'] or '-':<4} {_fit(hit['site'], 24):<24}  "
                f"{_fit(hit['title'], max(width - 52, 20))}\n"
            )
            out.write(f"        {' '.join((hit['snippet'] or '').split())}\n")
            out.write(f"        {hit['url']}\n")
        if not found:
            out.write("no articles match\n")
    return 0


def cmd_show(args: argparse.Namespace, out: IO[str]) -> int:
    from storage.corpus import CorpusError
    from storage.query import Corpus

    with Corpus(args.db) as corpus:
        article = corpus.get(args.article)
        copy = None if article else corpus.removed_copy(args.article)
        if copy and copy["duplicate_of"] is not None:
            article = corpus.get(copy["duplicate_of"])
        removed = copy and f"{args.article} was removed as {a_or_an(copy['kind'])} {copy['kind']} duplicate of"
        if article is None and copy:
            raise CorpusError(f"{removed} {copy['duplicate_of_url']}, which another shard kept (merge the shards)")
        if article is None:
            raise CorpusError(f"no article {args.article!r} in {args.db}")
        if copy:
            sys.stderr.write(f"{removed} article {article['id']}; showing that article\n")
        copies = corpus.duplicates_of(article["id"])
        translations = corpus.translations_of(article["id"])
    if args.json:
        json.dump({**article, "duplicates": copies, "translations": translations}, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    for name, value in article.items():
        if name != "text":
            out.write(f"{name + ':':<13} {value if value is not None else ''}\n")
    out.write(f"{'length:':<13} {len(article['text'] or '')} characters\n")
    out.write(f"\nremoved duplicate copies ({len(copies)}):\n")
    if copies:
        _table(
            [
                {**copy, "similarity": f"{copy['similarity']:.2f}" if copy["similarity"] is not None else ""}
                for copy in copies
            ],
            ["kind", "similarity", "language", "url"],
            out,
        )
    out.write(f"\ntranslations ({len(translations)}):\n")
    if translations:
        _table(translations, ["relation", "id", "language", "url"], out)
    if args.text:
        out.write(f"\n{article['text'] or ''}\n")
    return 0


def cmd_export(args: argparse.Namespace, out: IO[str]) -> int:
    from storage.corpus import CorpusError
    from storage.export import FORMATS, export
    from storage.query import Corpus

    if args.format not in FORMATS:
        raise CorpusError(f"unknown format {args.format!r} (choose from {', '.join(FORMATS)})")
    progress = sys.stderr if sys.stderr.isatty() else None
    with Corpus(args.db) as corpus:
        count = export(
            corpus,
            args.format,
            args.output,
            _filters(args, args.query),
            with_duplicates=args.with_duplicates,
            stdout=out,
            progress=progress,
        )
    if args.output:
        sys.stderr.write(f"exported {count} article{'s' if count != 1 else ''} to {args.output}\n")
    return 0


def cmd_stats(args: argparse.Namespace, out: IO[str]) -> int:
    from storage.query import Corpus

    with Corpus(args.db) as corpus:
        stats = corpus.stats()
    if args.json:
        json.dump(stats, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    totals = stats["corpus"]
    out.write(
        f"corpus: {totals['path']}, {totals['bytes'] / 1e6:.1f} MB, {totals['articles']} articles, "
        f"{totals['characters']:,} characters, {totals['duplicates']} duplicates removed "
        f"({totals['unresolved_duplicates']} kept in another shard), {totals['translations']} translation links\n"
    )
    sections = [
        ("articles by site", stats["by_site"], ["site", "articles"]),
        ("articles by language", stats["by_language"], ["language", "articles"]),
        ("articles by day published", stats["by_day"], ["day", "articles"]),
        ("duplicates removed by kind", stats["duplicates_by_kind"], ["kind", "duplicates"]),
        (
            "crawl runs",
            stats["runs"],
            ["id", "started_at", "finished_at", "pages", "stored", "duplicates", "errors", "seconds", "ended"],
        ),
    ]
    for title, rows, columns in sections:
        out.write(f"\n{title}:\n")
        if rows:
            _table(rows, columns, out)
        else:
            out.write("(none)\n")
    return 0


def cmd_merge(args: argparse.Namespace, out: IO[str]) -> int:
    from storage.merge import merge_shards

    report = merge_shards(args.shards, args.into, progress=sys.stderr if sys.stderr.isatty() else None)
    out.write(
        f"merged {report.shards} shards into {args.into}: {report.articles} articles added, "
        f"{report.same_url} already there by URL, {report.same_content} exact and {report.near} near copies "
        f"of a merged article (kept as duplicates), {report.duplicates} removed copies carried over, "
        f"{report.unresolved} still unresolved, {report.translations} translation links, {report.runs} runs\n"
    )
    if report.near_check != "on":
        sys.stderr.write(f"{PROG} merge: near-duplicate check {report.near_check}\n")
    return 0


COMMANDS = {
    "search": cmd_search,
    "show": cmd_show,
    "export": cmd_export,
    "stats": cmd_stats,
    "merge": cmd_merge,
    "browse": cmd_browse,
    "report": cmd_report,
}
TEXT_ARGUMENTS = {
    "query": "the query",
    "article": "ID|URL",
    "lang": "--lang",
    "site": "--site",
    "since": "--since",
    "until": "--until",
    "format": "--format",
}  # paths may be any bytes


def not_text(args: argparse.Namespace) -> str | None:
    """The first argument that is not valid text (bytes that are not UTF-8 arrive as lone surrogates)."""
    for name, label in TEXT_ARGUMENTS.items():
        value = getattr(args, name, None)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return label
    return None


def _silence_stdout() -> None:
    """Send what is left in stdout's buffer nowhere, so the exit does not fail on it a second time."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def cmd_archive(args: argparse.Namespace, out: IO[str]) -> int:
    from archive.cli import run

    return run(args, out)


COMMANDS.update(reextract=cmd_archive, ingest=cmd_archive)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["crawl"]:  # every argument is Scrapy's: none is parsed here
        from crawler.launch import crawl

        return crawl(argv[1:])
    from storage.corpus import CorpusError, failure_cause

    args = build_parser().parse_args(argv)
    bad = not_text(args)
    if bad:
        sys.stderr.write(f"{PROG} {args.command}: error: {bad} is not valid UTF-8 text\n")
        return 2
    out = sys.stdout
    try:
        out.reconfigure(encoding="utf-8", errors="surrogateescape")  # a path's bytes, printed as they are
    except (AttributeError, ValueError, OSError):
        pass  # not a plain text stream (a test's capture, a pipe wrapper): leave it as it is
    try:
        status = COMMANDS[args.command](args, out)
        out.flush()  # a full disk or a closed pipe is reported here, not in the interpreter's exit
        return status
    except CorpusError as error:
        sys.stderr.write(f"{PROG} {args.command}: error: {error}\n")
        return 1
    except sqlite3.Error as error:
        if args.command == "merge":  # the one command that writes a corpus: say why the write failed
            message = f"cannot write {args.into}: {failure_cause(error, args.into)} ({error})"
        else:
            message = f"{args.db}: {error}"
        sys.stderr.write(f"{PROG} {args.command}: error: {message}\n")
        return 1
    except BrokenPipeError:  # e.g. `deepseek-news export | head`: stop quietly
        _silence_stdout()
        return 0
    except OSError as error:  # e.g. `deepseek-news export > /dev/full`
        sys.stderr.write(f"{PROG} {args.command}: error: cannot write the output: {error.strerror or error}\n")
        if out is sys.stdout:
            _silence_stdout()
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG} {args.command}: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
