"""Read tests/fixtures/web/expected.json: what a crawl of the fixture news web must end with.

The manifest names pages by listener (`site_a`, `site_b`, `forbidden`) and path, so it holds no ports;
`url(bases, entry)` turns an entry into the absolute URL of the running server. See the manifest's
own "about" field for the outcomes and fields.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Mapping
from urllib.parse import urlsplit

from tests.mockserver.responses import WEB_ROOT

EXPECTED_FILE = WEB_ROOT / "expected.json"


@lru_cache(maxsize=1)
def load() -> dict:
    return json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))


def pages(*outcomes: str) -> list[dict]:
    """Manifest entries, optionally only those with one of `outcomes`."""
    return [p for p in load()["pages"] if not outcomes or p["outcome"] in outcomes]


def url(bases: Mapping[str, str], entry: Mapping) -> str:
    """Absolute URL of a manifest entry (or of a {"site", "path"} reference) on the running server."""
    return bases[entry["site"]] + entry["path"]


def start_urls(bases: Mapping[str, str]) -> list[str]:
    return [url(bases, ref) for ref in load()["start_urls"]]


def matches(entry: Mapping, site: str, path: str) -> bool:
    """Does the request `path` (query and fragment ignored) on listener `site` fall under `entry`?"""
    bare = path.split("#", 1)[0].split("?", 1)[0] or "/"
    if entry["site"] != site:
        return False
    return bare.startswith(entry["path"]) if entry.get("match") == "prefix" else bare == entry["path"]


def entry_for(site: str, path: str) -> dict | None:
    """The manifest entry covering `path` on `site` (exact entries win over prefix entries)."""
    found = [p for p in load()["pages"] if matches(p, site, path)]
    found.sort(key=lambda p: p.get("match") == "prefix")
    return found[0] if found else None


def site_of(bases: Mapping[str, str], absolute_url: str) -> tuple[str, str] | None:
    """(listener, path with query) for a URL on one of the listeners, else None."""
    parts = urlsplit(absolute_url)
    for site, base in bases.items():
        if f"{parts.scheme}://{parts.netloc}" == base:
            return site, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return None
