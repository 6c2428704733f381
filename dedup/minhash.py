"""MinHash signatures.

A signature value is ``min over stems x of ((a_i * x + b_i) mod 2**64) >> 32`` for ``num_perm``
random odd multipliers ``a_i`` and offsets ``b_i`` (multiply-shift hashing on 64-bit stem hashes,
a 2-universal family), stored as uint32. The loop is compiled (``dedup._kernels.minhash``), many
times faster than datasketch's ``update_batch`` (bench_dedup.py).
The estimated Jaccard of two documents is the share of equal signature values, as in datasketch.

The LSH over these signatures is datasketch's ``MinHashLSH`` (``dedup.lsh``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from dedup._kernels import equal_shares, minhash


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(multipliers, offsets) of the hash family as uint64 arrays, deterministic for (num_perm, seed)."""
    rng = np.random.RandomState(seed)
    mult = rng.randint(1, 2**63 - 1, num_perm, dtype=np.uint64) | np.uint64(1)
    add = rng.randint(0, 2**63 - 1, num_perm, dtype=np.uint64)
    mult.setflags(write=False)
    add.setflags(write=False)
    return mult, add


def signature(stem_hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """uint32[num_perm] MinHash signature of a set of 64-bit stem hashes (all-ones when empty)."""
    mult, add = permutations(num_perm, seed)
    return minhash(np.ascontiguousarray(stem_hashes, np.uint64), mult, add)


def estimated_jaccard(sig: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Share of equal values between ``sig`` (P,) and each row of ``others`` (N, P)."""
    return equal_shares(np.ascontiguousarray(sig, np.uint32), np.ascontiguousarray(others, np.uint32))
