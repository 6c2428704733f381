"""Dedup in a real crawl: N copies of each of the 181 dev pages, crawled once straight through and once
killed (SIGKILL) and resumed. Prints how many pages were recorded as a duplicate of a *different* page
(each copy of one page is the same article; two different pages never are, unless their texts are
copies by score_distinct.py's definition), and whether the two crawls stored the same set of pages.

    python tests/benchmarks/check_dedup_crawl.py [--copies 4] [--kill-after 300]

Not collected by pytest: it prints numbers and verdicts, it asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.bench_crawl import PROGRESS, REPO, load_pages, make_site  # noqa: E402
from tests.memory_site import serve  # noqa: E402
from tests.mockserver.crawl import command_for  # noqa: E402

PAGE = re.compile(r"/c(\d+)/p(\d+)\.html$")


def command(base: str, db: Path) -> list[str]:
    settings = [
        "AUTOTHROTTLE_ENABLED=False",
        "ROBOTSTXT_OBEY=False",
        "DOWNLOAD_DELAY=0",
        "CONCURRENT_REQUESTS=16",
        "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "LOG_LEVEL=INFO",
        "PROGRESS_INTERVAL=1",
    ]
    return command_for([f"{base}/sitemap.xml"], db, settings, keywords="")


def run(base: str, db: Path, kill_after: int | None = None) -> None:
    log = db.with_suffix(".log")
    with open(log, "w") as out:
        proc = subprocess.Popen(command(base, db), cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        while kill_after is not None and proc.poll() is None:
            fetched = [int(m) for m in PROGRESS.findall(log.read_text(errors="replace"))]
            if fetched and fetched[-1] >= kill_after:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.2)
        proc.wait()


def outcome(db: Path) -> tuple[set[int], list[tuple[str, str, str, float]]]:
    """(page numbers stored, duplicates that point at another page number)."""
    conn = sqlite3.connect(db)
    try:
        stored = {int(PAGE.search(url).group(2)) for (url,) in conn.execute("SELECT url FROM articles")}
        wrong = [
            (url, kept, kind, similarity)
            for url, kept, kind, similarity in conn.execute(
                "SELECT url, duplicate_of_url, kind, similarity FROM duplicates"
            )
            if PAGE.search(url).group(2) != PAGE.search(kept).group(2)
        ]
    finally:
        conn.close()
    return stored, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--kill-after", type=int, default=300, help="pages fetched before the SIGKILL")
    args = parser.parse_args()
    site = make_site(load_pages(), args.copies)
    server, base = serve(site)
    with tempfile.TemporaryDirectory() as tmp:
        straight, resumed = Path(tmp) / "straight.db", Path(tmp) / "resumed.db"
        run(base, straight)
        run(base, resumed, kill_after=args.kill_after)
        run(base, resumed)
        results = {name: outcome(db) for name, db in (("straight", straight), ("killed and resumed", resumed))}
    server.shutdown()
    for name, (stored, wrong) in results.items():
        print(f"{name:20s} pages stored {len(stored)} of 181; duplicates of a different page: {len(wrong)}")
        for url, kept, kind, similarity in wrong[:10]:
            print(f"    {url.rsplit('/', 2)[-2:]} -> {kept.rsplit('/', 2)[-2:]} ({kind}, {similarity})")
    same = results["straight"][0] == results["killed and resumed"][0]
    none_wrong = not any(wrong for _, wrong in results.values())
    print(f"goal: no article recorded as a duplicate of a different article: {'MET' if none_wrong else 'NOT MET'}")
    print(
        f"goal: killed and resumed stores the same set of pages: {'MET' if same else 'NOT MET'}"
        + (
            ""
            if same
            else f" (only straight: {sorted(results['straight'][0] - results['killed and resumed'][0])}, "
            f"only resumed: {sorted(results['killed and resumed'][0] - results['straight'][0])})"
        )
    )


if __name__ == "__main__":
    main()
