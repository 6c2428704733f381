"""Merging shards written by several crawler processes (storage.merge), on real corpus files."""

from __future__ import annotations

import sqlite3

import pytest

from dedup import DedupConfig
from storage.corpus import CorpusError, CorpusWriter
from storage.merge import merge_shards
from storage.query import Corpus
from tests.test_storage_query import file_state
from tests.test_storage_sample import ARTICLES, build_sample_corpus, content_hash
from tests.corpus_checks import rows

SYNDICATED = "https://regional-anzeiger.de/deepseek-nvidia-syndiziert"


def article(url, text, fetched_at, language="de", title=None):
    return {
        "url": url,
        "title": title or url.rsplit("/", 1)[-1],
        "text": text,
        "language": language,
        "published": "2025-01-28",
        "author": None,
        "site": url.split("/")[2],
        "site_name": None,
        "description": None,
        "source": "sitemap",
        "fetched_at": fetched_at,
        "content_hash": content_hash(text),
    }


def write_shard(path, articles, duplicates=(), translations=(), run_stats=None):
    writer = CorpusWriter(path)
    try:
        run = writer.begin_run({"shard": str(path)})
        for row in articles:
            writer.add_article(row, fingerprint=(row["url"], row["url"].encode()))
            writer.mark_page(row["url"], "stored")
        writer.flush()
        for duplicate in duplicates:
            writer.add_duplicate(duplicate)
            writer.mark_page(duplicate["url"], "duplicate")
        for link in translations:
            writer.add_translation(*link)
        writer.add_to_frontier("https://later.example/unfinished", {"url": "https://later.example/unfinished"})
        writer.finish_run(run, run_stats or {"response_received_count": len(articles) + len(duplicates)})
    finally:
        writer.close()
    return path


@pytest.fixture
def shards(tmp_path):
    """Two shards of one crawl: one story stored by both (same URL), one syndicated copy stored by each
    under a different URL (same text), a copy in B whose kept article A stored, a translation in B."""
    shared = article(
        "https://technik-tagblatt.de/deepseek-r1", "DeepSeek R1 ist da. Nvidia fällt.", "2025-01-28T10:00:01"
    )
    a_only = article(
        "https://wirtschaftsecho.de/nvidia-analyse", "Nvidia und DeepSeek: eine Analyse.", "2025-01-28T10:00:02"
    )
    # the same text under two URLs: B fetched it first, so B's copy is the one kept
    syndicated_a = article(SYNDICATED, "Syndizierter Text über DeepSeek.", "2025-01-28T10:00:09")
    syndicated_b = article(
        "https://technik-tagblatt.de/original", "Syndizierter Text über DeepSeek.", "2025-01-28T10:00:03"
    )
    english = article(
        "https://techwire.example/deepseek-nvidia",
        "DeepSeek and Nvidia, in English.",
        "2025-01-28T10:00:04",
        language="en",
    )
    shard_a = write_shard(
        tmp_path / "shard-a.db",
        [shared, a_only, syndicated_a],
        duplicates=[
            {
                "url": "https://amp.wirtschaftsecho.de/nvidia-analyse",
                "duplicate_of_url": a_only["url"],
                "similarity": 0.95,
                "kind": "near",
            },
            {
                "url": "https://copy.example/of-syndicated",
                "duplicate_of_url": SYNDICATED,
                "similarity": 0.9,
                "kind": "near",
            },
        ],
    )
    shard_b = write_shard(
        tmp_path / "shard-b.db",
        [shared, syndicated_b, english],
        # B removed this copy as a near duplicate of an article that shard A stored
        duplicates=[
            {
                "url": "https://mirror.example/nvidia-analyse",
                "duplicate_of_url": a_only["url"],
                "similarity": 0.9,
                "kind": "near",
            }
        ],
        translations=[(syndicated_b["url"], english["url"], 0.8, "minhash-crosslingual")],
    )
    return shard_a, shard_b


def test_merge_keeps_each_story_once(shards, tmp_path):
    merged = tmp_path / "merged.db"
    report = merge_shards(shards, merged)
    urls = {url for (url,) in rows(merged, "SELECT url FROM articles")}
    assert urls == {
        "https://technik-tagblatt.de/deepseek-r1",
        "https://wirtschaftsecho.de/nvidia-analyse",
        "https://technik-tagblatt.de/original",
        "https://techwire.example/deepseek-nvidia",
    }
    assert (report.articles, report.same_url, report.same_content) == (4, 1, 1)
    assert rows(merged, "SELECT count(DISTINCT content_hash) = count(*) FROM articles") == [(1,)]
    # the copy fetched later becomes an exact duplicate of the one kept
    assert rows(
        merged,
        f"SELECT d.kind, a.url FROM duplicates d JOIN articles a ON a.id = d.duplicate_of WHERE d.url = '{SYNDICATED}'",
    ) == [("exact", "https://technik-tagblatt.de/original")]


def test_merge_repoints_duplicates_across_shards(shards, tmp_path):
    merged = tmp_path / "merged.db"
    report = merge_shards(shards, merged)
    pointing = dict(rows(merged, "SELECT d.url, a.url FROM duplicates d LEFT JOIN articles a ON a.id = d.duplicate_of"))
    analysis = "https://wirtschaftsecho.de/nvidia-analyse"
    assert pointing["https://amp.wirtschaftsecho.de/nvidia-analyse"] == analysis
    assert pointing["https://mirror.example/nvidia-analyse"] == analysis  # NULL in shard B, kept by shard A
    # kept article merged away as a copy: its own copy now points at the story kept
    assert pointing["https://copy.example/of-syndicated"] == "https://technik-tagblatt.de/original"
    assert report.unresolved == 0
    assert rows(merged, "SELECT count(*) FROM duplicates WHERE duplicate_of IS NULL") == [(0,)]


def test_merge_carries_fingerprints_translations_runs_and_crawl_state(shards, tmp_path):
    merged = tmp_path / "merged.db"
    report = merge_shards(shards, merged)
    assert rows(
        merged, "SELECT count(*) FROM fingerprints f JOIN articles a ON a.id = f.article_id WHERE f.key = a.url"
    ) == [(4,)]
    assert rows(
        merged,
        "SELECT a.url, o.url FROM translations t JOIN articles a ON a.id = t.article "
        "JOIN articles o ON o.id = t.translation_of",
    ) == [("https://technik-tagblatt.de/original", "https://techwire.example/deepseek-nvidia")]
    assert report.runs == 2 and rows(merged, "SELECT count(*) FROM runs") == [(2,)]
    assert rows(merged, "SELECT count(*) FROM pages WHERE outcome = 'stored'") == [(5,)]  # 6, one URL in both
    assert rows(merged, "SELECT url FROM frontier") == [("https://later.example/unfinished",)]
    with Corpus(merged) as corpus:
        assert [hit["url"] for hit in corpus.search("Analyse")] == ["https://wirtschaftsecho.de/nvidia-analyse"]


def test_merging_again_changes_nothing(shards, tmp_path):
    merged = tmp_path / "merged.db"
    merge_shards(shards, merged)
    snapshot = [
        rows(merged, f"SELECT * FROM {table} ORDER BY 1")
        for table in ("articles", "duplicates", "translations", "fingerprints", "runs", "pages")
    ]
    report = merge_shards(shards, merged)
    assert report.articles == report.duplicates == report.runs == 0
    assert snapshot == [
        rows(merged, f"SELECT * FROM {table} ORDER BY 1")
        for table in ("articles", "duplicates", "translations", "fingerprints", "runs", "pages")
    ]


def test_merge_of_one_shard_resolves_its_own_references(tmp_path):
    sample = build_sample_corpus(tmp_path / "sample.db")
    report = merge_shards([sample], tmp_path / "merged.db")
    assert report.articles == len(ARTICLES) and report.duplicates == 4 and report.unresolved == 1
    assert report.translations == 1


def test_bad_merges_change_no_file(shards, tmp_path):
    shard_a, shard_b = shards
    before = [file_state(shard_a)[0], file_state(shard_b)[0]]
    with pytest.raises(CorpusError, match="no corpus"):
        merge_shards([shard_a, tmp_path / "missing.db"], tmp_path / "merged.db")
    with pytest.raises(CorpusError, match="both a shard and the merge target"):
        merge_shards([shard_a, shard_b], shard_b)
    text = tmp_path / "notes.txt"
    text.write_text("not sqlite")
    with pytest.raises(CorpusError, match="not an SQLite database"):
        merge_shards([shard_a], text)
    assert text.read_text() == "not sqlite"
    with pytest.raises(CorpusError, match="at least one shard"):
        merge_shards([], tmp_path / "merged.db")
    assert not (tmp_path / "merged.db").exists()
    assert [file_state(shard_a)[0], file_state(shard_b)[0]] == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt",
        "shard-a.db",
        "shard-b.db",
    ]  # the shards' writers removed their .lock files


STORY = (
    "Die Aktie des Chipkonzerns Nvidia verlor an einem einzigen Handelstag rund siebzehn Prozent, "
    "nachdem das chinesische Unternehmen DeepSeek sein Sprachmodell R1 veröffentlicht hatte. Anleger "
    "fürchten, dass große Rechenzentren künftig weniger Grafikprozessoren brauchen, wenn Modelle mit "
    "deutlich geringerem Aufwand trainiert werden können. Analysten in Frankfurt und München halten "
    "die Reaktion der Börse dagegen für übertrieben und erwarten steigende Nachfrage nach Rechenleistung."
)
RETOLD = STORY.replace("rund siebzehn Prozent", "etwa siebzehn Prozent").replace("halten", "betrachten")
OTHER = (
    "Die italienische Datenschutzbehörde hat dem Anbieter DeepSeek untersagt, Daten italienischer "
    "Nutzerinnen und Nutzer zu verarbeiten. Laut der Datenschutzerklärung werden Eingaben, Chatverläufe "
    "und Gerätedaten auf Servern in der Volksrepublik China gespeichert. Eine Stellungnahme des "
    "Unternehmens zu den Vorwürfen der Behörde lag bis zum späten Abend nicht vor, hieß es in Rom."
)


def write_fingerprinted_shard(path, articles):
    from dedup import Deduplicator

    dedup = Deduplicator()
    writer = CorpusWriter(path)
    try:
        for row in articles:
            writer.add_article(
                row, fingerprint=(row["url"], dedup.fingerprint(row["text"], row["language"]).to_bytes())
            )
    finally:
        writer.close()
    return path


def test_merge_catches_a_story_each_shard_kept_under_another_url(tmp_path):
    """Two crawls without a shared index each kept their own copy of one story: the merge keeps one."""
    first = article("https://technik-tagblatt.de/nvidia-aktie", STORY, "2025-01-28T10:00:01")
    retold = article("https://netzecho.example/tech/nvidia-aktie-faellt", RETOLD, "2025-01-28T10:00:05")
    other = article("https://technik-tagblatt.de/italien-sperrt-deepseek", OTHER, "2025-01-28T10:00:06")
    shard_a = write_fingerprinted_shard(tmp_path / "a.db", [first])
    shard_b = write_fingerprinted_shard(tmp_path / "b.db", [retold, other])
    merged = tmp_path / "merged.db"
    report = merge_shards([shard_b, shard_a], merged)
    assert report.near_check == "on" and report.near == 1
    assert {url for (url,) in rows(merged, "SELECT url FROM articles")} == {first["url"], other["url"]}
    ((kind, kept, similarity),) = rows(
        merged, "SELECT d.kind, a.url, d.similarity FROM duplicates d JOIN articles a ON a.id = d.duplicate_of"
    )
    assert (kind, kept) == ("near", first["url"]) and DedupConfig().min_coverage <= similarity <= 1  # share aligned


def test_merge_without_usable_fingerprints_says_so(shards, tmp_path):
    report = merge_shards(shards, tmp_path / "merged.db")
    assert report.near_check.startswith("off: ") and report.near == 0


def test_merge_keeps_where_each_page_is_in_the_warc_archive(tmp_path):
    """reextract works on a merged corpus: the archive rows come along, their file names made relative
    to the merged corpus's directory, and how far each ingested WARC file was read."""
    shards = []
    for name in ("eins", "zwei"):
        (tmp_path / name).mkdir()
        writer = CorpusWriter(tmp_path / name / "corpus.db")
        writer.add_archived(
            {
                "url": f"https://netzecho.example/{name}.html",
                "warc_file": f"warc/{name}-00000.warc.gz",
                "warc_offset": 1234,
                "warc_length": 567,
                "warc_date": "2025-01-28T10:00:00Z",
                "hints": "{}",
                "aliases": "[]",
            }
        )
        writer.note_ingested(f"/data/cc-news/{name}.warc.gz", 999, 7, finished=True)
        writer.flush()
        writer.close()
        shards.append(tmp_path / name / "corpus.db")
    (tmp_path / "gesamt").mkdir()
    merged = tmp_path / "gesamt" / "merged.db"
    merge_shards(shards, merged)
    archive = dict(rows(merged, "SELECT url, warc_file FROM archive"))
    for name in ("eins", "zwei"):
        stored = archive[f"https://netzecho.example/{name}.html"]
        assert (merged.parent / stored).resolve() == (tmp_path / name / "warc" / f"{name}-00000.warc.gz").resolve()
    assert sorted(rows(merged, "SELECT warc_file, next_offset FROM ingested")) == [
        ("/data/cc-news/eins.warc.gz", 999),
        ("/data/cc-news/zwei.warc.gz", 999),
    ]


def test_fingerprints_of_an_older_format_are_made_again_from_the_stored_text(tmp_path):
    from dedup import Deduplicator
    from dedup.fingerprint import FORMAT_MAGIC
    from storage.corpus import refresh_fingerprints

    story = article("https://technik-tagblatt.de/nvidia-aktie", STORY, "2025-01-28T10:00:01")
    writer = CorpusWriter(tmp_path / "corpus.db")
    writer.add_article(story, (story["url"], b"DDF2" + bytes(60)))  # as a corpus written before format 3
    writer.flush()
    dedup = Deduplicator()
    made = refresh_fingerprints(
        writer.conn, FORMAT_MAGIC, lambda text, language: dedup.fingerprint(text, language).to_bytes()
    )
    assert made == 1 and refresh_fingerprints(writer.conn, FORMAT_MAGIC, None) == 0
    assert dedup.load(writer.fingerprints()) == 1
    assert dedup.find(dedup.fingerprint(STORY, "de")).key == story["url"]
    writer.close()


def name_chrome_table_as_before(path):
    """Give a corpus the name its learned chrome had before it was called chrome: table ``boilerplate``,
    column ``fingerprint``."""
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE chrome RENAME COLUMN block TO fingerprint")
        conn.execute("ALTER TABLE chrome RENAME TO boilerplate")
    conn.close()


def write_chrome(path, rows_):
    writer = CorpusWriter(path)
    writer.save_chrome(rows_)
    writer.close()


def test_a_corpus_written_when_chrome_was_boilerplate_keeps_what_it_learned(tmp_path):
    corpus = tmp_path / "old.db"
    write_chrome(corpus, [("tagblatt.example", "*", 40), ("tagblatt.example", "9f3c0a1b2c3d4e5f", 31)])
    name_chrome_table_as_before(corpus)
    writer = CorpusWriter(corpus)  # what a crawl on it opens first
    assert sorted(writer.chrome_rows()) == [("tagblatt.example", "*", 40), ("tagblatt.example", "9f3c0a1b2c3d4e5f", 31)]
    writer.close()
    assert rows(corpus, "SELECT name FROM sqlite_master WHERE name IN ('chrome', 'boilerplate')") == [("chrome",)]


def test_merge_reads_the_chrome_of_a_shard_written_when_it_was_boilerplate(tmp_path):
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    write_chrome(old, [("tagblatt.example", "*", 40), ("tagblatt.example", "9f3c0a1b2c3d4e5f", 31)])
    name_chrome_table_as_before(old)
    write_chrome(new, [("tagblatt.example", "9f3c0a1b2c3d4e5f", 35), ("wirtschaftsecho.de", "*", 12)])
    merge_shards([old, new], tmp_path / "merged.db")
    assert rows(tmp_path / "merged.db", "SELECT site, block, pages FROM chrome ORDER BY 1, 2") == [
        ("tagblatt.example", "*", 40),
        ("tagblatt.example", "9f3c0a1b2c3d4e5f", 35),
        ("wirtschaftsecho.de", "*", 12),
    ]
