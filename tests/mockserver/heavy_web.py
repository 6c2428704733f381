"""The heavy web (issue 15): pages that cost a parser or an extractor its time, for the crawl-level
tests of the bounds on one page's work (tests/test_heavy_pages.py), served in-process by `HeavyWeb`.

One listener, site_a on 127.0.0.1:
  /                               an empty start page (the articles' navigation links to it)
  /schwer/                        listing: the 60,000-attribute page, the 2 MB page, two articles
  /schwer/attribute.html          an article whose <div> carries 60,000 attributes (650 KB), with a link
                                  after that tag to /schwer/artikel/hinter-attributen.html
  /schwer/absaetze.html           an article of 100,000 short paragraphs (2 MB)
  /langsam/                       listing: the two slow pages and two articles
  /langsam/seite-1.html, -2.html  19,000 <div> paragraphs each: seconds of extraction, more than a
                                  tiny EXTRACT_TIMEOUT
  /schwer/artikel/*.html, /langsam/artikel/*.html   ordinary short articles
"""

from __future__ import annotations

from tests.mockserver.hostile_web import article_html, listing, ok
from tests.mockserver.responses import Response, not_found
from tests.mockserver.server import NewsWeb

HOSTS = {"site_a": "127.0.0.1"}
HTML = "text/html; charset=utf-8"
ATTRIBUTES = 60_000
PARAGRAPHS = 100_000
SLOW_BLOCKS = 19_000

# Our own short stories, each distinct (no two are near duplicates): path -> (title, paragraphs).
ARTICLES = {
    "/schwer/artikel/chips.html": (
        "DeepSeek und der Markt für Grafikchips",
        [
            "Händler in Taiwan berichten, dass die Nachfrage nach gebrauchten Grafikchips gestiegen ist, seit "
            "DeepSeek gezeigt hat, wie viel sich mit älterer Hardware erreichen lässt.",
            "Ein Großhändler aus Taipeh sagte, er habe seine Lagerbestände innerhalb von zwei Wochen verkauft "
            "und erwarte neue Lieferungen erst im Frühjahr.",
        ],
    ),
    "/schwer/artikel/hinter-attributen.html": (
        "Versicherer rechnen mit DeepSeek",
        [
            "Mehrere Versicherungskonzerne prüfen, ob DeepSeek Schadensmeldungen vorsortieren kann, bevor "
            "Sachbearbeiter sie lesen, und haben dafür interne Testläufe gestartet.",
            "Verbraucherschützer mahnen, dass Ablehnungen weiterhin von Menschen begründet werden müssten "
            "und Kunden Einsicht in die Entscheidungsgründe erhalten sollten.",
        ],
    ),
    "/langsam/artikel/hafen.html": (
        "Hamburger Hafen testet DeepSeek für die Containerplanung",
        [
            "Ein Terminalbetreiber im Hamburger Hafen lässt DeepSeek Vorschläge für die Reihenfolge machen, "
            "in der Container auf Schiffe geladen werden, und vergleicht sie mit der bisherigen Planung.",
            "Erste Ergebnisse zeigen kürzere Wege für die Kräne, doch die Disponenten wollen das System erst "
            "nach einem ganzen Winter mit Sturmpausen beurteilen.",
        ],
    ),
    "/langsam/artikel/chor.html": (
        "Ein Kirchenchor lässt DeepSeek Noten setzen",
        [
            "Ein Kirchenchor aus dem Allgäu nutzt DeepSeek, um handschriftliche Noten aus dem Archiv in "
            "lesbare Partituren zu übertragen, die die Sängerinnen am Tablet lesen.",
            "Der Chorleiter korrigiert jede Seite von Hand und sagt, die Maschine verwechsle vor allem alte "
            "Schlüssel und Verzierungen, spare ihm aber viele Abende.",
        ],
    ),
}
PAGE_PARAGRAPH = (
    "DeepSeek beschäftigt die Branche: Absatz {n} dieses Berichts erklärt, was das offene "
    "Modell für Entwickler, Rechenzentren und Anwender in Europa bedeutet."
)


def page_with_many_attributes() -> bytes:
    """An article whose content <div> carries ATTRIBUTES distinct attributes, then a link."""
    attributes = " ".join(f'a{n}="1"' for n in range(ATTRIBUTES))
    paragraphs = "".join(f"<p>{PAGE_PARAGRAPH.format(n=n)}</p>" for n in range(5))
    page = article_html("DeepSeek-Bericht mit vielen Attributen", [])
    return page.replace(
        b"</article>",
        (
            f'<div {attributes}>{paragraphs}</div><p><a href="/schwer/artikel/hinter-attributen.html">'
            "Weiterlesen</a></p></article>"
        ).encode("utf-8"),
    )


def page_of_short_paragraphs() -> bytes:
    """An article of PARAGRAPHS short paragraphs, 2 MB."""
    return article_html("DeepSeek in hunderttausend Absätzen", [f"Satz {n} kurz." for n in range(PARAGRAPHS)])


def slow_page(number: int) -> bytes:
    """An article of SLOW_BLOCKS <div> paragraphs: within every bound, and seconds of extraction."""
    page = article_html(f"DeepSeek-Langtext {number}", [])
    blocks = "".join(f"<div>Abschnitt {n} von Langtext {number} über DeepSeek.</div>" for n in range(SLOW_BLOCKS))
    return page.replace(b"</article>", blocks.encode("utf-8") + b"</article>")


def respond(site: str, path: str, bases) -> Response:
    bare = path.split("?", 1)[0]
    if bare == "/":  # every article's navigation links here
        return ok(HTML, listing("Startseite", []))
    if bare == "/schwer/":
        return ok(
            HTML,
            listing(
                "Schwere Seiten", ["/schwer/attribute.html", "/schwer/absaetze.html", "/schwer/artikel/chips.html"]
            ),
        )
    if bare == "/langsam/":
        return ok(
            HTML,
            listing(
                "Langsame Seiten",
                [
                    "/langsam/seite-1.html",
                    "/langsam/seite-2.html",
                    "/langsam/artikel/hafen.html",
                    "/langsam/artikel/chor.html",
                ],
            ),
        )
    if bare == "/schwer/attribute.html":
        return ok(HTML, page_with_many_attributes())
    if bare == "/schwer/absaetze.html":
        return ok(HTML, page_of_short_paragraphs())
    if bare in ("/langsam/seite-1.html", "/langsam/seite-2.html"):
        return ok(HTML, slow_page(int(bare[-6])))
    if bare in ARTICLES:
        return ok(HTML, article_html(*ARTICLES[bare]))
    return not_found()


class HeavyWeb:
    """The heavy web's listener in this process.

    with HeavyWeb() as web:
        web.url("/schwer/"), web.requests()
    """

    def __init__(self) -> None:
        self.web = NewsWeb(HOSTS, respond=respond)
        self.bases = self.web.bases

    def url(self, path: str) -> str:
        return self.bases["site_a"] + path

    def requests(self) -> list[dict]:
        return self.web.log.entries()

    def __enter__(self) -> "HeavyWeb":
        self.web.start()
        return self

    def __exit__(self, *exc) -> None:
        self.web.stop()
