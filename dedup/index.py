"""In-memory index of kept articles: LSH band keys and anchors in sorted numpy arrays.

Why not ``datasketch.MinHashLSH``'s dict storage: translations need a low threshold, hence many
bands (64 x 3), and datasketch keeps one Python set per band bucket: measured 1.4 GB and 96 us
per insert for 100,000 documents at 42 bands, i.e. >14 GB and minutes to rebuild a million.
Here (``Postings``) every (key, document) pair is one uint64 in a sorted array beside an int32
document number, 12 bytes per band per document, plus the uint32 signatures kept for
verification.

New postings go to a small dict first and are merged into the sorted arrays when the dict holds
a quarter of the sorted part (a stable sort of two sorted runs is a linear merge), so the amortised
insert cost stays constant. A lookup is one ``searchsorted`` over the query's keys plus dict
lookups.

The same structure indexes anchors (``dedup.anchors``) for cross-language candidates: postings
per anchor, and its document frequency for the rarity weights of ``dedup.crosslingual``.
"""
from __future__ import annotations

import numpy as np

from dedup.crosslingual import structure_keys
from dedup.minhash import band_keys


class Postings:
    """uint64 key -> document numbers, sorted arrays plus a dict of recent additions."""

    def __init__(self):
        self._keys = np.empty(0, np.uint64)
        self._docs = np.empty(0, np.int32)
        self._sorted_docs = 0
        self._pending: dict[int, int | list[int]] = {}  # key -> doc, or docs when several
        self._pending_keys: list[np.ndarray] = []
        self._pending_docs: list[np.ndarray] = []
        self._pending_count = 0

    def add(self, doc: int, keys: np.ndarray) -> None:
        if not len(keys):
            return
        key_list = keys.tolist()
        pending = self._pending
        if pending.keys().isdisjoint(key_list):
            pending.update(dict.fromkeys(key_list, doc))
        else:
            for k in key_list:
                old = pending.get(k)
                if old is None:
                    pending[k] = doc
                elif isinstance(old, list):
                    old.append(doc)
                else:
                    pending[k] = [old, doc]
        self._pending_keys.append(keys)
        self._pending_docs.append(np.full(len(keys), doc, np.int32))
        self._pending_count += 1
        if self._pending_count >= max(1024, self._sorted_docs // 4):
            self.flush()

    def add_many(self, keys: np.ndarray, docs: np.ndarray, n_docs: int) -> None:
        """Bulk insert of parallel ``keys`` / ``docs`` arrays (one merge)."""
        self.flush()
        self._merge(keys, docs, n_docs)

    def flush(self) -> None:
        if not self._pending_count:
            return
        keys = np.concatenate(self._pending_keys)
        docs = np.concatenate(self._pending_docs)
        n = self._pending_count
        self._pending, self._pending_keys, self._pending_docs, self._pending_count = {}, [], [], 0
        self._merge(keys, docs, n)

    def _merge(self, keys: np.ndarray, docs: np.ndarray, n_docs: int) -> None:
        order = np.argsort(keys, kind='stable')
        keys, docs = keys[order], docs[order]
        if len(self._keys):
            keys = np.concatenate([self._keys, keys])
            docs = np.concatenate([self._docs, docs])
            order = np.argsort(keys, kind='stable')  # two sorted runs: timsort merges them linearly
            keys, docs = keys[order], docs[order]
        self._keys, self._docs = keys, docs
        self._sorted_docs += n_docs

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(documents, index of the query key that found each), duplicates included."""
        found_docs, found_at = [], []
        if len(self._keys):
            lo = np.searchsorted(self._keys, keys, 'left')
            hi = np.searchsorted(self._keys, keys, 'right')
            for q, (a, b) in enumerate(zip(lo.tolist(), hi.tolist())):
                if b > a:
                    found_docs.append(self._docs[a:b])
                    found_at.append(np.full(b - a, q, np.int32))
        if self._pending:
            pending = self._pending
            docs, at = [], []
            for q, k in enumerate(keys.tolist()):
                hit = pending.get(k)
                if hit is None:
                    continue
                if isinstance(hit, list):
                    docs.extend(hit)
                    at.extend([q] * len(hit))
                else:
                    docs.append(hit)
                    at.append(q)
            if docs:
                found_docs.append(np.array(docs, np.int32))
                found_at.append(np.array(at, np.int32))
        if not found_docs:
            return np.empty(0, np.int32), np.empty(0, np.int32)
        return np.concatenate(found_docs), np.concatenate(found_at)

    def counts(self, keys: np.ndarray) -> np.ndarray:
        """How many documents hold each key (document frequency)."""
        out = np.zeros(len(keys), np.int64)
        if len(self._keys):
            out += np.searchsorted(self._keys, keys, 'right') - np.searchsorted(self._keys, keys, 'left')
        if self._pending:
            for q, k in enumerate(keys.tolist()):
                hit = self._pending.get(k)
                if hit is not None:
                    out[q] += len(hit) if isinstance(hit, list) else 1
        return out

    def nbytes(self) -> int:
        return self._keys.nbytes + self._docs.nbytes


class Candidates:
    """LSH candidates of one query: their signatures, stem counts and keys (looked up lazily)."""

    def __init__(self, signatures: np.ndarray, stems: np.ndarray, key_of):
        self.signatures, self.stems, self._key_of = signatures, stems, key_of

    def key(self, i: int) -> str:
        return self._key_of(i)


class MemoryIndex:
    """Keys, signatures, band keys and cross-language data of the kept articles of this process."""

    def __init__(self, num_perm: int, bands: int, rows: int, min_sentences: int = 8):
        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self.min_sentences = min_sentences
        self._keys: list[str] = []
        self._ids: dict[str, int] = {}
        self._sigs = np.empty((1024, num_perm), np.uint32)
        self._stems = np.empty(1024, np.int32)
        self._exact: dict[bytes, int] = {}
        self._bands = Postings()
        # cross-language: language, anchors and sentence lengths per document, anchor postings
        self._langs: list[str] = []
        self._anchors: list[np.ndarray] = []
        self._sentences: list[np.ndarray] = []
        self._anchor_postings = Postings()
        self._structure = Postings()

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: str) -> bool:
        return key in self._ids

    # --- writing ---

    def add(self, key: str, fp) -> None:
        """Index one kept article; adding a key already present does nothing."""
        if key in self._ids:
            return
        doc = self._append([key], [fp])
        self._bands.add(doc, band_keys(fp.signature, self.bands, self.rows))
        self._anchor_postings.add(doc, fp.anchors)
        self._structure.add(doc, structure_keys(fp.sentences, self.min_sentences))

    def add_many(self, keys: list[str], fps: list) -> None:
        """Index many articles at once (start-up rebuild): vectorised band keys, one merge."""
        seen = set()
        fresh = []
        for key, fp in zip(keys, fps):
            if key not in self._ids and key not in seen:
                seen.add(key)
                fresh.append((key, fp))
        if not fresh:
            return
        keys, fps = [k for k, _ in fresh], [fp for _, fp in fresh]
        first = self._append(keys, fps)
        docs = np.arange(first, first + len(keys), dtype=np.int32)
        sigs = self._sigs[first:first + len(keys)]
        self._bands.add_many(band_keys(sigs, self.bands, self.rows).ravel(),
                             np.repeat(docs, self.bands), len(keys))
        for postings, per_doc in ((self._anchor_postings, [fp.anchors for fp in fps]),
                                  (self._structure, [structure_keys(fp.sentences, self.min_sentences)
                                                     for fp in fps])):
            counts = np.array([len(k) for k in per_doc])
            if counts.sum():
                postings.add_many(np.concatenate(per_doc), np.repeat(docs, counts), len(keys))

    def _append(self, keys: list[str], fps: list) -> int:
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
        if len(keys) == 1:
            self._sigs[first] = fps[0].signature
            self._stems[first] = fps[0].stems
        else:
            self._sigs[first:need] = np.stack([fp.signature for fp in fps])
            self._stems[first:need] = [fp.stems for fp in fps]
        for i, (key, fp) in enumerate(zip(keys, fps)):
            self._keys.append(key)
            self._ids[key] = first + i
            self._exact.setdefault(fp.content_hash, first + i)
            self._langs.append(fp.lang)
            self._anchors.append(fp.anchors)
            self._sentences.append(fp.sentences)
        return first

    # --- reading ---

    def exact(self, content_hash: bytes) -> str | None:
        doc = self._exact.get(content_hash)
        return None if doc is None else self._keys[doc]

    def candidates(self, sig: np.ndarray) -> np.ndarray:
        """Document numbers sharing at least one band with ``sig`` (unique)."""
        docs, _ = self._bands.lookup(band_keys(sig, self.bands, self.rows))
        return np.unique(docs)

    def lookup(self, sig: np.ndarray) -> Candidates:
        docs = self.candidates(sig)
        return Candidates(self._sigs[docs], self._stems[docs], lambda i: self._keys[docs[i]])

    def anchor_idf(self, anchors: np.ndarray, extra: int = 1) -> np.ndarray:
        """Rarity weight of each anchor: ln(max(N, 1000) / df), df counting ``extra`` more docs."""
        n = max(len(self._keys), 1000)
        df = self._anchor_postings.counts(anchors) + extra
        return np.log(n / df)

    def translation_candidates(self, fp, limit: int):
        """Up to ``limit`` (doc, shared anchor weight, share) of other-language articles sharing
        anchors with ``fp`` (most weight first), then up to ``limit`` sharing a structure key
        and no anchor (weight and share 0)."""
        if not fp.lang:
            return []
        out = []
        seen = set()
        if len(fp.anchors):
            docs, at = self._anchor_postings.lookup(fp.anchors)
            if len(docs):
                idf = self.anchor_idf(fp.anchors)
                weight = np.bincount(docs, weights=idf[at], minlength=len(self._keys))
                hit = [d for d in np.flatnonzero(weight).tolist() if self._langs[d] and self._langs[d] != fp.lang]
                hit = sorted(hit, key=lambda d: -weight[d])[:limit]
                own_mass = idf.sum()
                for d in hit:
                    other = self._anchors[d]
                    other_mass = self.anchor_idf(other, extra=0).sum() if len(other) else 0.0
                    share = weight[d] / max(min(own_mass, other_mass), 1e-9)
                    out.append((d, float(weight[d]), float(share)))
                    seen.add(d)
        skeys = structure_keys(fp.sentences, self.min_sentences)
        if len(skeys):
            docs, _ = self._structure.lookup(skeys)
            extra = [d for d in np.unique(docs).tolist()
                     if d not in seen and self._langs[d] and self._langs[d] != fp.lang]
            out.extend((d, 0.0, 0.0) for d in extra[:limit])
        return out

    def sentences(self, doc: int) -> np.ndarray:
        return self._sentences[doc]

    def key(self, doc: int) -> str:
        return self._keys[doc]

    def memory_bytes(self) -> int:
        """Bytes held by the numpy arrays (keys and dicts not counted)."""
        return (self._sigs[:len(self)].nbytes + self._stems[:len(self)].nbytes
                + self._bands.nbytes() + self._anchor_postings.nbytes() + self._structure.nbytes()
                + sum(a.nbytes for a in self._anchors) + sum(s.nbytes for s in self._sentences))
