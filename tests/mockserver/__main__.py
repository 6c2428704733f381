"""`python -m tests.mockserver`: serve the fixture news web until killed.

Prints one JSON line when ready: {"site_a": "http://127.0.0.1:PORT", "site_b": ..., "forbidden": ...}.
`python -m tests.mockserver --demo [--db PATH] [--append]` serves it and runs the real crawl into a
fresh corpus (default data/demo.db), then prints a summary: the whole pipeline on a machine without network.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from tests.mockserver.server import NewsWeb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mockserver", description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="crawl the fixture web into a corpus and summarise")
    parser.add_argument("--db", default="data/demo.db", help="corpus file for --demo (default: data/demo.db)")
    parser.add_argument(
        "--append", action="store_true", help="--demo adds to the corpus at --db instead of starting a fresh one"
    )
    args = parser.parse_args(argv)

    try:
        web = NewsWeb().start()
    except OSError as error:
        print(f"error: cannot open the fixture web's listeners on 127.0.0.1-3: {error}", file=sys.stderr)
        return 2
    if args.demo:
        from tests.mockserver.demo import run_demo

        try:
            return run_demo(web, args.db, append=args.append)
        finally:
            web.stop()

    print(json.dumps(web.bases), flush=True)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    web.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
