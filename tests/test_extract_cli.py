"""`python -m core.extract`: readable by default (title, date, author, language, page kind, URL, then
the text), JSON with --json, and the URL taken from the saved page's rel=canonical or og:url."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.test_cli import REPO

ARTICLE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Italien sperrt DeepSeek | Tech-Rundschau</title>
<meta property="og:type" content="article"><meta property="og:title" content="Italien sperrt DeepSeek">
<meta property="og:url" content="https://tech-rundschau.de/artikel/2025/01/italien-sperrt-deepseek.html">
<meta name="author" content="Sabine Hartmann"><meta property="article:published_time" content="2025-01-31T16:40:00+01:00">
</head><body><div class="seite"><article class="beitrag"><h1>Italien sperrt DeepSeek</h1>
<p>Die italienische Datenschutzbehörde Garante hat dem chinesischen KI-Anbieter DeepSeek die Verarbeitung
von Daten italienischer Nutzer untersagt. Die Anordnung gilt ab sofort und ohne Übergangsfrist.</p>
<p>Zuvor hatte die Behörde Auskunft darüber verlangt, welche persönlichen Daten der Chatbot sammelt, aus
welchen Quellen sie stammen und auf welchen Servern sie gespeichert werden.</p>
<p>Die Antworten der Firmen hinter DeepSeek bezeichnete sie als völlig unzureichend und kündigte an,
die Prüfung fortzusetzen.</p></article></div></body></html>"""
IMPRESSUM = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Impressum</title>
<link rel="canonical" href="https://tech-rundschau.de/impressum/"></head><body><main><h1>Impressum</h1>
<p>Tech-Rundschau ist ein Angebot der Rundschau Medien GmbH, Musterstraße 1, 12345 Musterstadt. Verantwortlich
für den Inhalt nach § 18 MStV: die Redaktion. Registergericht: Amtsgericht Musterstadt, HRB 12345.</p>
<p>Umsatzsteuer-Identifikationsnummer gemäß § 27a UStG: DE123456789. Kontakt: redaktion@example.org.</p>
</main></body></html>"""


def extract(*args):
    return subprocess.run(
        [sys.executable, "-m", "core.extract", *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_readable_output_takes_the_url_from_the_page(tmp_path):
    page = tmp_path / "italien.html"
    page.write_text(ARTICLE, encoding="utf-8")
    done = extract(page)
    assert done.returncode == 0, done.stderr
    head, text = done.stdout.split("\n\n", 1)
    assert head.splitlines() == [
        f"== {page}",
        "title:     Italien sperrt DeepSeek",
        "date:      2025-01-31T16:40:00+01:00",
        "author:    Sabine Hartmann",
        "language:  de",
        head.splitlines()[5],
        "url:       https://tech-rundschau.de/artikel/2025/01/italien-sperrt-deepseek.html "
        "(from the page's rel=canonical or og:url)",
        head.splitlines()[7],
        "source:    -",
    ]
    assert head.splitlines()[5].startswith("page kind: article")
    assert text.startswith("Die italienische Datenschutzbehörde Garante")


def test_a_saved_impressum_is_not_an_article_without_url(tmp_path):
    page = tmp_path / "impressum.html"
    page.write_text(IMPRESSUM, encoding="utf-8")
    done = extract(page)
    assert "page kind: not an article" in done.stdout and "(no article text)" in done.stdout


def test_json_with_the_flag(tmp_path):
    page = tmp_path / "italien.html"
    page.write_text(ARTICLE, encoding="utf-8")
    row = json.loads(extract("--json", page).stdout)
    assert row["title"] == "Italien sperrt DeepSeek" and row["canonical_url"].endswith("italien-sperrt-deepseek.html")
    assert "block_hashes" not in row
