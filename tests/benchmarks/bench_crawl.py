"""Crawl throughput benchmark: the real `scrapy crawl deepseek_news` over a local copy of real pages.

Serves N copies of the pages in ../shared/eval/extraction (each copy's bytes made unique) from a
local HTTP server under one sitemap, crawls them with politeness off for loopback, and prints
pages/s, CPU time per page of each process of the crawl (main, forkserver, extraction workers),
peak memory of the crawl's whole process tree (RSS summed over its processes, and PSS), the peak
after 3,600 pages against the peak of the whole crawl, time per stage, and the ratio to
`trafilatura.extract` over the same HTML in one process, measured in the same run. It ends with the
issue's one-machine goals, each marked met or not.

    python tests/benchmarks/bench_crawl.py [--copies 55] [--workers N] [--processes 1] [--compare-warc]

``--compare-warc`` crawls without and with the WARC archive (WARC_ENABLED) in alternating rounds
(``--rounds``), and prints the ratio of pages/s in each round and the CPU the archive costs a page.

Not collected by pytest: it prints numbers, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.memory_site import serve  # noqa: E402
from tests.mockserver.crawl import command_for  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
EVAL_PAGES = REPO.parent / "shared" / "eval" / "extraction"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MB = 2**20
GOAL_RATIO = 1.5
GOAL_RSS = 400 * MB
FLAT_FROM_PAGES = 3600  # "flat as the crawl grows": the peak after this many pages against the final one
FLAT_TOLERANCE = 0.05  # at most 5% higher at the end
SAMPLE_EVERY = 0.25  # seconds between samples of the crawl's processes
TREE_EVERY = 4  # rounds between two scans of /proc for the crawl's processes (new workers)
PSS_EVERY = 8  # rounds between two PSS readings
PROGRESS = re.compile(r"progress: (\d+) pages")


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


def process_tree(root: int) -> dict[int, int]:
    """pid -> parent pid of ``root`` and all its descendants (root's parent given as 0)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = {root: 0}, [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            tree[child] = pid
            todo.append(child)
    return tree


def role_of(pid: int, parent: int, roles: dict[int, str]) -> str:
    """main (the scrapy process), forkserver, worker (extraction, forked by the forkserver) or other."""
    if parent == 0:
        return "main"
    if roles.get(parent) == "forkserver":
        return "worker"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "other"
    return "forkserver" if b"forkserver" in command else "other"


def cpu_and_rss(pid: int) -> tuple[float, int] | None:
    """(CPU seconds, RSS bytes) of one process from /proc/PID/stat (cheap), None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS, int(fields[21]) * PAGE_SIZE


def pss(pid: int) -> int | None:
    """PSS bytes of one process, None when it is gone. PSS shares each page between the processes mapping
    it, so the workers' common memory is not counted once per worker. Reading it makes the kernel walk
    the process's page tables (~2 ms for 150 MB), so it is sampled less often than RSS."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    return sum(int(line.split()[1]) * 1024 for line in rollup.splitlines() if line.startswith("Pss:"))


def trafilatura_alone(pages: list[bytes], rounds: int = 2) -> tuple[float, float]:
    """(pages/s, CPU ms/page) of trafilatura.extract over the pages in this process: the best of a few
    rounds (the faster the reference, the harder the goal)."""
    import trafilatura

    best, best_cpu = 0.0, float("inf")
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        for body in pages:
            trafilatura.extract(body.decode("utf-8", "replace"))
        best = max(best, len(pages) / (time.perf_counter() - start))
        best_cpu = min(best_cpu, 1000 * (time.process_time() - start_cpu) / len(pages))
    return best, best_cpu


def pages_logged(log: Path) -> int:
    """Pages fetched by the last progress line of a crawl log (0 before the first one)."""
    try:
        found = PROGRESS.findall(log.read_text(errors="replace")[-4000:])
    except OSError:
        return 0
    return int(found[-1]) if found else 0


def crawl(
    base: str, workdir: Path, workers: int | None, processes: int, redis_url: str | None, settings: tuple[str, ...] = ()
) -> dict:
    settings = [
        "AUTOTHROTTLE_ENABLED=False",
        "ROBOTSTXT_OBEY=False",
        "DOWNLOAD_DELAY=0",
        "CONCURRENT_REQUESTS=32",
        "CONCURRENT_REQUESTS_PER_DOMAIN=32",
        "LOG_LEVEL=INFO",
        "PROGRESS_INTERVAL=1",
        *settings,
    ]
    if workers is not None:
        settings.append(f"EXTRACT_WORKERS={workers}")
    if redis_url:
        settings.append(f"REDIS_URL={redis_url}")
    own_cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    started = time.perf_counter()
    runs, logs = [], []
    for number in range(processes):
        logs.append(workdir / f"crawl{number}.log")
        runs.append(
            subprocess.Popen(
                command_for([f"{base}/sitemap.xml"], f"{workdir}/corpus{number}.db", settings, keywords=""),
                cwd=REPO,
                stdout=open(logs[-1], "w"),
                stderr=subprocess.STDOUT,
            )
        )
    roles: dict[int, str] = {}
    last_cpu: dict[int, float] = {}
    peak = {"rss": 0, "pss": 0}  # whole tree
    peak_by_role: dict[str, dict[str, int]] = {}
    peak_early = {"rss": 0, "pss": 0}  # until FLAT_FROM_PAGES pages were fetched
    tree: dict[int, int] = {}
    rounds = 0
    while any(run.poll() is None for run in runs):
        # The sampling is kept cheap, since it shares the two cores with the crawl: RSS and CPU every
        # SAMPLE_EVERY seconds, the process tree every TREE_EVERY rounds, PSS every PSS_EVERY rounds.
        if rounds % TREE_EVERY == 0:
            tree = {pid: parent for run in runs for pid, parent in process_tree(run.pid).items()}
        with_pss = rounds % PSS_EVERY == 0
        rounds += 1
        now = {"rss": 0, "pss": 0}
        by_role: dict[str, dict[str, int]] = {}
        for pid, parent in tree.items():
            role = roles.setdefault(pid, role_of(pid, parent, roles))
            measured = cpu_and_rss(pid)
            if measured is None:
                continue
            last_cpu[pid], rss = measured
            values = {"rss": rss, "pss": (pss(pid) or 0) if with_pss else 0}
            for key, value in values.items():
                now[key] += value
                by_role.setdefault(role, {"rss": 0, "pss": 0})[key] += value
        early = sum(pages_logged(log) for log in logs) < FLAT_FROM_PAGES
        for key in ("rss", "pss") if with_pss else ("rss",):
            peak[key] = max(peak[key], now[key])
            if early:
                peak_early[key] = max(peak_early[key], now[key])
            for role, values in by_role.items():
                slot = peak_by_role.setdefault(role, {"rss": 0, "pss": 0})
                slot[key] = max(slot[key], values[key])
        time.sleep(SAMPLE_EVERY)
    wall = time.perf_counter() - started
    cpu_by_role: dict[str, float] = {}
    count_by_role: dict[str, int] = {}
    for pid, seconds in last_cpu.items():
        cpu_by_role[roles[pid]] = cpu_by_role.get(roles[pid], 0.0) + seconds
        count_by_role[roles[pid]] = count_by_role.get(roles[pid], 0) + 1
    stats = {}
    for number in range(processes):
        with sqlite3.connect(workdir / f"corpus{number}.db") as db:
            row = db.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if row and row[0]:
            for key, value in json.loads(row[0]).items():
                if isinstance(value, (int, float)):
                    stats[key] = stats.get(key, 0) + value
    return {
        "wall": wall,
        "cpu_by_role": cpu_by_role,
        "count_by_role": count_by_role,
        "peak": peak,
        "peak_early": peak_early,
        "peak_by_role": peak_by_role,
        "stats": stats,
        "bench_cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - own_cpu,
    }


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=55, help="copies of the 181 pages (55: about 10,000 pages)")
    parser.add_argument("--workers", type=int, default=None, help="EXTRACT_WORKERS (default: the crawler's)")
    parser.add_argument("--processes", type=int, default=1, help="crawler processes (> 1 needs --redis-url)")
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--compare-warc", action="store_true", help="crawl without and with the WARC archive")
    parser.add_argument("--rounds", type=int, default=3, help="with --compare-warc: rounds of both crawls")
    args = parser.parse_args()
    if args.compare_warc:
        compare_warc(args)
        return

    pages = load_pages()
    before, before_cpu = trafilatura_alone(pages)
    site = make_site(pages, args.copies)
    server, base = serve(site)
    with tempfile.TemporaryDirectory() as tmp:
        result = crawl(base, Path(tmp), args.workers, args.processes, args.redis_url)
    server.shutdown()
    after, after_cpu = trafilatura_alone(pages, rounds=1)  # the machine may have been slower before
    reference, reference_cpu = max(before, after), min(before_cpu, after_cpu)
    stats = result["stats"]
    fetched = stats.get("deepseek/pages", 0)
    per_page = 1000 / max(1, fetched)
    rate = fetched / result["wall"]
    cpu = sum(result["cpu_by_role"].values())
    peak, early = result["peak"], result["peak_early"]
    print(f"pages served               {len(site) - 1} (and the sitemap)")
    print(
        f"pages fetched              {fetched:.0f} (stored {stats.get('deepseek/stored', 0):.0f}, "
        f"not articles {sum(v for k, v in stats.items() if k.startswith('deepseek/not_article')):.0f}, "
        f"duplicates {sum(v for k, v in stats.items() if k.startswith('deepseek/duplicates')):.0f}, "
        f"errors {sum(v for k, v in stats.items() if k.startswith('deepseek/errors')):.0f})"
    )
    print(f"requests sent              {stats.get('downloader/request_count', 0):.0f}")
    print(f"wall time                  {result['wall']:.1f} s, start-up included ({args.processes} process(es))")
    print(f"crawl pages/s              {rate:.1f}")
    print(
        f"trafilatura alone pages/s  {reference:.1f} (same pages, one process, best of 2 rounds "
        f"before the crawl and 1 after, this run), "
        f"{reference_cpu:.1f} ms CPU/page"
    )
    print(
        f"CPU used by the crawl      {cpu:.1f} s = {cpu / result['wall']:.2f} cores of {os.cpu_count()}, "
        f"{cpu * per_page:.1f} ms/page"
    )
    for role in ("main", "forkserver", "worker", "other"):
        if role in result["cpu_by_role"]:
            print(
                f"  {role:<10} x{result['count_by_role'][role]:<3}       "
                f"{result['cpu_by_role'][role] * per_page:5.1f} ms CPU/page, peak "
                f"{result['peak_by_role'][role]['rss'] / MB:.0f} MB RSS, "
                f"{result['peak_by_role'][role]['pss'] / MB:.0f} MB PSS"
            )
    print(f"this script (server+probe){result['bench_cpu'] * per_page:.1f} ms CPU/page (not the crawl's)")
    for key in sorted(k for k in stats if k.startswith("deepseek/seconds/")):
        print(
            f"stage {key.rsplit('/', 1)[1]:<20} {stats[key]:.1f} s total, "
            f"{1000 * stats[key] / max(1, fetched):.1f} ms/page (wall time in the process doing it)"
        )
    print(
        f"peak memory, process tree  RSS summed {peak['rss'] / MB:.0f} MB, PSS {peak['pss'] / MB:.0f} MB; "
        f"until {FLAT_FROM_PAGES} pages: RSS {early['rss'] / MB:.0f} MB, PSS {early['pss'] / MB:.0f} MB"
    )
    ratio = rate / reference
    growth = peak["rss"] / early["rss"] - 1 if early["rss"] else float("nan")
    cores = os.cpu_count() or 1
    print(
        f"CPU-bound ceiling          {cores * reference_cpu / (cpu * per_page):.2f}x: the ratio if the crawl had all "
        f"{cores} cores to itself, from CPU time per page (the crawl's against trafilatura's; independent of "
        f"other load on the machine)"
    )
    if args.processes > 1:
        print(f"({args.processes} processes on {cores} cores: the one-machine goals are judged on one process)")
        return
    print("one-machine goals (issue 7):")
    print(f"  throughput >= {GOAL_RATIO}x trafilatura alone   {ratio:.2f}x  {verdict(ratio >= GOAL_RATIO)}")
    print(
        f"  peak RSS < {GOAL_RSS // MB} MB                {peak['rss'] / MB:.0f} MB RSS summed over the "
        f"tree  {verdict(peak['rss'] < GOAL_RSS)}  (judged on RSS, as the issue says; PSS "
        f"{peak['pss'] / MB:.0f} MB counts shared pages once)"
    )
    if fetched >= 2 * FLAT_FROM_PAGES:
        print(
            f"  flat as the crawl grows          peak RSS {growth:+.1%} from {FLAT_FROM_PAGES} to "
            f"{fetched:.0f} pages  {verdict(growth <= FLAT_TOLERANCE)}  (tolerance {FLAT_TOLERANCE:.0%})"
        )
    else:
        print(f"  flat as the crawl grows          not judged: needs >= {2 * FLAT_FROM_PAGES} pages (--copies 40+)")
    if fetched < 9000:
        print("  (the RSS goal is for a 10,000-page crawl: --copies 55)")


def compare_warc(args) -> None:
    """The same crawl without and with the WARC archive, in alternating rounds (the machine's load
    varies; each round runs both, in turn first): the ratio of pages/s within each round, and the CPU
    the archive's middleware took per page, counted by the crawl itself (deepseek/cpu_seconds/warc_write)."""
    site = make_site(load_pages(), args.copies)
    server, base = serve(site)
    results: dict[str, list[dict]] = {"without": [], "with": []}
    for round_ in range(args.rounds):
        order = (("without", "False"), ("with", "True"))
        for label, enabled in order if round_ % 2 == 0 else order[::-1]:
            with tempfile.TemporaryDirectory() as tmp:
                result = crawl(base, Path(tmp), args.workers, 1, None, (f"WARC_ENABLED={enabled}",))
                archive = sum(path.stat().st_size for path in Path(tmp).glob("corpus0.warc/*.warc.gz"))
            result["archive_bytes"] = archive
            result["fetched"] = result["stats"].get("deepseek/pages", 0)
            result["rate"] = result["fetched"] / result["wall"]
            result["cpu_per_page"] = 1000 * sum(result["cpu_by_role"].values()) / max(1, result["fetched"])
            results[label].append(result)
            print(
                f"round {round_ + 1} {label:<8} WARC  {result['rate']:.1f} pages/s, {result['cpu_per_page']:.1f} "
                f"ms CPU/page (main process {1000 * result['cpu_by_role'].get('main', 0) / max(1, result['fetched']):.1f})"
                f", {result['stats'].get('deepseek/warc/records', 0):.0f} records, {archive / MB:.1f} MB archived",
                flush=True,
            )
    server.shutdown()
    ratios = sorted(w["rate"] / wo["rate"] for wo, w in zip(results["without"], results["with"]))
    cpu = {label: sorted(run["cpu_per_page"] for run in runs) for label, runs in results.items()}
    median = ratios[len(ratios) // 2]
    writing = sorted(
        1000 * run["stats"].get("deepseek/cpu_seconds/warc_write", 0) / max(1, run["fetched"])
        for run in results["with"]
    )
    writing_ms = writing[len(writing) // 2]
    cpu_without = cpu["without"][len(cpu["without"]) // 2]
    share = writing_ms / (cpu_without + writing_ms)  # of the CPU a page costs with the archive on
    print(
        f"pages/s with the archive / without, per round: {', '.join(f'{r:.3f}' for r in ratios)}; "
        f"median {median:.3f} (cost {1 - median:+.1%}; the spread is the machine's noise)"
    )
    print(
        f"CPU per page, median of the rounds: {cpu_without:.1f} ms without, "
        f"{cpu['with'][len(cpu['with']) // 2]:.1f} ms with the archive"
    )
    print(
        f"WARC writing, counted by the crawl: {writing_ms:.2f} ms CPU/page = {share:.1%} of a page's CPU; "
        f"the crawl is CPU-bound here, so this is what it costs in pages/s"
    )
    print(
        f"cost of writing WARC < 5% of pages/s   measured {1 - median:+.1%} {verdict(1 - median < 0.05)}; "
        f"from CPU {share:.1%} {verdict(share < 0.05)}"
    )


if __name__ == "__main__":
    main()
