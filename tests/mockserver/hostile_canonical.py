"""The hostile canonical web (issue 15): pages whose rel=canonical claims a URL that is not theirs.
Served in-process by `CanonicalWeb` for tests/test_hostile_canonical.py.

One listener on 127.0.0.1:
  /feed-eins.xml   two different articles that both declare the front page as canonical, a page whose
                   canonical is the URL of another article with other text (the "victim"), and a
                   print version of an article claiming the article's URL with the same text
  /feed-zwei.xml   the victim and that article, met only by a later run: both fetched and stored
"""

from __future__ import annotations

from typing import Mapping

from tests.mockserver.hostile_links import rss
from tests.mockserver.hostile_web import article_html, ok
from tests.mockserver.responses import Response, not_found
from tests.mockserver.server import NewsWeb

HOSTS = {"site": "127.0.0.1"}

# path -> (title, paragraphs, the canonical it declares: a path on the site)
ARTICLES = {
    "/artikel/bibliothek.html": (
        "Stadtbibliothek erklärt DeepSeek in Abendkursen",
        [
            "Die Stadtbibliothek bietet ab März Abendkurse an, in denen Bürgerinnen und Bürger lernen, wie "
            "DeepSeek Antworten formuliert und wo das Modell Fehler macht.",
            "Die Kurse sind kostenlos; die Plätze werden nach Anmeldung vergeben, weil nur zwanzig Rechner "
            "im Lesesaal zur Verfügung stehen.",
        ],
        "/",
    ),
    "/artikel/hafen.html": (
        "Hafenbetrieb plant Containerlisten mit DeepSeek",
        [
            "Ein Hafenbetrieb an der Nordsee will die Ladelisten von Containerschiffen mit DeepSeek auf "
            "Widersprüche prüfen, bevor die Schiffe festmachen.",
            "Der Betriebsrat verlangt, dass jede Warnung des Modells von einer Fachkraft bestätigt wird, "
            "bevor ein Container zurückgehalten wird.",
        ],
        "/",
    ),
    "/artikel/dieb.html": (
        "Kommentar: DeepSeek und die Kommunen",
        [
            "Kommunen sollten offene Modelle wie DeepSeek nicht verbieten, sondern eigene Regeln für ihren "
            "Einsatz in der Verwaltung schreiben, meint unser Kommentator.",
            "Wer jetzt wartet, überlässt die Entscheidung den Anbietern; wer Regeln schreibt, kann später "
            "prüfen, ob sie eingehalten werden.",
        ],
        "/artikel/opfer.html",
    ),
    "/artikel/opfer.html": (
        "Landkreis testet DeepSeek in der Kfz-Zulassung",
        [
            "Ein Landkreis in Hessen testet DeepSeek bei der Beantwortung von Fragen zur Kfz-Zulassung, die "
            "Bürger über das Kontaktformular stellen.",
            "Nach drei Monaten will die Verwaltung entscheiden, ob das Modell die Wartezeit auf eine Antwort "
            "tatsächlich verkürzt hat.",
        ],
        "/artikel/opfer.html",
    ),
    # a print version claiming its article's URL with the same text, met before the article itself
    "/druck/schule.html": (
        "Schulamt prüft DeepSeek für Elternbriefe",
        [
            "Ein Schulamt in Brandenburg lässt DeepSeek Elternbriefe in einfache Sprache und in fünf weitere "
            "Sprachen übertragen, bevor sie an die Familien verschickt werden.",
            "Die Lehrkräfte lesen jede Fassung gegen; das Amt will nach den Sommerferien entscheiden, ob das "
            "Verfahren auf alle Schulen des Kreises ausgeweitet wird.",
        ],
        "/artikel/schule.html",
    ),
}
ARTICLES["/artikel/schule.html"] = (*ARTICLES["/druck/schule.html"][:2], "/artikel/schule.html")
FIRST_RUN = ["/artikel/bibliothek.html", "/artikel/hafen.html", "/artikel/dieb.html", "/druck/schule.html"]
SECOND_RUN = ["/artikel/opfer.html", "/artikel/schule.html"]


def respond(site: str, path: str, bases: Mapping[str, str]) -> Response:
    base = bases["site"]
    if path == "/feed-eins.xml":
        return ok("application/rss+xml; charset=utf-8", rss([(ARTICLES[p][0], base + p) for p in FIRST_RUN]))
    if path == "/feed-zwei.xml":
        return ok("application/rss+xml; charset=utf-8", rss([(ARTICLES[p][0], base + p) for p in SECOND_RUN]))
    if path in ARTICLES:
        title, paragraphs, canonical = ARTICLES[path]
        html = article_html(title, paragraphs).decode("utf-8")
        html = html.replace("</head>", f'<link rel="canonical" href="{base}{canonical}"></head>', 1)
        return ok("text/html; charset=utf-8", html.encode("utf-8"))
    return not_found()


class CanonicalWeb:
    """The listener, in this process: ``with CanonicalWeb() as web: web.bases["site"]``."""

    def __init__(self) -> None:
        self.web = NewsWeb(HOSTS, respond=respond)
        self.bases = self.web.bases

    def __enter__(self) -> "CanonicalWeb":
        self.web.start()
        return self

    def __exit__(self, *exc) -> None:
        self.web.stop()
