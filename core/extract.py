"""Article extraction entry point: `extract_page` for the crawler, and a CLI to see its output.

    python -m core.extract PATH... [--url URL] [--json]

Each PATH is an HTML file or a directory of *.html files. For each page it prints the title, date,
author, language, page kind (article or not, and why) and URL, then the text the crawler would store;
with --json one JSON object per page instead (path, url, title, text — null when the page holds no
article —, published, language and the other keys of extract_page; block_hashes only with
--block-hashes). Without --url the page's <link rel=canonical> or og:url stands in for the URL when
judging its shape; a page with neither is judged without one, and the output says so. Same code path
as the crawler. Exit status 1 when a PATH could not be read (the others are still printed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from core.extraction import DEFAULT_OPTIONS, RESULT_KEYS, ExtractOptions, extract_page

__all__ = ["DEFAULT_OPTIONS", "RESULT_KEYS", "ExtractOptions", "extract_page", "main"]


def iter_html_files(paths: list[str]):
    """Yield (path, error) for every HTML file named or inside a named directory."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.glob("*.html")):
                yield child, None
        elif path.is_file():
            yield path, None
        else:
            yield path, "no such file or directory"


def readable(path: Path, result: dict, url_given: bool) -> str:
    """One page as a person reads it: the metadata lines, a blank line, then the text."""
    if url_given:
        url = result.get("url") or ""
    elif result.get("canonical_url"):
        url = f"{result['canonical_url']} (from the page's rel=canonical or og:url)"
    else:
        url = "none in the page (give --url: the page kind was judged without the URL's shape)"
    kind = "article" if result.get("is_article") else "not an article"
    if result.get("reason"):
        kind += f" ({result['reason']})"
    lines = [f"== {path}"]
    for label, value in (
        ("title", result.get("title")),
        ("date", result.get("published")),
        ("author", result.get("author")),
        ("language", result.get("language")),
        ("page kind", kind),
        ("url", url),
        ("site name", result.get("site_name")),
        ("source", result.get("source")),
    ):
        lines.append(f"{label + ':':<11}{value if value else '-'}")
    text = result.get("text")
    lines += ["", text if text else "(no article text)", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m core.extract", description="Print what the crawler would store for HTML pages."
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="HTML file or directory of *.html")
    parser.add_argument("--url", help="URL of the page (only with a single file)")
    parser.add_argument("--keep-captions", action="store_true", help="keep photo captions in text")
    parser.add_argument("--json", action="store_true", help="one JSON object per page instead of text")
    parser.add_argument(
        "--block-hashes", action="store_true", help="include block_hashes (what SiteChrome learns from; with --json)"
    )
    args = parser.parse_args(argv)
    try:
        sys.stdout.reconfigure(encoding="utf-8")
    except (AttributeError, ValueError, OSError):
        pass  # not a plain text stream: leave it as it is
    options = ExtractOptions(keep_captions=args.keep_captions)
    failures = 0
    for path, error in iter_html_files(args.paths):
        if error is None:
            try:
                body = path.read_bytes()
            except OSError as exc:
                error = exc.strerror or str(exc)
        if error is not None:
            print(f"error: {path}: {error}", file=sys.stderr)
            failures += 1
            continue
        result = extract_page(body, args.url, options=options)
        if not args.block_hashes:
            result.pop("block_hashes")
        if args.json:
            print(json.dumps({"path": str(path), **result}, ensure_ascii=False))
        else:
            print(readable(path, result, args.url is not None))
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `python -m core.extract PAGE.html | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
