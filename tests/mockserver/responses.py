"""Basic answers of the fixture news web: the `Response` type, static files with placeholders,
404s, redirects and fixed-status pages. Pure functions, no sockets (see server.py).

Static pages live in tests/fixtures/web/<site>/; a URL path maps to a file the obvious way
(`/` and `/dir/` to `index.html`, the query string is ignored, a directory without its slash gets a
301). Placeholders `{{site_a}}`, `{{site_b}}`, `{{forbidden}}` are replaced in the raw bytes, so
legacy-encoded files stay intact.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

WEB_ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "web"

# Content types the server sends by file extension. HTML deliberately carries no charset:
# pages say their encoding themselves (one legacy page says it only in a <meta> tag).
CONTENT_TYPES = {
    ".html": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".json": "application/json",
}
# Files whose bytes get placeholders replaced (never binary files such as the PDF).
TEXT_SUFFIXES = {".html", ".xml", ".rss", ".atom", ".txt", ".json"}
# Per-file content-type overrides, where the extension would give the wrong answer.
CONTENT_TYPE_OVERRIDES = {
    ("site_a", "atom.xml"): "application/atom+xml",
    ("site_a", "feed.xml"): "application/rss+xml; charset=utf-8",
    ("site_b", "feed.xml"): "application/rss+xml; charset=utf-8",
}


@dataclass
class Response:
    """One HTTP answer. `body` is bytes, or an iterable of byte chunks for streamed bodies."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | Iterable[bytes] = b""
    reset_connection: bool = False  # after the body, drop the connection with a TCP reset


def fill_placeholders(raw: bytes, bases: Mapping[str, str]) -> bytes:
    """Replace `{{site_a}}`-style placeholders in raw bytes with the listeners' base URLs."""
    for name, base in bases.items():
        raw = raw.replace(b"{{" + name.encode("ascii") + b"}}", base.encode("ascii"))
    return raw


def file_for(site: str, path: str, root: Path = WEB_ROOT) -> Path | None:
    """The fixture file serving `path` on `site`, or None. Never leaves the site's directory."""
    site_dir = (root / site).resolve()
    relative = path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    candidate = (site_dir / relative).resolve()
    if site_dir not in candidate.parents or not candidate.is_file():
        return None
    if any(part.startswith("_") for part in candidate.relative_to(site_dir).parts):
        return None  # _special/ holds bodies of special routes, not pages of their own
    return candidate


def content_type_for(site: str, file: Path, root: Path = WEB_ROOT) -> str:
    relative = file.relative_to((root / site).resolve()).as_posix()
    override = CONTENT_TYPE_OVERRIDES.get((site, relative))
    if override:
        return override
    return CONTENT_TYPES.get(file.suffix, mimetypes.guess_type(file.name)[0] or "application/octet-stream")


def static_file(site: str, path: str, bases: Mapping[str, str], root: Path = WEB_ROOT) -> Response:
    file = file_for(site, path, root)
    if file is None and not path.endswith("/") and file_for(site, path + "/", root) is not None:
        return redirect(301, path + "/")(site, path, bases)  # a directory without its slash, as servers do
    if file is None:
        return not_found()
    raw = file.read_bytes()
    if file.suffix in TEXT_SUFFIXES:
        raw = fill_placeholders(raw, bases)
    return Response(200, [("Content-Type", content_type_for(site, file, root))], raw)


def not_found() -> Response:
    body = (
        b'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Seite nicht gefunden'
        b"</title></head><body><h1>404</h1><p>Diese Seite gibt es nicht.</p></body></html>"
    )
    return Response(404, [("Content-Type", "text/html; charset=utf-8")], body)


def redirect(status: int, target: str) -> Callable[..., Response]:
    """A redirect to `target`, which may contain placeholders (e.g. to the forbidden host)."""

    def route(site: str, path: str, bases: Mapping[str, str]) -> Response:
        location = fill_placeholders(target.encode("ascii"), bases).decode("ascii")
        body = f'<html><body><a href="{location}">Weiter</a></body></html>'.encode()
        return Response(status, [("Location", location), ("Content-Type", "text/html; charset=utf-8")], body)

    return route


def with_status(status: int, special_file: str) -> Callable[..., Response]:
    """Serve `<site>/_special/<special_file>` with an error status (an article-like error page)."""

    def route(site: str, path: str, bases: Mapping[str, str]) -> Response:
        raw = fill_placeholders((WEB_ROOT / site / "_special" / special_file).read_bytes(), bases)
        return Response(status, [("Content-Type", "text/html; charset=utf-8")], raw)

    return route


Route = Callable[[str, str, Mapping[str, str]], Response]
