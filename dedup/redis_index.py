"""LSH index kept in Redis, shared by several crawler processes (``DedupConfig.redis_url``).

datasketch's Redis storage sends one command per band per document (reported: ~160 inserts/s,
20-28 ms per query; measured here by bench_dedup.py). Here each operation is one server-side Lua
script, so one round trip, and the 64 band keys travel as one 512-byte argument:

- ``add``: assigns the next integer id (INCR), records key <-> id, the signature and the content
  hash, and appends the id to the document's band buckets: one HMGET and one variadic HSET on a
  single hash instead of one SADD per band (64 SADDs cost ~75 us of server time per insert).
  ``add_many`` pipelines the same script for a batch of documents.
- ``probe`` (what ``Deduplicator.find`` calls): the content hash, then one HMGET of the
  document's band buckets, then the candidates' signatures; verification runs in the client like
  for the in-memory index.

Redis keys, under ``{namespace}`` (prefix + the token/MinHash/band settings, so incompatible
configurations never share an index): ``:next`` (id counter), ``:ids`` (key -> id), ``:keys``
(id -> key), ``:sig`` (id -> stems int32 + signature uint32[num_perm]), ``:exact`` (content hash ->
key), ``:bands`` (8-byte band key -> comma-separated ids).

Known limits: cross-language candidates (``find_translation``) are not kept in Redis. ``find`` and
``add`` are two steps, so two processes meeting two copies of one story
at the same instant can both keep theirs; the corpus merge (``storage``) catches those by hash.
"""
from __future__ import annotations

import numpy as np

from dedup.index import Candidates
from dedup.minhash import band_keys

_ADD = """
local ns = ARGV[1]
local key = ARGV[2]
if redis.call('HEXISTS', ns .. ':ids', key) == 1 then return 0 end
local id = redis.call('INCR', ns .. ':next')
redis.call('HSET', ns .. ':ids', key, id)
redis.call('HSET', ns .. ':keys', id, key)
redis.call('HSET', ns .. ':sig', id, ARGV[3])
redis.call('HSETNX', ns .. ':exact', ARGV[4], key)
local packed = ARGV[5]
local fields = {}
for i = 1, #packed, 8 do fields[#fields + 1] = string.sub(packed, i, i + 7) end
local old = redis.call('HMGET', ns .. ':bands', unpack(fields))
local args = {}
for i = 1, #fields do
  args[#args + 1] = fields[i]
  if old[i] then args[#args + 1] = old[i] .. ',' .. id else args[#args + 1] = tostring(id) end
end
redis.call('HSET', ns .. ':bands', unpack(args))
return id
"""

_LOOKUP = """
local ns = ARGV[1]
local packed = ARGV[2]
if ARGV[3] then
  local kept = redis.call('HGET', ns .. ':exact', ARGV[3])
  if kept then return {kept} end
end
if #packed == 0 then return {{}, {}} end
local fields = {}
for i = 1, #packed, 8 do fields[#fields + 1] = string.sub(packed, i, i + 7) end
local values = redis.call('HMGET', ns .. ':bands', unpack(fields))
local seen, ids = {}, {}
for i = 1, #values do
  if values[i] then
    for id in string.gmatch(values[i], '%d+') do
      if not seen[id] then seen[id] = true; ids[#ids + 1] = id end
    end
  end
end
if #ids == 0 then return {{}, {}} end
local sigs = {}
for start = 1, #ids, 4000 do
  local chunk = {}
  for i = start, math.min(start + 3999, #ids) do chunk[#chunk + 1] = ids[i] end
  local got = redis.call('HMGET', ns .. ':sig', unpack(chunk))
  for i = 1, #got do sigs[#sigs + 1] = got[i] end
end
return {ids, sigs}
"""


class RedisIndex:
    """Same interface as ``dedup.index.MemoryIndex``, state in Redis."""

    def __init__(self, url: str, namespace: str, num_perm: int, bands: int, rows: int):
        import redis
        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self.ns = namespace
        try:
            self.client = redis.Redis.from_url(url)
            self.client.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ConnectionError(f'dedup: cannot use Redis at {url}: {exc}') from None
        self._add = self.client.register_script(_ADD)
        self._lookup = self.client.register_script(_LOOKUP)

    def __len__(self) -> int:
        return int(self.client.hlen(self.ns + ':ids'))

    def __contains__(self, key: str) -> bool:
        return bool(self.client.hexists(self.ns + ':ids', key))

    def _args(self, key, fp) -> list:
        payload = np.int32(fp.stems).tobytes() + fp.signature.astype('<u4').tobytes()
        bands = band_keys(fp.signature, self.bands, self.rows).astype('<u8').tobytes()
        return [self.ns, key, payload, fp.content_hash, bands]

    def add(self, key: str, fp) -> None:
        self._add(args=self._args(key, fp))

    def add_many(self, keys: list[str], cols, batch: int = 500) -> None:
        """Pipelined inserts (``cols`` a FingerprintColumns), ``batch`` scripts per round trip."""
        bands = band_keys(cols.signatures, self.bands, self.rows).astype('<u8')
        sigs = cols.signatures.astype('<u4')
        pipe = self.client.pipeline(transaction=False)
        for i, key in enumerate(keys):
            payload = np.int32(cols.stems[i]).tobytes() + sigs[i].tobytes()
            self._add(args=[self.ns, key, payload, cols.content_hashes[i], bands[i].tobytes()], client=pipe)
            if (i + 1) % batch == 0:
                pipe.execute()
        pipe.execute()

    def flush(self) -> None:
        """Nothing to do: every add is already in Redis."""

    def exact(self, content_hash: bytes) -> str | None:
        key = self.client.hget(self.ns + ':exact', content_hash)
        return None if key is None else key.decode()

    def probe(self, content_hash: bytes, sig: np.ndarray | None) -> tuple[str | None, Candidates | None]:
        """(key with this content hash, None) or (None, LSH candidates of ``sig``; None when
        ``sig`` is None): one round trip."""
        bands = b'' if sig is None else band_keys(sig, self.bands, self.rows).astype('<u8').tobytes()
        reply = self._lookup(args=[self.ns, bands, content_hash])
        if len(reply) == 1:
            return reply[0].decode(), None
        return None, (None if sig is None else self._candidates(*reply))

    def lookup(self, sig: np.ndarray) -> Candidates:
        bands = band_keys(sig, self.bands, self.rows).astype('<u8').tobytes()
        return self._candidates(*self._lookup(args=[self.ns, bands]))

    def _candidates(self, ids, payloads) -> Candidates:
        pairs = [(i, p) for i, p in zip(ids, payloads) if p is not None]
        if not pairs:
            return Candidates(np.empty((0, self.num_perm), np.uint32), np.empty(0, np.int32), None)
        raw = np.frombuffer(b''.join(p for _, p in pairs), np.uint8).reshape(len(pairs), 4 + 4 * self.num_perm)
        stems = raw[:, :4].copy().view('<i4').ravel()
        sigs = raw[:, 4:].copy().view('<u4')
        ids = [i for i, _ in pairs]
        return Candidates(sigs, stems, lambda j: self.client.hget(self.ns + ':keys', ids[j]).decode())

    def translation_candidates(self, fp, limit: int) -> list:
        """Cross-language links are not shared through Redis yet: each process links only what
        it indexed itself (nothing, with a Redis index)."""
        return []

    def clear(self) -> None:
        """Delete this namespace's keys (tests, benchmarks)."""
        for name in self.client.scan_iter(match=self.ns + ':*', count=10000):
            self.client.delete(name)
