"""What the crawl process does not load: pandas (sqlite-utils would import it), the extractor (the
workers run it), scipy.integrate and, without Redis, redis-py (datasketch would import both). Each check
runs in a fresh interpreter, where nothing was imported before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run_fresh(code: str) -> list[str]:
    """What ``code`` prints, run in a fresh interpreter, split into words; its error if it fails."""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def loaded_after(code: str) -> set[str]:
    """Top-level module names in sys.modules after running ``code`` in a fresh interpreter."""
    return set(run_fresh(code + "\nimport sys\nprint(' '.join(sorted({name.split('.')[0] for name in sys.modules})))"))


def test_the_corpus_module_does_not_import_pandas():
    assert "pandas" not in loaded_after("import storage.corpus")


def test_pandas_still_imports_after_the_corpus_module():
    pytest.importorskip("pandas")
    loaded = loaded_after("import storage.corpus, pandas, sqlite_utils\nassert pandas.DataFrame")
    assert {"pandas", "sqlite_utils"} <= loaded


def test_the_crawl_process_does_not_import_the_extractor():
    loaded = loaded_after("import crawler.pipelines, crawler.spiders.deepseek_news")
    assert "trafilatura" not in loaded
    assert "pandas" not in loaded


def test_allocator_settings_and_worker_start_up_run_in_any_process():
    code = (
        "import os, sys, threading\n"
        "from core.worker import limit_malloc_caching, start_worker\n"
        "limit_malloc_caching(); limit_malloc_caching()\n"
        "start_worker(os.getpid())\n"
        "assert 'core.extract' in sys.modules\n"
        "assert any(t.name == 'exit-with-crawl' for t in threading.enumerate())\n"
        "print(len(bytearray(300_000)))"
    )
    assert run_fresh(code) == ["300000"]


def test_extraction_workers_do_not_import_the_dedup_index():
    loaded = loaded_after("import core.worker\nfrom dedup import DedupConfig, fingerprint_text")
    assert "datasketch" not in loaded
    assert "scipy" not in loaded


def test_the_dedup_index_runs_without_scipy_integrate_which_still_imports():
    code = (
        "import sys\nfrom dedup import Deduplicator\nDeduplicator()\n"
        "assert 'scipy.integrate' not in sys.modules, 'scipy.integrate was imported'\n"
        "from scipy.integrate import quad\n"
        "assert round(quad(lambda x: x, 0, 1)[0], 6) == 0.5\n"
        "from dedup.config import derive_lsh_params\n"
        "print(*derive_lsh_params(0.3, 128))"
    )
    assert run_fresh(code) == ["37", "3"]


def test_a_crawl_without_redis_leaves_redis_unloaded_which_still_imports():
    code = (
        "import sys\nimport crawler.pipelines, crawler.spiders.deepseek_news, crawler.middlewares\n"
        "from scrapy.settings import Settings\nfrom crawler.addons import RedisScaleOut\n"
        "from scrapy.exceptions import NotConfigured\n"
        "try:\n    RedisScaleOut().update_settings(Settings())\nexcept NotConfigured:\n    pass\n"  # not used
        "from dedup import Deduplicator\nDeduplicator()\n"
        "assert 'redis' not in sys.modules, 'redis was imported'\n"
        "import redis, datasketch.storage\n"
        "print(redis.Redis.__name__, datasketch.storage.redis)"
    )
    assert run_fresh(code) == ["Redis", "None"]
    # loaded first (a Redis-backed crawl, bench_dedup): datasketch keeps its own Redis storage
    assert run_fresh(
        "import redis\nfrom dedup import Deduplicator\nimport datasketch.storage\n"
        "print(hasattr(datasketch.storage, 'RedisStorage'))"
    ) == ["True"]
