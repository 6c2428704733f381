"""The read API (storage.query) against a real sample corpus written by CorpusWriter."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from storage.corpus import CorpusError
from storage.query import Corpus, Filters, QueryError, quote_fts
from tests.test_storage_sample import (
    DE_ANALYSIS,
    DE_LATER,
    DE_SHOCK,
    EN_SELLOFF,
    EN_UNDATED,
    NVIDIA_DE_IN_JANUARY,
    VI_STOCKS,
    sample_db,  # noqa: F401
)


def file_state(path):
    """The bytes of the corpus file and which files sit beside it: what a read must not change."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(p.name for p in path.parent.iterdir())


def urls(rows):
    return [row["url"] for row in rows]


def test_articles_filter_by_language_site_and_inclusive_date_range(sample_db):
    with Corpus(sample_db) as corpus:
        assert set(urls(corpus.articles(Filters(language="de", since="2025-01-27", until="2025-02-03")))) == {
            DE_SHOCK,
            DE_ANALYSIS,
        }
        assert urls(corpus.articles(Filters(site="wirtschaftsecho.de"))) == [DE_ANALYSIS, DE_LATER]
        # until takes the whole day, whatever the time of publication
        assert urls(corpus.articles(Filters(since="2025-01-30", until="2025-01-30"))) == [VI_STOCKS]
        # an article without a date is in no date range, but in every unfiltered read
        assert EN_UNDATED not in urls(corpus.articles(Filters(since="2000-01-01")))
        assert len(list(corpus.articles())) == 7


def test_articles_stream_from_a_cursor_with_every_column(sample_db):
    with Corpus(sample_db) as corpus:
        stream = corpus.articles()
        first = next(stream)
        assert not isinstance(stream, list)
        assert {"id", "url", "title", "text", "language", "published", "author", "site"} <= set(first)
        assert first["text"].count("\n\n") == 1


def test_full_text_filter_combines_with_the_others(sample_db):
    with Corpus(sample_db) as corpus:
        german_nvidia = Filters(language="de", query="Nvidia", since="2025-01-27", until="2025-02-03")
        assert set(urls(corpus.articles(german_nvidia))) == set(NVIDIA_DE_IN_JANUARY)
        assert corpus.count(german_nvidia) == 2
        assert corpus.count(Filters(query="Nvidia")) == 5
        assert corpus.count(Filters(query="Datenschutz*")) == 1


def test_search_ranks_and_highlights_hits(sample_db):
    with Corpus(sample_db) as corpus:
        hits = list(corpus.search("Grafikchips"))
        assert urls(hits) == [DE_SHOCK]
        assert "[Grafikchips]" in next(corpus.search("Grafikchips", highlight=("[", "]")))["snippet"]
        assert "**Grafikchips**" in hits[0]["snippet"]
        ranks = [hit["rank"] for hit in corpus.search("DeepSeek", limit=None)]
        assert ranks == sorted(ranks) and len(ranks) == 7
        assert len(list(corpus.search("DeepSeek", limit=3))) == 3


def test_search_folds_case_and_single_diacritics(sample_db):
    with Corpus(sample_db) as corpus:
        assert urls(corpus.search("CỔ PHIẾU")) == [VI_STOCKS]
        assert urls(corpus.search("giam manh")) == [VI_STOCKS]
        assert urls(corpus.search("BORSE")) == urls(corpus.search("Börse")) == [DE_SHOCK]


def test_query_is_a_bound_parameter_not_sql(sample_db):
    with Corpus(sample_db) as corpus:
        assert list(corpus.search(quote_fts("x'; DROP TABLE articles; --"))) == []
        assert list(corpus.articles(Filters(site="x' OR '1'='1"))) == []
    assert sqlite3.connect(sample_db).execute("SELECT count(*) FROM articles").fetchone()[0] == 7


def test_fts_syntax_error_is_a_query_error(sample_db):
    with Corpus(sample_db) as corpus:
        with pytest.raises(QueryError, match="cannot search"):
            corpus.check_query('"unbalanced')
        with pytest.raises(QueryError, match="cannot search"):
            list(corpus.search("AND OR"))
        with pytest.raises(QueryError, match="not a date"):
            corpus.articles(Filters(since="January"))


def test_get_by_id_or_url(sample_db):
    with Corpus(sample_db) as corpus:
        by_url = corpus.get(DE_SHOCK)
        assert corpus.get(by_url["id"]) == by_url == corpus.get(str(by_url["id"]))
        assert corpus.get("https://nowhere.example/") is None
        assert corpus.get(999) is None


def test_duplicates_translations_and_clusters(sample_db):
    with Corpus(sample_db) as corpus:
        shock, selloff, analysis = corpus.get(DE_SHOCK), corpus.get(EN_SELLOFF), corpus.get(DE_ANALYSIS)
        assert [(d["kind"], d["similarity"]) for d in corpus.duplicates_of(shock["id"])] == [("exact", 1.0)]
        assert corpus.translations_of(analysis["id"])[0]["url"] == EN_SELLOFF
        assert corpus.translations_of(analysis["id"])[0]["relation"] == "translation_of"
        assert corpus.translations_of(selloff["id"])[0]["relation"] == "translated_by"
        clusters = {c["article"]["url"]: c for c in corpus.clusters()}
        assert set(clusters) == {DE_SHOCK, EN_SELLOFF, VI_STOCKS, DE_ANALYSIS}
        assert [d["kind"] for d in clusters[VI_STOCKS]["duplicates"]] == ["translation"]
        assert [d["duplicate_of_url"] for d in corpus.unresolved_duplicates()] == [
            "https://elsewhere.example/kept-in-shard-b"
        ]


def test_stats(sample_db):
    with Corpus(sample_db) as corpus:
        stats = corpus.stats()
    assert stats["corpus"]["articles"] == 7
    assert stats["corpus"]["duplicates"] == 4 and stats["corpus"]["unresolved_duplicates"] == 1
    assert stats["corpus"]["bytes"] > 0
    assert {row["language"]: row["articles"] for row in stats["by_language"]} == {"de": 4, "en": 2, "vi": 1}
    assert {row["kind"]: row["duplicates"] for row in stats["duplicates_by_kind"]} == {
        "exact": 1,
        "near": 2,
        "translation": 1,
    }
    assert {"day": "2025-01-27", "articles": 1} in stats["by_day"]
    (run,) = stats["runs"]
    assert (run["pages"], run["items"], run["seconds"]) == (42, 7, 12.5)
    assert run["started_at"] and run["finished_at"]


def test_reading_never_changes_the_corpus(sample_db):
    before = file_state(sample_db)
    with Corpus(sample_db) as corpus:
        list(corpus.articles(Filters(query="Nvidia")))
        corpus.stats()
        list(corpus.clusters())
        with pytest.raises(sqlite3.OperationalError):
            corpus.conn.execute("DELETE FROM articles")
    assert file_state(sample_db) == before


def test_missing_or_foreign_files_are_refused_untouched(tmp_path):
    with pytest.raises(CorpusError, match="no corpus"):
        Corpus(tmp_path / "missing.db")
    assert list(tmp_path.iterdir()) == []
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database at all, just some text")
    with pytest.raises(CorpusError, match="not an SQLite database"):
        Corpus(text_file)
    assert text_file.read_text() == "not a database at all, just some text"
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(CorpusError, match="not a deepseek_news corpus"):
        Corpus(other)
