"""Exports (storage.export) read back by the tools other projects use: datasets, pandas, pyarrow."""

from __future__ import annotations

import csv
import io
import json

import pytest

from storage.export import ExportError, Progress, export
from storage.query import Corpus, Filters, QueryError
from tests.test_storage_query import file_state
from tests.test_storage_sample import ARTICLES, DE_SHOCK, NVIDIA_DE_IN_JANUARY, sample_db  # noqa: F401

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
        count = export(corpus, "csv", None, Filters(language="de", query="Nvidia", since="2025-01-27",
                                                    until="2025-02-03"), stdout=stream, with_duplicates=True)
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
