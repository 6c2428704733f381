"""Article extraction entry point: `extract_page` for the crawler, and a CLI to see its output.

    python -m crawler.extract PATH...

Each PATH is an HTML file or a directory of *.html files. Prints one JSON object per page
(path, url, title, text — null when the page holds no article —, published, language and the
other keys of extract_page; block_fingerprints only with --fingerprints). Without --url the
page's <link rel=canonical> or og:url stands in for the URL when judging its shape. Same code
path as the crawler. Exit status 1 when a PATH could not be read (the others are still printed).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crawler.extraction import DEFAULT_OPTIONS, RESULT_KEYS, ExtractOptions, extract_page

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.extract",
                                     description="Print what the crawler would store for HTML pages.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="HTML file or directory of *.html")
    parser.add_argument("--url", help="URL of the page (only with a single file)")
    parser.add_argument("--keep-captions", action="store_true", help="keep photo captions in text")
    parser.add_argument("--fingerprints", action="store_true",
                        help="include block_fingerprints (what SiteChrome learns from)")
    args = parser.parse_args(argv)
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
        if not args.fingerprints:
            result.pop("block_fingerprints")
        print(json.dumps({"path": str(path), **result}, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
