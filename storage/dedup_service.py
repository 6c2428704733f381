"""A run's near-duplicate index (a crawl's, an ingest's): loaded from the corpus at start-up, shared
through Redis when several processes crawl or ingest, and guarded by one lock so that "is it a duplicate? then keep it" is one step
for all of them."""

from __future__ import annotations

import contextlib
import logging
import os
import socket

from dedup import DedupConfig, Deduplicator
from dedup.fingerprint import FORMAT_MAGIC
from storage.corpus import CorpusWriter, refresh_fingerprints

logger = logging.getLogger(__name__)


def shared_lock(redis_url: str | None):
    """The lock that makes "is it a duplicate? then keep it" one step for every process sharing a Redis
    dedup index (without it two processes could each keep one copy of a story); no lock otherwise."""
    if not redis_url:
        return contextlib.nullcontext()
    import redis

    return redis.Redis.from_url(redis_url).lock("deepseek_news:dedup-lock", timeout=30, blocking_timeout=60)


def shard_name(corpus_db: str) -> str:
    """The name a corpus shard indexes under in a shared dedup index: host and absolute path."""
    return f"{socket.gethostname()}:{os.path.realpath(corpus_db)}"


class DedupService:
    """The dedup ``index`` of one run (a ``Deduplicator`` over the stored articles), its ``config`` and
    the ``lock`` to hold around a find and the add that follows it."""

    def __init__(self, settings, writer: CorpusWriter):
        """``settings``: the run's settings, Scrapy's or a plain mapping (DEDUP_*, REDIS_URL, CORPUS_DB)."""
        dedup_settings = {name: settings[name] for name in settings if name.startswith("DEDUP_")}
        if settings.get("REDIS_URL") and not settings.get("DEDUP_REDIS_URL"):
            dedup_settings["DEDUP_REDIS_URL"] = settings.get("REDIS_URL")  # processes sharing a queue share the index
        self.config = DedupConfig.from_settings(dedup_settings)
        self.index = Deduplicator(self.config)
        self.lock = shared_lock(settings.get("REDIS_URL"))
        self.load(writer, settings.get("CORPUS_DB"))

    def load(self, writer: CorpusWriter, corpus_db: str) -> None:
        """Index the stored articles. A shared (Redis) index also forgets what this shard indexed in a
        run killed before it stored it: otherwise those stories would be nowhere, and every later copy
        a duplicate of a missing article. Fingerprints of an older format are made again first."""
        remade = refresh_fingerprints(
            writer.conn, FORMAT_MAGIC, lambda text, language: self.index.fingerprint(text, language).to_bytes()
        )
        if remade:
            logger.info("corpus %s: %d dedup fingerprints made again in the current format", corpus_db, remade)
        if not self.config.redis_url:
            self.index.load(writer.fingerprints())
            return
        stored: set[str] = set()

        def rows_noting_keys():
            for key, blob in writer.fingerprints():
                stored.add(key)
                yield key, blob

        self.index.load(rows_noting_keys())
        forgotten = self.index.claim(shard_name(corpus_db), stored)
        if forgotten:
            logger.warning("shared dedup index: forgot %d articles this shard indexed but never stored", forgotten)

    def release(self) -> None:
        """After a clean finish: what this shard indexed is all stored (a shared index keeps it)."""
        self.index.release()
