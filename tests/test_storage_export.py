"""Exports (storage.export) read back by the tools other projects use: datasets, pandas, pyarrow."""

from __future__ import annotations

import csv
import io
import json

import pytest

from storage.export import ExportError, Progress, export
from storage.query import Corpus, Filters, QueryError
from tests.test_storage_query import file_state
from tests.test_storage_sample import (  # noqa: F401
    ARTICLES,
    DE_SHOCK,
    NVIDIA_DE_IN_JANUARY,
    build_sample_corpus,
    sample_db,
)

REQUIRED = {"id", "url", "title", "text", "language", "published", "author", "site"}


def test_jsonl_loads_with_hugging_face_datasets(sample_db, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    out = tmp_path / "corpus.jsonl"
    with Corpus(sample_db) as corpus:
        assert export(corpus, "jsonl", out, with_duplicates=True) == 7
    data = datasets.load_dataset("json", data_files=str(out), split="train")
    assert data.num_rows == 7
    assert REQUIRED <= set(data.column_names)
    shock = data[[row for row, url in enumerate(data["url"]) if url == DE_SHOCK][0]]
    assert shock["text"] == ARTICLES[0]["text"]
    assert shock["duplicates"] == ["https://regional-anzeiger.de/wirtschaft/deepseek-nvidia-aktie"]


def test_jsonl_loads_with_datasets_when_fields_fill_in_late(tmp_path, monkeypatch):
    """datasets types columns from the first block it reads; fields empty in the first articles and
    filled later (a later crawl learnt to read authors; the first copies removed come late) must load."""
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    articles = [
        {
            **ARTICLES[n % len(ARTICLES)],
            "url": f"https://technik-tagblatt.de/artikel/{n}",
            "text": f"{ARTICLES[n % len(ARTICLES)]['text']} ({n})",
            "author": None if n < 50 else "Jana Berger",
        }
        for n in range(60)
    ]
    late_copy = [
        {"url": "https://copy.example/59", "duplicate_of_url": articles[59]["url"], "similarity": 1.0, "kind": "exact"}
    ]
    db = build_sample_corpus(tmp_path / "late.db", articles=articles, duplicates=late_copy)
    out = tmp_path / "late.jsonl"
    with Corpus(db) as corpus:
        assert export(corpus, "jsonl", out, with_duplicates=True) == 60
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    # first the first article with an author and the first with a removed copy, then id order
    assert [line["id"] for line in lines[:3]] == [1, 51, 60]
    assert lines[1]["author"] == "Jana Berger" and lines[2]["duplicates"] == ["https://copy.example/59"]
    assert [line["id"] for line in lines[3:]] == [n for n in range(2, 60) if n != 51]
    data = datasets.load_dataset("json", data_files=str(out), split="train", chunksize=4096)  # many blocks
    assert data.num_rows == 60
    assert data.features["author"].dtype == "string"
    assert sum(1 for author in data["author"] if author) == 10


def test_jsonl_loads_with_pandas(sample_db, tmp_path):
    pandas = pytest.importorskip("pandas")
    out = tmp_path / "corpus.jsonl"
    with Corpus(sample_db) as corpus:
        export(corpus, "jsonl", out)
    frame = pandas.read_json(out, lines=True)
    assert len(frame) == 7 and REQUIRED <= set(frame.columns)
    assert set(frame["language"]) == {"de", "en", "vi"}


def test_parquet_reads_back_with_pyarrow(sample_db, tmp_path):
    parquet = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "corpus.parquet"
    with Corpus(sample_db) as corpus:
        assert export(corpus, "parquet", out, with_duplicates=True) == 7
    table = parquet.read_table(out)
    assert table.num_rows == 7
    assert REQUIRED | {"duplicates"} <= set(table.column_names)
    rows = {row["url"]: row for row in table.to_pylist()}
    assert rows[DE_SHOCK]["title"] == ARTICLES[0]["title"]
    assert rows[DE_SHOCK]["duplicates"] == ["https://regional-anzeiger.de/wirtschaft/deepseek-nvidia-aktie"]
    assert str(table.schema.field("id").type) == "int64"


def test_parquet_of_an_empty_selection_is_a_valid_empty_file(sample_db, tmp_path):
    parquet = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "none.parquet"
    with Corpus(sample_db) as corpus:
        assert export(corpus, "parquet", out, Filters(language="fr")) == 0
    assert parquet.read_table(out).num_rows == 0


def test_csv_to_a_stream_with_filters(sample_db):
    stream = io.StringIO()
    with Corpus(sample_db) as corpus:
        count = export(
            corpus,
            "csv",
            None,
            Filters(language="de", query="Nvidia", since="2025-01-27", until="2025-02-03"),
            stdout=stream,
            with_duplicates=True,
        )
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert count == 2 and sorted(row["url"] for row in rows) == sorted(NVIDIA_DE_IN_JANUARY)
    assert "\n\n" in rows[0]["text"]  # paragraphs survive CSV quoting
    assert {row["duplicates"] for row in rows} == {"https://regional-anzeiger.de/wirtschaft/deepseek-nvidia-aktie", ""}


def test_jsonl_to_a_stream_is_one_utf8_object_per_line(sample_db):
    stream = io.StringIO()
    with Corpus(sample_db) as corpus:
        export(corpus, "jsonl", None, Filters(language="vi"), stdout=stream)
    (line,) = stream.getvalue().splitlines()
    assert "cổ phiếu" in line  # not \\u escapes
    assert json.loads(line)["language"] == "vi"


def test_bad_exports_write_nothing(sample_db, tmp_path):
    before = file_state(sample_db)
    with Corpus(sample_db) as corpus:
        with pytest.raises(ExportError, match="unknown format"):
            export(corpus, "xml", tmp_path / "out.xml")
        with pytest.raises(ExportError, match="binary"):
            export(corpus, "parquet", None)
        with pytest.raises(QueryError, match="cannot search"):
            export(corpus, "jsonl", tmp_path / "out.jsonl", Filters(query='"unbalanced'))
        with pytest.raises(ExportError, match="cannot write"):
            export(corpus, "jsonl", tmp_path / "no" / "such" / "dir" / "out.jsonl")
        with pytest.raises(ExportError, match="directory"):
            export(corpus, "csv", tmp_path)
        with pytest.raises(ExportError, match="corpus itself"):
            export(corpus, "jsonl", sample_db)
    assert file_state(sample_db) == before
    assert not (tmp_path / "out.xml").exists() and not (tmp_path / "out.jsonl").exists()
    assert not (tmp_path / "no").exists()


def test_progress_bar_counts_to_the_total():
    stream = io.StringIO()
    rows = list(Progress(4, stream, width=4).advance(iter([{}] * 4)))
    assert len(rows) == 4
    drawn = stream.getvalue()
    assert drawn.endswith("[####] 100% 4/4\n")
    assert drawn.count("\r") == 5  # 25, 50, 75, 100 % and the final draw
