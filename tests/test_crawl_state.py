"""The parts of a crawl's state (crawler/context.py), each on a real corpus file: the learned chrome
is saved every so many pages and read back by the next crawl; the dedup service indexes what the corpus
holds, in the current fingerprint format."""

from __future__ import annotations

from scrapy.settings import Settings

from storage.chrome_memory import ChromeMemory
from storage.dedup_service import DedupService
from dedup import DedupConfig, fingerprint_text
from storage.corpus import CorpusWriter
from tests.corpus_checks import rows

SITE = "tagblatt.example"
ABO = "9f3c0a1b2c3d4e5f"  # the block hash of the site's subscription box


def test_learned_chrome_is_saved_every_so_many_pages_and_read_back(tmp_path):
    corpus = tmp_path / "corpus.db"
    writer = CorpusWriter(corpus)
    memory = ChromeMemory(writer, save_every=3)
    for _ in range(2):
        memory.observe(SITE, [ABO])
    writer.flush()
    assert rows(corpus, "SELECT count(*) FROM chrome") == [(0,)]  # not yet: two pages
    memory.observe(SITE, [ABO])
    writer.flush()
    assert rows(corpus, "SELECT block, pages FROM chrome ORDER BY block") == [("*", 3), (ABO, 3)]
    writer.close()
    again = CorpusWriter(corpus)
    assert ABO in ChromeMemory(again, save_every=3).chrome_for(SITE)  # seen on 3 of 3 pages: chrome
    again.close()


def test_the_dedup_service_indexes_the_stored_articles(tmp_path):
    corpus = tmp_path / "corpus.db"
    text = (
        "Das chinesische Start-up DeepSeek hat ein Sprachmodell veröffentlicht, das mit weit weniger "
        "Rechenleistung trainiert wurde als die Modelle der Konkurrenz. Die Aktie von Nvidia fiel am "
        "Montag um 17 Prozent. Analysten sprechen von einem Wendepunkt für die Branche."
    )
    writer = CorpusWriter(corpus)
    fingerprint = fingerprint_text(text, "de", DedupConfig())
    writer.add_article(
        {
            "url": "https://tagblatt.example/deepseek",
            "text": text,
            "language": "de",
            "content_hash": fingerprint.content_hash.hex(),
        },
        ("https://tagblatt.example/deepseek", fingerprint.to_bytes()),
    )
    writer.flush()
    service = DedupService(Settings({"CORPUS_DB": str(corpus)}), writer)
    assert "https://tagblatt.example/deepseek" in service.index
    match = service.index.find(fingerprint_text(text, "de", service.config))
    assert (match.key, match.kind) == ("https://tagblatt.example/deepseek", "exact")
    writer.close()


def test_each_save_writes_only_the_changed_counts_and_the_corpus_holds_them_all(tmp_path):
    corpus = tmp_path / "corpus.db"
    writer = CorpusWriter(corpus)
    memory = ChromeMemory(writer, save_every=1000)
    other = "0123456789abcdef"
    for _ in range(3):
        memory.observe(SITE, [ABO, other])
    memory.save()
    assert len(writer.batch.chrome) == 3  # "*", ABO, other
    writer.flush()
    memory.observe(SITE, [ABO])
    memory.save()
    assert sorted(writer.batch.chrome) == [(SITE, "*", 4), (SITE, ABO, 4)]  # not the unchanged block
    writer.flush()
    assert rows(corpus, "SELECT block, pages FROM chrome ORDER BY block") == [("*", 4), (other, 3), (ABO, 4)]
    writer.close()


def test_the_finished_pages_hold_every_key_added_before_and_after_a_merge_and_no_other():
    from core.urls import url_key
    from storage.session import UrlKeySet

    earlier = [url_key(f"https://www.zeitung.example/politik/{n}.html") for n in range(3000)]
    finished = UrlKeySet(earlier)
    later = [url_key(f"https://zeitung.example/wirtschaft/{n}/") for n in range(2 * UrlKeySet.MERGE_AT + 10)]
    for key in later:
        finished.add(key)
    finished.add(later[0])  # again: counted once
    assert len(finished) == len(earlier) + len(later)
    assert all(key in finished for key in earlier + later)
    assert url_key("https://zeitung.example/wirtschaft/1.html") not in finished
    assert not any(url_key(f"https://zeitung.example/sport/{n}.html") in finished for n in range(5000))
    assert "http://zeitung.example/ümlaut\udcff" not in finished  # any str, even one that is no UTF-8
