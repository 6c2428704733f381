"""The LSH index is datasketch's MinHashLSH: its banding, our compact bucket storage, and a bulk
rebuild that writes the very keys MinHashLSH would."""

import dataclasses

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from dedup import DedupConfig, Deduplicator
from dedup.fingerprint import FingerprintColumns
from dedup.index import MemoryIndex
from dedup.lsh import Sketch, band_keys, query_lsh
from tests.test_dedup_stories import NV_DE_A, R1_DE_A, R1_DE_B, V3_DE

BANDS, ROWS, PERM = 64, 3, 192


def random_signatures(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**32, (n, PERM), dtype=np.uint64).astype(np.uint32)


def test_the_index_is_a_datasketch_minhash_lsh_with_the_configured_bands():
    lsh = Deduplicator().index.lsh
    assert isinstance(lsh, MinHashLSH)
    assert (lsh.b, lsh.r, lsh.h) == (*DedupConfig().lsh_params(), DedupConfig().num_perm)


def test_bulk_keys_are_the_keys_minhash_lsh_computes():
    index = MemoryIndex(PERM, BANDS, ROWS)
    for sig in random_signatures(20):
        by_datasketch = [
            index.lsh._H(sig[start:end]) ^ table.salt
            for (start, end), table in zip(index.lsh.hashranges, index.lsh.hashtables)
        ]
        assert by_datasketch == band_keys(sig, BANDS, ROWS).tolist()


def test_query_finds_the_same_documents_however_they_were_indexed():
    sigs = random_signatures(300, seed=1)
    sigs[100:200, :ROWS] = sigs[0, :ROWS]  # 100 documents share their first band with document 0
    one_by_one, bulk = MemoryIndex(PERM, BANDS, ROWS), MemoryIndex(PERM, BANDS, ROWS)
    for i, sig in enumerate(sigs):
        one_by_one.add(f"k{i}", fingerprint_with(sig))
    bulk.add_many([f"k{i}" for i in range(len(sigs))], FingerprintColumns.of([fingerprint_with(s) for s in sigs]))
    for sig in (sigs[0], sigs[150], sigs[299], random_signatures(1, seed=9)[0]):
        plain = sorted(one_by_one.lsh.query(Sketch(sig)))  # datasketch's query, band by band
        assert plain == sorted(query_lsh(one_by_one.lsh, sig)) == sorted(query_lsh(bulk.lsh, sig))
    assert sorted(query_lsh(bulk.lsh, sigs[0])) == [0, *range(100, 200)]


def fingerprint_with(sig: np.ndarray):
    return dataclasses.replace(
        Deduplicator().fingerprint(R1_DE_A, "de"), signature=sig, content_hash=sig.tobytes()[:16]
    )


def test_minhashes_of_another_scheme_are_refused():
    index = MemoryIndex(PERM, BANDS, ROWS)
    index.add("k", fingerprint_with(random_signatures(1)[0]))
    with pytest.raises(ValueError, match="scheme"):
        index.lsh.query(MinHash(num_perm=PERM))


def test_the_index_is_append_only():
    index = MemoryIndex(PERM, BANDS, ROWS)
    index.add("k", fingerprint_with(random_signatures(1)[0]))
    with pytest.raises(NotImplementedError, match="append-only"):
        index.lsh.remove(0)


def test_rebuilt_and_incremental_indexes_agree_on_real_articles():
    dedup = Deduplicator()
    rows = [(key, dedup.fingerprint(text, "de").to_bytes()) for key, text in (("r1", R1_DE_A), ("nv", NV_DE_A))]
    rebuilt, incremental = Deduplicator(), Deduplicator()
    rebuilt.load(rows)
    for key, text in (("r1", R1_DE_A), ("nv", NV_DE_A)):
        incremental.add(key, incremental.fingerprint(text, "de"))
    for text in (R1_DE_B, V3_DE):
        fp = dedup.fingerprint(text, "de")
        assert rebuilt.find(fp) == incremental.find(fp)
    assert rebuilt.find(dedup.fingerprint(R1_DE_B, "de")).key == "r1"
