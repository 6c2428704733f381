"""Which answer the fixture news web gives for a path: a small table of special routes, else a
static file from tests/fixtures/web/<site>/ (see responses.py) or a 404.

Two routes are not linked from the fixture web and exist for other tests:
/kaputt/langsam.html?sekunden=N (a byte per second) and /kaputt/riesen-sitemap.xml (50,000 URLs).
"""

from __future__ import annotations

from typing import Mapping

from tests.mockserver import hostile
from tests.mockserver.responses import Response, Route, not_found, redirect, static_file, with_status

# (site, exact path) -> route. Everything not listed here is a static file or a 404.
SPECIAL_ROUTES: dict[tuple[str, str], Route] = {
    ("site_a", "/kurz/r1"): redirect(301, "/artikel/2025/01/deepseek-r1-erschuettert-silicon-valley.html"),
    ("site_a", "/weiter/partner-dossier"): redirect(302, "{{forbidden}}/dossier/deepseek-intern.html"),
    ("site_a", "/weiter/altes-archiv"): redirect(301, "{{forbidden}}/archiv/"),
    ("site_a", "/artikel/2025/02/deepseek-serverausfall.html"): with_status(500, "serverausfall.html"),
    ("site_a", "/artikel/2025/02/deepseek-dossier-komplett.html"): hostile.oversized,
    ("site_a", "/artikel/2025/02/deepseek-chronik.html"): hostile.gzip_bomb,
    ("site_a", "/sitemaps/archiv.xml.gz"): hostile.gzipped_sitemap,
    ("site_a", "/kaputt/schleife-a"): redirect(302, "/kaputt/schleife-b"),
    ("site_a", "/kaputt/schleife-b"): redirect(302, "/kaputt/schleife-a"),
    ("site_a", "/kaputt/leer.html"): hostile.raw(200, "text/html; charset=utf-8", b""),
    ("site_a", "/kaputt/kopf-abgeschnitten.html"): hostile.raw(200, "text/html; charset=utf-8", hostile.HEAD_CUT_OFF),
    ("site_a", "/kaputt/pdf-als-html.html"): hostile.pdf_as_html,
    ("site_a", "/kaputt/falscher-zeichensatz.html"): hostile.wrong_charset,
    ("site_a", "/kaputt/brotli-bombe.html"): hostile.brotli_bomb,
    ("site_a", "/kaputt/verbindungsabbruch.html"): hostile.connection_reset,
    ("site_a", "/kaputt/sitzung"): hostile.session_listing,
    ("site_a", "/kaputt/einzeilig.html"): hostile.single_line_oversized,
    ("site_a", "/kaputt/langsam.html"): hostile.slow_trickle,
    ("site_a", "/kaputt/riesen-sitemap.xml"): hostile.huge_sitemap,
}
# (site, path prefix) -> route, for generated families of pages.
PREFIX_ROUTES: dict[tuple[str, str], Route] = {
    ("site_a", "/kalender/"): hostile.calendar,
    ("site_a", "/kaputt/kette/"): hostile.redirect_chain,
}


def respond(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """The answer of the fixture web to GET `path` on `site`."""
    if site == "forbidden":
        return not_found()  # a private host: it should never be asked; if it is, it says nothing useful
    bare = path.split("?", 1)[0].split("#", 1)[0]
    route = SPECIAL_ROUTES.get((site, bare))
    if route is None:
        route = next((r for (s, prefix), r in PREFIX_ROUTES.items() if s == site and bare.startswith(prefix)), None)
    if route is not None:
        return route(site, path, bases)
    return static_file(site, bare, bases)
