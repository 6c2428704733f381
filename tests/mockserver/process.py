"""Run the fixture news web in a subprocess and talk to it (like Scrapy's tests/mockserver).

with NewsWebProcess() as web:
    web.site_a                      # "http://127.0.0.1:PORT"
    web.url("site_a", "/feed.xml")  # absolute URL on one listener
    web.requests()                  # every request the server recorded, oldest first
    web.reset()                     # forget them
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


class NewsWebProcess:
    """`python -m tests.mockserver` as a child process; reads the one JSON line it prints when ready."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.bases: dict[str, str] = {}

    def start(self) -> "NewsWebProcess":
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.mockserver"],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=10)
            raise RuntimeError(f"news web server did not start: {self.proc.stderr.read().strip()}")
        self.bases = json.loads(line)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stdout.close()
            self.proc.stderr.close()

    def __enter__(self) -> "NewsWebProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def site_a(self) -> str:
        return self.bases["site_a"]

    @property
    def site_b(self) -> str:
        return self.bases["site_b"]

    @property
    def forbidden(self) -> str:
        return self.bases["forbidden"]

    def url(self, site: str, path: str) -> str:
        """Absolute URL of `path` on listener `site` ("site_a", "site_b" or "forbidden")."""
        return self.bases[site] + (path if path.startswith("/") else "/" + path)

    def requests(self, listener: str | None = None) -> list[dict]:
        """Recorded requests (dicts: listener, method, host, path, user_agent, referer, status, time)."""
        with urllib.request.urlopen(self.site_a + "/__requests", timeout=10) as response:
            entries = json.loads(response.read())
        return [e for e in entries if listener is None or e["listener"] == listener]

    def reset(self) -> None:
        """Clear the request log."""
        request = urllib.request.Request(self.site_a + "/__requests", method="DELETE")
        with urllib.request.urlopen(request, timeout=10):
            pass
