"""The hostile links web (issue 15): documents with one bad link among good ones, bare ampersands, HTML
in feed titles, a URL too long for Scrapy, a second port on the start points' host, a bad start point,
Shift-JIS under a false charset, and deeply nested JSON-LD; served in-process by `LinksWeb` for
tests/test_hostile_links.py.

Listeners (both on 127.0.0.1; the crawl names only `site` in its start points):
  site        /feed.xml, /sitemap.xml, /feed-kaputt.xml and /sitemap-kaputt.xml (a bad link among good
              ones), / (a listing, with a bad link too) and the articles they name
  other_port  the same host on another port: records every request, must see none (the guard opens the
              port a start point names, not the whole host)

The articles whose URL carries a query answer 404 unless the query arrives exactly as written
(`?id=5&lang=de`), so a mangled ampersand shows as a missing article.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from tests.mockserver.hostile_web import article_html, listing, ok
from tests.mockserver.responses import Response, not_found
from tests.mockserver.server import NewsWeb

HOSTS = {"site": "127.0.0.1", "other_port": "127.0.0.1"}
URL_LENGTH_LIMIT = 2083  # Scrapy's URLLENGTH_LIMIT
LONG_QUERY = "?suche=" + "deepseek-" * 240  # the URL is over URL_LENGTH_LIMIT characters

# path (with the query it must be asked with) -> (title, paragraphs); title None: the page has none
ARTICLES = {
    "/artikel/eins.html": (
        "DeepSeek schult Beamte in Sachsen",
        [
            "Die sächsische Landesverwaltung lässt zweihundert Beamtinnen und Beamte im Umgang mit DeepSeek "
            "schulen, bevor das Modell in der Bearbeitung von Bürgeranfragen getestet wird.",
            "Der Personalrat begleitet die Schulungen und will nach einem halben Jahr einen Bericht über die "
            "Erfahrungen in den Ämtern vorlegen.",
        ],
    ),
    "/artikel/zwei.html?id=5&lang=de": (
        "Weinbauern lassen DeepSeek Etiketten übersetzen",
        [
            "Eine Winzergenossenschaft an der Mosel übersetzt die Rückseiten ihrer Flaschenetiketten mit "
            "DeepSeek ins Japanische und Koreanische, weil dort die Nachfrage wächst.",
            "Ein Übersetzungsbüro prüft jede Fassung nach, denn bei Rebsorten und Lagen hat das Modell in "
            "den ersten Versuchen einige Namen erfunden.",
        ],
    ),
    "/artikel/drei.html?id=7&lang=de": (
        "Feuerwehr prüft DeepSeek für Einsatzberichte",
        [
            "Eine Berufsfeuerwehr im Ruhrgebiet prüft, ob DeepSeek aus den Stichworten der Einsatzkräfte "
            "vollständige Einsatzberichte formulieren kann, die dann nur noch gegengelesen werden.",
            "Die Wehrleitung erhofft sich mehr Zeit für Übungen; die Gewerkschaft warnt davor, dass Fehler "
            "in Berichten vor Gericht Folgen haben können.",
        ],
    ),
    "/artikel/vier.html": (
        "Hochschule baut eigenen DeepSeek-Rechner",
        [
            "Eine Fachhochschule in Niedersachsen hat aus ausgemusterten Grafikkarten einen Rechner gebaut, "
            "auf dem Studierende DeepSeek ohne Cloud-Anbieter ausprobieren können.",
            "Die Kosten lagen nach Angaben der Hochschule unter zwanzigtausend Euro, der Stromverbrauch wird "
            "über eine Photovoltaikanlage auf dem Dach gedeckt.",
        ],
    ),
    "/artikel/fuenf.html": (
        "Radiosender lässt DeepSeek Verkehrsmeldungen sprechen",
        [
            "Ein privater Radiosender in Bayern testet nachts Verkehrsmeldungen, die DeepSeek aus den Daten "
            "der Polizei zusammenstellt und eine synthetische Stimme vorliest.",
            "Tagsüber bleiben die Meldungen in menschlicher Hand; die Hörerinnen und Hörer sollen in einer "
            "Umfrage sagen, ob ihnen der Unterschied auffällt.",
        ],
    ),
    "/artikel/sechs.html": (
        "Zoo lässt DeepSeek Fragen von Kindern beantworten",
        [
            "Ein Zoo in Westfalen hat an drei Gehegen Tafeln aufgestellt, an denen Kinder Fragen zu den Tieren "
            "stellen können, die DeepSeek in einfacher Sprache beantwortet.",
            "Die Tierpflegerinnen lesen die Antworten jeden Abend durch; bei den Erdmännchen musste das Modell "
            "schon zweimal korrigiert werden.",
        ],
    ),
    "/artikel/sieben.html": (
        "Stadtarchiv testet DeepSeek bei alten Bauakten",
        [
            "Das Stadtarchiv einer Hansestadt lässt DeepSeek Bauakten aus der Nachkriegszeit zusammenfassen, "
            "damit Bauherren schneller erfahren, was auf ihrem Grundstück einmal stand.",
            "Die Archivare sehen darin eine Entlastung, wollen aber jede Zusammenfassung mit der Akte "
            "vergleichen, bevor sie herausgegeben wird.",
        ],
    ),
    # no title of its own: the feed's title is the article's, as plain text
    "/artikel/ohne-titel.html": (
        None,
        [
            "Ein Brauhaus in Franken lässt DeepSeek die Beschreibungen seiner saisonalen Biere schreiben und "
            "stellt die Texte ohne Änderung auf die Speisekarte.",
            "Die Stammgäste finden die Texte blumiger als früher; der Braumeister will das Experiment "
            "trotzdem bis zum Herbst fortsetzen.",
        ],
    ),
    # no title of its own, off topic: only the script in the feed's title names the topic
    "/artikel/ohne-titel-quartal.html": (
        None,
        [
            "Der Chiphersteller aus Santa Clara meldet für das abgelaufene Quartal einen Umsatz über den "
            "Erwartungen der Analysten, vor allem dank der Nachfrage von Rechenzentren.",
            "Die Aktie legte nachbörslich um vier Prozent zu; der Ausblick für das laufende Quartal fiel "
            "dagegen vorsichtiger aus als an der Börse erhofft.",
        ],
    ),
    # JSON-LD nested deeper than Python's stack: that block is ignored, the article is not
    "/artikel/json-ld-tief.html": (
        "DeepSeek hilft beim Sortieren von Museumsarchiven",
        [
            "Ein Heimatmuseum in Thüringen lässt DeepSeek handschriftliche Inventarlisten aus dem 19. "
            "Jahrhundert abschreiben und nach Gegenständen ordnen.",
            "Ehrenamtliche prüfen jede Seite nach; bisher seien die Fehler seltener als bei der Abschrift "
            "durch Praktikanten, sagt die Leiterin des Museums.",
        ],
    ),
    # on the other port of the same host: must never be requested
    "/artikel/anderer-port.html": (
        "DeepSeek auf dem falschen Port",
        [
            "Dieser Text liegt auf einem Port, den keine Startadresse nennt, und darf deshalb nie angefragt "
            "werden, auch wenn er wie ein Artikel über DeepSeek aussieht.",
            "Ein Crawler, der ihn speichert, hat einen privaten Host für alle seine Ports geöffnet.",
        ],
    ),
}
SHIFT_JIS_PATH = "/artikel/shift-jis.html"
SHIFT_JIS_ARTICLE = (
    "DeepSeek、日本の大学で試験導入",
    [
        "東京の私立大学は、中国の新興企業DeepSeekの言語モデルを学生の論文指導に試験的に導入すると発表した。"
        "指導教員は、モデルが提案する修正点を学生と一緒に確認するという。",
        "大学側は、個人情報を含む文章は入力しないよう学生に求めており、半年後に効果を検証する予定だ。"
        "他の大学も結果に注目している。",
    ],
)
JSON_LD_DEPTH = 5_000  # Python's json gives up near 1,000
# feed item titles (as the feed's XML writes them) -> the title a reader sees
FEED_TITLES = {
    "/artikel/ohne-titel.html": (
        "DeepSeek&nbsp;R1 schreibt Bierkarten &amp; Etiketten",
        "DeepSeek R1 schreibt Bierkarten & Etiketten",
    ),
    "/artikel/ohne-titel-quartal.html": (
        "&lt;script&gt;var thema = 'DeepSeek';&lt;/script&gt;&lt;b&gt;Quartalszahlen aus Santa Clara&lt;/b&gt;",
        "Quartalszahlen aus Santa Clara",
    ),
    "/artikel/zwei.html?id=5&lang=de": ("Mosel & Japan", "Mosel & Japan"),
}
BAD_LINKS = ["http://[::1", "http://127.0.0.1:99999/artikel/port.html"]
BAD_START_POINT = "http://127.0.0.1:99999/feed.xml"


def page(
    title: str | None,
    paragraphs: list[str],
    head: str = "",
    encoding: str = "utf-8",
    meta_charset: str | None = "utf-8",
) -> bytes:
    if title is not None:
        html = article_html(title, paragraphs, encoding="utf-8", meta_charset=meta_charset).decode("utf-8")
    else:  # no <title>, no <h1>, no og:title
        body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
        meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
        html = (
            f'<!DOCTYPE html>\n<html lang="de"><head>{meta}<meta property="og:type" content="article">'
            '<meta property="article:published_time" content="2025-02-14T10:00:00+01:00"></head>'
            f'<body><nav><a href="/">Start</a></nav><article>{body}</article></body></html>\n'
        )
    return html.replace("</head>", head + "</head>", 1).encode(encoding)


def deep_json_ld() -> str:
    return (
        '<script type="application/ld+json">'
        + '{"@graph":[' * JSON_LD_DEPTH
        + "{}"
        + "]}" * JSON_LD_DEPTH
        + "</script>"
    )


def rss(items: Iterable[tuple[str, str]]) -> bytes:
    """A feed written the way careless feeds are: URLs with bare ampersands, titles as given."""
    entries = "".join(f"<item><title>{title}</title><link>{url}</link></item>\n" for title, url in items)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Links</title>'
        f"<language>de</language>\n{entries}</channel></rss>\n"
    ).encode("utf-8")


def urlset(urls: Iterable[str]) -> bytes:
    entries = "".join(f"<url><loc>{url}</loc></url>\n" for url in urls)  # bare ampersands, as written
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    ).encode("utf-8")


def respond(site: str, path: str, bases: Mapping[str, str]) -> Response:
    if site == "other_port":
        return ok("text/html; charset=utf-8", page(*ARTICLES["/artikel/anderer-port.html"]))
    base, other = bases["site"], bases["other_port"]
    bare = path.split("?", 1)[0]
    if bare == "/feed.xml":
        items = [(FEED_TITLES["/artikel/zwei.html?id=5&lang=de"][0], base + "/artikel/zwei.html?id=5&lang=de")]
        items += [
            (FEED_TITLES[p][0], base + p) for p in ("/artikel/ohne-titel.html", "/artikel/ohne-titel-quartal.html")
        ]
        items += [
            ("Anderer Port", other + "/artikel/anderer-port.html"),
            ("Umleitung", base + "/umleitung/anderer-port"),
            ("Auffrischen", base + "/auffrischen/anderer-port"),
            ("Shift-JIS", base + SHIFT_JIS_PATH),
            ("JSON-LD", base + "/artikel/json-ld-tief.html"),
        ]
        return ok("application/rss+xml; charset=utf-8", rss(items))
    if bare == "/feed-kaputt.xml":  # a good link, two bad ones, a good one
        return ok(
            "application/rss+xml; charset=utf-8",
            rss(
                [
                    ("Eins", base + "/artikel/eins.html"),
                    ("Kaputt", BAD_LINKS[0]),
                    ("Falscher Port", BAD_LINKS[1]),
                    ("Fünf", base + "/artikel/fuenf.html"),
                ]
            ),
        )
    if bare == "/sitemap.xml":
        return ok(
            "application/xml",
            urlset([base + "/artikel/drei.html?id=7&lang=de", base + "/artikel/lang.html" + LONG_QUERY]),
        )
    if bare == "/sitemap-kaputt.xml":
        return ok("application/xml", urlset([BAD_LINKS[0], base + "/artikel/sieben.html"]))
    if path == "/":
        links = ["/artikel/vier.html", BAD_LINKS[0], "/artikel/sechs.html"]
        return ok("text/html; charset=utf-8", listing("Startseite", links))
    if path == "/umleitung/anderer-port":
        return Response(
            302, [("Location", other + "/artikel/umgeleitet.html"), ("Content-Type", "text/html")], b"<a>Weiter</a>"
        )
    if path == "/auffrischen/anderer-port":
        return ok(
            "text/html; charset=utf-8",
            listing("Weiterleitung", []).replace(
                b"<head>",
                b'<head><meta http-equiv="refresh" content="0; url=' + other.encode() + b'/artikel/aufgefrischt.html">',
            ),
        )
    if path == SHIFT_JIS_PATH:  # Shift-JIS bytes under a header that says UTF-8, no <meta> charset
        return ok("text/html; charset=utf-8", page(*SHIFT_JIS_ARTICLE, encoding="shift_jis", meta_charset=None))
    if path == "/artikel/json-ld-tief.html":
        return ok("text/html; charset=utf-8", page(*ARTICLES[path], head=deep_json_ld()))
    if path in ARTICLES and path != "/artikel/anderer-port.html":
        return ok("text/html; charset=utf-8", page(*ARTICLES[path]))
    return not_found()  # also: an article asked for with a mangled query


class LinksWeb:
    """The two listeners, in this process.

    with LinksWeb() as web:
        web.bases["site"], web.requests(), web.start_urls()
    """

    def __init__(self) -> None:
        self.web = NewsWeb(HOSTS, respond=respond)
        self.bases = self.web.bases

    def start_urls(self) -> list[str]:
        site = self.bases["site"]
        return [
            site + "/feed.xml",
            site + "/feed-kaputt.xml",
            site + "/sitemap.xml",
            site + "/sitemap-kaputt.xml",
            site + "/",
        ]

    def start_urls_with_a_bad_one(self) -> list[str]:
        """A bad start point first: the others must run all the same."""
        return [BAD_START_POINT, *self.start_urls()]

    def requests(self, listener: str | None = None) -> list[dict]:
        return [e for e in self.web.log.entries() if listener is None or e["listener"] == listener]

    def __enter__(self) -> "LinksWeb":
        self.web.start()
        return self

    def __exit__(self, *exc) -> None:
        self.web.stop()
