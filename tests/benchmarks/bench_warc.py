"""Ingest throughput benchmark: `deepseek-news ingest` over a WARC file of real pages.

Writes N copies of the pages in ../shared/eval/extraction (each copy's bytes made unique) as one
gzip-per-record WARC file (response records, with warcio), ingests it with the topic filter off,
and prints pages/s beside `trafilatura.extract` over the same HTML in one process measured in the
same run, the share of the ingest's wall and CPU time spent reading the WARC (inflating and parsing
records), and the peak memory of the ingest's process tree (RSS summed over its processes). It ends
with the issue's goals, each marked met or not.

    python tests/benchmarks/bench_warc.py [--copies 20] [--workers N]

Not collected by pytest: it prints numbers, it asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.bench_crawl import (  # noqa: E402
    MB, REPO, cpu_and_rss, load_pages, process_tree, trafilatura_alone, verdict,
)

GOAL_RATIO = 1.5
GOAL_READ_SHARE = 0.05
GOAL_RSS = 400 * MB


def write_warc(path: Path, pages: list[bytes], copies: int) -> int:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    records = 0
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for copy in range(copies):
            for number, body in enumerate(pages):
                body = body + f"\n<!-- copy {copy} -->".encode()
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    f"https://news{copy}.example/p{number}.html", "response", payload=io.BytesIO(body),
                    length=len(body), http_headers=http))
                records += 1
    return records


def ingest(warc: Path, db: Path, workers: int | None) -> dict:
    command = [sys.executable, "-m", "storage.cli", "ingest", str(warc), "--db", str(db), "--keywords", ""]
    if workers is not None:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    run = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak, rounds, tree, cpu = 0, 0, {}, {}
    while run.poll() is None:
        if rounds % 4 == 0:
            tree = process_tree(run.pid)
        rounds += 1
        rss = 0
        for pid in tree:
            measured = cpu_and_rss(pid)
            if measured is not None:
                cpu[pid], size = measured
                rss += size
        peak = max(peak, rss)
        time.sleep(0.25)
    wall = time.perf_counter() - started
    out = run.stdout.read()
    run.stdout.close()
    with sqlite3.connect(db) as connection:
        stats = json.loads(connection.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])
    return {"wall": wall, "peak": peak, "stats": stats, "summary": out.strip(), "cpu": sum(cpu.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20, help="copies of the 181 pages (20: 3,620 records)")
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: one per core)")
    args = parser.parse_args()

    pages = load_pages()
    before, before_cpu = trafilatura_alone(pages)
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "bench.warc.gz"
        records = write_warc(warc, pages, args.copies)
        size = warc.stat().st_size
        result = ingest(warc, Path(tmp) / "corpus.db", args.workers)
    after, after_cpu = trafilatura_alone(pages, rounds=1)
    reference = max(before, after)
    rate = records / result["wall"]
    read_share = result["stats"].get("deepseek/seconds/read_warc", 0) / result["wall"]
    read_cpu_share = result["stats"].get("deepseek/cpu_seconds/read_warc", 0) / max(result["cpu"], 1e-9)
    print(f"WARC file                  {records} records, {size / MB:.0f} MB gzipped")
    print(f"ingest                     {result['summary']}")
    print(f"wall time                  {result['wall']:.1f} s, start-up included")
    print(f"ingest pages/s             {rate:.1f}")
    print(f"trafilatura alone pages/s  {reference:.1f} (same pages, one process, best of 2 rounds before and 1 "
          f"after, this run), {min(before_cpu, after_cpu):.1f} ms CPU/page")
    for key in sorted(k for k in result["stats"] if k.startswith("deepseek/seconds/")):
        print(f"stage {key.rsplit('/', 1)[1]:<20} {result['stats'][key]:.1f} s total, "
              f"{1000 * result['stats'][key] / records:.1f} ms/page")
    print(f"peak memory, process tree  RSS summed {result['peak'] / MB:.0f} MB")
    cores = os.cpu_count() or 1
    cpu_per_page = 1000 * result["cpu"] / records
    reference_cpu = min(before_cpu, after_cpu)
    print(f"CPU used by the ingest     {cpu_per_page:.1f} ms/page over its processes; CPU-bound ceiling "
          f"{cores * reference_cpu / cpu_per_page:.2f}x trafilatura alone if the ingest had all {cores} cores "
          f"(independent of other load on the machine)")
    ratio = rate / reference
    print("goals (issue 18):")
    print(f"  throughput >= {GOAL_RATIO}x trafilatura alone   {ratio:.2f}x  {verdict(ratio >= GOAL_RATIO)}")
    print(f"  reading WARC < {GOAL_READ_SHARE:.0%} of the time      {read_share:.1%} of the wall time  "
          f"{verdict(read_share < GOAL_READ_SHARE)}; {read_cpu_share:.1%} of the CPU time  "
          f"{verdict(read_cpu_share < GOAL_READ_SHARE)}")
    print(f"  peak RSS < {GOAL_RSS // MB} MB                {result['peak'] / MB:.0f} MB  {verdict(result['peak'] < GOAL_RSS)}"
          + ("" if records >= 100_000 else f"  (on {records} records; the goal is for 100,000: --copies 553)"))


if __name__ == "__main__":
    main()
