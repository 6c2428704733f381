"""The crawl's progress: a live status line redrawn on a terminal (pages/s, queue, stored, duplicates,
errors, elapsed), wiped before each log line; plain log lines with the same figures elsewhere."""

from __future__ import annotations

import os
import pty
import re
import subprocess

from crawler.progress import elapsed_text, status_line
from tests.mockserver.crawl import crawl_command
from tests.mockserver.process import REPO_ROOT

SLOW_ENOUGH = ("AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0.2", "LOG_LEVEL=INFO", "EXTRACT_WORKERS=0")
LIVE = re.compile(
    r"\r\x1b\[K(\d+) pages \(\d+\.\d/s\), queue (\d+|\?), \d+ stored, \d+ duplicates, "
    r"\d+ errors, \d+:\d\d elapsed"
)


def test_status_line_figures():
    stats = {
        "deepseek/pages": 12,
        "deepseek/stored": 5,
        "deepseek/duplicates/near": 1,
        "deepseek/duplicates/exact": 2,
        "deepseek/errors/dns": 3,
    }
    assert (
        status_line(stats, 2.5, 40, 75) == "12 pages (2.5/s), queue 40, 5 stored, 3 duplicates, 3 errors, 1:15 elapsed"
    )
    assert elapsed_text(3725) == "1:02:05"


def run_on_a_terminal(command) -> str:
    """Run ``command`` with stdout and stderr on a pseudo-terminal; everything it wrote."""
    master, slave = pty.openpty()
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the crawl closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=300) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_live_line_on_a_terminal(news_web, tmp_path):
    shown = run_on_a_terminal(crawl_command(news_web.bases, tmp_path / "corpus.db", SLOW_ENOUGH))
    drawn = LIVE.findall(shown)
    assert drawn, shown[-3000:]
    assert "progress:" not in shown  # no periodic log lines on a terminal
    finished = next(line for line in shown.split("\n") if "finished (finished)" in line)
    written = finished.split("\r\x1b[K")[-1]  # what stays on screen after the last wipe
    assert re.match(r"\d{4}-\d\d-\d\d ", written), repr(finished)  # the live line was wiped first
    assert re.search(r"\n\r\x1b\[K\d+ pages \(", shown)  # drawn again right under a log line


def test_plain_lines_elsewhere(news_web, tmp_path):
    settings = (*SLOW_ENOUGH, "PROGRESS_INTERVAL=0.5")
    done = subprocess.run(
        crawl_command(news_web.bases, tmp_path / "corpus.db", settings),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "\r" not in done.stderr and "\x1b[" not in done.stderr
    assert re.search(
        r"progress: \d+ pages \(\d+\.\d/s\), queue \d+, \d+ stored, \d+ duplicates, \d+ errors, "
        r"\d+:\d\d elapsed",
        done.stderr,
    ), done.stderr[-3000:]
