"""In-memory index of kept articles: signatures, the LSH buckets and anchors in numpy arrays.

The LSH is datasketch's ``MinHashLSH`` (``dedup.lsh``); its buckets live in ``Postings``, where
every (bucket key, document) pair is one uint64 (40 bits of key, 24 of document) in a sorted
array: 8 bytes per band per document, against a Python set per bucket in datasketch's dict
storage (``dedup.lsh`` has the numbers). The uint32 signatures are kept for verification.

New postings go to a small hash table first (``dedup._kernels.Multimap``) and are merged into the
sorted array when it holds a quarter of the sorted part (a stable sort of two sorted runs is a
linear merge), so the amortised insert cost stays constant. A lookup is one ``searchsorted`` over
the query's keys plus hash table lookups.

The same structure indexes anchors (``dedup.anchors``) for cross-language candidates: postings
per anchor, and its document frequency for the rarity weights of ``dedup.crosslingual``.
"""

from __future__ import annotations

import numpy as np

from dedup._kernels import Multimap, postings_lookup
from dedup.crosslingual import structure_keys
from dedup.lsh import band_keys, lsh_keys, make_lsh
from dedup.normalize import unique_sorted


DOC_BITS = 24
MAX_DOCS = 1 << DOC_BITS
_DOC_MASK = np.uint64(MAX_DOCS - 1)
_SHIFT = np.uint64(DOC_BITS)


class Postings:
    """uint64 key -> document numbers.

    Sorted part: one uint64 per posting, the key's top 40 bits above a 24-bit document number, so
    one ``np.sort`` (no argsort, no gathers) builds it and a key's documents are one
    ``searchsorted`` range. Two keys sharing their top 40 bits only add a false candidate, which
    verification removes (probability ~6e-5 per query band at a million documents). Documents are
    numbered below ``MAX_DOCS`` (16.7 million per index). Recent additions wait in a hash table;
    bulk additions (``add_many``) are merged lazily, once, before the next lookup.
    """

    def __init__(self):
        self._sorted = np.empty(0, np.uint64)
        self._bulk: list[np.ndarray] = []
        self._pending = Multimap()  # key's top 40 bits -> its docs
        self._pending_packed: list[np.ndarray] = []
        self._pending_count = 0

    @staticmethod
    def pack(keys: np.ndarray, docs) -> np.ndarray:
        return ((keys >> _SHIFT) << _SHIFT) | np.asarray(docs, np.uint64)

    def add(self, doc: int, keys: np.ndarray) -> None:
        """Postings (key, ``doc``) for each of ``keys``."""
        if not len(keys):
            return
        self._added(self._pending.add_postings(np.ascontiguousarray(keys, np.uint64), doc, DOC_BITS), len(keys))

    def add_pairs(self, keys: np.ndarray, docs: np.ndarray) -> None:
        """Postings (``keys[i]``, ``docs[i]``), found from the next lookup on."""
        if not len(keys):
            return
        self._pending.add_pairs(keys >> _SHIFT, np.asarray(docs, np.int64))
        self._added(self.pack(keys, docs), len(keys))

    def _added(self, packed: np.ndarray, count: int) -> None:
        self._pending_packed.append(packed)
        self._pending_count += count
        if self._pending_count >= max(65536, len(self._sorted) // 4):
            self.flush()

    def add_many(self, keys: np.ndarray, docs: np.ndarray) -> None:
        """Bulk insert of parallel ``keys`` / ``docs`` arrays, merged before the next lookup."""
        self._bulk.append(self.pack(keys, docs))

    def flush(self) -> None:
        """Merge pending and bulk postings into the sorted array."""
        parts = self._bulk + self._pending_packed
        if not parts:
            return
        self._bulk = []
        self._pending, self._pending_packed, self._pending_count = Multimap(), [], 0
        new = np.concatenate(parts)
        new.sort()
        if len(self._sorted):
            merged = np.concatenate([self._sorted, new])
            merged.sort(kind="stable")  # two sorted runs: a linear merge
            self._sorted = merged
        else:
            self._sorted = new

    def size(self) -> int:
        """Number of postings."""
        return len(self._sorted) + self._pending_count + sum(len(p) for p in self._bulk)

    def _ranges(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._bulk:
            self.flush()
        base = (keys >> _SHIFT) << _SHIFT
        lo = np.searchsorted(self._sorted, base, "left")
        hi = np.searchsorted(self._sorted, base | _DOC_MASK, "right")
        return lo, hi

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(documents, index of the query key that found each), duplicates included."""
        if self._bulk:
            self.flush()
        return postings_lookup(self._sorted, np.ascontiguousarray(keys, np.uint64), self._pending, DOC_BITS)

    def counts(self, keys: np.ndarray) -> np.ndarray:
        """How many documents hold each key (document frequency)."""
        lo, hi = self._ranges(keys)
        out = (hi - lo).astype(np.int64)
        if self._pending:
            out += self._pending.counts(keys >> _SHIFT)
        return out

    def nbytes(self) -> int:
        return self._sorted.nbytes + sum(p.nbytes for p in self._bulk)


def _compact(arrays: list[np.ndarray]) -> list[np.ndarray]:
    """The arrays as views into one new array: parsed fingerprints are views into their stored
    bytes, and keeping those alive would cost the whole blob per document."""
    if len(arrays) == 1:
        return [arrays[0].copy()]
    lengths = [len(a) for a in arrays]
    if not sum(lengths):
        return [a[:0] for a in arrays]
    joined = np.concatenate(arrays)
    out, pos = [], 0
    for n in lengths:
        out.append(joined[pos : pos + n])
        pos += n
    return out


class MemoryBuckets:
    """The bucket store of ``dedup.lsh`` in memory: (bucket key, document) ``Postings``."""

    def __init__(self):
        self.postings = Postings()

    def get_many(self, keys: list[int]) -> list[list[int]]:
        docs, at = self.postings.lookup(np.array(keys, np.uint64))
        flat = docs[np.argsort(at, kind="stable")].tolist()  # grouped by key, one list to slice
        ends = np.cumsum(np.bincount(at, minlength=len(keys))).tolist()
        return [flat[start:end] for start, end in zip([0, *ends], ends)]

    def append_many(self, keys: list[int], docs: list[int]) -> None:
        self.postings.add_pairs(np.array(keys, np.uint64), np.array(docs, np.int64))

    def size(self) -> int:
        return self.postings.size()


class Candidates:
    """LSH candidates of one query: their signatures and stem counts, and (looked up lazily) their
    keys and sentence stems (``dedup.align``)."""

    def __init__(self, signatures: np.ndarray, stems: np.ndarray, key_of, sentence_stems_of=None):
        self.signatures, self.stems, self._key_of = signatures, stems, key_of
        self._sentence_stems_of = sentence_stems_of

    def key(self, i: int) -> str:
        return self._key_of(i)

    def sentence_stems(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(sentence stems, stems per sentence) of candidate ``i``."""
        return self._sentence_stems_of(i)


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
        self._buckets = MemoryBuckets()
        self.lsh = make_lsh(
            num_perm,
            bands,
            rows,
            self._buckets,
            contains=lambda doc: 0 <= doc < len(self._keys),
            count=lambda: len(self._keys),
        )
        # cross-language: language, anchors and sentence lengths per document, anchor postings
        self._langs: list[str] = []
        self._anchors: list[np.ndarray] = []
        self._sentences: list[np.ndarray] = []
        # sentence alignment (dedup.align): each document's sentence stems and stems per sentence
        self._sentence_stems: list[np.ndarray] = []
        self._stems_per_sentence: list[np.ndarray] = []
        self._anchor_postings = Postings()
        self._structure = Postings()
        self._last_band_keys: tuple[bytes, np.ndarray] = (b"", np.empty(0, np.uint64))

    def __len__(self) -> int:
        return len(self._keys)

    def claim(self, owner: str, kept: set[str]) -> int:
        """Nothing to forget: this index lives and dies with its process (see ``RedisIndex.claim``)."""
        return 0

    def release(self) -> None:
        pass

    def __contains__(self, key: str) -> bool:
        return key in self._ids

    def rename(self, old: str, new: str, content_hash: bytes = b"") -> bool:
        """Index the article kept under ``old`` under ``new`` instead; False when ``old`` is unknown."""
        doc = self._ids.pop(old, None)
        if doc is None:
            return False
        self._ids[new] = doc
        self._keys[doc] = new
        return True

    # --- writing ---

    def add(self, key: str, fp) -> None:
        """Index one kept article; adding a key already present does nothing."""
        if key in self._ids:
            return
        doc = self._append(
            [key],
            [fp.content_hash],
            fp.signature[None, :],
            [fp.stems],
            [fp.lang],
            [fp.anchors],
            [fp.sentences],
            [fp.sentence_stems],
            [fp.stems_per_sentence],
        )
        self._buckets.postings.add(doc, self._band_keys(fp.signature))
        self._anchor_postings.add(doc, fp.anchors)
        self._structure.add(doc, structure_keys(fp.sentences, self.min_sentences))

    def add_many(self, keys: list[str], cols) -> None:
        """Index many articles at once (start-up rebuild; ``cols`` a FingerprintColumns):
        the LSH's bucket keys of all of them at once (``dedup.lsh.band_keys``) straight into its storage, one
        sort per postings array before the next lookup."""
        seen = set()
        fresh = []
        for i, key in enumerate(keys):
            if key not in self._ids and key not in seen:
                seen.add(key)
                fresh.append(i)
        if not fresh:
            return
        if len(fresh) < len(keys):
            keys, cols = [keys[i] for i in fresh], cols.take(fresh)
        first = self._append(
            keys,
            cols.content_hashes,
            cols.signatures,
            cols.stems,
            cols.langs,
            cols.anchors,
            cols.sentences,
            cols.sentence_stems,
            cols.stems_per_sentence,
        )
        docs = np.arange(first, first + len(keys), dtype=np.int64)
        self._buckets.postings.add_many(
            band_keys(cols.signatures, self.bands, self.rows).ravel(), np.repeat(docs, self.bands)
        )
        structure = [
            structure_keys(s, self.min_sentences) if len(s) >= self.min_sentences else s[:0].astype(np.uint64)
            for s in cols.sentences
        ]
        for postings, per_doc in ((self._anchor_postings, cols.anchors), (self._structure, structure)):
            counts = np.fromiter((len(k) for k in per_doc), np.int64, len(per_doc))
            if counts.sum():
                postings.add_many(np.concatenate(per_doc).astype(np.uint64), np.repeat(docs, counts))

    def flush(self) -> None:
        """Sort everything added so far into the postings arrays (end of a rebuild)."""
        for postings in (self._buckets.postings, self._anchor_postings, self._structure):
            postings.flush()

    def _append(
        self, keys, content_hashes, sigs, stems, langs, anchors, sentences, sentence_stems, stems_per_sentence
    ) -> int:
        first = len(self._keys)
        need = first + len(keys)
        if need > MAX_DOCS:
            raise ValueError(f"dedup index full: at most {MAX_DOCS:,} documents per process")
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
        self._keys.extend(keys)
        self._ids.update(zip(keys, range(first, need)))
        for i, chash in enumerate(content_hashes, first):
            self._exact.setdefault(chash, i)
        self._langs.extend(langs)
        self._anchors.extend(_compact(anchors))
        self._sentences.extend(_compact(sentences))
        self._sentence_stems.extend(_compact(sentence_stems))
        self._stems_per_sentence.extend(_compact(stems_per_sentence))
        return first

    # --- reading ---

    def exact(self, content_hash: bytes) -> str | None:
        doc = self._exact.get(content_hash)
        return None if doc is None else self._keys[doc]

    def candidates(self, sig: np.ndarray) -> np.ndarray:
        """Document numbers sharing at least one band with ``sig`` (unique)."""
        docs, _ = self._buckets.postings.lookup(self._band_keys(sig))  # dedup.lsh.query_lsh, sorted
        return unique_sorted(docs)

    def _band_keys(self, sig: np.ndarray) -> np.ndarray:
        """``lsh_keys`` of ``sig``; the last ones are kept, since an article that is not a copy is
        added right after its query."""
        data = sig.tobytes()
        if self._last_band_keys[0] != data:
            self._last_band_keys = (data, lsh_keys(self.lsh, sig))
        return self._last_band_keys[1]

    def lookup(self, sig: np.ndarray) -> Candidates:
        docs = self.candidates(sig)
        return Candidates(
            self._sigs[docs],
            self._stems[docs],
            lambda i: self._keys[docs[i]],
            lambda i: (self._sentence_stems[docs[i]], self._stems_per_sentence[docs[i]]),
        )

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
            df = self._anchor_postings.counts(fp.anchors)
            idf = np.log(max(len(self._keys), 1000) / (df + 1))
            # anchors in many documents ("DeepSeek" in a DeepSeek corpus) weigh little and would
            # make every document a candidate: they only add their weight to the candidates found
            rare = df <= max(1000, len(self._keys) // 100)
            docs, at = self._anchor_postings.lookup(fp.anchors[rare])
            if len(docs):
                cands, inverse = np.unique(docs, return_inverse=True)
                weight = np.bincount(inverse, weights=idf[rare][at])
                other_lang = np.array([bool(self._langs[d]) and self._langs[d] != fp.lang for d in cands.tolist()])
                order = np.flatnonzero(other_lang)
                order = order[np.argsort(-weight[order], kind="stable")[:limit]]
                common, common_idf = fp.anchors[~rare], idf[~rare]
                own_mass = idf.sum()
                for i in order.tolist():
                    d = int(cands[i])
                    other = self._anchors[d]
                    w = float(weight[i])
                    if len(common):
                        w += float(common_idf[np.isin(common, other, assume_unique=True)].sum())
                    other_mass = self.anchor_idf(other, extra=0).sum() if len(other) else 0.0
                    out.append((d, w, w / max(min(own_mass, other_mass), 1e-9)))
                    seen.add(d)
                out.sort(key=lambda c: -c[1])
        skeys = structure_keys(fp.sentences, self.min_sentences)
        if len(skeys):
            docs, _ = self._structure.lookup(skeys)
            extra = [
                d for d in np.unique(docs).tolist() if d not in seen and self._langs[d] and self._langs[d] != fp.lang
            ]
            out.extend((d, 0.0, 0.0) for d in extra[:limit])
        return out

    def sentences(self, doc: int) -> np.ndarray:
        return self._sentences[doc]

    def key(self, doc: int) -> str:
        return self._keys[doc]

    def memory_bytes(self) -> int:
        """Bytes held by the numpy arrays (keys and dicts not counted)."""
        return (
            self._sigs[: len(self)].nbytes
            + self._stems[: len(self)].nbytes
            + self._buckets.postings.nbytes()
            + self._anchor_postings.nbytes()
            + self._structure.nbytes()
            + sum(a.nbytes for a in self._anchors)
            + sum(s.nbytes for s in self._sentences)
            + sum(s.nbytes for s in self._sentence_stems)
            + sum(s.nbytes for s in self._stems_per_sentence)
        )
