"""The README's "Using the corpus" section is true: its examples run against a real corpus, and it
documents every subcommand and option of ``deepseek-news`` (like sqlite-utils' tests/test_docs.py).

Commands are run as written from a directory holding ``data/deepseek_news.db`` (the sample corpus)
and two shards for the merge example; ``deepseek-news`` runs as ``python -m storage.cli`` and
``sqlite-utils`` as ``python -m sqlite_utils`` so the test needs no installed scripts.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from storage.cli import build_parser
from tests.test_storage_sample import ARTICLES, DUPLICATES, NVIDIA_DE_IN_JANUARY, build_sample_corpus
from tests.warc_fixtures import write_mixed_warc

REPO = Path(__file__).resolve().parents[1]
START, END = "<!-- using-the-corpus:start -->", "<!-- using-the-corpus:end -->"
RUNNERS = {
    "deepseek-news": [sys.executable, "-m", "storage.cli"],
    "sqlite-utils": [sys.executable, "-m", "sqlite_utils"],
}


def section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert START in text and END in text, "README.md lost its using-the-corpus markers"
    return text.split(START, 1)[1].split(END, 1)[0]


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(), flags=re.S)


def shell_commands() -> list[str]:
    """Every command line of the section's bash blocks, comments dropped, continuations joined."""
    commands = []
    for block in code_blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


LONG_RUNNING = ("browse", "crawl")  # a server and a crawl of the web: tests/test_browse.py and
#                                      tests/test_crawl_command.py run them against local servers


def runnable(command: str) -> bool:
    words = shlex.split(command)
    return words[0] in RUNNERS and not (words[0] == "deepseek-news" and words[1] in LONG_RUNNING)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A directory laid out like a user's checkout after a crawl (and after two sharded crawls)."""
    root = tmp_path_factory.mktemp("readme")
    build_sample_corpus(root / "data" / "deepseek_news.db")
    build_sample_corpus(root / "data" / "shard-1.db", articles=ARTICLES[:4], duplicates=DUPLICATES[:2])
    build_sample_corpus(root / "data" / "shard-2.db", articles=ARTICLES[4:], duplicates=DUPLICATES[2:])
    write_mixed_warc(root / "data" / "CC-NEWS-20250214000000-00000.warc.gz")  # for the ingest example
    return root


@pytest.fixture(scope="module")
def results(workdir):
    """Run every deepseek-news and sqlite-utils example in order; return {command: CompletedProcess}."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = {}
    for command in filter(runnable, shell_commands()):
        program, *args = shlex.split(command)
        done[command] = subprocess.run(RUNNERS[program] + args, cwd=workdir, env=env, capture_output=True, text=True)
    return done


def test_every_cli_and_sqlite_utils_example_succeeds(results):
    assert len(results) >= 15
    failed = {command: result.stderr for command, result in results.items() if result.returncode != 0}
    assert failed == {}


def test_the_german_nvidia_example_finds_exactly_those_articles(results):
    command = next(c for c in results if c.startswith("deepseek-news search Nvidia --lang de") and "--json" in c)
    assert sorted(hit["url"] for hit in json.loads(results[command].stdout)) == sorted(NVIDIA_DE_IN_JANUARY)
    table = next(c for c in results if c.startswith("deepseek-news search Nvidia --lang de") and "--json" not in c)
    assert all(url in results[table].stdout for url in NVIDIA_DE_IN_JANUARY)
    assert results[table].stdout.count("https://") == len(NVIDIA_DE_IN_JANUARY)
    query = next(c for c in results if c.startswith("sqlite-utils query"))
    assert all(url in results[query].stdout for url in NVIDIA_DE_IN_JANUARY)


def test_the_parquet_example_holds_the_whole_corpus(results, workdir):
    parquet = pytest.importorskip("pyarrow.parquet")
    assert parquet.read_table(workdir / "deepseek_news.parquet").num_rows == len(ARTICLES)


def test_the_merge_example_makes_one_corpus(results, workdir):
    command = next(c for c in results if c.startswith("deepseek-news merge"))
    assert f"{len(ARTICLES)} articles added" in results[command].stdout
    assert (workdir / "data" / "merged.db").is_file()


def test_the_python_examples_run(results, workdir, monkeypatch, capsys):
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("HF_HOME", str(workdir / "hf"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    blocks = code_blocks("python")
    assert len(blocks) >= 3
    for block in blocks:
        needs = re.findall(r"^(?:from|import) (\w+)", block, flags=re.M)
        if any(importlib.util.find_spec(name) is None for name in needs):
            continue  # an optional tool (pandas, datasets) that is not installed here
        namespace: dict = {}
        exec(compile(block, "README.md", "exec"), namespace)
        if "german_nvidia" in namespace:
            assert sorted(namespace["german_nvidia"]["url"]) == sorted(NVIDIA_DE_IN_JANUARY)
            assert len(namespace["corpus"]) == len(namespace["records"]) == len(ARTICLES)
        if "dataset" in namespace:
            assert namespace["dataset"].num_rows == len(ARTICLES)
    printed = capsys.readouterr().out
    assert all(url in printed for url in NVIDIA_DE_IN_JANUARY)


def test_datasette_example_points_at_the_shipped_metadata():
    (command,) = [c for c in shell_commands() if c.startswith("datasette ")]
    metadata = shlex.split(command)[shlex.split(command).index("--metadata") + 1]
    assert (REPO / metadata).is_file()
    assert shlex.split(command)[1] == "data/deepseek_news.db"


def subcommands() -> dict:
    return build_parser()._subparsers._group_actions[0].choices


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_subcommand_and_option_is_documented(name):
    text = section()
    assert f"deepseek-news {name}" in text, f"README does not document `deepseek-news {name}`"
    assert any(c.startswith(f"deepseek-news {name}") for c in shell_commands()), f"no example of {name}"
    options = {
        option
        for action in subcommands()[name]._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    missing = sorted(option for option in options if f"`{option}" not in text and f" {option}" not in text)
    assert missing == [], f"README does not mention {name} {missing}"


def test_the_ingest_and_reextract_examples_build_and_rebuild_a_corpus(results):
    ingest = next(c for c in results if c.startswith("deepseek-news ingest"))
    assert "3 stored" in results[ingest].stdout  # the German pages of the sample WARC file
    rebuild = next(c for c in results if c.startswith("deepseek-news reextract"))
    assert "3 articles before, 3 now; 0 added, 0 removed, 0 with changed text" in results[rebuild].stdout
