"""The list of WARC files to ingest, shared by ingest processes on many machines through Redis as a
reliable queue: a worker moves a file from the queue to its own processing list (LMOVE) and removes
it when the file is done, so a file is never lost with a killed worker. Started again (same corpus
shard), the worker first finishes the files its processing list holds, from where its shard's
``ingested`` table says it stopped, so nothing is read twice; ``requeue(worker)`` puts a worker's
files back in the queue for the others when that worker will not come back.

Keys: ``deepseek_news:ingest:queue`` (list), ``...:processing:<worker>`` (list), ``...:known`` (set of
every file ever queued, so several workers started with the same file list queue each file once).
"""

from __future__ import annotations

import os

PREFIX = "deepseek_news:ingest"


class WarcQueue:
    """The shared list of WARC files in Redis: each worker takes one file at a time, reliably."""

    def __init__(self, redis_url: str, worker: str, prefix: str = PREFIX):
        import redis

        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)
        self.worker = worker
        self.queue = f"{prefix}:queue"
        self.known = f"{prefix}:known"
        self.processing = f"{prefix}:processing:{worker}"
        self.prefix = prefix

    def push(self, paths) -> int:
        """Queue the files never queued before; returns how many were new."""
        added = 0
        for path in paths:
            if self.redis.sadd(self.known, path):
                self.redis.rpush(self.queue, path)
                added += 1
        return added

    def take(self) -> str | None:
        """The next file for this worker: one left in its processing list by a killed run first, then one
        moved from the queue; None when both are empty."""
        left = self.redis.lindex(self.processing, 0)
        if left is not None:
            return left
        return self.redis.lmove(self.queue, self.processing, "LEFT", "RIGHT")

    def done(self, path: str) -> None:
        self.redis.lrem(self.processing, 1, path)

    def waiting_bytes(self) -> int:
        total = 0
        for path in self.redis.lrange(self.queue, 0, -1):
            try:
                total += os.path.getsize(path)
            except OSError:
                pass
        return total

    def requeue(self, worker: str | None = None) -> int:
        """Put the files a worker was processing back at the head of the queue (for a worker that is gone
        for good; its shard's uncommitted stories are then read again by another worker)."""
        processing = f"{self.prefix}:processing:{worker or self.worker}"
        moved = 0
        while self.redis.lmove(processing, self.queue, "RIGHT", "LEFT") is not None:
            moved += 1
        return moved
