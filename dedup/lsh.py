"""The LSH index of kept articles: datasketch's ``MinHashLSH`` over compact bucket storage.

``MinHashLSH`` does the banding: it cuts a signature into ``bands`` slices of ``rows`` values,
turns each slice into a bucket key (its ``_H``, with ``bucket_key`` as ``hashfunc``) and keeps one
storage per band, mapping bucket keys to document numbers. A query is the union of the
documents in the query's buckets; ``dedup.deduplicator`` verifies every one of them.

datasketch's own storages do not scale to the 64 bands that translations need: its dict storage
keeps a Python set per bucket, its Redis storage sends one command per band
(``tests/benchmarks/bench_dedup.py`` measures both against ours). The storages here implement datasketch's
``UnorderedStorage`` interface over one bucket store shared by all bands:

- ``MemoryBuckets``: one ``dedup.index.Postings`` array, 8 bytes per band per document;
- ``RedisBuckets``: one Redis hash, bucket key -> "id,id,...".

Like datasketch's Cassandra storage with ``shared_buffer``, the band storages share their
buffers: in an ``insertion_session`` all band inserts of a document are one write, and a query
made with ``add_to_query_buffer`` / ``collect_query_buffer`` is one lookup (one ``searchsorted``
or one ``HMGET``) for all bands. ``query_lsh`` and ``insert_lsh`` give the same results as those
calls (the tests compare them) but compute the bucket keys of all bands at once with ``band_keys``:
``MinHashLSH`` hashes band after band in Python, which the
crawl decision cannot afford twice per article.

Bucket keys: ``bucket_key`` folds a slice's values into 64 bits (multiply-xor, then the splitmix64
finaliser) and each band's storage xors its band salt, so all bands share one key space.
``band_keys`` computes the same keys for many signatures at once in a compiled loop, for the bulk
rebuild at start-up (``MemoryIndex.add_many``), which fills the storage directly instead of
calling ``insert`` a million times; the tests check both give the same keys.

The index is append-only (the corpus never un-keeps an article), so the storages do not support
``remove``.
"""

from __future__ import annotations

import struct
import sys
import types
from functools import lru_cache

import numpy as np

from dedup._kernels import band_keys as _band_keys
from dedup.normalize import mix64


def _quad_on_first_use(*args, **kwargs):
    from scipy.integrate import quad

    return quad(*args, **kwargs)


def _import_datasketch_lean() -> None:
    """Import datasketch without two modules it loads for what we do not use (``tests/benchmarks/bench_imports.py``
    prints the memory and time this saves in each crawl process):

    - ``scipy.integrate`` is imported with every module for one function, the optimiser of
      (bands, rows), which the defaults never call (``dedup.config.DERIVED_LSH_PARAMS``); it and what it
      pulls in (scipy.special, scipy.linalg...) are large. A stand-in whose ``quad`` imports the real
      module on first call takes its place, and is gone from ``sys.modules`` afterwards, so
      ``import scipy.integrate`` still works.
    - ``redis`` is imported for datasketch's Redis storage, which it defines only when redis
      imports; our Redis storage is ``dedup.redis_index``, which imports redis itself. Unless redis is
      loaded already (bench_dedup loads it first, to compare with datasketch's Redis storage),
      datasketch is imported as if redis were not installed; ``import redis`` works as usual afterwards."""
    if "datasketch" in sys.modules or "scipy.integrate" in sys.modules:
        return
    stand_in = types.ModuleType("scipy.integrate")
    stand_in.quad = _quad_on_first_use
    blocked = {"scipy.integrate": stand_in}
    if "redis" not in sys.modules:
        blocked["redis"] = None  # "import redis" raises ImportError
    sys.modules.update(blocked)
    try:
        import datasketch  # noqa: F401
    finally:
        for name, module in blocked.items():
            if name in sys.modules and sys.modules[name] is module:
                del sys.modules[name]


_import_datasketch_lean()
from datasketch import MinHashLSH  # noqa: E402
from datasketch.storage import OrderedStorage, UnorderedStorage  # noqa: E402

_MASK = (1 << 64) - 1
_ROW_MULT = 0xD6E8FEB86659FD93
_MIX1, _MIX2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
# MinHashLSH._H passes a slice's bytes byte-swapped (big-endian on little-endian machines)
_SWAPPED = ">" if sys.byteorder == "little" else "<"
_STRUCTS: dict[int, struct.Struct] = {}
APPEND_ONLY = "the dedup index is append-only: kept articles are never removed from it"


def bucket_key(data: bytes) -> int:
    """``MinHashLSH`` hashfunc: the bytes of one band slice (uint32 values, byte-swapped) -> 64 bits."""
    unpack = _STRUCTS.get(len(data))
    if unpack is None:
        unpack = _STRUCTS.setdefault(len(data), struct.Struct(f"{_SWAPPED}{len(data) // 4}I"))
    values = unpack.unpack(data)
    acc = values[0]
    for v in values[1:]:
        acc = ((acc * _ROW_MULT) & _MASK) ^ v
    acc ^= acc >> 30
    acc = (acc * _MIX1) & _MASK
    acc ^= acc >> 27
    acc = (acc * _MIX2) & _MASK
    return acc ^ (acc >> 31)


@lru_cache(maxsize=16)
def band_salts(bands: int) -> np.ndarray:
    """uint64 salt of each band, xored into its bucket keys (read-only)."""
    salts = mix64(np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    salts.setflags(write=False)
    return salts


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Salted bucket keys as ``MinHashLSH`` with ``bucket_key`` makes them, in one compiled loop
    (``dedup._kernels.band_keys``): uint64, shape (N, bands) for (N, P) uint32 signatures or
    (bands,) for one signature."""
    single = signatures.ndim == 1
    keys = _band_keys(
        np.ascontiguousarray(np.atleast_2d(signatures), np.uint32), bands, rows, _ROW_MULT, band_salts(bands)
    )
    return keys[0] if single else keys


class Sketch:
    """What ``MinHashLSH`` reads of a MinHash: ``hashvalues``, ``len()`` and ``scheme``.

    Signatures come from ``dedup.minhash`` (multiply-shift hashing, uint32 values), not from
    datasketch's MinHash, so they carry a scheme name of their own: datasketch refuses to mix
    them with its MinHashes in one index.
    """

    __slots__ = ("hashvalues",)
    scheme = "deepseek-news-multiply-shift-32"

    def __init__(self, signature: np.ndarray):
        self.hashvalues = signature

    def __len__(self) -> int:
        return len(self.hashvalues)


class SharedBuckets:
    """Buffers shared by the band storages of one LSH; ``store`` holds the buckets of all bands
    and answers ``get_many(keys) -> [[doc, ...], ...]`` and ``append_many(keys, docs)``."""

    def __init__(self, store):
        self.store = store
        self._inserts: list[tuple[int, int]] = []  # (bucket key, doc)
        self._selects: list[tuple[int, int]] = []  # (band, bucket key)
        self._selected: dict[int, list[list[int]]] = {}

    def insert(self, key: int, doc: int, buffer: bool) -> None:
        if buffer:
            self._inserts.append((key, doc))
        else:
            self.store.append_many([key], [doc])

    def flush(self) -> None:
        if self._inserts:
            keys, docs = zip(*self._inserts)
            self._inserts = []
            self.store.append_many(list(keys), list(docs))

    def select(self, band: int, salt: int, keys: list[int]) -> None:
        for key in keys:
            self._selects.append((band, key ^ salt))

    def collect(self, band: int) -> list[list[int]]:
        """Results of ``band``'s buffered selects; the first call looks up every band's."""
        if self._selects:
            selects, self._selects = self._selects, []
            for (b, _), docs in zip(selects, self.store.get_many([key for _, key in selects])):
                self._selected.setdefault(b, []).append(docs)
        return self._selected.pop(band, [])


class BandStorage(UnorderedStorage):
    """One band's buckets for ``MinHashLSH.hashtables``: salted keys into the shared buckets."""

    def __init__(self, band: int, salt: int, shared: SharedBuckets):
        self.band, self.salt, self.shared = band, salt, shared

    def get(self, key):
        return self.shared.store.get_many([key ^ self.salt])[0]

    def insert(self, key, *vals, buffer=False, **kwargs):
        for doc in vals:
            self.shared.insert(key ^ self.salt, doc, buffer)

    def empty_buffer(self):
        self.shared.flush()

    def add_to_select_buffer(self, keys):
        self.shared.select(self.band, self.salt, keys)

    def collect_select_buffer(self):
        return self.shared.collect(self.band)

    def has_key(self, key):
        return bool(self.get(key))

    def size(self):
        return self.shared.store.size()

    def keys(self):
        raise NotImplementedError("band storages cannot list their buckets")

    def itemcounts(self, **kwargs):
        raise NotImplementedError("band storages cannot list their buckets")

    def remove(self, *keys, **kwargs):
        raise NotImplementedError(APPEND_ONLY)

    def remove_val(self, key, val, **kwargs):
        raise NotImplementedError(APPEND_ONLY)


class IndexedDocuments(OrderedStorage):
    """``MinHashLSH.keys``: datasketch keeps each key's bucket keys there for ``remove``; this
    index never removes and keeps the signatures itself, so it only answers membership."""

    def __init__(self, contains, count):
        self._contains, self._count = contains, count

    def insert(self, key, *vals, **kwargs):
        pass

    def has_key(self, key):
        return self._contains(key)

    def size(self):
        return self._count()

    def get(self, key):  # only remove() and merge() ask for a document's bucket keys
        raise NotImplementedError(APPEND_ONLY)

    def keys(self):
        raise NotImplementedError("the index lists its documents itself")

    def itemcounts(self, **kwargs):
        raise NotImplementedError("the index lists its documents itself")

    def remove(self, *keys, **kwargs):
        raise NotImplementedError(APPEND_ONLY)

    def remove_val(self, key, val, **kwargs):
        raise NotImplementedError(APPEND_ONLY)


def make_lsh(num_perm: int, bands: int, rows: int, store, contains, count) -> MinHashLSH:
    """A ``MinHashLSH`` with (bands, rows) whose band storages share ``store``."""
    lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows), hashfunc=bucket_key)
    shared = SharedBuckets(store)
    lsh.hashtables = [BandStorage(band, int(salt), shared) for band, salt in enumerate(band_salts(bands))]
    lsh.keys = IndexedDocuments(contains, count)
    # what MinHashLSH remembers from its first insert; insert_lsh does not go through its insert, and
    # this index holds only Sketches, so MinHashes of another scheme are refused from the start
    lsh._minhash_scheme = Sketch.scheme
    return lsh


def bucket_store(lsh: MinHashLSH):
    """The store shared by the band storages of an LSH made by ``make_lsh``."""
    return lsh.hashtables[0].shared.store


def lsh_keys(lsh: MinHashLSH, signature: np.ndarray) -> np.ndarray:
    """The salted bucket keys of ``signature`` in each band of ``lsh`` (uint64, one per band)."""
    if len(signature) != lsh.h:
        raise ValueError(f"Expecting minhash with length {lsh.h}, got {len(signature)}")
    return band_keys(signature, lsh.b, lsh.r)


def insert_lsh(lsh: MinHashLSH, doc: int, signature: np.ndarray) -> None:
    """Index ``doc`` as ``MinHashLSH.insert`` does: all its bands in one write."""
    bucket_store(lsh).append_many(lsh_keys(lsh, signature).tolist(), [doc] * lsh.b)


def query_lsh(lsh: MinHashLSH, signature: np.ndarray) -> list[int]:
    """Documents sharing at least one band with ``signature`` (unique, in the order of
    ``collect_query_buffer``): one lookup for all bands."""
    found = set().union(*bucket_store(lsh).get_many(lsh_keys(lsh, signature).tolist()))
    return list(set.intersection(found))  # the set collect_query_buffer lists
