"""WARC out: the crawl keeps every page it judges as gzip-per-record WARC beside the corpus, the corpus
says where each page's record is, `warcio check` passes, files rotate by size, and a SIGKILLed writer
leaves every complete record readable and the next run a new file."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.warc import Exchange, WarcFiles, parse_record, read_members, read_record_at, stored_http_headers
from storage.corpus import CorpusWriter
from tests.mockserver.crawl import FAST_SETTINGS, command_for, run_crawl

REPO = Path(__file__).resolve().parent.parent


def warcio_check(paths) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", *map(str, paths)], capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def crawled(news_web, tmp_path_factory):
    """Two crawls of the fixture web into one corpus, WARC archive on (the default)."""
    db_path = tmp_path_factory.mktemp("warc") / "corpus.db"
    runs = []
    for _ in range(2):
        news_web.reset()
        runs.append(run_crawl(news_web.bases, db_path, settings=(*FAST_SETTINGS, "EXTRACT_WORKERS=0")))
        assert runs[-1].returncode == 0, runs[-1].describe()
    news_web.reset()
    return db_path


def rows(db_path, sql):
    connection = sqlite3.connect(db_path)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql)]
    finally:
        connection.close()


def test_every_judged_page_has_a_valid_record_the_corpus_points_to(crawled):
    archived = {row["url"]: row for row in rows(crawled, "SELECT * FROM archive")}
    stored = [row["url"] for row in rows(crawled, "SELECT url FROM articles")]
    fetched_as = {row["duplicate_of_url"]: row["url"] for row in rows(crawled, "SELECT * FROM duplicates")}
    assert stored and all(url in archived or fetched_as.get(url) in archived for url in stored)
    judged = rows(crawled, "SELECT url FROM pages WHERE outcome IN ('stored', 'duplicate', 'off_topic')")
    assert all(page["url"] in archived for page in judged if page["url"] not in fetched_as)
    for row in archived.values():
        record = read_record_at(crawled.parent / row["warc_file"], row["warc_offset"])
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
        assert record.rec_headers.get_header("WARC-Date") == row["warc_date"]
        assert record.http_headers.get_statuscode() == "200"
        body = record.content_stream().read()
        assert int(record.http_headers.get_header("Content-Length")) == len(body)


def test_warcio_check_passes_and_each_run_writes_a_new_file(crawled):
    files = sorted((crawled.parent / "corpus.warc").glob("*.warc.gz"))
    assert len(files) == 2 and files[0].name.endswith("-00000.warc.gz") and files[1].name.endswith("-00001.warc.gz")
    checked = warcio_check(files)
    assert checked.returncode == 0, checked.stdout[-2000:]
    members = [parse_record(member.data) for member in read_members(files[0])]
    assert members[0].rec_type == "warcinfo"
    info = members[0].content_stream().read().decode()
    assert "software: deepseek_news" in info and "robots: obey" in info and "WARC_ALL" in info
    responses = {r.rec_headers.get_header("WARC-Record-ID"): r for r in members if r.rec_type == "response"}
    requests = [r for r in members if r.rec_type == "request"]
    assert responses and len(requests) == len(responses)
    for request in requests:
        response = responses[request.rec_headers.get_header("WARC-Concurrent-To")]
        assert request.rec_headers.get_header("WARC-Target-URI") == response.rec_headers.get_header("WARC-Target-URI")
        assert request.http_headers.get_header("User-Agent").startswith("deepseek_news/")


def test_decoded_body_keeps_wire_headers_under_other_names():
    headers = stored_http_headers(
        [
            ("Content-Type", "text/html"),
            ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Length", "512"),
        ],
        2048,
    )
    assert headers == [
        ("Content-Type", "text/html"),
        ("X-Crawler-Content-Encoding", "gzip"),
        ("X-Crawler-Transfer-Encoding", "chunked"),
        ("X-Crawler-Content-Length", "512"),
        ("Content-Length", "2048"),
    ]


def exchange(number: int, size: int = 3000) -> Exchange:
    body = (f"<html><body><p>Seite {number}</p>" + "x" * size + "</body></html>").encode()
    return Exchange(f"https://example.de/{number}", 200, [("Content-Type", "text/html")], body)


def test_files_rotate_by_size_each_starting_with_warcinfo(tmp_path):
    files = WarcFiles(tmp_path, "news", max_size=900, info={"software": "test"})
    locations = [files.write(exchange(number)) for number in range(6)]
    files.close()
    names = sorted(path.name for path in tmp_path.glob("*.warc.gz"))
    assert len(names) >= 3 and {location.file for location in locations} == set(names)
    for name in names:
        first = next(read_members(tmp_path / name))
        assert parse_record(first.data).rec_type == "warcinfo"
    for number, location in enumerate(locations):
        record = read_record_at(tmp_path / location.file, location.offset)
        assert record.rec_headers.get_header("WARC-Target-URI") == f"https://example.de/{number}"
    assert warcio_check(tmp_path / name for name in names).returncode == 0


WRITER_SCRIPT = """
import sys, time
from archive.warc import Exchange, WarcFiles
files = WarcFiles(sys.argv[1], "news", info={"software": "test"})
number = 0
while True:
    files.write(Exchange(f"https://example.de/{number}", 200, [("Content-Type", "text/html")],
                         b"<html><body>" + b"Text " * 20000 + b"</body></html>"))
    number += 1
    if number == 20:
        print("ready", flush=True)
"""


def test_sigkill_leaves_complete_records_readable_and_the_next_run_a_new_file(tmp_path):
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER_SCRIPT, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline().strip() == "ready"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    [killed] = tmp_path.glob("*.warc.gz")
    members = list(read_members(killed))
    whole = [member for member in members if member.error is None]
    assert len(whole) >= 1 + 2 * 20
    assert all(member.error == "truncated gzip member" for member in members if member.error)
    for member in whole:
        parse_record(member.data)
    if members[-1].error:  # killed inside a write: the complete records before it pass the checker
        with open(killed, "r+b") as handle:
            handle.truncate(members[-1].offset)
    assert warcio_check([killed]).returncode == 0
    files = WarcFiles(tmp_path, "news")
    files.write(exchange(1))
    files.close()
    assert len(list(tmp_path.glob("*.warc.gz"))) == 2 and files.name != killed.name


def test_a_torn_last_record_costs_only_itself(tmp_path):
    files = WarcFiles(tmp_path, "news")
    locations = [files.write(exchange(number)) for number in range(3)]
    files.close()
    path = tmp_path / locations[0].file
    data = path.read_bytes()
    path.write_bytes(data[: locations[2].offset + locations[2].length // 2])
    members = list(read_members(path))
    assert [member.error for member in members][-1] == "truncated gzip member"
    assert [
        parse_record(m.data).rec_headers.get_header("WARC-Target-URI")
        for m in members
        if m.error is None and parse_record(m.data).rec_type == "response"
    ] == ["https://example.de/0", "https://example.de/1"]


def test_an_older_corpus_gains_the_archive_tables(tmp_path):
    db_path = tmp_path / "old.db"
    CorpusWriter(db_path).close()
    connection = sqlite3.connect(db_path)
    connection.execute("DROP TABLE archive")
    connection.execute("DROP TABLE ingested")
    connection.commit()
    connection.close()
    writer = CorpusWriter(db_path)
    writer.add_archived(
        {
            "url": "https://example.de/1",
            "warc_file": "a.warc.gz",
            "warc_offset": 0,
            "warc_length": 10,
            "warc_date": "2025-01-27T00:00:00Z",
            "hints": "{}",
            "aliases": "[]",
        }
    )
    writer.close()
    assert rows(db_path, "SELECT url, warc_offset FROM archive") == [{"url": "https://example.de/1", "warc_offset": 0}]


def test_a_corrupt_member_or_stray_bytes_cost_only_themselves(tmp_path):
    files = WarcFiles(tmp_path, "news")
    locations = [files.write(exchange(number, size=30000)) for number in range(3)]
    files.close()
    path = tmp_path / locations[0].file
    data = bytearray(path.read_bytes())
    middle = locations[1].offset + locations[1].length // 2
    data[middle : middle + 64] = bytes(64)  # zeros inside the second response's deflate stream
    data[locations[2].offset : locations[2].offset] = b"stray bytes\r\n"  # junk before the third
    path.write_bytes(bytes(data))
    members = list(read_members(path))
    kinds = [member.kind for member in members]
    assert "corrupt_gzip" in kinds and "not_gzip" in kinds
    urls = [
        parse_record(m.data).rec_headers.get_header("WARC-Target-URI")
        for m in members
        if m.error is None and parse_record(m.data).rec_type == "response"
    ]
    assert urls == ["https://example.de/0", "https://example.de/2"]


def test_warc_all_keeps_every_response_redirects_and_errors_included(news_web, tmp_path):
    news_web.reset()
    db_path = tmp_path / "all.db"
    run = run_crawl(news_web.bases, db_path, settings=(*FAST_SETTINGS, "EXTRACT_WORKERS=0", "WARC_ALL=True"))
    assert run.returncode == 0, run.describe()
    files = sorted((tmp_path / "all.warc").glob("*.warc.gz"))
    assert warcio_check(files).returncode == 0
    responses = {}
    for path in files:
        for member in read_members(path):
            record = parse_record(member.data)
            if record.rec_type == "response":
                url = record.rec_headers.get_header("WARC-Target-URI")
                responses.setdefault(url.split("/", 3)[-1], []).append(record.http_headers.get_statuscode())
    assert "200" in responses["robots.txt"] and "200" in responses["feed.xml"]
    assert responses["kurz/r1"] == ["301"]  # the redirect itself, before it was followed
    assert any(status.startswith(("4", "5")) for statuses in responses.values() for status in statuses)
    archived = {row["url"] for row in rows(db_path, "SELECT url FROM archive")}
    assert not any(url.endswith(("robots.txt", "feed.xml")) for url in archived)  # the table lists pages only


def test_a_killed_crawl_leaves_whole_records_and_the_next_run_writes_a_new_file(tmp_path):
    from urllib.parse import urlsplit

    from tests.memory_site import serve
    from tests.warc_fixtures import story_pages

    site = {urlsplit(url).path: page for url, page, _ in story_pages(150, 0)}
    site["/sitemap.xml"] = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{{base}}{path}</loc></url>" for path in site)
        + "</urlset>"
    ).encode()
    server, base = serve(site, delay=0.02)
    db_path = tmp_path / "killed.db"
    command = command_for([f"{base}/sitemap.xml"], db_path, ["EXTRACT_WORKERS=1", *FAST_SETTINGS], keywords="DeepSeek")
    try:
        crawl = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while crawl.poll() is None:  # kill it once some pages are archived
                if sum(path.stat().st_size for path in (tmp_path / "killed.warc").glob("*.warc.gz")) > 100_000:
                    break
                time.sleep(0.05)
            assert crawl.poll() is None, "the crawl finished before it could be killed"
            crawl.send_signal(signal.SIGKILL)
        finally:
            crawl.wait()
        [killed] = (tmp_path / "killed.warc").glob("*.warc.gz")
        members = list(read_members(killed))
        assert all(member.kind == "truncated" for member in members if member.error) and len(members) > 3
        for member in members:
            if member.error is None:
                parse_record(member.data)
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
    finally:
        server.shutdown()
    files = sorted((tmp_path / "killed.warc").glob("*.warc.gz"))
    assert len(files) == 2 and files[0] == killed  # the killed run's file is left as it was
    archived = {row["url"]: row for row in rows(db_path, "SELECT * FROM archive")}
    for row in archived.values():
        read_record_at(tmp_path / row["warc_file"], row["warc_offset"])
    stored = {row["url"] for row in rows(db_path, "SELECT url FROM articles")}
    assert len(stored) == 150 and stored <= set(archived)
