"""Index of kept articles in Redis, shared by several crawler processes (``DedupConfig.redis_url``).

The LSH is datasketch's ``MinHashLSH`` (``dedup.lsh``) with its buckets in one Redis hash
(``RedisBuckets``). datasketch's own Redis storage sends one command per band per document
(slow: bench_dedup.py measures it beside ours). Here:

- ``add``: the document's id comes from a block reserved with one INCRBY per 64 documents; its
  record (key <-> id, signature, content hash, cross-language data) is one Lua script, and its
  64 bucket appends are a second one (one HMGET and one variadic HSET on the bucket hash, not
  one SADD per band), both sent in one round trip. ``add_many`` does the same for a batch.
- ``Deduplicator.find``: ``exact`` (the content hash), then ``lookup`` (the LSH query, one HMGET
  for all bands, and the candidates' signatures): three round trips; verification runs in the
  client like for the in-memory index.

Redis keys, under ``{namespace}`` (prefix + the token/MinHash/band settings, so incompatible
configurations never share an index): ``:next`` (id counter), ``:ids`` (key -> id), ``:keys``
(id -> key), ``:sig`` (id -> stems int32, signature uint32[num_perm], sentence count uint32,
stems per sentence uint32[count], sentence stems uint16: what verification needs), ``:exact`` (content hash ->
key), ``:bands`` (8-byte bucket key -> comma-separated ids), ``:pending:{owner}`` (the keys a
corpus shard indexed since it last stopped cleanly; see ``claim``).

Cross-language data (``find_translation``): ``:xl`` (id -> language, anchor count uint32, anchors, sentence lengths),
``:df`` (anchor -> number of documents), ``:a`` (anchor -> "id,id,...", appended while the anchor
is in at most ``ANCHOR_CAP`` documents, so a rewrite copies at most a few KB), ``:s`` (sentence-
structure key -> ids). An insert is then a handful of variadic hash commands, not one per anchor.

Known limit: ``find`` and ``add`` are two steps, so two processes meeting two copies of one story
at the same instant can both keep theirs; the crawler holds a Redis lock around the two
(``crawler.context.shared_lock``), and the corpus merge (``storage``) catches the rest by hash.
"""

from __future__ import annotations

import numpy as np

from dedup.crosslingual import structure_keys
from dedup.index import Candidates
from dedup.lsh import band_keys, insert_lsh, make_lsh, query_lsh

# Lua's unpack() takes a few thousand values (LUAI_MAXCSTACK): hmget and hset send long lists in slices.
_HELPERS = """
local function split8(packed)
  local out = {}
  for i = 1, #packed, 8 do out[#out + 1] = string.sub(packed, i, i + 7) end
  return out
end
local function hmget(hash, fields)
  local out = {}
  for start = 1, #fields, 2000 do
    local got = redis.call('HMGET', hash, unpack(fields, start, math.min(start + 1999, #fields)))
    for i = 1, #got do out[#out + 1] = got[i] end
  end
  return out
end
local function hset(hash, args)
  for start = 1, #args, 4000 do redis.call('HSET', hash, unpack(args, start, math.min(start + 3999, #args))) end
end
local function append(hash, fields, id)
  if #fields == 0 then return end
  local old = hmget(hash, fields)
  local args = {}
  for i = 1, #fields do
    args[#args + 1] = fields[i]
    if old[i] then args[#args + 1] = old[i] .. ',' .. id else args[#args + 1] = tostring(id) end
  end
  hset(hash, args)
end
"""

_RECORD = (
    _HELPERS
    + """
local ns = ARGV[1]
local key = ARGV[2]
local id = ARGV[3]
if redis.call('HSETNX', ns .. ':ids', key, id) == 0 then return 0 end
redis.call('HSET', ns .. ':keys', id, key)
redis.call('HSET', ns .. ':sig', id, ARGV[4])
local holder = redis.call('HGET', ns .. ':exact', ARGV[5])
if not holder or redis.call('HEXISTS', ns .. ':ids', holder) == 0 then
  redis.call('HSET', ns .. ':exact', ARGV[5], key)
end
if ARGV[6] then
  redis.call('HSET', ns .. ':xl', id, ARGV[6])
  local anchors = split8(ARGV[7])
  local cap = tonumber(ARGV[9])
  if #anchors > 0 then
    local counts = hmget(ns .. ':df', anchors)
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
    hset(ns .. ':df', df_args)
    hset(ns .. ':a', first)
    append(ns .. ':a', again, id)
  end
  append(ns .. ':s', split8(ARGV[8]), id)
end
return 1
"""
)

_APPEND = (
    _HELPERS
    + """
-- KEYS[1]: bucket hash, KEYS[2]: id -> signature hash. ARGV[1]: packed 8-byte bucket keys,
-- ARGV[2]: for each bucket, the ids to append, "id,id;" (one argument, so the client encodes
-- two values and not one per bucket). Ids without a signature (their record was refused: key
-- already indexed) are skipped.
local fields = split8(ARGV[1])
local lists = {}
for list in string.gmatch(ARGV[2], '([^;]*);') do lists[#lists + 1] = list end
local recorded = {}
local old = redis.call('HMGET', KEYS[1], unpack(fields))
local args = {}
for i = 1, #fields do
  local ids = {}
  for id in string.gmatch(lists[i], '%d+') do
    if recorded[id] == nil then recorded[id] = redis.call('HEXISTS', KEYS[2], id) == 1 end
    if recorded[id] then ids[#ids + 1] = id end
  end
  if #ids > 0 then
    args[#args + 1] = fields[i]
    local joined = table.concat(ids, ',')
    if old[i] then args[#args + 1] = old[i] .. ',' .. joined else args[#args + 1] = joined end
  end
end
if #args > 0 then redis.call('HSET', KEYS[1], unpack(args)) end
return #args / 2
"""
)

_FORGET = """
-- an article indexed but never stored: drop its record; its buckets and anchor postings keep
-- the id, which lookups skip because it has no signature and no cross-language payload
local ns, key = ARGV[1], ARGV[2]
local id = redis.call('HGET', ns .. ':ids', key)
if not id then return 0 end
redis.call('HDEL', ns .. ':ids', key)
redis.call('HDEL', ns .. ':keys', id)
redis.call('HDEL', ns .. ':sig', id)
redis.call('HDEL', ns .. ':xl', id)
return 1
"""

_EXACT = """
local key = redis.call('HGET', KEYS[1], ARGV[1])
if key and redis.call('HEXISTS', KEYS[2], key) == 1 then return key end
return false
"""

_TRANSLATION = (
    _HELPERS
    + """
local ns = ARGV[1]
local anchors = split8(ARGV[2])
local structure = split8(ARGV[3])
local n = redis.call('HLEN', ns .. ':ids')
local dfs, lists, slists = {}, {}, {}
if #anchors > 0 then
  dfs = hmget(ns .. ':df', anchors)
  lists = hmget(ns .. ':a', anchors)
end
if #structure > 0 then slists = hmget(ns .. ':s', structure) end
return {n, dfs, lists, slists}
"""
)


_RENAME = """
local ns, old, new = ARGV[1], ARGV[2], ARGV[3]
local id = redis.call('HGET', ns .. ':ids', old)
if not id or redis.call('HSETNX', ns .. ':ids', new, id) == 0 then return 0 end
redis.call('HDEL', ns .. ':ids', old)
redis.call('HSET', ns .. ':keys', id, new)
local holder = redis.call('HGET', ns .. ':exact', ARGV[4])
if holder == old then redis.call('HSET', ns .. ':exact', ARGV[4], new) end
return 1
"""


class RedisBuckets:
    """The bucket store of ``dedup.lsh`` in Redis: one hash, 8-byte bucket key -> "id,id,...".

    Commands queued on ``pipeline`` travel with the next bucket write, in the same round trip.
    Scripts on the pipeline go as EVAL: redis-py checks EVALSHA scripts with a SCRIPT EXISTS
    round trip before every pipeline, and the script text costs nothing on the wire by comparison.
    """

    FIELDS_PER_SCRIPT = 2000
    """Lua's ``unpack`` takes a few thousand values: larger writes are split (same round trip)."""

    def __init__(self, client, name: str, signatures: str):
        self.client, self.name, self.signatures = client, name, signatures
        self.pipeline = client.pipeline(transaction=False)

    def get_many(self, keys: list[int]) -> list[list[int]]:
        values = self.client.hmget(self.name, [key.to_bytes(8, "little") for key in keys])
        return [[int(doc) for doc in value.split(b",")] if value else [] for value in values]

    def append_many(self, keys: list[int], docs: list[int]) -> None:
        if len(set(keys)) == len(keys):  # one document's bands: every bucket key once
            fields, lists = keys, [str(doc) for doc in docs]
        else:
            grouped: dict[int, list[str]] = {}
            for key, doc in zip(keys, docs):
                grouped.setdefault(key, []).append(str(doc))
            fields, lists = list(grouped), [",".join(ids) for ids in grouped.values()]
        packed = np.array(fields, np.uint64).astype("<u8").tobytes()
        for start in range(0, len(fields), self.FIELDS_PER_SCRIPT):
            stop = start + self.FIELDS_PER_SCRIPT
            self.pipeline.eval(
                _APPEND, 2, self.name, self.signatures, packed[8 * start : 8 * stop], ";".join(lists[start:stop]) + ";"
            )
        self.pipeline.execute()

    def size(self) -> int:
        return int(self.client.hlen(self.name))


class RedisIndex:
    """Same interface as ``dedup.index.MemoryIndex``, state in Redis."""

    ANCHOR_CAP = 1000
    """Anchors in more documents than this keep only their count (their postings stop growing)."""

    def __init__(self, url: str, namespace: str, num_perm: int, bands: int, rows: int, min_sentences: int = 8):
        import redis

        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self.min_sentences = min_sentences
        self._xl_cache: dict[int, tuple[str, np.ndarray, np.ndarray]] = {}
        self.ns = namespace
        try:
            self.client = redis.Redis.from_url(url)
            self.client.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ConnectionError(f"dedup: cannot use Redis at {url}: {exc}") from None
        self._translation = self.client.register_script(_TRANSLATION)
        self.buckets = RedisBuckets(self.client, self.ns + ":bands", self.ns + ":sig")
        self.lsh = make_lsh(num_perm, bands, rows, self.buckets, contains=self._has_id, count=self.__len__)
        self._reserved = iter(())
        self._forget = self.client.register_script(_FORGET)
        self._exact = self.client.register_script(_EXACT)
        self._pending: str | None = None

    def claim(self, owner: str, kept: set[str]) -> int:
        """Index on behalf of the corpus shard ``owner`` from now on. Articles that shard indexed in
        an earlier run and never stored (its process was killed before the write; ``kept`` holds
        the keys it did store) are forgotten, so that their story can be stored again instead of
        counting as a copy of a missing article. Returns how many were forgotten."""
        pending = f"{self.ns}:pending:{owner}"
        lost = [key for key in (k.decode() for k in self.client.smembers(pending)) if key not in kept]
        for key in lost:
            self._forget(args=[self.ns, key])
        self.client.delete(pending)
        self._pending = pending
        return len(lost)

    def release(self) -> None:
        """Everything indexed since ``claim`` is stored: nothing to check at the next start."""
        if self._pending:
            self.client.delete(self._pending)

    def __len__(self) -> int:
        return int(self.client.hlen(self.ns + ":ids"))

    def __contains__(self, key: str) -> bool:
        return bool(self.client.hexists(self.ns + ":ids", key))

    def rename(self, old: str, new: str, content_hash: bytes = b"") -> bool:
        """As ``MemoryIndex.rename``, in one script; the exact-copy entry of ``content_hash`` follows."""
        return bool(self.client.eval(_RENAME, 0, self.ns, old, new, content_hash))

    def _has_id(self, doc: int) -> bool:
        return bool(self.client.hexists(self.ns + ":sig", doc))

    ID_BLOCK = 64
    """Ids reserved per INCRBY; a process that stops leaves the rest of its block unused."""

    def _new_id(self) -> int:
        doc = next(self._reserved, None)
        if doc is None:
            last = int(self.client.incrby(self.ns + ":next", self.ID_BLOCK))
            self._reserved = iter(range(last - self.ID_BLOCK + 1, last + 1))
            doc = next(self._reserved)
        return doc

    def _queue_record(
        self,
        key: str,
        doc: int,
        stems: int,
        sig: np.ndarray,
        content_hash: bytes,
        lang: str,
        anchors: np.ndarray,
        sentences: np.ndarray,
        sentence_stems: np.ndarray,
        stems_per_sentence: np.ndarray,
    ) -> None:
        """Queue the record script on the bucket pipeline: it runs just before the bucket write."""
        payload = b"".join(
            (
                np.int32(min(stems, 2**31 - 1)).tobytes(),
                sig.astype("<u4").tobytes(),
                np.uint32(len(stems_per_sentence)).tobytes(),
                stems_per_sentence.astype("<u4").tobytes(),
                sentence_stems.astype("<u2").tobytes(),
            )
        )
        if self._pending:
            self.buckets.pipeline.sadd(self._pending, key)
        self.buckets.pipeline.eval(
            _RECORD, 0, self.ns, key, doc, payload, content_hash, *self._xl_args(lang, anchors, sentences)
        )

    def _xl_args(self, lang: str, anchors: np.ndarray, sentences: np.ndarray) -> list:
        """Cross-language part of an insert: payload, anchors, structure keys, anchor cap."""
        if not lang or not (len(anchors) or len(sentences)):
            return []
        payload = (
            lang.encode("ascii", "replace")[:2].ljust(2, b" ")
            + np.uint32(len(anchors)).tobytes()
            + anchors.astype("<u8").tobytes()
            + sentences.astype("<u2").tobytes()
        )
        structure = structure_keys(sentences, self.min_sentences).astype("<u8").tobytes()
        return [payload, anchors.astype("<u8").tobytes(), structure, self.ANCHOR_CAP]

    def add(self, key: str, fp) -> None:
        """Record and index one kept article, in one round trip; a key already present is ignored."""
        doc = self._new_id()
        self._queue_record(
            key,
            doc,
            fp.stems,
            fp.signature,
            fp.content_hash,
            fp.lang,
            fp.anchors,
            fp.sentences,
            fp.sentence_stems,
            fp.stems_per_sentence,
        )
        insert_lsh(self.lsh, doc, fp.signature)

    def add_many(self, keys: list[str], cols, batch: int = 500) -> None:
        """Pipelined inserts (``cols`` a FingerprintColumns), ``batch`` documents per round trip:
        their bucket keys computed at once (``dedup.lsh.band_keys``) and appended in one write.
        Keys already indexed (a shard loaded again at start-up) cost one HMGET per batch."""
        for start in range(0, len(keys), batch):
            present = self.client.hmget(self.ns + ":ids", keys[start : start + batch])
            rows = [i for i, found in enumerate(present, start) if found is None]
            if not rows:
                continue
            docs = [self._new_id() for _ in rows]
            for i, doc in zip(rows, docs):
                self._queue_record(
                    keys[i],
                    doc,
                    cols.stems[i],
                    cols.signatures[i],
                    cols.content_hashes[i],
                    cols.langs[i],
                    cols.anchors[i],
                    cols.sentences[i],
                    cols.sentence_stems[i],
                    cols.stems_per_sentence[i],
                )
            bucket_keys = band_keys(cols.signatures[rows], self.bands, self.rows)
            self.buckets.append_many(bucket_keys.ravel().tolist(), np.repeat(docs, self.bands).tolist())

    def flush(self) -> None:
        """Nothing to do: every add is already in Redis."""

    def exact(self, content_hash: bytes) -> str | None:
        key = self._exact(keys=[self.ns + ":exact", self.ns + ":ids"], args=[content_hash])
        return None if key is None else key.decode()

    def lookup(self, sig: np.ndarray) -> Candidates:
        ids = query_lsh(self.lsh, sig)
        payloads = self.client.hmget(self.ns + ":sig", ids) if ids else []
        pairs = [(i, p) for i, p in zip(ids, payloads) if p is not None]
        if not pairs:
            return Candidates(np.empty((0, self.num_perm), np.uint32), np.empty(0, np.int32), None)
        head = 4 + 4 * self.num_perm
        raw = np.frombuffer(b"".join(p[:head] for _, p in pairs), np.uint8).reshape(len(pairs), head)
        stems = raw[:, :4].copy().view("<i4").ravel()
        sigs = raw[:, 4:].copy().view("<u4")
        found = [i for i, _ in pairs]

        def sentence_stems(j: int) -> tuple[np.ndarray, np.ndarray]:
            payload = pairs[j][1]
            count = int(np.frombuffer(payload, "<u4", 1, head)[0])
            per_sentence = np.frombuffer(payload, "<u4", count, head + 4)
            start = head + 4 + 4 * count
            return np.frombuffer(payload, "<u2", (len(payload) - start) // 2, start), per_sentence

        return Candidates(sigs, stems, lambda j: self.key(found[j]), sentence_stems)

    def translation_candidates(self, fp, limit: int) -> list:
        """As ``MemoryIndex.translation_candidates``, in three round trips: document frequencies
        and postings of the query's anchors and structure keys; the candidates' languages,
        anchors and sentence lengths; the frequencies of the candidates' anchors. Anchors in
        more than ``ANCHOR_CAP`` documents are never looked up, only weighed."""
        if not fp.lang:
            return []
        anchors = fp.anchors.astype("<u8")
        structure = structure_keys(fp.sentences, self.min_sentences).astype("<u8")
        n, dfs, lists, slists = self._translation(args=[self.ns, anchors.tobytes(), structure.tobytes()])
        n_docs = max(int(n), 1000)
        df = np.array([int(x) if x else 0 for x in dfs], np.float64)
        idf = np.log(n_docs / (df + 1))
        weight: dict[int, float] = {}
        for j, ids in enumerate(lists):
            if ids and df[j] <= self.ANCHOR_CAP:
                for doc in map(int, ids.split(b",")):
                    weight[doc] = weight.get(doc, 0.0) + idf[j]
        structural = [int(d) for ids in slists if ids for d in ids.split(b",")][: 8 * limit]
        ranked = sorted(weight, key=lambda d: -weight[d])[: 3 * limit]
        wanted = list(dict.fromkeys(ranked + structural))
        if not wanted:
            return []
        self._xl_cache = {}
        for doc, payload in zip(wanted, self.client.hmget(self.ns + ":xl", wanted)):
            if payload:
                n_anchors = int(np.frombuffer(payload, "<u4", 1, 2)[0])
                self._xl_cache[doc] = (
                    payload[:2].decode("ascii", "replace").strip(),
                    np.frombuffer(payload, "<u8", n_anchors, 6),
                    np.frombuffer(payload, "<u2", (len(payload) - 6 - 8 * n_anchors) // 2, 6 + 8 * n_anchors),
                )
        other = [d for d in ranked if d in self._xl_cache and self._xl_cache[d][0] not in ("", fp.lang)][:limit]
        common = df > self.ANCHOR_CAP
        out = []
        if other:
            their = np.unique(np.concatenate([self._xl_cache[d][1] for d in other]))
            replies = self.client.hmget(self.ns + ":df", [a.tobytes() for a in their.astype("<u8")])
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
        out.extend(
            (d, 0.0, 0.0)
            for d in structural
            if d not in seen and d in self._xl_cache and self._xl_cache[d][0] not in ("", fp.lang)
        )
        return out

    def sentences(self, doc: int) -> np.ndarray:
        return self._xl_cache[doc][2]

    def key(self, doc: int) -> str:
        return self.client.hget(self.ns + ":keys", doc).decode()

    def clear(self) -> None:
        """Delete this namespace's keys (tests, benchmarks)."""
        for name in self.client.scan_iter(match=self.ns + ":*", count=10000):
            self.client.delete(name)
