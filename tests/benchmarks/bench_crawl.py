"""Crawl throughput benchmark: the real `scrapy crawl deepseek_news` over a local copy of real pages.

Serves N copies of the pages in ../shared/eval/extraction (each copy's bytes made unique) from a
local HTTP server under one sitemap, crawls them with politeness off for loopback, and prints
pages/s, CPU use, peak RSS of the crawl's whole process tree, time per stage, and the ratio to
`trafilatura.extract` over the same HTML in one process, measured in the same run.

    python tests/benchmarks/bench_crawl.py [--copies 55] [--workers N] [--processes 1]

Not collected by pytest: it prints numbers, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.memory_site import serve  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
EVAL_PAGES = REPO.parent / "shared" / "eval" / "extraction"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def load_pages() -> list[bytes]:
    return [path.read_bytes() for path in sorted(EVAL_PAGES.glob("*.html"))]


def make_site(pages: list[bytes], copies: int) -> dict[str, bytes]:
    """Path -> body for N copies of every page, each copy made unique by a comment, plus the sitemap."""
    site = {}
    for copy in range(copies):
        for number, body in enumerate(pages):
            site[f"/c{copy}/p{number}.html"] = body + f"\n<!-- copy {copy} -->".encode()
    site["/sitemap.xml"] = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{{base}}{path}</loc></url>" for path in site)
        + "</urlset>"
    ).encode()
    return site


def process_tree(root: int) -> list[int]:
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def sample(pids: list[int]) -> tuple[float, int, int]:
    """(CPU seconds, RSS bytes, PSS bytes) summed over processes. PSS shares each page between the
    processes mapping it, so the worker processes' common memory is not counted once per worker."""
    cpu, rss, pss = 0.0, 0, 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        rss += int(fields[21]) * PAGE_SIZE
        pss += sum(int(line.split()[1]) * 1024 for line in rollup.splitlines() if line.startswith("Pss:"))
    return cpu, rss, pss


def trafilatura_alone(pages: list[bytes]) -> float:
    import trafilatura

    start = time.perf_counter()
    for body in pages:
        trafilatura.extract(body.decode("utf-8", "replace"))
    return len(pages) / (time.perf_counter() - start)


def crawl(base: str, workdir: Path, workers: int | None, processes: int, redis_url: str | None) -> dict:
    command = [
        sys.executable, "-m", "scrapy", "crawl", "deepseek_news",
        "-a", f"start_urls={base}/sitemap.xml", "-a", "keywords=",
        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False", "-s", "DOWNLOAD_DELAY=0",
        "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32", "-s", "LOG_LEVEL=INFO",
    ]
    if workers is not None:
        command += ["-s", f"EXTRACT_WORKERS={workers}"]
    if redis_url:
        command += ["-s", f"REDIS_URL={redis_url}"]
    started = time.perf_counter()
    runs = []
    for number in range(processes):
        log = open(workdir / f"crawl{number}.log", "w")
        runs.append(subprocess.Popen(
            command + ["-s", f"CORPUS_DB={workdir}/corpus{number}.db"],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
        ))
    peak_rss, peak_pss, cpu = 0, 0, 0.0
    last_cpu = {}
    while any(run.poll() is None for run in runs):
        pids = [pid for run in runs for pid in process_tree(run.pid)]
        for pid in pids:
            last_cpu[pid] = sample([pid])[0]
        _, rss, pss = sample(pids)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.25)
    wall = time.perf_counter() - started
    cpu = sum(last_cpu.values())
    stats = {}
    for number in range(processes):
        with sqlite3.connect(workdir / f"corpus{number}.db") as db:
            row = db.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if row and row[0]:
            for key, value in json.loads(row[0]).items():
                if isinstance(value, (int, float)):
                    stats[key] = stats.get(key, 0) + value
    return {"wall": wall, "cpu": cpu, "peak_rss": peak_rss, "peak_pss": peak_pss, "stats": stats}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=55, help="copies of the 181 pages (55: about 10,000 pages)")
    parser.add_argument("--workers", type=int, default=None, help="EXTRACT_WORKERS (default: the crawler's)")
    parser.add_argument("--processes", type=int, default=1, help="crawler processes (> 1 needs --redis-url)")
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()

    pages = load_pages()
    reference = trafilatura_alone(pages)
    site = make_site(pages, args.copies)
    server, base = serve(site)
    with tempfile.TemporaryDirectory() as tmp:
        result = crawl(base, Path(tmp), args.workers, args.processes, args.redis_url)
    server.shutdown()
    stats = result["stats"]
    fetched = stats.get("deepseek/pages", 0)
    rate = fetched / result["wall"]
    print(f"pages served               {len(site) - 1} (and the sitemap)")
    print(f"pages fetched              {fetched:.0f} (stored {stats.get('deepseek/stored', 0):.0f}, "
          f"not articles {sum(v for k, v in stats.items() if k.startswith('deepseek/not_article')):.0f}, "
          f"duplicates {sum(v for k, v in stats.items() if k.startswith('deepseek/duplicates')):.0f}, "
          f"errors {sum(v for k, v in stats.items() if k.startswith('deepseek/errors')):.0f})")
    print(f"requests sent              {stats.get('downloader/request_count', 0):.0f}")
    print(f"wall time                  {result['wall']:.1f} s, start-up included ({args.processes} process(es))")
    print(f"crawl pages/s              {rate:.1f}")
    print(f"trafilatura alone pages/s  {reference:.1f} (same pages, one process, this run)")
    print(f"ratio                      {rate / reference:.2f}x  (goal >= 1.5x; naive spider ~0.25x)")
    print(f"CPU used                   {result['cpu']:.1f} s = {result['cpu'] / result['wall']:.2f} cores "
          f"of {os.cpu_count()}")
    print(f"peak RSS (process tree)    {result['peak_rss'] / 2**20:.0f} MB summed over processes, "
          f"{result['peak_pss'] / 2**20:.0f} MB proportional (PSS; goal < 400 MB)")
    for key in sorted(k for k in stats if k.startswith("deepseek/seconds/")):
        print(f"stage {key.rsplit('/', 1)[1]:<20} {stats[key]:.1f} s total, "
              f"{1000 * stats[key] / max(1, fetched):.1f} ms/page")


if __name__ == "__main__":
    main()
