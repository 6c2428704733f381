"""A crawl that reaches none of its start points (no DNS, a closed port) says so briefly: one line per
failed page or robots.txt, no traceback, and a closing line that names the cause.

Host names under ``.invalid`` never resolve (RFC 2606); the closed port is one just released on
127.0.0.1, so nothing here depends on the machine being online or offline.
"""

from __future__ import annotations

import socket
import subprocess

from crawler.progress import start_points_line
from tests.mockserver.crawl import command_for
from tests.mockserver.process import REPO_ROOT


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_closing_line_names_the_cause():
    assert (
        start_points_line({"dns": 19}, 19)
        == "19 of 19 start points unreachable: DNS lookup failed; is this machine online?"
    )
    assert (
        start_points_line({"dns": 2, "refused": 1}, 3)
        == "3 of 3 start points unreachable: DNS lookup failed (2), connection refused (1); is this machine online?"
    )
    assert start_points_line({"http_404": 1}, 4) == "1 of 4 start points failed: HTTP 404"
    assert start_points_line({"refused": 2}, 2) == "2 of 2 start points unreachable: connection refused"
    assert start_points_line({}, 5) is None


def test_an_unreachable_crawl_is_short_and_says_why(tmp_path):
    port = closed_port()
    start_points = [
        "http://news.example.invalid/feed.xml",
        "http://nowhere.invalid/",
        f"http://127.0.0.1:{port}/nachrichten/",
    ]
    done = subprocess.run(
        command_for(
            start_points,
            tmp_path / "corpus.db",
            ["EXTRACT_WORKERS=0", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False"],
        ),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = done.stderr
    assert done.returncode == 0, log[-3000:]
    assert "Traceback" not in log
    assert "RedisScaleOut" not in log  # no Redis: the add-on is not listed as enabled
    assert "Gave up retrying" not in log  # the spider's own line says it, once
    for url in start_points:
        failed = [line for line in log.splitlines() if f"failed {url}:" in line]
        assert len(failed) == 1, failed
    assert "failed http://nowhere.invalid/: dns (DNS lookup failed" in log
    assert f"failed http://127.0.0.1:{port}/nachrichten/: refused" in log
    robots = [line for line in log.splitlines() if "robots.txt of" in line]
    assert len(robots) == 3 and all("crawling it as allowed" in line for line in robots), robots
    assert (
        "3 of 3 start points unreachable: DNS lookup failed (2), connection refused (1); is this machine online?"
    ) in log
    assert "0 pages fetched, 0 stored, 0 duplicates, 0 off-topic, 0 not articles, 0 blocked, 3 errors" in log
