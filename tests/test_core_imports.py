"""The judgements are Scrapy-free, as the README says: every module that decides something about a page,
a copy or the corpus imports in a fresh interpreter without loading Scrapy or Twisted."""
import subprocess
import sys

import pytest

from tests.mockserver.process import REPO_ROOT

CORE = [
    "crawler.decision", "crawler.extraction", "crawler.extract", "crawler.topic", "crawler.urls", "crawler.dates",
    "crawler.discovery", "crawler.boilerplate", "crawler.analysis", "crawler.markup",
    "dedup", "dedup.deduplicator", "dedup.redis_index", "dedup.cli",
    "storage.corpus", "storage.query", "storage.export", "storage.merge", "storage.cli",
]


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_loads_neither_scrapy_nor_twisted(module):
    probe = (f"import sys, {module}; "
             "print(','.join(sorted({name.split('.')[0] for name in sys.modules} & {'scrapy', 'twisted'})))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
