"""Scale-out: two crawler processes sharing one Redis (queue, request filter, dedup index) crawl the
fixture news web into two shards; merged, the shards hold what one single-process crawl holds."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import redis

from tests.corpus_checks import story_clusters
from tests.mockserver import manifest
from tests.mockserver.crawl import FAST_SETTINGS, crawl_command, run_crawl
from tests.mockserver.process import REPO_ROOT
from tests.redis_server import redis_url  # noqa: F401  (pytest fixture)


def fetched_pages(news_web) -> Counter:
    """How often each page but robots.txt and the start points was requested."""
    starts = set(manifest.start_urls(news_web.bases))
    return Counter(
        (r["listener"], r["path"])
        for r in news_web.requests()
        if r["path"] != "/robots.txt" and news_web.url(r["listener"], r["path"]) not in starts
    )


def test_two_processes_over_redis_equal_one(news_web, redis_url, tmp_path):  # noqa: F811
    single = tmp_path / "single.db"
    news_web.reset()
    assert run_crawl(news_web.bases, single).returncode == 0
    single_requests = fetched_pages(news_web)

    settings = (*FAST_SETTINGS, f"REDIS_URL={redis_url}")
    shards = [tmp_path / "shard-1.db", tmp_path / "shard-2.db"]
    news_web.reset()
    processes = [
        subprocess.Popen(
            crawl_command(news_web.bases, shard, settings),
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for shard in shards
    ]
    outputs = [process.communicate(timeout=180)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs[0][-2000:] + outputs[1][-2000:]

    # No page was fetched by both processes: each was asked for at most as often as one process asks
    # (retries of failing pages included); only the start points were fetched by each. Which listing
    # pages the depth bound lets in may differ with the order pages arrive in.
    together = fetched_pages(news_web)
    assert {page: n for page, n in together.items() if n > max(1, single_requests[page])} == {}
    assert not [page for page in together if page[1].startswith(("/intern/", "/kommentar"))]

    # Each story was kept once across both shards (the dedup index is shared), not once per shard.
    assert story_clusters(*shards) == story_clusters(single)

    merged = tmp_path / "merged.db"
    done = subprocess.run(
        [sys.executable, "-m", "storage.cli", "merge", *map(str, shards), "--into", str(merged)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert story_clusters(merged) == story_clusters(single)
    assert redis.Redis.from_url(redis_url).keys("deepseek_news:busy:*") == []
