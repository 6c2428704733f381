"""Small things a new user reads: "an exact duplicate", labelled search columns, and what to run when
there is no corpus yet."""

from __future__ import annotations

from tests.test_cli import cli, run_cli
from tests.test_storage_sample import DE_SHOCK, sample_db  # noqa: F401


def test_show_says_an_exact_duplicate(sample_db, capsys):
    copy = "https://regional-anzeiger.de/wirtschaft/deepseek-nvidia-aktie"
    code, out, err = cli(capsys, "show", copy, "--db", sample_db)
    assert code == 0 and DE_SHOCK in out
    assert err.startswith(f"{copy} was removed as an exact duplicate of article ")


def test_search_labels_its_columns(sample_db, capsys):
    code, out, _ = cli(capsys, "search", "Grafikchips", "--db", sample_db)
    assert code == 0
    header, first = out.splitlines()[:2]
    assert header.split() == ["id", "published", "lang", "site", "title"]
    number = first.split()[0]
    assert number.isdigit() and header.index("id") + len("id") == first.index(number) + len(number)  # right-aligned


def test_no_corpus_says_what_makes_one(tmp_path):
    done = run_cli("search", "Nvidia", "--db", "corpus/news.db", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().endswith(
        "no corpus at corpus/news.db (a crawl makes one: deepseek-news crawl --db corpus/news.db)"
    )
