"""The offline runs load neither Scrapy nor Twisted: ``deepseek-news ingest`` and ``reextract`` drive the
crawl's pipeline stages (storage.pipeline) on the crawl's settings (crawler/settings.py, a plain
module), in their main process and in their extraction workers. The workers, which import the main
module again (forkserver), do not load the corpus modules either (sqlite-utils).

The commands run in a fresh interpreter from a script file, as the ``deepseek-news`` console script
runs them: the workers import that file again, and with it ``storage.cli``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.mockserver.process import REPO_ROOT
from tests.warc_fixtures import write_mixed_warc

SCRIPT = """
import asyncio, json, sys
from storage.cli import main


def loaded(names):
    return sorted({name.split(".")[0] for name in names} & {"scrapy", "twisted", "sqlite_utils"})


if __name__ == "__main__":
    warc, db, rebuilt, page = sys.argv[1:5]
    assert main(["ingest", warc, "--db", db, "--workers", "1", "--keywords", ""]) == 0
    assert main(["reextract", "--db", db, "--into", rebuilt, "--workers", "1"]) == 0
    main_process = loaded(sys.modules)

    from archive.offline import OfflinePipeline, page_item

    pipeline = OfflinePipeline(rebuilt + ".more.db", (), workers=1)
    try:
        item = page_item("https://zeitung.example/a.html", open(page, "rb").read(), "text/html", "2025-02-14", via="warc")
        asyncio.run(pipeline.judge([(0, item)], lambda tag, result: print(json.dumps({"outcome": result["outcome"]}))))
        names = pipeline.stages[0].pool.submit(eval, "sorted(__import__('sys').modules)").result()
    finally:
        pipeline.close()
    print(json.dumps({"main": main_process, "worker": loaded(names), "extracted": "core.extract" in names}))
"""


def test_ingest_and_reextract_load_neither_scrapy_nor_twisted_in_the_main_process_or_the_workers(tmp_path):
    warc = tmp_path / "mixed.warc.gz"
    write_mixed_warc(warc)
    script = tmp_path / "deepseek_news_command.py"
    script.write_text(SCRIPT)
    page = REPO_ROOT / "tests" / "fixtures" / "extraction" / "de_legacy_cp1252.html"
    done = subprocess.run(
        [sys.executable, str(script), str(warc), str(tmp_path / "a.db"), str(tmp_path / "b.db"), str(page)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines[0] == {"outcome": "stored"}  # the worker extracted a page: its imports are all there
    assert lines[-1] == {"main": ["sqlite_utils"], "worker": [], "extracted": True}
