"""Security of the corpus tools (issue 6): search text reaches SQLite FTS5 only as a bound parameter,
filters too; a malicious or malformed query ends in one line and leaves the corpus as it was; export
writes the one file it was asked for and nothing else.

Runs the real `python -m storage.cli` (= `deepseek-news`) on the sample corpus of
tests/test_storage_sample.py, and the library under it with a connection that records every statement.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from storage.cli import main
from storage.query import Corpus, Filters
from tests.test_cli import REPO, run_cli
from tests.test_storage_query import file_state
from tests.test_storage_sample import ARTICLES, build_sample_corpus, sample_db  # noqa: F401

INJECTIONS = [
    "x'; DROP TABLE articles; --",
    "'; DELETE FROM articles WHERE 1=1; --",
    'DeepSeek" OR 1=1 --',
    "Nvidia') UNION SELECT sql, sql, sql, sql, sql, sql, sql, sql FROM sqlite_master --",
    "*) OR (articles_fts MATCH '*",
    '"unbalanced',
    "NEAR(",
    "title:",
    "AND OR NOT",
    "(((((",
    "x\"; ATTACH DATABASE '/tmp/pwned.db' AS pwned; --",
]


def table_counts(db) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        conn.close()


def check_search_outcome(code: int, out: str, err: str) -> None:
    assert "Traceback" not in err
    if code == 0:
        assert all("url" in hit for hit in json.loads(out))
    else:
        assert len(err.splitlines()) == 1, err
        assert "cannot search for" in err
        assert out == ""


def test_malicious_search_through_the_command_changes_nothing(sample_db, tmp_path):  # noqa: F811
    """`deepseek-news search` as a user runs it, with the classic injection."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    before_state, before_counts = file_state(sample_db), table_counts(sample_db)
    result = run_cli("search", INJECTIONS[0], "--json", "--db", sample_db, cwd=cwd)
    check_search_outcome(result.returncode, result.stdout, result.stderr)
    assert file_state(sample_db) == before_state and table_counts(sample_db) == before_counts
    assert not any(cwd.iterdir())


@pytest.mark.parametrize("query", INJECTIONS)
def test_malicious_search_is_a_search_or_one_line_and_changes_nothing(
    query,
    sample_db,
    tmp_path,
    capsys,  # noqa: F811
    monkeypatch,
):
    """The same command in this process (fast), for every malicious or malformed query."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    before_state, before_counts = file_state(sample_db), table_counts(sample_db)
    code = main(["search", query, "--json", "--db", str(sample_db)])
    captured = capsys.readouterr()
    check_search_outcome(code, captured.out, captured.err)
    assert file_state(sample_db) == before_state
    assert table_counts(sample_db) == before_counts
    assert not any(cwd.iterdir()) and not (tmp_path / "pwned.db").exists()


@pytest.mark.parametrize("query", INJECTIONS[:3])
def test_malicious_query_taken_literally_with_quote_finds_nothing(query, sample_db, tmp_path):  # noqa: F811
    result = run_cli("search", query, "--quote", "--json", "--db", sample_db, cwd=tmp_path)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr
    if result.returncode == 0:
        assert json.loads(result.stdout) == []


@pytest.mark.parametrize("option", ["--site", "--lang"])
def test_injection_in_a_filter_matches_nothing_instead_of_everything(option, sample_db, tmp_path):  # noqa: F811
    result = run_cli(
        "search", "DeepSeek", option, "x' OR '1'='1", "--limit", "0", "--json", "--db", sample_db, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    everything = run_cli("search", "DeepSeek", "--limit", "0", "--json", "--db", sample_db, cwd=tmp_path)
    assert len(json.loads(everything.stdout)) > 0  # the query itself matches: the filter did the refusing


def test_show_with_injection_finds_no_article(sample_db, tmp_path):  # noqa: F811
    before = file_state(sample_db)
    result = run_cli("show", "1 OR 1=1", "--db", sample_db, cwd=tmp_path)
    assert result.returncode != 0 and len(result.stderr.splitlines()) == 1 and "no article" in result.stderr
    assert file_state(sample_db) == before


class RecordingConnection:
    """A sqlite3 connection that remembers the SQL text of every statement it is given."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self.statements: list[str] = []

    def execute(self, sql, params=()):
        self.statements.append(sql)
        return self._conn.execute(sql, params)

    def cursor(self):
        recorder, cursor = self, self._conn.cursor()

        class RecordingCursor:
            def execute(self, sql, params=()):
                recorder.statements.append(sql)
                return cursor.execute(sql, params)

            def __getattr__(self, name):
                return getattr(cursor, name)

            def __iter__(self):
                return iter(cursor)

        return RecordingCursor()

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.mark.parametrize("query", ["x'; DROP TABLE articles; --", "DeepSeek"])
def test_search_text_and_filters_never_enter_the_sql_text(query, sample_db):  # noqa: F811
    """The library under the CLI: user input goes in bound parameters, never into a statement."""
    marker_site, marker_lang = "site' OR 'a'='a", "de' --"
    with Corpus(sample_db) as corpus:
        recorder = RecordingConnection(corpus.conn)
        corpus.conn = recorder
        try:
            list(corpus.search(query, Filters(site=marker_site, language=marker_lang), limit=None))
        except Exception as error:  # a malformed query is refused with the corpus's own error type
            assert "cannot search for" in str(error)
        list(corpus.articles(Filters(query="DeepSeek", site=marker_site, language=marker_lang)))
        corpus.count(Filters(site=marker_site))
        corpus.get(query)
    assert recorder.statements, "no statement was recorded: the corpus does not use .conn any more"
    for sql in recorder.statements:
        for user_text in (query, marker_site, marker_lang):
            assert user_text not in sql, sql


def test_export_writes_only_the_file_asked_for(sample_db, tmp_path):  # noqa: F811
    work = tmp_path / "work"
    (work / "out").mkdir(parents=True)
    corpus_dir_before = sorted(p.name for p in sample_db.parent.iterdir())
    name = "out/a; touch pwned $(touch pwned2) `touch pwned3`.jsonl"
    result = run_cli("export", "--format", "jsonl", "--output", name, "--db", sample_db, cwd=work)
    assert result.returncode == 0, result.stderr
    written = work / name
    assert len(written.read_text(encoding="utf-8").splitlines()) == len(ARTICLES)
    every_file = sorted(str(p.relative_to(work)) for p in work.rglob("*"))
    assert every_file == ["out", name]
    assert sorted(p.name for p in sample_db.parent.iterdir()) == corpus_dir_before


def test_export_with_dot_dot_writes_exactly_there(sample_db, tmp_path):  # noqa: F811
    """A relative path with `..` is resolved like any program resolves it: one file, where it points."""
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    result = run_cli("export", "--format", "csv", "--output", "sub/../export.csv", "--db", sample_db, cwd=work)
    assert result.returncode == 0, result.stderr
    assert sorted(
        str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file() and p.parent != sample_db.parent
    ) == ["work/export.csv"]


def test_export_refuses_a_symlink_to_the_corpus(sample_db, tmp_path):  # noqa: F811
    link = tmp_path / "looks-harmless.jsonl"
    link.symlink_to(sample_db)
    before = file_state(sample_db)
    result = run_cli("export", "--format", "jsonl", "--output", link, "--db", sample_db, cwd=tmp_path)
    assert result.returncode != 0 and len(result.stderr.splitlines()) == 1
    assert file_state(sample_db) == before


def test_failed_export_over_an_existing_file_leaves_it_alone(sample_db, tmp_path):  # noqa: F811
    target = tmp_path / "keep.jsonl"
    target.write_text("my earlier export\n")
    files_before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli("export", "-q", "x'; DROP TABLE articles; --", "--output", target, "--db", sample_db, cwd=tmp_path)
    if result.returncode == 0:  # the query was a valid (if odd) search: then the file holds its result
        assert all(json.loads(line) for line in target.read_text().splitlines())
    else:
        assert len(result.stderr.splitlines()) == 1 and target.read_text() == "my earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == files_before


# -- values the command cannot use (issue 15): one line, a non-zero exit, no file created or changed ------
def run_cli_bytes(*args: bytes | str, cwd, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    """The command with raw bytes in its argv, as a shell passes a byte string that is not UTF-8 (Python
    sees it as lone surrogates)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "storage.cli", *args], cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE
    )


def assert_one_line_refusal(result, db, before) -> None:
    err = result.stderr.decode("utf-8", "replace") if isinstance(result.stderr, bytes) else result.stderr
    assert result.returncode not in (0, None) and "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert file_state(db) == before


@pytest.mark.parametrize(
    "args",
    [
        ["search", "DeepSeek", "--limit", "9223372036854775808"],
        ["search", "DeepSeek", "--limit", str(10**30)],
    ],
)
def test_limit_beyond_sqlite_integers_is_one_line(args, sample_db, tmp_path):  # noqa: F811
    before = file_state(sample_db)
    result = run_cli(*args, "--db", sample_db, cwd=tmp_path)
    assert_one_line_refusal(result, sample_db, before)
    assert "limit" in result.stderr and result.stdout == ""


def test_until_the_last_day_there_is_takes_every_dated_article(sample_db, tmp_path):  # noqa: F811
    """9999-12-31 is a valid date (the last one): everything published on or before it is every article
    with a date, not an overflow of "the day after"."""
    dated = {article["url"] for article in ARTICLES if article.get("published")}
    for command in (["search", "DeepSeek OR Nvidia OR Datenschutz OR chip", "--limit", "0", "--json"], ["export"]):
        result = run_cli(*command, "--until", "9999-12-31", "--db", sample_db, cwd=tmp_path)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        if command[0] == "export":
            found = {json.loads(line)["url"] for line in result.stdout.splitlines()}
            assert found == dated
        else:
            assert {hit["url"] for hit in json.loads(result.stdout)} <= dated


@pytest.mark.parametrize(
    "args",
    [
        [b"search", b"Deep\xffSeek"],
        [b"search", b"DeepSeek", b"--lang", b"d\xe9"],
        [b"export", b"--site", b"\xff\xfe.example"],
        [b"export", b"-q", b"\xc3\x28"],
        [b"show", b"https://technik-tagblatt.de/\xff"],
    ],
)
def test_text_that_is_not_utf8_is_one_line(args, sample_db, tmp_path):  # noqa: F811
    before = file_state(sample_db)
    result = run_cli_bytes(*args, b"--db", bytes(sample_db), cwd=tmp_path)
    assert_one_line_refusal(result, sample_db, before)
    assert b"not valid UTF-8" in result.stderr and result.stdout == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before[1])


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize(
    "args", [["export"], ["export", "--format", "csv"], ["stats"], ["search", "DeepSeek"], ["show", "1", "--text"]]
)
def test_output_to_a_full_device_is_one_line(args, sample_db, tmp_path):  # noqa: F811
    """`deepseek-news export > /dev/full`: every write to /dev/full fails with ENOSPC, as on a full disk."""
    before = file_state(sample_db)
    with open("/dev/full", "w") as full:
        result = run_cli_bytes(*args, "--db", str(sample_db), cwd=tmp_path, stdout=full)
    assert_one_line_refusal(result, sample_db, before)
    assert b"No space left on device" in result.stderr
