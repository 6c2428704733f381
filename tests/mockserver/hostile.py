"""Generated and hostile pages of the fixture news web: the endless calendar, oversized pages,
compression bombs, broken bodies, redirect loops, a connection reset, endless session ids.
Each is a route function (site, path with query, base URLs) -> Response; routes.py maps paths to them.
"""

from __future__ import annotations

import functools
import re
import time
import zlib
from typing import Iterable, Mapping

from tests.mockserver.responses import WEB_ROOT, Response, Route, fill_placeholders, not_found, redirect

MIB = 1024 * 1024
OVERSIZED_BYTES = 11 * MIB  # above Scrapy's DOWNLOAD_MAXSIZE of about 10 MiB
GZIP_BOMB_INFLATED_BYTES = 50 * MIB  # sent as ~50 KB of gzip


def _article_head(title: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        f"<title>{title} | Tech-Rundschau</title>"
        f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
        '<meta property="article:published_time" content="2025-02-10T08:00:00+01:00">'
        f"</head><body><article><h1>{title}</h1>\n"
    ).encode("utf-8")


OVERSIZED_PARAGRAPH = (
    "<p>Das Dossier sammelt jede Meldung zu DeepSeek, zum Modell R1 und zu den Folgen für Nvidia, "
    "OpenAI und die Rechenzentren der großen Cloud-Anbieter, Tag für Tag und Stunde für Stunde.</p>\n"
).encode("utf-8")


def oversized(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """An on-topic article page of 11 MiB, streamed with a Content-Length: must be refused."""
    head = _article_head("Das komplette DeepSeek-Dossier")
    tail = b"</article></body></html>\n"
    repeats = (OVERSIZED_BYTES - len(head) - len(tail)) // len(OVERSIZED_PARAGRAPH) + 1
    length = len(head) + repeats * len(OVERSIZED_PARAGRAPH) + len(tail)

    def chunks() -> Iterable[bytes]:
        yield head
        block = OVERSIZED_PARAGRAPH * 512
        full, rest = divmod(repeats, 512)
        for _ in range(full):
            yield block
        yield OVERSIZED_PARAGRAPH * rest
        yield tail

    return Response(200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(length))], chunks())


@functools.lru_cache(maxsize=1)
def gzip_bomb_body() -> bytes:
    """An on-topic article whose gzip body (~50 KB) inflates to more than 50 MiB of spaces."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    parts = [compressor.compress(_article_head("Die große DeepSeek-Chronik"))]
    parts.append(compressor.compress(OVERSIZED_PARAGRAPH * 20))
    spaces = b" " * MIB
    for _ in range(GZIP_BOMB_INFLATED_BYTES // MIB):
        parts.append(compressor.compress(spaces))
    parts.append(compressor.compress(b"</article></body></html>\n"))
    parts.append(compressor.flush())
    return b"".join(parts)


def gzip_bomb(site: str, path: str, bases: Mapping[str, str]) -> Response:
    body = gzip_bomb_body()
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Encoding", "gzip"),
        ("Content-Length", str(len(body))),
    ]
    return Response(200, headers, body)


CALENDAR_PATH = re.compile(r"^/kalender/(\d{4})/(\d{2})/?$")
MONTHS_DE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
# Articles listed on the calendar page of their month (the rest of the calendar is empty, forever).
CALENDAR_ARTICLES = {
    (2025, 1): [
        ("/artikel/2025/01/deepseek-r1-erschuettert-silicon-valley.html", "DeepSeek R1 erschüttert das Silicon Valley"),
        (
            "/archiv/2025/01/27/deepseek-v3-trainingskosten.html",
            "Was das Training von DeepSeek V3 wirklich gekostet hat",
        ),
        ("/artikel/2025/01/italien-sperrt-deepseek.html", "Italien sperrt DeepSeek: Datenschützer verlangen Auskunft"),
    ],
    (2025, 2): [
        (
            "/artikel/2025/02/warum-die-offenen-gewichte-von-deepseek-wichtig-sind.html",
            "Warum die offenen Gewichte von DeepSeek wichtig sind",
        ),
        (
            "/the-gioi/deepseek-kraeftemessen-der-technologiemaechte-post31415.html",
            "DeepSeek und das Kräftemessen der Technologiemächte",
        ),
    ],
}


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def calendar(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """/kalender/YYYY/MM/: an archive page linking the previous and next month, without end."""
    match = CALENDAR_PATH.match(path.split("?", 1)[0])
    if not match or not 1 <= int(match.group(2)) <= 12:
        return not_found()
    year, month = int(match.group(1)), int(match.group(2))
    (py, pm), (ny, nm) = shift_month(year, month, -1), shift_month(year, month, +1)
    items = "".join(
        f'<li><a href="{href}">{title}</a></li>' for href, title in CALENDAR_ARTICLES.get((year, month), [])
    )
    listing = f'<ul class="k-list">{items}</ul>' if items else "<p>Keine Artikel in diesem Monat.</p>"
    html = (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        f"<title>Archiv {MONTHS_DE[month - 1]} {year} | Tech-Rundschau</title></head><body>"
        '<nav><a href="/">Startseite</a> › <a href="/kalender/2025/02/">Archiv</a></nav>'
        f"<h1>Archiv: {MONTHS_DE[month - 1]} {year}</h1>{listing}"
        f'<p class="k-nav"><a rel="prev" href="/kalender/{py:04d}/{pm:02d}/">« {MONTHS_DE[pm - 1]} {py}</a> · '
        f'<a rel="next" href="/kalender/{ny:04d}/{nm:02d}/">{MONTHS_DE[nm - 1]} {ny} »</a></p>'
        "</body></html>\n"
    )
    return Response(200, [("Content-Type", "text/html; charset=utf-8")], html.encode("utf-8"))


# --- broken and hostile pages (issue 6): /kaputt/... on site_a - ------------------------------------


def redirect_chain(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """/kaputt/kette/N redirects to N+1 up to 30 (then 404): longer than any sane redirect limit."""
    step = path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if not step.isdigit() or not 1 <= int(step) <= 30:
        return not_found()
    if int(step) == 30:
        return not_found()
    return redirect(302, f"/kaputt/kette/{int(step) + 1}")(site, path, bases)


def raw(status: int, content_type: str | None, body: bytes, **extra_headers: str) -> Route:
    """A fixed answer, e.g. an empty body or bytes that contradict their Content-Type."""
    headers = ([("Content-Type", content_type)] if content_type else []) + [
        (name.replace("_", "-"), value) for name, value in extra_headers.items()
    ]
    return lambda site, path, bases: Response(status, list(headers), body)


HEAD_CUT_OFF = (
    b'<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
    b'<title>DeepSeek: Neue Vorw\xc3\xbcrfe aus Washington</title><meta property="og:type" cont'
)


def pdf_as_html(site: str, path: str, bases: Mapping[str, str]) -> Response:
    body = (WEB_ROOT / "site_a" / "downloads" / "deepseek-r1-bericht-zusammenfassung.pdf").read_bytes()
    return Response(200, [("Content-Type", "text/html; charset=utf-8")], body)


def wrong_charset(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """Header says UTF-8, the bytes are ISO-8859-1 (and the page's <meta> says so)."""
    raw_bytes = fill_placeholders((WEB_ROOT / site / "_special" / "falscher-zeichensatz.html").read_bytes(), bases)
    return Response(200, [("Content-Type", "text/html; charset=utf-8")], raw_bytes)


def brotli_bomb(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """Content-Encoding: br inflating to 50 MiB (404 when the brotli module is missing)."""
    body = brotli_bomb_body()
    if body is None:
        return not_found()
    return Response(200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "br")], body)


@functools.lru_cache(maxsize=1)
def brotli_bomb_body() -> bytes | None:
    try:
        import brotli
    except ImportError:
        return None
    compressor = brotli.Compressor(quality=5)
    parts = [compressor.process(_article_head("DeepSeek: Die Brotli-Akte") + OVERSIZED_PARAGRAPH * 20)]
    spaces = b" " * MIB
    parts += [compressor.process(spaces) for _ in range(GZIP_BOMB_INFLATED_BYTES // MIB)]
    parts.append(compressor.process(b"</article></body></html>\n"))
    parts.append(compressor.finish())
    return b"".join(parts)


def connection_reset(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """Promises 50 KB, sends 1 KB of an article, then resets the connection."""
    body = (_article_head("DeepSeek: Abbruch mitten im Satz") + OVERSIZED_PARAGRAPH * 10)[:1024]
    return Response(
        200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "51200")], body, reset_connection=True
    )


def gzipped_sitemap(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """/sitemaps/archiv.xml.gz: a gzip file (not a Content-Encoding) holding a sitemap."""
    xml = fill_placeholders((WEB_ROOT / site / "_special" / "archiv-sitemap.xml").read_bytes(), bases)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = compressor.compress(xml) + compressor.flush()
    return Response(200, [("Content-Type", "application/x-gzip")], body)


def session_listing(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """/kaputt/sitzung?sid=N links to itself with sid=N+1: endless query variations of one page."""
    query = path.split("?", 1)[1] if "?" in path else ""
    sid = next((int(v) for k, _, v in (p.partition("=") for p in query.split("&")) if k == "sid" and v.isdigit()), 0)
    html = (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8"><title>Ihre Sitzung | Tech-Rundschau'
        "</title></head><body><h1>Merkliste</h1><p>Ihre Merkliste ist leer.</p>"
        f'<p><a href="/kaputt/sitzung?sid={sid + 1}">Merkliste aktualisieren</a> · '
        f'<a href="/thema/deepseek/?sid={sid + 1}">Alles zu DeepSeek</a></p></body></html>\n'
    )
    return Response(200, [("Content-Type", "text/html; charset=utf-8")], html.encode("utf-8"))


def single_line_oversized(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """An on-topic page of 11 MiB on one line, without Content-Length (the end is the connection close)."""
    head = _article_head("DeepSeek in einer Zeile").replace(b"\n", b"")
    sentence = OVERSIZED_PARAGRAPH.replace(b"\n", b" ")

    def chunks() -> Iterable[bytes]:
        yield head
        block = sentence * 1024
        for _ in range(OVERSIZED_BYTES // len(block) + 1):
            yield block
        yield b"</article></body></html>"

    return Response(200, [("Content-Type", "text/html; charset=utf-8")], chunks())


def huge_sitemap(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """/kaputt/riesen-sitemap.xml: 50,000 URLs (the sitemap protocol's maximum), all 404.
    Not linked from the fixture web; for parser and memory tests."""
    base = bases[site]
    urls = "".join(f"<url><loc>{base}/riesig/seite-{n}.html</loc></url>\n" for n in range(50_000))
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + urls
        + "</urlset>\n"
    ).encode("ascii")
    return Response(200, [("Content-Type", "application/xml")], body)


def slow_trickle(site: str, path: str, bases: Mapping[str, str]) -> Response:
    """/kaputt/langsam.html?sekunden=N: sends a byte every second for N seconds (default 30).
    Not linked from the fixture web (it would slow every crawl); for timeout tests."""
    query = path.split("?", 1)[1] if "?" in path else ""
    seconds = next(
        (int(v) for k, _, v in (p.partition("=") for p in query.split("&")) if k == "sekunden" and v.isdigit()), 30
    )

    def chunks() -> Iterable[bytes]:
        yield _article_head("DeepSeek im Schneckentempo")
        for _ in range(seconds):
            time.sleep(1)
            yield b" "
        yield b"</article></body></html>\n"

    return Response(200, [("Content-Type", "text/html; charset=utf-8")], chunks())
