"""WARC in: `deepseek-news ingest` reads WARC files written by warcio (as other crawlers and CC-NEWS
write them) through the crawl's pipeline; bad records cost one line each and never stop the run; the
filters, path lists and globs work; a run killed mid-file (SIGKILL) and started again ends with the
corpus an uninterrupted run has, nothing lost or doubled."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.ingest import IngestFilters, ingest
from storage.cli import main
from storage import runstats
from tests.warc_fixtures import story_page, story_pages, write_mixed_warc, write_pages_warc, write_story_warc
from tests.corpus_checks import rows

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    path = tmp_path_factory.mktemp("warc") / "cc-news-mixed.warc.gz"
    return path, write_mixed_warc(path)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def test_ingest_stores_the_html_pages_and_skips_bad_records_with_one_line_each(mixed, tmp_path, capsys):
    path, expected = mixed
    db = tmp_path / "corpus.db"
    assert main(["ingest", str(path), "--db", str(db), "--workers", "1"]) == 0
    captured = capsys.readouterr()
    articles = {url: (title, text) for url, title, text in rows(db, "SELECT url, title, text FROM articles")}
    assert set(articles) == set(expected["stored"])
    for url, page in expected["stored"].items():
        title, text = articles[url]
        assert normalise(title) == normalise(page["metadata"]["title"])
        for paragraph in page["paragraphs"][:2]:
            assert normalise(paragraph) in normalise(text)  # windows-1252, gzip, chunked: all decoded
    assert rows(db, "SELECT url, duplicate_of_url, kind FROM duplicates") == [
        (
            "https://mirror.example/deepseek-widgets.html",
            "https://dailywire.example/tech/deepseek-widgets.html",
            "exact",
        )
    ]
    for reason, count in expected["skipped"].items():
        assert f"{count} {reason}" in captured.out
    lines = [line for line in captured.err.splitlines() if line.startswith("ingest: skipped")]
    assert sorted(line.split(": ")[2] for line in lines) == sorted(
        ["http_301", "http_404", "not_html", "revisit", "wrong_length", "truncated"]
    )
    assert rows(db, "SELECT next_offset = ?, records, finished_at IS NOT NULL FROM ingested", path.stat().st_size) == [
        (1, 14, 1)
    ]
    # Started again: the file is done, nothing is added.
    assert main(["ingest", str(path), "--db", str(db), "--workers", "0"]) == 0
    assert "1 done by an earlier run" in capsys.readouterr().out
    assert len(rows(db, "SELECT url FROM articles")) == len(expected["stored"])


def test_ingested_pages_can_be_rebuilt(mixed, tmp_path, capsys):
    path, expected = mixed
    db = tmp_path / "corpus.db"
    ingest([str(path)], str(db), workers=0)
    assert main(["reextract", "--db", str(db), "--into", str(tmp_path / "again.db")]) == 0
    assert "0 added, 0 removed, 0 with changed text" in capsys.readouterr().out


ALPENBLATT = "https://alpenblatt.example/wirtschaft/guenstige-ki-aus-china.html"
NORDKURIER = "https://nordkurier.example/ki/deepseek-bildunterschriften.html"
RHEINPOST = "https://rheinpost.example/digital/deepseek-quellen.html"


@pytest.mark.parametrize(
    "filters, stored",
    [
        (IngestFilters(language="en"), {"https://dailywire.example/tech/deepseek-widgets.html"}),
        (IngestFilters(site="alpenblatt.example"), {ALPENBLATT}),
        (IngestFilters(since="2025-02-01"), {ALPENBLATT, NORDKURIER}),
        (IngestFilters(since="2025-01-28", until="2025-02-05"), {RHEINPOST, NORDKURIER}),
        (IngestFilters(since="2025-02-15"), set()),  # every record was fetched the day before
    ],
)
def test_filters(mixed, tmp_path, filters, stored):
    path, expected = mixed
    db = tmp_path / "corpus.db"
    ingest([str(path)], str(db), filters=filters, workers=0)
    assert {url for (url,) in rows(db, "SELECT url FROM articles")} == stored


def test_paths_lists_and_globs_and_bad_input(mixed, tmp_path, capsys):
    path, expected = mixed
    listing = tmp_path / "files.txt"
    listing.write_text(f"# CC-NEWS, one day\n{path}\n")
    assert (
        main(
            ["ingest", f"@{listing}", str(path.parent / "*.warc.gz"), "--db", str(tmp_path / "a.db"), "--workers", "0"]
        )
        == 0
    )
    assert "ingested 1 WARC files" in capsys.readouterr().out
    for arguments in (
        ["nowhere.warc.gz"],
        [str(tmp_path / "*.nothing")],
        ["@missing.txt"],
        [str(path), "--since", "27.01.2025"],
    ):
        assert main(["ingest", *arguments, "--db", str(tmp_path / "b.db")]) == 1
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and err.startswith("deepseek-news ingest: error: ")
    assert not (tmp_path / "b.db").exists()


def ingest_command(warc: Path, db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "storage.cli",
        "ingest",
        str(warc),
        "--db",
        str(db),
        "--workers",
        "1",
        "--keywords",
        "DeepSeek",
    ]


def test_an_ingest_killed_mid_file_continues_where_it_stopped(tmp_path):
    """Every fifth story is off topic: those pages end before extraction (no_topic_term), and are done
    for the resumed run as the others are."""
    warc = tmp_path / "stories.warc.gz"
    write_story_warc(warc, off_topic_every=5)
    reference = tmp_path / "reference.db"
    subprocess.run(ingest_command(warc, reference), cwd=REPO, check=True, capture_output=True)

    db = tmp_path / "killed.db"
    run = subprocess.Popen(ingest_command(warc, db), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while run.poll() is None:  # kill it once it has committed part of the file, not all of it
            if db.exists():
                try:
                    done = rows(db, "SELECT next_offset FROM ingested")
                except sqlite3.OperationalError:
                    done = []
                if done and 0 < done[0][0] < warc.stat().st_size // 2:
                    break
            time.sleep(0.05)
        assert run.poll() is None, "the ingest finished before it could be killed"
        run.send_signal(signal.SIGKILL)
    finally:
        run.wait()
    resumed = subprocess.run(ingest_command(warc, db), cwd=REPO, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "continuing at byte" in resumed.stderr

    articles = "SELECT url, text FROM articles ORDER BY url"
    assert rows(db, articles) == rows(reference, articles)
    assert len(rows(db, articles)) == len(set(rows(db, "SELECT url FROM articles"))) == 240
    pages = "SELECT url, outcome FROM pages ORDER BY url"
    assert rows(db, pages) == rows(reference, pages)
    assert rows(db, "SELECT count(*) FROM pages WHERE outcome = 'no_topic_term'") == [(60 + 8,)]  # rewrites too
    duplicates = "SELECT url, duplicate_of_url, kind FROM duplicates ORDER BY url"
    assert rows(db, duplicates) == rows(reference, duplicates) != []
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_pages_that_cannot_be_on_topic_are_counted_on_their_own_and_the_corpus_is_the_same(tmp_path, capsys):
    """A page whose HTML names no topic term is not extracted: its outcome is no_topic_term, counted in
    the run's stats and the summary; a page naming the term only in its chrome is extracted and judged
    off topic; the corpus is the one an ingest extracting every page makes."""
    warc = tmp_path / "stories.warc.gz"
    pages = story_pages(20, 4, off_topic_every=4)
    chrome_only = story_page("Bericht 99: Wetter", ["Sonne und Wolken wechseln sich ab. " * 8] * 3, 3).replace(
        b'<a href="/archiv/">Archiv</a>', b'<a href="/deepseek/">Alles zu DeepSeek</a>'
    )
    split = story_page(
        "Bericht 98", ["Das Start-up Deep<b>Seek</b> schweigt. " + "Weitere Details fehlen. " * 8] * 3, 4
    )
    pages += [
        ("https://tagblatt.example/wetter.html", chrome_only, 99),
        ("https://tagblatt.example/98.html", split, 98),
    ]
    write_pages_warc(warc, pages)
    unread = sum(b"DeepSeek" not in page and b"Deep<b>" not in page for _, page, _ in pages)
    assert unread == 5 + 1  # stories 3, 7, 11, 15, 19 and the rewrite of story 3

    db = tmp_path / "corpus.db"
    assert main(["ingest", str(warc), "--db", str(db), "--workers", "1", "--keywords", "DeepSeek"]) == 0
    assert f"{unread} no_topic_term" in capsys.readouterr().out
    assert rows(db, "SELECT count(*) FROM pages WHERE outcome = 'no_topic_term'") == [(unread,)]
    assert rows(db, "SELECT outcome FROM pages WHERE url LIKE '%wetter.html'") == [("off_topic",)]
    assert rows(db, "SELECT count(*) FROM articles WHERE url LIKE '%98.html'") == [(1,)]
    stats = json.loads(rows(db, "SELECT stats FROM runs")[0][0])
    assert stats["deepseek/off_topic/no_topic_term"] == unread
    assert runstats.counts(stats)["off-topic"] == unread + 1
    assert rows(db, "SELECT next_offset = ?, records, finished_at IS NOT NULL FROM ingested", warc.stat().st_size) == [
        (1, len(pages), 1)
    ]

    every = tmp_path / "every.db"
    report = ingest([str(warc)], str(every), workers=1, keywords=("DeepSeek",), prefilter=False)
    assert "no_topic_term" not in report.outcomes and report.outcomes["off_topic"] == unread + 1
    for query in ("SELECT url, title, text FROM articles ORDER BY url", "SELECT url, duplicate_of_url FROM duplicates"):
        assert rows(db, query) == rows(every, query)


def test_read_ahead_gives_every_record_in_order_raises_the_readers_error_and_stops_when_left():
    import asyncio
    import threading

    from archive.ingest import read_ahead

    async def collect(items, leave_after=None):
        seen = []
        async for item in read_ahead(items, depth=3):
            seen.append(item)
            if leave_after is not None and len(seen) == leave_after:
                break
        return seen

    assert asyncio.run(collect(iter(range(50)))) == list(range(50))

    def broken():
        yield 1
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        asyncio.run(collect(broken()))

    closed = threading.Event()

    def endless():
        try:
            number = 0
            while True:
                yield number
                number += 1
        finally:
            closed.set()

    assert asyncio.run(collect(endless(), leave_after=5)) == [0, 1, 2, 3, 4]
    assert closed.is_set()  # the reader stopped and closed the file
    assert not any(thread.name == "warc-reader" for thread in threading.enumerate())


def test_workers_replaced_every_few_pages_judge_every_record_once(tmp_path):
    """EXTRACT_WORKER_PAGES=20: each worker leaves after 20 pages and a fresh one takes its place, a
    dozen times over the file; the corpus is the one workers that never leave make."""
    warc = tmp_path / "stories.warc.gz"
    urls = write_story_warc(warc)
    corpora = {}
    for name, pages_per_worker in (("kept", 0), ("replaced", 20)):
        db = tmp_path / f"{name}.db"
        report = ingest(
            [str(warc)], str(db), workers=2, keywords=("DeepSeek",), settings={"EXTRACT_WORKER_PAGES": pages_per_worker}
        )
        assert report.pages == len(urls)
        corpora[name] = [
            rows(db, "SELECT url, outcome FROM pages ORDER BY url"),
            rows(db, "SELECT url, text FROM articles ORDER BY url"),
            rows(db, "SELECT url, duplicate_of_url, kind FROM duplicates ORDER BY url"),
        ]
    assert corpora["replaced"] == corpora["kept"]
    assert len(corpora["replaced"][0]) == len(set(urls))


def test_a_pool_whose_workers_leave_after_a_few_tasks_replaces_them_all_the_way():
    """Python 3.11's ProcessPoolExecutor stops replacing workers that leave after max_tasks_per_child
    and then waits for ever (CPython gh-115634); WorkerPool replaces each one."""
    import multiprocessing
    import os

    from core.worker import WorkerPool

    with WorkerPool(2, mp_context=multiprocessing.get_context("forkserver"), max_tasks_per_child=2) as pool:
        futures = [pool.submit(os.getpid) for _ in range(24)]
        pids = [future.result(timeout=120) for future in futures]  # a stuck pool fails, it does not hang
    assert len(set(pids)) >= 12
