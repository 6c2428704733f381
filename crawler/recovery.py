"""What a crawl does on a corpus whose last crawl was killed: which of Scrapy's job files it can trust."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

logger = logging.getLogger(__name__)


def recover_from_crash(jobdir: str | None) -> None:
    """The last crawl on this corpus was killed. Its committed batches are whole (SQLite transactions);
    Scrapy's JOBDIR queue and seen-set are only written consistently on a graceful stop, and the seen
    set marks requests that were in flight and are now lost. Drop both: the start points and the
    corpus frontier (requests scheduled and never finished) rebuild the queue."""
    logger.warning(
        "the last crawl on this corpus did not finish (killed, or a write failed); resuming from the corpus frontier"
    )
    if jobdir:
        for name in ("requests.seen", "requests.queue"):
            path = Path(jobdir) / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
