"""The hostile web (issue 6): listeners and routes the fixture news web cannot hold, for the crawl-level
hostile-input and security tests (tests/test_hostile_crawl.py, tests/test_security_crawl.py), served
in-process by `HostileWeb`.

Listeners (all loopback; the crawl names site_a, robots_500, robots_slow and big, and a closed port on
127.0.0.1, in its start points):
  site_a       127.0.0.1  /feindlich/...: a feed and a listing full of traps, gzip feeds and sitemaps,
                          redirects to private addresses and other schemes; everything else is answered
                          by the fixture news web's site_a (e.g. /kaputt/langsam.html)
  forbidden    127.0.0.3  plays a private host: records every request, must see none
  robots_500   127.0.0.4  robots.txt answers 500; one article
  robots_slow  127.0.0.5  robots.txt trickles a byte a second for 20 s; one article
  big          127.0.0.6  /riesen-sitemap.xml: 50,000 URLs
  forbidden_v6 ::1        plays a private IPv6 host: records every request, must see none
and a `Tripwire` (a bare TCP listener on 127.0.0.1 that records every connection, whatever the
protocol): the ftp: and gopher: links point at it, so a connection of any kind would show.

The links are written with the listeners' real ports, so a guard that let one through would reach a
listener and be caught by its log.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from typing import Iterable, Mapping
from urllib.parse import urlsplit

from tests.mockserver import hostile
from tests.mockserver.responses import Response, not_found
from tests.mockserver.routes import respond as news_web_respond
from tests.mockserver.server import NewsWeb

HOSTS = {
    "site_a": "127.0.0.1",
    "forbidden": "127.0.0.3",
    "robots_500": "127.0.0.4",
    "robots_slow": "127.0.0.5",
    "big": "127.0.0.6",
    "forbidden_v6": "::1",
}
ROBOTS_TRICKLE_SECONDS = 20

# Our own short stories, each distinct (no two are near duplicates): path -> (title, paragraphs).
ARTICLES = {
    "/feindlich/artikel/gzip-feed.html": (
        "DeepSeek öffnet sein Modell für Forschungsgruppen",
        [
            "Das Start-up DeepSeek aus Hangzhou stellt die Gewichte seines Sprachmodells frei zur Verfügung, "
            "damit Universitäten eigene Experimente damit anstellen können.",
            "Mehrere Lehrstühle in München und Zürich haben bereits angekündigt, das Modell auf ihren eigenen "
            "Rechnern zu betreiben und die Ergebnisse offen zu dokumentieren.",
        ],
    ),
    "/feindlich/artikel/gzip-sitemap.html": (
        "Warum Rechenzentren nach DeepSeek umplanen",
        [
            "Betreiber großer Rechenzentren fragen sich seit dem Erfolg von DeepSeek, ob sie wirklich so viele "
            "neue Grafikprozessoren bestellen müssen wie bisher geplant.",
            "Ein Sprecher eines Frankfurter Anbieters sagte, man prüfe nun Verträge über Stromlieferungen, die "
            "erst in drei Jahren wirksam würden.",
        ],
    ),
    "/feindlich/artikel/gzip-doppelt.html": (
        "DeepSeek im Klassenzimmer",
        [
            "Lehrerinnen an einer Berliner Gesamtschule testen DeepSeek als Hilfe beim Korrigieren von "
            "Aufsätzen und berichten von gemischten Erfahrungen.",
            "Die Schulbehörde will im Herbst entscheiden, ob solche Werkzeuge an allen Schulen der Stadt "
            "erlaubt werden, und verlangt vorher ein Gutachten zum Datenschutz.",
        ],
    ),
    "/feindlich/artikel/gzip-datei.html": (
        "Übersetzer vergleichen DeepSeek mit älteren Systemen",
        [
            "Ein Verband freiberuflicher Übersetzer hat DeepSeek mit drei älteren Systemen verglichen und "
            "dafür juristische Fachtexte aus dem Deutschen ins Englische übertragen lassen.",
            "Bei Fachbegriffen schnitt DeepSeek besser ab, bei langen Schachtelsätzen machte es dagegen "
            "häufiger Fehler in der Satzstellung, so der Bericht des Verbands.",
        ],
    ),
    "/feindlich/doppelt.html": (
        "DeepSeek und die Frage nach den Trainingsdaten",
        [
            "Welche Texte DeepSeek für das Training verwendet hat, legt das Unternehmen nur in groben Zügen "
            "offen, was Verlage in Europa zunehmend beunruhigt.",
            "Ein Branchenverband fordert nun eine Liste der Quellen und droht mit einer Beschwerde bei der "
            "Europäischen Kommission, falls keine Antwort kommt.",
        ],
    ),
    "/artikel/robots-fehler.html": (
        "DeepSeek app tops download charts in Europe",
        [
            "The chatbot app of the Chinese start-up DeepSeek climbed to the top of the download charts in "
            "several European countries within a single weekend.",
            "Analysts at a London research firm said curiosity drove most downloads and that few users kept "
            "the app after the first week.",
        ],
    ),
    "/artikel/robots-langsam.html": (
        "Banken testen DeepSeek für interne Auswertungen",
        [
            "Zwei Genossenschaftsbanken aus Süddeutschland prüfen, ob sich DeepSeek für die Auswertung "
            "interner Berichte eignet, ohne Kundendaten preiszugeben.",
            "Das Modell läuft dafür auf eigenen Servern im Keller der Zentrale; ins Internet gelangen die "
            "Daten nach Angaben der Banken nicht.",
        ],
    ),
    # served with a wrong, missing or unusual Content-Type or charset (see SERVED_AS)
    "/feindlich/artikel/als-text.html": (
        "DeepSeek-Modell läuft jetzt auf dem Laptop",
        [
            "Eine verkleinerte Fassung des DeepSeek-Modells passt inzwischen auf gewöhnliche Laptops mit "
            "sechzehn Gigabyte Arbeitsspeicher, berichten Entwickler aus Leipzig.",
            "Die Antworten kommen langsamer als aus der Cloud, dafür verlassen die Eingaben den Rechner nie, "
            "was besonders Anwaltskanzleien und Arztpraxen interessiert.",
        ],
    ),
    "/feindlich/artikel/ohne-typ.html": (
        "Stadtwerke fragen nach dem Strombedarf von DeepSeek-Servern",
        [
            "Die Stadtwerke einer hessischen Mittelstadt wollen wissen, wie viel Strom ein geplantes "
            "Rechenzentrum für DeepSeek-Anwendungen im Gewerbegebiet brauchen würde.",
            "Der Investor nennt bislang nur eine Spanne, die der Gemeinderat für zu ungenau hält; eine "
            "Entscheidung wurde auf den Sommer vertagt.",
        ],
    ),
    "/feindlich/artikel/als-binaer.html": (
        "Museum zeigt Gespräche mit DeepSeek als Kunstwerk",
        [
            "Ein Kunstmuseum in Bremen zeigt ausgedruckte Gespräche zwischen Besuchern und DeepSeek als "
            "raumhohe Papierbahnen, die jede Woche um neue Dialoge wachsen.",
            "Die Kuratorin möchte zeigen, wie höflich, ausweichend oder überraschend die Maschine auf "
            "Fragen nach Kunst, Tod und Liebe antwortet.",
        ],
    ),
    "/feindlich/artikel/cp1252-ohne-angabe.html": (
        "Förderbank prüft Kredite für DeepSeek-Anwender",
        [
            "Eine Förderbank des Bundes prüft, ob mittelständische Betriebe Zuschüsse bekommen sollen, wenn "
            "sie offene Modelle wie DeepSeek auf eigenen Servern betreiben.",
            "Größere Summen seien nicht geplant, heißt es aus dem Ministerium, eher Beträge für Schulungen "
            "und für die ersten Monate Betrieb.",
        ],
    ),
    "/feindlich/artikel/utf16.html": (
        "Bibliotheken erklären DeepSeek in Abendkursen",
        [
            "Öffentliche Bibliotheken in Nordrhein-Westfalen bieten Abendkurse an, in denen Bürgerinnen und "
            "Bürger lernen, was DeepSeek kann und wo seine Grenzen liegen.",
            "Die Kurse sind nach wenigen Tagen ausgebucht gewesen; nun sollen Aufzeichnungen im Netz folgen, "
            "sagt die Leiterin der Stadtbibliothek Münster.",
        ],
    ),
    "/feindlich/artikel/meta-luegt.html": (
        "Gewerkschaft verlangt Regeln für DeepSeek im Büro",
        [
            "Eine Dienstleistungsgewerkschaft verlangt Betriebsvereinbarungen, bevor Unternehmen DeepSeek "
            "für Personalentscheidungen oder Leistungsbewertungen einsetzen dürfen.",
            "Beschäftigte müssten erfahren, welche Daten das Modell über sie verarbeite, und Entscheidungen "
            "müssten immer von Menschen getroffen und begründet werden.",
        ],
    ),
    # text that would break SQL built by string formatting: stored exactly as it is
    "/feindlich/artikel/sql-zeichen.html": (
        "DeepSeek'); DROP TABLE articles; -- und andere Streiche",
        [
            "Ein Sicherheitsforscher nannte seinen Testbericht über DeepSeek absichtlich \"'; DELETE FROM "
            'duplicates; --", um zu prüfen, ob Redaktionssysteme Eingaben sauber behandeln.',
            "Die meisten Systeme zeigten den Titel einfach an; nur ein altes Archiv verschluckte sich an den "
            "Anführungszeichen und an dem Semikolon mitten im Satz.",
        ],
    ),
    # error statuses with an article-like body: never stored
    "/feindlich/artikel/gesperrt.html": (
        "DeepSeek: Der geheime Plan der Aufsichtsbehörde",
        [
            "Dieser Text wird mit dem Status 403 ausgeliefert und darf deshalb niemals im Korpus landen, "
            "auch wenn er wie ein vollständiger Artikel über DeepSeek aussieht.",
            "Ein Crawler, der ihn speichert, hat den Statuscode der Antwort nicht beachtet.",
        ],
    ),
    "/feindlich/artikel/entfernt.html": (
        "DeepSeek: Ein zurückgezogener Bericht",
        [
            "Dieser Text wird mit dem Status 410 ausgeliefert, weil die Redaktion den Bericht über DeepSeek "
            "zurückgezogen hat; er darf nicht gespeichert werden.",
            "Auch ein endgültig entfernter Artikel mit vollständigem Text ist kein Artikel für den Korpus.",
        ],
    ),
}
# How the articles above are served: path -> (status, Content-Type header or None, encoding of the bytes,
# charset declared in a <meta> tag or None).
SERVED_AS = {
    "/feindlich/artikel/als-text.html": (200, "text/plain; charset=utf-8", "utf-8", "utf-8"),
    "/feindlich/artikel/ohne-typ.html": (200, None, "utf-8", "utf-8"),
    "/feindlich/artikel/als-binaer.html": (200, "application/octet-stream", "utf-8", "utf-8"),
    "/feindlich/artikel/cp1252-ohne-angabe.html": (200, "text/html", "cp1252", None),
    "/feindlich/artikel/utf16.html": (200, "text/html", "utf-16", None),
    "/feindlich/artikel/meta-luegt.html": (200, "text/html", "cp1252", "utf-8"),
    "/feindlich/artikel/gesperrt.html": (403, "text/html; charset=utf-8", "utf-8", "utf-8"),
    "/feindlich/artikel/entfernt.html": (410, "text/html; charset=utf-8", "utf-8", "utf-8"),
}

# Variants of /feindlich/doppelt.html that are one page: the plain URL comes first everywhere.
DUPLICATE_VARIANTS = [
    "{site_a}/feindlich/doppelt.html",
    "{site_a}/feindlich/Doppelt.html",
    "{site_a}/feindlich/doppelt.html/",
    "{site_a}/feindlich/doppelt.html?utm_source=feed&utm_medium=rss",
    "{site_a}/feindlich/DOPPELT.HTML?sid=9",
    "{site_a}/feindlich/doppelt.html#kommentare",
    "{site_a}/feindlich/doppelt.html;jsessionid=ABC123",
    "{www_site_a}/feindlich/doppelt.html",
    "{site_a}/feindlich/doppelt.html?fbclid=x&gclid=y",
]
# Links to private addresses in forms the guard must see through: none may reach a listener.
PRIVATE_LINKS = [
    "http://localhost:{site_a_port}/feindlich/lokal.html",  # a name resolving to 127.0.0.1
    "{forbidden_v6}/ipv6.html",  # [::1]
    "http://[::ffff:127.0.0.3]:{forbidden_port}/mapped.html",  # IPv4-mapped IPv6
    "http://[::ffff:7f00:3]:{forbidden_port}/mapped-hex.html",  # the same, in hex
    "http://[0:0:0:0:0:ffff:127.0.0.3]:{forbidden_port}/mapped-lang.html",
    "http://2130706435:{forbidden_port}/dezimal.html",  # 127.0.0.3 as one decimal number
    "http://0x7f.0.0.3:{forbidden_port}/hex.html",  # ... in hex
    "http://127.3:{forbidden_port}/kurz.html",  # ... in short form
    "http://127.0.0.3.:{forbidden_port}/punkt.html",  # ... with a trailing dot
    "http://0.0.0.0:{site_a_port}/feindlich/null.html",  # "this host"
    "http://0:{site_a_port}/feindlich/null-kurz.html",  # ... as a single number
    "http://[::]:{forbidden_v6_port}/unbestimmt.html",  # IPv6 "this host"
    "http://[::1%25lo]:{forbidden_v6_port}/zone.html",  # [::1] with a zone id
    "{forbidden}/direkt.html",
]
# URLs parsers disagree about (userinfo, backslash, fragment before @): whatever host the crawl takes, it
# must be the one its guard checked, so the forbidden listener still sees nothing.
PARSER_TRICKS = [
    "http://127.0.0.1:{site_a_port}@127.0.0.3:{forbidden_port}/userinfo.html",
    "http://127.0.0.3:{forbidden_port}\\@127.0.0.1:{site_a_port}/feindlich/trick-backslash.html",
    "http://127.0.0.3:{forbidden_port}%2f@127.0.0.1:{site_a_port}/feindlich/trick-prozent.html",
    "http://127.0.0.3:{forbidden_port}#@127.0.0.1:{site_a_port}/feindlich/trick-fragment.html",
    "http://127.0.0.3:{forbidden_port}?@127.0.0.1:{site_a_port}/feindlich/trick-query.html",
]
# Links in other schemes: never fetched (the ftp: and gopher: ones point at the tripwire).
OTHER_SCHEME_LINKS = [
    "file:///etc/passwd",
    "ftp://127.0.0.1:{tripwire_port}/datei.txt",
    "gopher://127.0.0.1:{tripwire_port}/",
    "data:text/html;base64,PGgxPkRlZXBTZWVrPC9oMT4=",
    "javascript:alert(document.cookie)",
    "mailto:redaktion@example.com",
    "FTP://127.0.0.1:{tripwire_port}/gross.txt",
    "view-source:{site_a}/feindlich/doppelt.html",
]
# /feindlich/umleitung/NAME -> where it redirects to.
REDIRECTS = {
    "localhost": "http://localhost:{site_a_port}/feindlich/lokal-umgeleitet.html",
    "mapped": "http://[::ffff:127.0.0.3]:{forbidden_port}/umgeleitet.html",
    "ipv6": "{forbidden_v6}/umgeleitet.html",
    "dezimal": "http://2130706435:{forbidden_port}/umgeleitet-dezimal.html",
    "ftp": "ftp://127.0.0.1:{tripwire_port}/umgeleitet.txt",
    "datei": "file:///etc/passwd",
    "daten": "data:text/html,<h1>DeepSeek</h1>",
}


# <meta http-equiv="refresh"> pages (Scrapy follows them like redirects): /feindlich/auffrischen/NAME -> target.
META_REFRESHES = {
    "privat": "{forbidden}/aufgefrischt.html",
    "localhost": "http://localhost:{site_a_port}/feindlich/aufgefrischt.html",
    "datei": "file:///etc/passwd",
}
# Billion laughs: entities expanding to 10^9 'ha's if a parser expanded them.
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "haha">\n'
    + b"".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">\n'.encode() for n in range(9))
    + b']>\n<rss version="2.0"><channel><item><title>&j;</title><link>&j;</link></item></channel></rss>\n'
)


def xxe_feed(bases: Mapping[str, str], tripwire_port: int) -> bytes:
    """A feed whose DTD names a local file, the private host and the tripwire as external entities."""
    forbidden = bases["forbidden"]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
        '<!ENTITY datei SYSTEM "file:///etc/hostname">\n'
        f'<!ENTITY fern SYSTEM "{forbidden}/xxe-entitaet">\n'
        f'<!ENTITY % extern SYSTEM "{forbidden}/xxe.dtd"> %extern;\n'
        f'<!ENTITY falle SYSTEM "http://127.0.0.1:{tripwire_port}/xxe">\n]>\n'
        '<rss version="2.0"><channel><title>&datei;</title>'
        f"<item><title>&datei;</title><link>{bases['site_a']}/feindlich/xxe-&datei;.html</link></item>"
        "<item><title>fern</title><link>&fern;</link></item><item><link>&falle;</link></item>"
        "</channel></rss>\n"
    ).encode("utf-8")


class Tripwire:
    """A bare TCP listener that records every connection made to it (any protocol), and answers none."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.socket = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self.socket.bind((host, 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections: list[tuple] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="tripwire", daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, peer = self.socket.accept()
            except (socket.timeout, OSError):
                continue
            self.connections.append(peer)
            connection.close()

    def start(self) -> "Tripwire":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.socket.close()


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (bound, then released): connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fill(template: str, bases: Mapping[str, str], tripwire_port: int) -> str:
    site_a = bases["site_a"]
    return template.format(
        site_a=site_a,
        www_site_a=site_a.replace("http://", "http://www."),
        forbidden=bases["forbidden"],
        forbidden_v6=bases["forbidden_v6"],
        site_a_port=urlsplit(site_a).port,
        forbidden_port=urlsplit(bases["forbidden"]).port,
        forbidden_v6_port=urlsplit(bases["forbidden_v6"]).port,
        tripwire_port=tripwire_port,
    )


def article_html(
    title: str, paragraphs: list[str], encoding: str = "utf-8", meta_charset: str | None = "utf-8"
) -> bytes:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    return (
        f'<!DOCTYPE html>\n<html lang="de"><head>{meta}'
        f'<title>{title}</title><meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2025-02-14T10:00:00+01:00"></head>'
        f'<body><nav><a href="/">Start</a></nav><article><h1>{title}</h1>{body}</article></body></html>\n'
    ).encode(encoding)


def served_article(path: str) -> Response:
    status, content_type, encoding, meta_charset = SERVED_AS.get(
        path, (200, "text/html; charset=utf-8", "utf-8", "utf-8")
    )
    headers = [("Content-Type", content_type)] if content_type else []
    return Response(status, headers, article_html(*ARTICLES[path], encoding=encoding, meta_charset=meta_charset))


def rss(items: Iterable[str]) -> bytes:
    entries = "".join(
        f"<item><title>Meldung {n}</title><link>{escape(url)}</link></item>\n" for n, url in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Feindlich</title>'
        f"<language>de</language>\n{entries}</channel></rss>\n"
    ).encode("utf-8")


def urlset(urls: Iterable[str]) -> bytes:
    entries = "".join(f"<url><loc>{escape(url)}</loc></url>\n" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    ).encode("utf-8")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def ok(content_type: str, body: bytes, *extra: tuple[str, str]) -> Response:
    return Response(200, [("Content-Type", content_type), *extra], body)


def gzip_bomb_sitemap() -> bytes:
    """A gzip file (no Content-Encoding) of ~11 KB that inflates to 11 MiB: a sitemap past DOWNLOAD_MAXSIZE."""
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    return gzip.compress(head + b" " * hostile.OVERSIZED_BYTES + b"</urlset>", compresslevel=9)


def robots_trickle() -> Iterable[bytes]:
    yield b"User-agent: *\n"
    for _ in range(ROBOTS_TRICKLE_SECONDS):
        time.sleep(1)
        yield b"#"
    yield b"\nDisallow: /artikel/\n"  # never arrives within the crawl's timeout: robots.txt is a failure


def listing(title: str, links: Iterable[str]) -> bytes:
    items = "".join(f'<li><a href="{escape(url)}">Weiterlesen {n}</a></li>' for n, url in enumerate(links))
    return (
        f'<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><ul>{items}</ul></body></html>\n"
    ).encode("utf-8")


def make_respond(tripwire_port: int, closed_port: int):
    """The respond(site, path, bases) function of the hostile web."""

    def respond(site: str, path: str, bases: Mapping[str, str]) -> Response:
        bare = path.split("?", 1)[0].split("#", 1)[0]
        query = path.split("?", 1)[1] if "?" in path else ""

        def f(template: str) -> str:
            return fill(template, bases, tripwire_port)

        if site in ("forbidden", "forbidden_v6"):
            return not_found()
        if site == "robots_500":
            if bare == "/robots.txt":
                return Response(
                    500,
                    [("Content-Type", "text/html; charset=utf-8")],
                    b"<html><body><h1>500</h1><p>Interner Fehler</p></body></html>",
                )
        if site == "robots_slow" and bare == "/robots.txt":
            return ok("text/plain", robots_trickle())
        if site in ("robots_500", "robots_slow"):
            if bare == "/":
                return ok(
                    "text/html; charset=utf-8",
                    listing(
                        "Start",
                        ["/artikel/robots-fehler.html" if site == "robots_500" else "/artikel/robots-langsam.html"],
                    ),
                )
            if (site, bare) in (
                ("robots_500", "/artikel/robots-fehler.html"),
                ("robots_slow", "/artikel/robots-langsam.html"),
            ):
                return ok("text/html; charset=utf-8", article_html(*ARTICLES[bare]))
            return not_found()
        if site == "big":
            return hostile.huge_sitemap(site, path, bases) if bare == "/riesen-sitemap.xml" else not_found()
        # site_a
        if bare in ARTICLES:
            return served_article(bare)
        if bare == "/feindlich/feed.xml":
            items = [f(u) for u in DUPLICATE_VARIANTS + PRIVATE_LINKS + PARSER_TRICKS + OTHER_SCHEME_LINKS]
            items += [f"{bases['site_a']}/feindlich/umleitung/{name}" for name in REDIRECTS]
            items += [
                f"{bases['site_a']}/kaputt/langsam.html?sekunden=20",
                f"{bases['site_a']}/feindlich/kaputt.xml.gz",
                f"{bases['site_a']}/feindlich/bombe.xml.gz",
                f"{bases['site_a']}/feindlich/zeichensatz-kaputt.xml",
                f"{bases['site_a']}/feindlich/sitemap-abgeschnitten.xml",
                f"{bases['site_a']}/feindlich/feed-abgeschnitten.xml",
                f"http://127.0.0.1:{closed_port}/niemand-da.html",
                "http://nicht-aufloesbar.invalid/artikel.html",
            ]
            items += [bases["site_a"] + path for path in SERVED_AS]
            items.append(bases["site_a"] + "/feindlich/artikel/sql-zeichen.html")
            items += [bases["site_a"] + "/feindlich/xxe.xml", bases["site_a"] + "/feindlich/lachen.xml"]
            return ok("application/rss+xml; charset=utf-8", rss(items))
        if bare.startswith("/feindlich/umleitung/") and bare.rsplit("/", 1)[1] in REDIRECTS:
            location = f(REDIRECTS[bare.rsplit("/", 1)[1]])
            return Response(302, [("Location", location), ("Content-Type", "text/html")], b"<a>Weiter</a>")
        if bare == "/feindlich/feed-gzip.xml":
            feed = rss([bases["site_a"] + "/feindlich/artikel/gzip-feed.html"])
            return ok("application/rss+xml", gzip.compress(feed), ("Content-Encoding", "gzip"))
        if bare == "/feindlich/sitemap-gzip.xml":
            sitemap = urlset([bases["site_a"] + "/feindlich/artikel/gzip-sitemap.html"])
            return ok("application/xml", gzip.compress(sitemap), ("Content-Encoding", "gzip"))
        if bare == "/feindlich/sitemap-doppelt.xml.gz":  # a gzip file, sent gzip-encoded once more
            sitemap = gzip.compress(urlset([bases["site_a"] + "/feindlich/artikel/gzip-doppelt.html"]))
            return ok("application/x-gzip", gzip.compress(sitemap), ("Content-Encoding", "gzip"))
        if bare == "/feindlich/sitemap-datei.xml.gz":
            return ok(
                "application/x-gzip", gzip.compress(urlset([bases["site_a"] + "/feindlich/artikel/gzip-datei.html"]))
            )
        if bare == "/feindlich/kaputt.xml.gz":  # a gzip header, then corrupt deflate data
            whole = gzip.compress(urlset([bases["site_a"] + "/feindlich/nie.html"] * 50))
            return ok("application/x-gzip", whole[:10] + b"\xff" * 64 + whole[74:])
        if bare == "/feindlich/sitemap-abgeschnitten.xml":  # cut off inside the root's start tag
            return ok("application/xml", b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitem')
        if bare == "/feindlich/feed-abgeschnitten.xml":
            return ok("application/rss+xml", b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.')
        if bare == "/feindlich/bombe.xml.gz":
            return ok("application/x-gzip", gzip_bomb_sitemap())
        if bare == "/feindlich/zeichensatz-kaputt.xml":  # a feed in an encoding nobody knows
            return ok(
                "application/rss+xml",
                b'<?xml version="1.0" encoding="x-klingonisch"?>\n<rss version="2.0">'
                b"<channel><item><link>" + bases["site_a"].encode() + b"/feindlich/nie.html</link></item>"
                b"</channel></rss>",
            )
        if bare == "/feindlich/":
            links = [f(u) for u in DUPLICATE_VARIANTS] + [f(u) for u in OTHER_SCHEME_LINKS]
            links += [
                "/feindlich/filter?seite=1&sortierung=neu",
                "/feindlich/merkliste;jsessionid=1?PHPSESSID=1",
                "/feindlich/basis.html",
            ] + [f"/feindlich/auffrischen/{name}" for name in META_REFRESHES]
            return ok("text/html; charset=utf-8", listing("Feindliche Startseite", links))
        if bare == "/feindlich/basis.html":  # <base href> on the private host: relative links lead there
            page = listing("Basis", ["geheim.html", "/feindlich/geheim-absolut.html"]).replace(
                b"<head>", b'<head><base href="' + bases["forbidden"].encode() + b'/">'
            )
            return ok("text/html; charset=utf-8", page)
        if bare.startswith("/feindlich/auffrischen/") and bare.rsplit("/", 1)[1] in META_REFRESHES:
            target = f(META_REFRESHES[bare.rsplit("/", 1)[1]])
            page = listing("Weiterleitung", []).replace(
                b"<head>", b'<head><meta http-equiv="refresh" content="0; url=' + target.encode() + b'">'
            )
            return ok("text/html; charset=utf-8", page)
        if bare == "/feindlich/xxe.xml":
            return ok("application/rss+xml", xxe_feed(bases, tripwire_port))
        if bare == "/feindlich/lachen.xml":
            return ok("application/rss+xml", BILLION_LAUGHS)
        if bare == "/feindlich/filter":
            return ok("text/html; charset=utf-8", listing("Filter", endless_variations(query)))
        if bare.startswith("/feindlich/merkliste"):
            number = sum(map(ord, path)) % 100000  # a new session id on every visit
            return ok(
                "text/html; charset=utf-8",
                listing(
                    "Merkliste",
                    [
                        f"/feindlich/merkliste;jsessionid={number}?PHPSESSID={number}&sid={number}",
                        f"/feindlich/merkliste?sessionid={number + 1}",
                    ],
                ),
            )
        return news_web_respond(site, path, bases)

    return respond


def endless_variations(query: str) -> list[str]:
    """Links to the next page and to every sort order of this one: an infinite space of query strings."""
    params = dict(part.partition("=")[::2] for part in query.split("&") if part)
    page = int(params.get("seite", "1")) if params.get("seite", "1").isdigit() else 1
    return [
        f"/feindlich/filter?seite={page + 1}&sortierung={order}&ansicht={view}"
        for order in ("neu", "alt", "beliebt")
        for view in ("liste", "kacheln")
    ]


class HostileWeb:
    """The hostile web's listeners and the tripwire, in this process.

    with HostileWeb() as web:
        web.bases["site_a"], web.requests(), web.tripwire.connections, web.start_urls()
    """

    def __init__(self) -> None:
        self.tripwire = Tripwire("127.0.0.1")
        self.closed_port = closed_port()
        self.web = NewsWeb(HOSTS, respond=make_respond(self.tripwire.port, self.closed_port))
        self.bases = self.web.bases

    def start_urls(self) -> list[str]:
        a = self.bases["site_a"]
        return [
            a + "/feindlich/feed.xml",
            a + "/feindlich/",
            a + "/feindlich/feed-gzip.xml",
            a + "/feindlich/sitemap-gzip.xml",
            a + "/feindlich/sitemap-doppelt.xml.gz",
            a + "/feindlich/sitemap-datei.xml.gz",
            self.bases["robots_500"] + "/",
            self.bases["robots_slow"] + "/",
            self.bases["big"] + "/riesen-sitemap.xml",
            # names the closed port, so that the feed's link to it may be tried (and refused): naming
            # 127.0.0.1 on site_a's port opens that port only
            f"http://127.0.0.1:{self.closed_port}/",
        ]

    def requests(self, listener: str | None = None) -> list[dict]:
        return [e for e in self.web.log.entries() if listener is None or e["listener"] == listener]

    def url(self, site: str, path: str) -> str:
        return self.bases[site] + path

    def __enter__(self) -> "HostileWeb":
        self.tripwire.start()
        self.web.start()
        return self

    def __exit__(self, *exc) -> None:
        self.web.stop()
        self.tripwire.stop()
