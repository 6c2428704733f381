"""The deepseek-news command line: every subcommand on a real corpus, and every kind of bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage.cli import build_parser, main
from tests.test_storage_query import file_state
from tests.test_storage_sample import (  # noqa: F401
    DE_ANALYSIS,
    DE_SHOCK,
    EN_SELLOFF,
    NVIDIA_DE_IN_JANUARY,
    VI_STOCKS,
    build_sample_corpus,
    sample_db,
)

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args, cwd=None, **kwargs) -> subprocess.CompletedProcess:
    """The CLI as a user runs it: a separate process (``python -m storage.cli`` = ``deepseek-news``)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "storage.cli", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        **kwargs,
    )


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- search -------------------------------------------------------------------------------------------
def test_search_table_shows_ranked_hits_with_highlighted_snippets(sample_db, capsys):
    code, out, err = cli(capsys, "search", "Grafikchips", "--db", sample_db)
    assert code == 0 and err == ""
    assert DE_SHOCK in out and "**Grafikchips**" in out
    assert "DeepSeek-Schock" in out


def test_search_json_with_every_filter(sample_db, capsys):
    code, out, _ = cli(
        capsys,
        "search",
        "Nvidia",
        "--lang",
        "de",
        "--since",
        "2025-01-27",
        "--until",
        "2025-02-03",
        "--json",
        "--db",
        sample_db,
    )
    hits = json.loads(out)
    assert code == 0 and sorted(hit["url"] for hit in hits) == sorted(NVIDIA_DE_IN_JANUARY)
    assert all("**Nvidia**" in hit["snippet"] for hit in hits)
    assert {"id", "url", "title", "language", "published", "site", "snippet", "rank"} <= set(hits[0])
    _, out, _ = cli(capsys, "search", "Nvidia", "--site", "tinmoi.example", "--json", "--db", sample_db)
    assert [hit["url"] for hit in json.loads(out)] == [VI_STOCKS]
    _, out, _ = cli(capsys, "search", "DeepSeek", "--limit", "2", "--json", "--db", sample_db)
    assert len(json.loads(out)) == 2
    _, out, _ = cli(capsys, "search", "DeepSeek", "--limit", "0", "--json", "--db", sample_db)
    assert len(json.loads(out)) == 7


def test_search_quote_takes_punctuation_literally_and_no_match_says_so(sample_db, capsys):
    code, out, _ = cli(capsys, "search", "DeepSeek-R1", "--quote", "--json", "--db", sample_db)
    assert code == 0 and DE_ANALYSIS in {hit["url"] for hit in json.loads(out)}
    code, out, _ = cli(capsys, "search", "Quantencomputer", "--db", sample_db)
    assert code == 0 and out == "no articles match\n"
    code, out, _ = cli(capsys, "search", "Quantencomputer", "--json", "--db", sample_db)
    assert json.loads(out) == []


# -- show ---------------------------------------------------------------------------------------------
def test_show_by_url_lists_removed_copies_and_translations(sample_db, capsys):
    code, out, _ = cli(capsys, "show", EN_SELLOFF, "--db", sample_db)
    assert code == 0
    assert "removed duplicate copies (1):" in out and "https://techwire.example/amp/" in out and "0.91" in out
    assert "translations (1):" in out and DE_ANALYSIS in out and "translated_by" in out


def test_show_a_removed_copy_shows_the_article_kept(sample_db, capsys):
    copy = "https://techwire.example/amp/2025/01/28/nvidia-deepseek-selloff"
    code, out, err = cli(capsys, "show", copy, "--json", "--db", sample_db)
    assert code == 0 and json.loads(out)["url"] == EN_SELLOFF
    assert err == f"{copy} was removed as a near duplicate of article 5; showing that article\n"
    code, out, err = cli(capsys, "show", "https://otherpaper.example/deepseek-copy", "--db", sample_db)
    assert code == 1 and out == "" and "which another shard kept" in err


def test_show_by_id_as_json_with_text(sample_db, capsys):
    code, out, _ = cli(capsys, "show", "1", "--json", "--db", sample_db)
    record = json.loads(out)
    assert code == 0 and record["url"] == DE_SHOCK and "Grafikchips" in record["text"]
    assert [copy["kind"] for copy in record["duplicates"]] == ["exact"]
    code, out, _ = cli(capsys, "show", "1", "--text", "--db", sample_db)
    assert "Grafikchips" in out


# -- export -------------------------------------------------------------------------------------------
def test_export_jsonl_to_stdout_with_filters_and_duplicates(sample_db, capsys):
    code, out, err = cli(
        capsys,
        "export",
        "--lang",
        "de",
        "-q",
        "Nvidia",
        "--since",
        "2025-01-27",
        "--until",
        "2025-02-03",
        "--with-duplicates",
        "--db",
        sample_db,
    )
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and err == ""  # no progress bar when stderr is not a terminal
    assert sorted(r["url"] for r in records) == sorted(NVIDIA_DE_IN_JANUARY)
    assert {len(r["duplicates"]) for r in records} == {0, 1}


def test_export_csv_to_stdout(sample_db, capsys):
    code, out, _ = cli(capsys, "export", "--format", "csv", "--db", sample_db)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 7
    assert {"id", "url", "title", "text", "language", "published", "author", "site"} <= set(rows[0])


def test_export_parquet_of_the_whole_corpus(sample_db, tmp_path, capsys):
    parquet = pytest.importorskip("pyarrow.parquet")
    out_file = tmp_path / "corpus.parquet"
    code, out, err = cli(capsys, "export", "--format", "parquet", "--output", out_file, "--db", sample_db)
    assert code == 0 and out == "" and err == f"exported 7 articles to {out_file}\n"
    assert parquet.read_table(out_file).num_rows == 7


def on_a_terminal(*args, stream: str) -> bytes:
    """Run the CLI with ``stream`` (stdout or stderr) on a pseudo-terminal; return what it showed there."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, stream: secondary}
    process = subprocess.Popen([sys.executable, "-m", "storage.cli", *map(str, args)], env=env, **streams)
    os.close(secondary)
    seen = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait(timeout=30) == 0
    os.close(primary)
    return seen


def test_export_progress_bar_only_on_a_terminal(sample_db, tmp_path):
    out_file = tmp_path / "corpus.jsonl"
    piped = run_cli("export", "--output", out_file, "--db", sample_db)
    assert piped.returncode == 0 and "%" not in piped.stderr
    shown = on_a_terminal("export", "--output", out_file, "--db", sample_db, stream="stderr")
    assert b"100% 7/7" in shown and b"[" in shown


def test_merge_progress_bar_on_a_terminal(sample_db, tmp_path):
    shown = on_a_terminal("merge", sample_db, "--into", tmp_path / "merged.db", stream="stderr")
    assert b"merging [" in shown and b"100% 7/7" in shown


def test_search_highlights_in_bold_on_a_terminal(sample_db):
    shown = on_a_terminal("search", "Grafikchips", "--db", sample_db, stream="stdout")
    assert b"\x1b[1mGrafikchips\x1b[0m" in shown


# -- stats --------------------------------------------------------------------------------------------
def test_stats_table_and_json(sample_db, capsys):
    code, out, _ = cli(capsys, "stats", "--db", sample_db)
    assert code == 0
    for heading in (
        "articles by site:",
        "articles by language:",
        "articles by day published:",
        "duplicates removed by kind:",
        "crawl runs:",
    ):
        assert heading in out
    assert "7 articles" in out and "technik-tagblatt.de" in out and "2025-01-27" in out
    code, out, _ = cli(capsys, "stats", "--json", "--db", sample_db)
    stats = json.loads(out)
    assert stats["corpus"]["articles"] == 7 and stats["runs"][0]["pages"] == 42


# -- merge --------------------------------------------------------------------------------------------
def test_merge_shards_into_one_corpus(tmp_path, capsys):
    from tests.test_storage_sample import ARTICLES, DUPLICATES

    shard_a = build_sample_corpus(tmp_path / "a.db", articles=ARTICLES[:4], duplicates=DUPLICATES[:1])
    shard_b = build_sample_corpus(tmp_path / "b.db", articles=ARTICLES[3:], duplicates=DUPLICATES[1:])
    merged = tmp_path / "merged.db"
    code, out, _ = cli(capsys, "merge", shard_a, shard_b, "--into", merged)
    assert code == 0 and "7 articles added" in out and "1 already there by URL" in out
    code, out, _ = cli(capsys, "stats", "--json", "--db", merged)
    assert json.loads(out)["corpus"]["articles"] == 7


# -- bad input ----------------------------------------------------------------------------------------
BAD_INPUTS = {
    "missing db": (["search", "Nvidia", "--db", "{tmp}/missing.db"], "no corpus at"),
    "not sqlite": (["stats", "--db", "{tmp}/notes.db"], "is not an SQLite database"),
    "not a corpus": (["show", "1", "--db", "{tmp}/other.db"], "not a deepseek_news corpus"),
    "corrupt db": (["stats", "--db", "{tmp}/corrupt.db"], "file is not a database"),
    "truncated db": (["search", "Nvidia", "--db", "{tmp}/truncated.db"], "malformed"),
    "db is a directory": (["stats", "--db", "{tmp}"], "no corpus at"),
    "fts syntax": (["search", '"unbalanced', "--db", "{db}"], "cannot search for"),
    "fts operator only": (["search", "AND", "--db", "{db}"], "cannot search for"),
    "export fts syntax": (["export", "-q", "Nvidia AND", "-o", "{tmp}/out.jsonl", "--db", "{db}"], "cannot search for"),
    "bad date": (["search", "Nvidia", "--since", "last week", "--db", "{db}"], "is not a date"),
    "unknown format": (["export", "--format", "xml", "--db", "{db}"], "unknown format 'xml'"),
    "parquet to stdout": (["export", "--format", "parquet", "--db", "{db}"], "give --output FILE"),
    "output dir missing": (["export", "-o", "{tmp}/no/such/dir/out.csv", "--db", "{db}"], "cannot write"),
    "output is a directory": (["export", "-o", "{tmp}", "--db", "{db}"], "is a directory"),
    "output is the corpus": (["export", "-o", "{db}", "--db", "{db}"], "refusing to export over the corpus"),
    "unknown article": (["show", "https://nowhere.example/", "--db", "{db}"], "no article"),
    "merge missing shard": (["merge", "{db}", "{tmp}/missing.db", "--into", "{tmp}/merged.db"], "no corpus at"),
    "merge into a shard": (["merge", "{db}", "--into", "{db}"], "both a shard and the merge target"),
    "no subcommand": ([], "required"),
    "unknown option": (["search", "Nvidia", "--colour"], "unrecognized arguments"),
    "bad limit": (["search", "Nvidia", "--limit", "many", "--db", "{db}"], "invalid int value"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_is_one_line_and_changes_no_file(name, tmp_path):
    corpus_dir = tmp_path / "corpus"
    db = build_sample_corpus(corpus_dir / "deepseek_news.db")
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.db").write_text("my notes, not a database")
    sqlite3.connect(work / "other.db").execute("CREATE TABLE t (x)").connection.close()
    (work / "corrupt.db").write_bytes(b"SQLite format 3\x00" + b"\x10\x00\x01\x01" + b"garbage" * 1000)
    whole = db.read_bytes()
    (work / "truncated.db").write_bytes(whole[: len(whole) // 2])
    before = {
        path: file_state(path)
        for path in (db, work / "notes.db", work / "other.db", work / "corrupt.db", work / "truncated.db")
    }
    work_files = sorted(p.name for p in work.iterdir())

    args, expected = BAD_INPUTS[name]
    result = run_cli(*[arg.format(tmp=work, db=db) for arg in args], cwd=work)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert expected in result.stderr
    assert result.stdout == ""
    assert {path: file_state(path) for path in before} == before
    assert sorted(p.name for p in work.iterdir()) == work_files


def test_default_db_is_the_crawlers_and_is_not_created(tmp_path):
    result = run_cli("stats", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "deepseek-news stats: error: no corpus at data/deepseek_news.db "
        "(a crawl makes one: deepseek-news crawl --db data/deepseek_news.db)"
    )
    assert list(tmp_path.iterdir()) == []


def test_every_subcommand_takes_db():
    parser = build_parser()
    subcommands = parser._subparsers._group_actions[0].choices
    assert set(subcommands) == {
        "search",
        "show",
        "export",
        "stats",
        "merge",
        "crawl",
        "browse",
        "report",
        "reextract",
        "ingest",
    }
    for name, subparser in subcommands.items():
        options = {option for action in subparser._actions for option in action.option_strings}
        assert "--db" in options, name  # for merge, --db names the merged corpus (= --into)


def test_parquet_without_pyarrow_names_the_extra(sample_db, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # makes `import pyarrow` fail as if not installed
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    code, out, err = cli(capsys, "export", "--format", "parquet", "-o", tmp_path / "corpus.parquet", "--db", sample_db)
    assert code == 1 and out == ""
    assert err == (
        "deepseek-news export: error: parquet export needs pyarrow: "
        "pip install 'deepseek-news[parquet]' (or pip install pyarrow)\n"
    )
    assert not (tmp_path / "corpus.parquet").exists()
