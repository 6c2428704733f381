"""robots.txt is obeyed by every request, also by those that wait while it is being fetched.

Scrapy's RobotsTxtMiddleware hands every request that arrives while a site's robots.txt is still
downloading the same Deferred; with the asyncio reactor only the first waiter gets the parser and
the others get None, which Scrapy reads as "no robots.txt, allow all". Several start points on one
site are exactly that case.
"""

from __future__ import annotations

from tests.mockserver.crawl import FAST_SETTINGS, crawl_command
from tests.mockserver.process import REPO_ROOT

import subprocess

DISALLOWED = "/intern/2025/02/deepseek-vorabbericht.html"


def test_requests_waiting_for_robots_txt_obey_it(news_web, tmp_path):
    start = [news_web.url("site_a", path) for path in ("/feed.xml", "/atom.xml", "/thema/deepseek/", DISALLOWED)]
    command = crawl_command(news_web.bases, tmp_path / "corpus.db", FAST_SETTINGS)
    command[command.index("-a") + 1] = "start_urls=" + ",".join(start)
    news_web.reset()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    requested = [r["path"] for r in news_web.requests("site_a")]
    assert "/robots.txt" in requested
    assert not [path for path in requested if path.startswith(("/intern/", "/kommentar"))], requested
