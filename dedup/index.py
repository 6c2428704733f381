"""In-memory LSH index of kept articles: band keys in one sorted numpy array.

Why not ``datasketch.MinHashLSH``'s dict storage: translations need a low threshold, hence many
bands (42 x 3), and datasketch keeps one Python set per band bucket: measured 1.4 GB and 96 us per
insert for 100,000 documents, i.e. ~14 GB and ~100 s to rebuild a million. Here every band key of
every document is one uint64 in a sorted array beside an int32 document number (12 bytes per band,
~0.5 GB per million documents at 42 bands) plus the uint32 signatures kept for verification
(0.5 GB per million at 128 permutations).

New documents go to a small dict first and are merged into the sorted arrays when the dict holds
a quarter of the sorted part (a stable sort of two sorted runs is a linear merge), so the amortised
insert cost stays constant. A query is one ``searchsorted`` over the document's band keys plus the
dict lookups; candidates come back with their signatures for verification.
"""
from __future__ import annotations

import numpy as np

from dedup.minhash import band_keys


class Candidates:
    """LSH candidates of one query: their signatures, stem counts and keys (looked up lazily)."""

    def __init__(self, signatures: np.ndarray, stems: np.ndarray, key_of):
        self.signatures, self.stems, self._key_of = signatures, stems, key_of

    def key(self, i: int) -> str:
        return self._key_of(i)


class MemoryIndex:
    """Keys, signatures and band keys of the kept articles of this process."""

    def __init__(self, num_perm: int, bands: int, rows: int):
        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self._keys: list[str] = []
        self._ids: dict[str, int] = {}
        self._sigs = np.empty((1024, num_perm), np.uint32)
        self._stems = np.empty(1024, np.int32)
        self._exact: dict[bytes, int] = {}
        self._sorted_keys = np.empty(0, np.uint64)
        self._sorted_ids = np.empty(0, np.int32)
        self._sorted_docs = 0
        self._pending: dict[int, int | list[int]] = {}  # band key -> doc (or docs on a collision)
        self._pending_keys: list[np.ndarray] = []
        self._pending_ids: list[int] = []

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: str) -> bool:
        return key in self._ids

    # --- writing ---

    def add(self, key: str, content_hash: bytes, sig: np.ndarray, stems: int) -> None:
        """Index one kept article; adding a key already present does nothing."""
        if key in self._ids:
            return
        doc = self._append(key, content_hash, sig[None, :], np.array([stems]))
        keys = band_keys(sig, self.bands, self.rows)
        key_list = keys.tolist()
        if self._pending.keys().isdisjoint(key_list):
            self._pending.update(dict.fromkeys(key_list, doc))
        else:  # another pending document shares a band: keep both
            for k in key_list:
                old = self._pending.get(k)
                if old is None:
                    self._pending[k] = doc
                elif isinstance(old, list):
                    old.append(doc)
                else:
                    self._pending[k] = [old, doc]
        self._pending_keys.append(keys)
        self._pending_ids.append(doc)
        if len(self._pending_ids) >= max(1024, self._sorted_docs // 4):
            self._merge_pending()

    def add_many(self, keys: list[str], content_hashes: list[bytes], sigs: np.ndarray,
                 stems: np.ndarray) -> None:
        """Index many articles at once (start-up rebuild): vectorised band keys, one merge."""
        fresh = []
        seen = set()
        for i, k in enumerate(keys):
            if k not in self._ids and k not in seen:
                seen.add(k)
                fresh.append(i)
        if not fresh:
            return
        if len(fresh) < len(keys):
            idx = np.array(fresh)
            keys = [keys[i] for i in fresh]
            content_hashes = [content_hashes[i] for i in fresh]
            sigs, stems = sigs[idx], stems[idx]
        self._merge_pending()
        first = self._append_many(keys, content_hashes, sigs, stems)
        bk = band_keys(sigs, self.bands, self.rows).ravel()
        docs = np.repeat(np.arange(first, first + len(keys), dtype=np.int32), self.bands)
        self._merge_sorted(bk, docs, len(keys))

    def _append(self, key, content_hash, sigs, stems) -> int:
        return self._append_many([key], [content_hash], sigs, stems)

    def _append_many(self, keys, content_hashes, sigs, stems) -> int:
        first = len(self._keys)
        need = first + len(keys)
        if need > len(self._sigs):
            cap = max(need, 2 * len(self._sigs))
            grown = np.empty((cap, self.num_perm), np.uint32)
            grown[:first] = self._sigs[:first]
            self._sigs = grown
            grown_stems = np.empty(cap, np.int32)
            grown_stems[:first] = self._stems[:first]
            self._stems = grown_stems
        self._sigs[first:need] = sigs
        self._stems[first:need] = stems
        for i, (key, chash) in enumerate(zip(keys, content_hashes)):
            self._keys.append(key)
            self._ids[key] = first + i
            self._exact.setdefault(chash, first + i)
        return first

    def _merge_pending(self) -> None:
        if not self._pending_ids:
            return
        bk = np.concatenate(self._pending_keys)
        docs = np.repeat(np.array(self._pending_ids, np.int32), self.bands)
        n = len(self._pending_ids)
        self._pending, self._pending_keys, self._pending_ids = {}, [], []
        self._merge_sorted(bk, docs, n)

    def _merge_sorted(self, bk: np.ndarray, docs: np.ndarray, n_docs: int) -> None:
        order = np.argsort(bk, kind='stable')
        bk, docs = bk[order], docs[order]
        if len(self._sorted_keys):
            bk = np.concatenate([self._sorted_keys, bk])
            docs = np.concatenate([self._sorted_ids, docs])
            order = np.argsort(bk, kind='stable')  # two sorted runs: timsort merges them linearly
            bk, docs = bk[order], docs[order]
        self._sorted_keys, self._sorted_ids = bk, docs
        self._sorted_docs += n_docs

    # --- reading ---

    def exact(self, content_hash: bytes) -> str | None:
        doc = self._exact.get(content_hash)
        return None if doc is None else self._keys[doc]

    def candidates(self, sig: np.ndarray) -> np.ndarray:
        """Document numbers sharing at least one band with ``sig`` (unique, int64)."""
        qk = band_keys(sig, self.bands, self.rows)
        found = []
        if len(self._sorted_keys):
            lo = np.searchsorted(self._sorted_keys, qk, 'left')
            hi = np.searchsorted(self._sorted_keys, qk, 'right')
            for a, b in zip(lo.tolist(), hi.tolist()):
                if b > a:
                    found.append(self._sorted_ids[a:b])
        if self._pending:
            pending = self._pending
            hits = []
            for k in qk.tolist():
                doc = pending.get(k)
                if doc is not None:
                    hits.extend(doc) if isinstance(doc, list) else hits.append(doc)
            if hits:
                found.append(np.array(hits, np.int32))
        if not found:
            return np.empty(0, np.int64)
        return np.unique(np.concatenate(found)).astype(np.int64)

    def lookup(self, sig: np.ndarray) -> Candidates:
        docs = self.candidates(sig)
        return Candidates(self._sigs[docs], self._stems[docs], lambda i: self._keys[docs[i]])

    def memory_bytes(self) -> int:
        """Bytes held by the numpy arrays (keys and dicts not counted)."""
        return (self._sigs[:len(self)].nbytes + self._stems[:len(self)].nbytes
                + self._sorted_keys.nbytes + self._sorted_ids.nbytes)
