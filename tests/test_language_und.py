"""A page whose language cannot be told is stored as `und` (issue 17), and every part of the crawl
and the corpus takes `und` as "not known": a feed's language fills it, dedup links no translation to
it, and the CLI filters and counts it like any other language."""

import json
from pathlib import Path

from core.worker import analyse_page
from dedup import DedupConfig, Deduplicator
from storage.cli import main
from tests.test_storage_sample import ARTICLES, build_sample_corpus

CZECH_PAGE = (Path(__file__).parent / "fixtures" / "metadata" / "cs_no_declared_language.html").read_bytes()
URL = "https://zpravodaj.example.cz/trhy/deepseek-nvidia"
STORY_EN = (
    "DeepSeek released a new open-weight language model on Monday. Developers started testing it within "
    "hours. Nvidia shares fell by a fifth on the same day. Analysts expect cheaper models to raise demand."
)
STORY_DE = (
    "DeepSeek hat am Montag ein neues offenes Sprachmodell veröffentlicht. Entwickler begannen binnen "
    "Stunden mit Tests. Die Nvidia-Aktie fiel am selben Tag um ein Fünftel. Analysten erwarten, dass "
    "billigere Modelle die Nachfrage erhöhen."
)


def test_an_undetermined_page_is_und_and_a_feeds_language_fills_it():
    page, _, _ = analyse_page(CZECH_PAGE, URL, "text/html; charset=utf-8", {}, frozenset(), DedupConfig())
    assert page["language"] == "und"
    page, fingerprint, _ = analyse_page(
        CZECH_PAGE, URL, "text/html; charset=utf-8", {"language": "cs-CZ"}, frozenset(), DedupConfig()
    )
    assert page["language"] == "cs"
    assert fingerprint is None or fingerprint.lang == "cs"


def test_dedup_links_no_translation_to_or_from_und():
    dedup = Deduplicator()
    dedup.add("en", dedup.fingerprint(STORY_EN, "en"))
    unknown = dedup.fingerprint(STORY_DE, "und")
    assert unknown.lang == ""
    assert dedup.find_translation(unknown) is None
    other = Deduplicator()
    other.add("und", other.fingerprint(STORY_EN, "und"))
    assert other.find_translation(other.fingerprint(STORY_DE, "de")) is None


def test_the_cli_filters_and_counts_und(tmp_path, capsys):
    articles = [
        *ARTICLES,
        {
            **ARTICLES[0],
            "url": "https://zpravodaj.example.cz/trhy/deepseek",
            "language": "und",
            "site": "zpravodaj.example.cz",
            "title": "Čínský DeepSeek otřásl trhy",
            "text": "Čínská společnost DeepSeek představila jazykový model.\n\nAkcie Nvidie padaly.",
        },
    ]
    db = build_sample_corpus(tmp_path / "corpus.db", articles=articles)
    assert main(["export", "--lang", "und", "--db", str(db)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [row["language"] for row in rows] == ["und"] and rows[0]["site"] == "zpravodaj.example.cz"
    assert main(["stats", "--json", "--db", str(db)]) == 0
    assert {"language": "und", "articles": 1} in json.loads(capsys.readouterr().out)["by_language"]
    assert main(["search", "DeepSeek", "--lang", "und", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "zpravodaj.example.cz" in out and "und" in out and "technik-tagblatt.de" not in out
