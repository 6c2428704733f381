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

Cross-language data (``find_translation``): ``:xl`` (id -> language, anchors, sentence lengths),
``:df`` (anchor -> number of documents), ``:a`` (anchor -> "id,id,...", appended while the anchor
is in at most ``ANCHOR_CAP`` documents, so a rewrite copies at most a few KB), ``:s`` (sentence-
structure key -> ids). An insert is then a handful of variadic hash commands, not one per anchor.

Known limit: ``find`` and ``add`` are two steps, so two processes meeting two copies of one story
at the same instant can both keep theirs; the corpus merge (``storage``) catches those by hash.
"""
from __future__ import annotations

import numpy as np

from dedup.crosslingual import structure_keys
from dedup.index import Candidates
from dedup.minhash import band_keys

_HELPERS = """
local function split8(packed)
  local out = {}
  for i = 1, #packed, 8 do out[#out + 1] = string.sub(packed, i, i + 7) end
  return out
end
local function append(hash, fields, id)
  if #fields == 0 then return end
  local old = redis.call('HMGET', hash, unpack(fields))
  local args = {}
  for i = 1, #fields do
    args[#args + 1] = fields[i]
    if old[i] then args[#args + 1] = old[i] .. ',' .. id else args[#args + 1] = tostring(id) end
  end
  redis.call('HSET', hash, unpack(args))
end
"""

_ADD = _HELPERS + """
local ns = ARGV[1]
local key = ARGV[2]
if redis.call('HEXISTS', ns .. ':ids', key) == 1 then return 0 end
local id = redis.call('INCR', ns .. ':next')
redis.call('HSET', ns .. ':ids', key, id)
redis.call('HSET', ns .. ':keys', id, key)
redis.call('HSET', ns .. ':sig', id, ARGV[3])
redis.call('HSETNX', ns .. ':exact', ARGV[4], key)
append(ns .. ':bands', split8(ARGV[5]), id)
if ARGV[6] then
  redis.call('HSET', ns .. ':xl', id, ARGV[6])
  local anchors = split8(ARGV[7])
  local cap = tonumber(ARGV[9])
  if #anchors > 0 then
    local counts = redis.call('HMGET', ns .. ':df', unpack(anchors))
    local df_args, first, again = {}, {}, {}
    for i = 1, #anchors do
      local c = (tonumber(counts[i]) or 0) + 1
      df_args[#df_args + 1] = anchors[i]
      df_args[#df_args + 1] = c
      if c == 1 then
        first[#first + 1] = anchors[i]
        first[#first + 1] = id
      elseif c <= cap then
        again[#again + 1] = anchors[i]
      end
    end
    redis.call('HSET', ns .. ':df', unpack(df_args))
    if #first > 0 then redis.call('HSET', ns .. ':a', unpack(first)) end
    append(ns .. ':a', again, id)
  end
  append(ns .. ':s', split8(ARGV[8]), id)
end
return id
"""

_TRANSLATION = _HELPERS + """
local ns = ARGV[1]
local anchors = split8(ARGV[2])
local structure = split8(ARGV[3])
local n = redis.call('GET', ns .. ':next') or '0'
local dfs, lists, slists = {}, {}, {}
if #anchors > 0 then
  dfs = redis.call('HMGET', ns .. ':df', unpack(anchors))
  lists = redis.call('HMGET', ns .. ':a', unpack(anchors))
end
if #structure > 0 then slists = redis.call('HMGET', ns .. ':s', unpack(structure)) end
return {n, dfs, lists, slists}
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

    ANCHOR_CAP = 1000
    """Anchors in more documents than this keep only their count (their postings stop growing)."""

    def __init__(self, url: str, namespace: str, num_perm: int, bands: int, rows: int,
                 min_sentences: int = 8):
        import redis
        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self.min_sentences = min_sentences
        self._xl_cache: dict[int, tuple[str, np.ndarray, np.ndarray]] = {}
        self.ns = namespace
        try:
            self.client = redis.Redis.from_url(url)
            self.client.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ConnectionError(f'dedup: cannot use Redis at {url}: {exc}') from None
        self._add = self.client.register_script(_ADD)
        self._lookup = self.client.register_script(_LOOKUP)
        self._translation = self.client.register_script(_TRANSLATION)

    def __len__(self) -> int:
        return int(self.client.hlen(self.ns + ':ids'))

    def __contains__(self, key: str) -> bool:
        return bool(self.client.hexists(self.ns + ':ids', key))

    def _args(self, key, fp) -> list:
        payload = np.int32(fp.stems).tobytes() + fp.signature.astype('<u4').tobytes()
        bands = band_keys(fp.signature, self.bands, self.rows).astype('<u8').tobytes()
        return [self.ns, key, payload, fp.content_hash, bands,
                *self._xl_args(fp.lang, fp.anchors, fp.sentences)]

    def _xl_args(self, lang: str, anchors: np.ndarray, sentences: np.ndarray) -> list:
        """Cross-language part of an insert: payload, anchors, structure keys, anchor cap."""
        if not lang or not (len(anchors) or len(sentences)):
            return []
        payload = (lang.encode('ascii', 'replace')[:2].ljust(2, b' ') + np.uint16(len(anchors)).tobytes()
                   + anchors.astype('<u8').tobytes() + sentences.astype('<u2').tobytes())
        structure = structure_keys(sentences, self.min_sentences).astype('<u8').tobytes()
        return [payload, anchors.astype('<u8').tobytes(), structure, self.ANCHOR_CAP]

    def add(self, key: str, fp) -> None:
        self._add(args=self._args(key, fp))

    def add_many(self, keys: list[str], cols, batch: int = 500) -> None:
        """Pipelined inserts (``cols`` a FingerprintColumns), ``batch`` scripts per round trip."""
        bands = band_keys(cols.signatures, self.bands, self.rows).astype('<u8')
        sigs = cols.signatures.astype('<u4')
        pipe = self.client.pipeline(transaction=False)
        for i, key in enumerate(keys):
            payload = np.int32(cols.stems[i]).tobytes() + sigs[i].tobytes()
            xl = self._xl_args(cols.langs[i], cols.anchors[i], cols.sentences[i])
            self._add(args=[self.ns, key, payload, cols.content_hashes[i], bands[i].tobytes(), *xl], client=pipe)
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
        """As ``MemoryIndex.translation_candidates``, in three round trips: document frequencies
        and postings of the query's anchors and structure keys; the candidates' languages,
        anchors and sentence lengths; the frequencies of the candidates' anchors. Anchors in
        more than ``ANCHOR_CAP`` documents are never looked up, only weighed."""
        if not fp.lang:
            return []
        anchors = fp.anchors.astype('<u8')
        structure = structure_keys(fp.sentences, self.min_sentences).astype('<u8')
        n, dfs, lists, slists = self._translation(args=[self.ns, anchors.tobytes(), structure.tobytes()])
        n_docs = max(int(n), 1000)
        df = np.array([int(x) if x else 0 for x in dfs], np.float64)
        idf = np.log(n_docs / (df + 1))
        weight: dict[int, float] = {}
        for j, ids in enumerate(lists):
            if ids and df[j] <= self.ANCHOR_CAP:
                for doc in map(int, ids.split(b',')):
                    weight[doc] = weight.get(doc, 0.0) + idf[j]
        structural = [int(d) for ids in slists if ids for d in ids.split(b',')][:8 * limit]
        ranked = sorted(weight, key=lambda d: -weight[d])[:3 * limit]
        wanted = list(dict.fromkeys(ranked + structural))
        if not wanted:
            return []
        self._xl_cache = {}
        for doc, payload in zip(wanted, self.client.hmget(self.ns + ':xl', wanted)):
            if payload:
                n_anchors = int(np.frombuffer(payload, '<u2', 1, 2)[0])
                self._xl_cache[doc] = (payload[:2].decode('ascii', 'replace').strip(),
                                       np.frombuffer(payload, '<u8', n_anchors, 4),
                                       np.frombuffer(payload, '<u2', (len(payload) - 4 - 8 * n_anchors) // 2,
                                                     4 + 8 * n_anchors))
        other = [d for d in ranked if d in self._xl_cache and self._xl_cache[d][0] not in ('', fp.lang)][:limit]
        common = df > self.ANCHOR_CAP
        out = []
        if other:
            their = np.unique(np.concatenate([self._xl_cache[d][1] for d in other]))
            replies = self.client.hmget(self.ns + ':df', [a.tobytes() for a in their.astype('<u8')])
            their_idf = np.log(n_docs / np.maximum([int(x) if x else 1 for x in replies], 1))
            own_mass = idf.sum()
            for d in other:
                their_anchors = self._xl_cache[d][1]
                w = weight[d]
                if common.any():
                    w += float(idf[common][np.isin(fp.anchors[common], their_anchors)].sum())
                mass = float(their_idf[np.searchsorted(their, their_anchors)].sum())
                out.append((d, w, w / max(min(own_mass, mass), 1e-9)))
        seen = {d for d, _, _ in out}
        out.extend((d, 0.0, 0.0) for d in structural
                   if d not in seen and d in self._xl_cache and self._xl_cache[d][0] not in ('', fp.lang))
        return out

    def sentences(self, doc: int) -> np.ndarray:
        return self._xl_cache[doc][2]

    def key(self, doc: int) -> str:
        return self.client.hget(self.ns + ':keys', doc).decode()

    def clear(self) -> None:
        """Delete this namespace's keys (tests, benchmarks)."""
        for name in self.client.scan_iter(match=self.ns + ':*', count=10000):
            self.client.delete(name)
