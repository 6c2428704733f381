"""A small real corpus for the storage and CLI tests, written with the crawl's own CorpusWriter.

German, English and Vietnamese stories about DeepSeek and Nvidia (our own short texts), with
publication dates, removed copies of every kind, a copy whose kept article lives in another shard,
a translation link and one finished crawl run. Other test modules import ``build_sample_corpus``
and the ``sample_db`` fixture from here; the tests below pin down what the sample holds.
"""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from storage.corpus import CorpusWriter

DE_SHOCK = "https://technik-tagblatt.de/2025/01/27/deepseek-schock-nvidia-aktie"
DE_ANALYSIS = "https://wirtschaftsecho.de/analyse/was-deepseek-r1-fuer-nvidia-bedeutet"
DE_PRIVACY = "https://technik-tagblatt.de/2025/02/10/deepseek-datenschutz"
DE_LATER = "https://wirtschaftsecho.de/2025/03/05/nvidia-chef-deepseek"
EN_SELLOFF = "https://techwire.example/2025/01/28/nvidia-deepseek-selloff"
EN_UNDATED = "https://techwire.example/explainer/what-is-deepseek"
VI_STOCKS = "https://tinmoi.example/cong-nghe/deepseek-co-phieu-nvidia"

ARTICLES = [
    {
        "url": DE_SHOCK,
        "site": "technik-tagblatt.de",
        "site_name": "Technik-Tagblatt",
        "language": "de",
        "published": "2025-01-27T18:30:00+01:00",
        "author": "Jana Berger",
        "title": "DeepSeek-Schock: Nvidia-Aktie bricht an einem Tag ein",
        "text": "Das chinesische Start-up DeepSeek hat mit seinem Modell R1 die Börse erschüttert.\n\n"
        "Die Nvidia-Aktie verlor an einem einzigen Handelstag fast ein Fünftel ihres Werts, "
        "weil Anleger fürchten, dass weniger Grafikchips gebraucht werden.",
    },
    {
        "url": DE_ANALYSIS,
        "site": "wirtschaftsecho.de",
        "site_name": "Wirtschaftsecho",
        "language": "de",
        "published": "2025-01-29",
        "author": "Tobias Lang",
        "title": "Was DeepSeek R1 für Nvidia bedeutet",
        "text": "Ein effizienteres Training senkt den Bedarf an Rechenzeit, sagen Analysten.\n\n"
        "Für Nvidia könnte die Nachfrage trotzdem steigen, wenn KI billiger und damit häufiger "
        "eingesetzt wird.",
    },
    {
        "url": DE_PRIVACY,
        "site": "technik-tagblatt.de",
        "site_name": "Technik-Tagblatt",
        "language": "de",
        "published": "2025-02-10T09:00:00+01:00",
        "author": "Jana Berger",
        "title": "DeepSeek im Datenschutz-Check",
        "text": "Datenschützer prüfen, welche Eingaben die App von DeepSeek speichert und wohin sie "
        "übertragen werden.\n\nMehrere Behörden haben Fragen an das Unternehmen geschickt.",
    },
    {
        "url": DE_LATER,
        "site": "wirtschaftsecho.de",
        "site_name": "Wirtschaftsecho",
        "language": "de",
        "published": "2025-03-05",
        "author": None,
        "title": "Nvidia-Chef äußert sich zu DeepSeek",
        "text": "Der Chef von Nvidia hält die Sorgen der Anleger für übertrieben.\n\n"
        "Modelle wie DeepSeek R1 bräuchten beim Schlussfolgern sogar mehr Rechenleistung.",
    },
    {
        "url": EN_SELLOFF,
        "site": "techwire.example",
        "site_name": "Techwire",
        "language": "en",
        "published": "2025-01-28T07:15:00Z",
        "author": "Sam Porter",
        "title": "Nvidia loses record value as DeepSeek rattles investors",
        "text": "Shares of Nvidia fell sharply after the Chinese lab DeepSeek released its R1 model.\n\n"
        "Investors asked whether the largest data centres will need as many chips as planned.",
    },
    {
        "url": EN_UNDATED,
        "site": "techwire.example",
        "site_name": "Techwire",
        "language": "en",
        "published": None,
        "author": "Sam Porter",
        "title": "What is DeepSeek?",
        "text": "DeepSeek is an AI lab based in Hangzhou that publishes open-weight language models.",
    },
    {
        "url": VI_STOCKS,
        "site": "tinmoi.example",
        "site_name": "Tin Mới",
        "language": "vi",
        "published": "2025-01-30T10:00:00+07:00",
        "author": "Nguyễn Minh",
        "title": "DeepSeek khiến cổ phiếu Nvidia lao dốc",
        "text": "Mô hình R1 của DeepSeek khiến nhà đầu tư lo ngại về nhu cầu chip của Nvidia.\n\n"
        "Cổ phiếu của nhiều hãng công nghệ Mỹ giảm mạnh trong phiên giao dịch.",
    },
]

DUPLICATES = [
    {
        "url": "https://regional-anzeiger.de/wirtschaft/deepseek-nvidia-aktie",
        "duplicate_of_url": DE_SHOCK,
        "similarity": 1.0,
        "kind": "exact",
        "title": ARTICLES[0]["title"],
        "language": "de",
    },
    {
        "url": "https://techwire.example/amp/2025/01/28/nvidia-deepseek-selloff",
        "duplicate_of_url": EN_SELLOFF,
        "similarity": 0.91,
        "kind": "near",
        "title": ARTICLES[4]["title"],
        "language": "en",
    },
    {
        "url": "https://tinmoi.example/en/deepseek-nvidia-shares",
        "duplicate_of_url": VI_STOCKS,
        "similarity": 0.83,
        "kind": "translation",
        "title": "DeepSeek sends Nvidia shares down",
        "language": "en",
    },
    {
        "url": "https://otherpaper.example/deepseek-copy",
        "duplicate_of_url": "https://elsewhere.example/kept-in-shard-b",
        "similarity": 0.88,
        "kind": "near",
        "title": "A copy of a story another shard kept",
        "language": "en",
    },
]

RUN_STATS = {"response_received_count": 42, "item_scraped_count": 7, "elapsed_time_seconds": 12.5}

NVIDIA_DE_IN_JANUARY = [DE_SHOCK, DE_ANALYSIS]
"""German articles mentioning Nvidia published 2025-01-27 .. 2025-02-03: the README's example."""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_sample_corpus(path, *, articles=ARTICLES, duplicates=DUPLICATES, fetched_day="2025-03-06"):
    """Write the sample corpus at ``path`` with CorpusWriter, as a crawl would; return the path."""
    writer = CorpusWriter(path)
    try:
        run = writer.begin_run({"spider": "deepseek_news", "seeds": "seeds/deepseek_news.toml"})
        for number, article in enumerate(articles):
            row = {
                **article,
                "description": None,
                "source": "sitemap",
                "content_hash": content_hash(article["text"]),
                "fetched_at": article.get("fetched_at") or f"{fetched_day}T12:00:{number:02d}+00:00",
            }
            writer.add_article(row, fingerprint=(article["url"], f"fp-{number}".encode()))
            writer.mark_page(article["url"], "stored")
        writer.flush()
        for duplicate in duplicates:
            writer.add_duplicate(duplicate)
            writer.mark_page(duplicate["url"], "duplicate")
        writer.add_translation(DE_ANALYSIS, EN_SELLOFF, 0.87, "minhash-crosslingual")
        writer.flush()
        writer.finish_run(run, RUN_STATS)
    finally:
        writer.close()
    return path


@pytest.fixture
def sample_db(tmp_path):
    """A fresh sample corpus file at tmp_path/deepseek_news.db."""
    return build_sample_corpus(tmp_path / "deepseek_news.db")


def test_sample_corpus_holds_every_language_duplicate_kind_and_a_translation(sample_db):
    conn = sqlite3.connect(sample_db)
    languages = {row[0] for row in conn.execute("SELECT DISTINCT language FROM articles")}
    kinds = {row[0] for row in conn.execute("SELECT kind FROM duplicates")}
    unresolved = conn.execute("SELECT count(*) FROM duplicates WHERE duplicate_of IS NULL").fetchone()[0]
    translations = conn.execute("SELECT count(*) FROM translations").fetchone()[0]
    conn.close()
    assert languages == {"de", "en", "vi"}
    assert kinds == {"exact", "near", "translation"}
    assert unresolved == 1
    assert translations == 1
