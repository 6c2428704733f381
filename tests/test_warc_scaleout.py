"""Many machines: ingest processes share the list of WARC files (a reliable Redis queue) and the dedup
index; each writes its own shard, and the merged shards hold every story once. A worker killed
mid-file keeps that file: started again, it finishes it from where it stopped."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.queue import WarcQueue
from tests.redis_server import redis_url  # noqa: F401  (pytest fixture)
from tests.warc_fixtures import story_pages, write_pages_warc

REPO = Path(__file__).resolve().parent.parent
STORIES, REWRITTEN = 240, 40


@pytest.fixture()
def redis_clean(redis_url):  # noqa: F811
    import redis

    redis.Redis.from_url(redis_url).flushall()
    return redis_url


@pytest.fixture(scope="module")
def warc_files(tmp_path_factory) -> list[Path]:
    """Four files; the near-duplicate rewrites of the first stories are in the last one."""
    pages = story_pages(STORIES, REWRITTEN)
    originals = [page for page in pages if "tagblatt" in page[0]]
    rewrites = [page for page in pages if "kurier" in page[0]]
    directory = tmp_path_factory.mktemp("queue")
    parts = [originals[0:80], originals[80:160], originals[160:], rewrites]
    paths = []
    for number, part in enumerate(parts):
        paths.append(directory / f"CC-NEWS-{number}.warc.gz")
        write_pages_warc(paths[-1], part)
    return paths


def command(files, shard: Path, redis: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "storage.cli",
        "ingest",
        *map(str, files),
        "--db",
        str(shard),
        "--redis",
        redis,
        "--workers",
        "1",
        "--keywords",
        "DeepSeek",
    ]


def stories(db: Path) -> list[int]:
    connection = sqlite3.connect(db)
    try:
        titles = [title for (title,) in connection.execute("SELECT title FROM articles")]
    finally:
        connection.close()
    return sorted(int(re.match(r"Bericht (\d+)", title).group(1)) for title in titles)


def merged_stories(shards, tmp_path) -> list[int]:
    merged = tmp_path / "merged.db"
    done = subprocess.run(
        [sys.executable, "-m", "storage.cli", "merge", *map(str, shards), "--into", str(merged)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return stories(merged)


def test_two_workers_share_the_queue_and_the_dedup_index(warc_files, redis_clean, tmp_path):
    shards = [tmp_path / "shard-1.db", tmp_path / "shard-2.db"]
    runs = [
        subprocess.Popen(
            command(warc_files, shard, redis_clean), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for shard in shards
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err[-2000:] for _, err in outputs]
    read = [int(re.search(r"ingested (\d+) WARC files", out).group(1)) for out, _ in outputs]
    assert sum(read) == len(warc_files)  # each file read by one worker
    assert merged_stories(shards, tmp_path) == list(range(STORIES))  # every story once, rewrites removed


def test_a_killed_worker_finishes_its_file_when_started_again(warc_files, redis_clean, tmp_path):
    first, second = tmp_path / "shard-1.db", tmp_path / "shard-2.db"
    run = subprocess.Popen(
        command(warc_files, first, redis_clean), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while run.poll() is None:  # kill it once it has committed part of its first file
            try:
                done = sqlite3.connect(first).execute("SELECT next_offset FROM ingested").fetchall()
            except sqlite3.OperationalError:
                done = []
            if done and done[0][0] > 0:
                break
            time.sleep(0.05)
        assert run.poll() is None, "the worker finished before it could be killed"
        run.send_signal(signal.SIGKILL)
    finally:
        run.wait()
    queue = WarcQueue(redis_clean, "observer")
    [held] = [key for key in queue.redis.keys("deepseek_news:ingest:processing:*")]
    assert queue.redis.llen(held) == 1  # the file it was reading is not lost, nor given to another worker

    other = subprocess.run(command([], second, redis_clean), cwd=REPO, capture_output=True, text=True, timeout=600)
    assert other.returncode == 0, other.stderr[-2000:]
    again = subprocess.run(command([], first, redis_clean), cwd=REPO, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "continuing at byte" in again.stderr
    assert queue.redis.llen("deepseek_news:ingest:queue") == 0 and queue.redis.llen(held) == 0
    assert merged_stories([first, second], tmp_path) == list(range(STORIES))


def test_requeue_gives_a_lost_workers_files_back(redis_clean):
    gone, other = WarcQueue(redis_clean, "gone"), WarcQueue(redis_clean, "other")
    assert gone.push(["/data/a.warc.gz", "/data/b.warc.gz"]) == 2
    assert other.push(["/data/a.warc.gz"]) == 0  # queued once, whoever names it
    assert gone.take() == "/data/a.warc.gz"
    assert gone.take() == "/data/a.warc.gz"  # not done yet: still its file
    assert other.requeue("gone") == 1
    assert [other.take(), other.take()] == ["/data/a.warc.gz", "/data/a.warc.gz"]
    other.done("/data/a.warc.gz")
    assert other.take() == "/data/b.warc.gz"
