"""Ingest throughput benchmark: `deepseek-news ingest` over a WARC file of real pages.

Writes N copies of the pages in ../shared/eval/extraction (each copy's bytes made unique) as one
gzip-per-record WARC file (response records, with warcio), ingests it with the topic filter off (the
goal's measure; then once more with the seeds' topic terms, for the share of pages the topic pre-filter
skips unread and the pages/s it gives),
and prints pages/s beside `trafilatura.extract` over the same HTML in one process measured in the
same run, the share of the ingest's wall time its pipeline waited for WARC records (a thread reads
ahead) and of its CPU time spent reading them (inflating and parsing), and the peak memory of the ingest's process tree (RSS summed over its processes). It ends
with the issue's goals, each marked met or not.

``--records N`` is the memory run: N records cycling through those pages and the 2,299 of
../shared/eval/extraction-wide (distinct pages, then the same pages again with their bytes made unique,
so most records are exact copies of an article already stored; each round under its own host name,
news0.example, news1.example...), written to a temporary directory
at run time; it prints the peak memory after the first FLAT_FROM_RECORDS records beside the peak of
the whole run, as bench_crawl.py does for a crawl. ``--records 100000`` is the issue's goal (about 2 GB
of temporary WARC).

    python tests/benchmarks/bench_warc.py [--copies 20] [--records N] [--workers N]

Not collected by pytest: it prints numbers, it asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.bench_crawl import (  # noqa: E402
    MB,
    REPO,
    cpu_and_rss,
    load_pages,
    process_tree,
    role_of,
    trafilatura_alone,
    verdict,
)

GOAL_RATIO = 1.5
GOAL_READ_SHARE = 0.05
GOAL_RSS = 400 * MB
GOAL_RECORDS = 100_000
FLAT_FROM_RECORDS = 10_000  # "memory flat": the peak after this many records against the peak of the run
FLAT_TOLERANCE = 0.05
WIDE_PAGES = REPO.parent / "shared" / "eval" / "extraction-wide"
PROGRESS = re.compile(r"ingest: (\d+) records")
CHARSET_KNOWN = 181  # the pages of ../shared/eval/extraction are UTF-8; the wide ones come with no charset


def load_wide_pages() -> list[bytes]:
    return [path.read_bytes() for path in sorted(WIDE_PAGES.glob("*/*.html"))]


def write_warc(path: Path, pages: list[bytes], copies: int = 0, records: int = 0) -> int:
    """Write ``copies`` rounds of the pages, or ``records`` records cycling through them; each record's
    bytes are made unique by a comment. Records are serialised by warcio and compressed with ISA-L
    as the crawl's writer does (archive.warc), so that a 100,000-record file takes a minute, not ten."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from archive.warc import gzip_member

    total = records or copies * len(pages)
    builder = WARCWriter(None, gzip=False)
    with open(path, "wb") as handle:
        for record in range(total):
            copy, number = divmod(record, len(pages))
            body = pages[number] + f"\n<!-- copy {copy} -->".encode()
            charset = "; charset=utf-8" if number < CHARSET_KNOWN else ""
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html" + charset)], protocol="HTTP/1.1")
            out = io.BytesIO()
            builder._write_warc_record(
                out,
                builder.create_warc_record(  # warcio's own serialiser
                    f"https://news{copy}.example/p{number}.html",
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=http,
                ),
            )
            handle.write(gzip_member(out.getvalue()))
    return total


def records_logged(log: Path) -> int:
    try:
        with open(log, "rb") as handle:
            handle.seek(max(0, handle.seek(0, os.SEEK_END) - 4000))
            found = PROGRESS.findall(handle.read().decode("utf-8", "replace"))
    except OSError:
        return 0
    return int(found[-1]) if found else 0


def ingest(warc: Path, db: Path, workers: int | None, memory_every: int = 0, topic: bool = False) -> dict:
    """Run the ingest, sampling its processes; with ``memory_every``, print a memory line every so
    many records (from its progress log). ``topic``: with the seeds' topic terms (and so the topic
    pre-filter), else with the topic filter off."""
    command = [sys.executable, "-m", "storage.cli", "ingest", str(warc), "--db", str(db)]
    if not topic:
        command += ["--keywords", ""]
    if workers is not None:
        command += ["--workers", str(workers)]
    log = db.with_suffix(".log")
    started = time.perf_counter()
    with open(log, "wb") as err:
        run = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=err, text=True)
    peak, peak_early, rounds, tree, cpu, roles, peak_by_role = 0, 0, 0, {}, {}, {}, {}
    since_line: dict[str, int] = {}  # peak RSS by role since the last memory line
    next_line = memory_every
    while run.poll() is None:
        if rounds % 4 == 0:
            tree = process_tree(run.pid)
        rounds += 1
        rss, by_role, workers = 0, {}, []
        for pid, parent in tree.items():
            role = roles.setdefault(pid, role_of(pid, parent, roles))
            measured = cpu_and_rss(pid)
            if measured is not None:
                cpu[pid], size = measured
                rss += size
                by_role[role] = by_role.get(role, 0) + size
                if role == "worker":
                    workers.append(size)
        peak = max(peak, rss)
        for role, size in {**by_role, "tree": rss, "worker_max": max(workers, default=0)}.items():
            peak_by_role[role] = max(peak_by_role.get(role, 0), size)
            since_line[role] = max(since_line.get(role, 0), size)
        if rounds % 8 == 0:
            done = records_logged(log)
            if done < FLAT_FROM_RECORDS:
                peak_early = peak
            if memory_every and done >= next_line:  # where the memory is as the records go by
                print(
                    f"memory at {done:>7,} records  peak since the last line: tree {since_line['tree'] / MB:.0f} MB, "
                    f"main {since_line.get('main', 0) / MB:.0f}, workers {since_line.get('worker', 0) / MB:.0f} "
                    f"(largest {since_line.get('worker_max', 0) / MB:.0f}), {len(workers)} workers, "
                    f"{len([p for p, r in roles.items() if r == 'worker'])} started so far",
                    flush=True,
                )
                since_line = {}
                next_line = (done // memory_every + 1) * memory_every
        time.sleep(0.25)
    wall = time.perf_counter() - started
    out = run.stdout.read()
    run.stdout.close()
    if run.returncode:
        sys.exit(f"the ingest failed ({run.returncode}): {log.read_text(errors='replace')[-2000:]}")
    with sqlite3.connect(db) as connection:
        stats = json.loads(connection.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])
    cpu_by_role: dict[str, float] = {}
    for pid, seconds in cpu.items():
        cpu_by_role[roles[pid]] = cpu_by_role.get(roles[pid], 0.0) + seconds
    return {
        "wall": wall,
        "peak": peak,
        "peak_early": peak_early,
        "stats": stats,
        "summary": out.strip(),
        "cpu": sum(cpu.values()),
        "cpu_by_role": cpu_by_role,
        "peak_by_role": peak_by_role,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20, help="copies of the 181 pages (20: 3,620 records)")
    parser.add_argument(
        "--records",
        type=int,
        default=0,
        help=f"the memory run: this many records ({GOAL_RECORDS:,} for the goal) from these "
        "pages and the wide extraction set's",
    )
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: one per core)")
    args = parser.parse_args()

    pages = load_pages()
    if args.records:  # the reference runs over the same mix of pages as the ingest
        pages += load_wide_pages()
    rounds = 1 if args.records else 2
    before, before_cpu = trafilatura_alone(pages, rounds=rounds)
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "bench.warc.gz"
        written = time.perf_counter()
        if args.records:
            records = write_warc(warc, pages, records=args.records)
        else:
            records = write_warc(warc, pages, copies=args.copies)
        written = time.perf_counter() - written
        size = warc.stat().st_size
        memory_every = max(1000, args.records // 20) if args.records else 0
        result = ingest(warc, Path(tmp) / "corpus.db", args.workers, memory_every)
        topical = None if args.records else ingest(warc, Path(tmp) / "topic.db", args.workers, topic=True)
    after, after_cpu = trafilatura_alone(pages, rounds=1)
    reference = max(before, after)
    rate = records / result["wall"]
    read_share = result["stats"].get("deepseek/seconds/read_warc", 0) / result["wall"]
    read_cpu_share = result["stats"].get("deepseek/cpu_seconds/read_warc", 0) / max(result["cpu"], 1e-9)
    print(f"WARC file                  {records} records, {size / MB:.0f} MB gzipped, written in {written:.0f} s")
    print(f"ingest                     {result['summary']}")
    print(f"wall time                  {result['wall']:.1f} s, start-up included")
    print(f"ingest pages/s             {rate:.1f}")
    print(
        f"trafilatura alone pages/s  {reference:.1f} (same pages, one process, best of {rounds} round(s) before "
        f"and 1 after, this run), {min(before_cpu, after_cpu):.1f} ms CPU/page"
    )
    for key in sorted(k for k in result["stats"] if k.startswith("deepseek/seconds/")):
        print(
            f"stage {key.rsplit('/', 1)[1]:<20} {result['stats'][key]:.1f} s total, "
            f"{1000 * result['stats'][key] / records:.1f} ms/page"
        )
    stats = result["stats"]
    busy = sum(stats.get(f"deepseek/seconds/{stage}", 0) for stage in ("extract", "fingerprint"))
    idle = stats.get("deepseek/seconds/worker_idle", 0)
    print(
        f"workers idle               {idle / max(idle + busy, 1e-9):.1%} of their time after start-up "
        f"(between one page's end and the next one's start: results and pages handed over, or no page)"
    )
    print(
        f"peak memory, process tree  RSS summed {result['peak'] / MB:.0f} MB; until {FLAT_FROM_RECORDS:,} "
        f"records {result['peak_early'] / MB:.0f} MB"
    )
    cores = os.cpu_count() or 1
    cpu_per_page = 1000 * result["cpu"] / records
    reference_cpu = min(before_cpu, after_cpu)
    print(
        f"CPU used by the ingest     {cpu_per_page:.1f} ms/page over its processes; CPU-bound ceiling "
        f"{cores * reference_cpu / cpu_per_page:.2f}x trafilatura alone if the ingest had all {cores} cores "
        f"(independent of other load on the machine)"
    )
    for role in ("main", "forkserver", "worker", "other"):
        if role in result["cpu_by_role"]:
            print(
                f"  {role:<10}               {1000 * result['cpu_by_role'][role] / records:5.1f} ms CPU/page, peak "
                f"{result['peak_by_role'][role] / MB:.0f} MB RSS (summed over the role's processes)"
                + (f", largest one {result['peak_by_role']['worker_max'] / MB:.0f} MB" if role == "worker" else "")
            )
    if topical is not None:
        unread = topical["stats"].get("deepseek/off_topic/no_topic_term", 0)
        print(
            f"with the topic filter on   {records / topical['wall']:.1f} pages/s (seed terms; not the goal's measure): "
            f"{unread / records:.1%} of the pages skipped unread by the pre-filter (no topic term in their HTML), "
            f"{topical['stats'].get('deepseek/stored', 0)} stored, pre-filter "
            f"{1000 * topical['stats'].get('deepseek/seconds/prefilter', 0) / records:.1f} ms/page in the workers "
            f"(extraction: {1000 * stats.get('deepseek/seconds/extract', 0) / records:.1f} ms/page with the filter off), "
            f"peak {topical['peak'] / MB:.0f} MB"
        )
    ratio = rate / reference
    print("goals (issue 18):")
    print(f"  throughput >= {GOAL_RATIO}x trafilatura alone   {ratio:.2f}x  {verdict(ratio >= GOAL_RATIO)}")
    print(
        f"  reading WARC < {GOAL_READ_SHARE:.0%} of the time      {read_share:.1%} of the wall time  "
        f"{verdict(read_share < GOAL_READ_SHARE)}; {read_cpu_share:.1%} of the CPU time  "
        f"{verdict(read_cpu_share < GOAL_READ_SHARE)}"
    )
    print(
        f"  peak RSS < {GOAL_RSS // MB} MB                {result['peak'] / MB:.0f} MB  {verdict(result['peak'] < GOAL_RSS)}"
        + ("" if records >= GOAL_RECORDS else f"  (on {records} records; the goal is for 100,000: --records 100000)")
    )
    if records >= 2 * FLAT_FROM_RECORDS and result["peak_early"]:
        growth = result["peak"] / result["peak_early"] - 1
        print(
            f"  memory flat                      peak RSS {growth:+.1%} from {FLAT_FROM_RECORDS:,} to {records:,} "
            f"records  {verdict(growth <= FLAT_TOLERANCE)}  (tolerance {FLAT_TOLERANCE:.0%})"
        )


if __name__ == "__main__":
    main()
