"""Plain numpy and Python versions of the steps ``dedup._kernels`` compiles: the definitions those
kernels must agree with (``tests/test_dedup_kernels.py``). They are what the package ran before
the kernels, kept here as test oracles only."""

import numpy as np

from dedup.align import Sentences
from dedup.minhash import permutations


def signature(stem_hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """uint32[num_perm] MinHash signature of a set of 64-bit stem hashes (all-ones when empty)."""
    if len(stem_hashes) == 0:
        return np.full(num_perm, 0xFFFFFFFF, np.uint32)
    mult, add = (p[:, None] for p in permutations(num_perm, seed))
    values = mult * stem_hashes[None, :]  # (num_perm, stems); array arithmetic wraps modulo 2**64
    values += add
    # min along the contiguous axis, then the shift (monotone, so it commutes with min)
    return (values.min(axis=1) >> np.uint64(32)).astype(np.uint32)


def sentence_table(a: Sentences) -> tuple[np.ndarray, np.ndarray]:
    """For every 16-bit stem: where it starts in ``a.hashes`` and how many sentences hold it."""
    hashes = a.hashes.astype(np.int64)
    starts = np.flatnonzero(np.concatenate(([True], hashes[1:] != hashes[:-1]))) if len(hashes) else hashes
    first, many = np.zeros(1 << 16, np.int32), np.zeros(1 << 16, np.int32)
    first[hashes[starts]] = starts
    many[hashes[starts]] = np.diff(np.append(starts, len(hashes)))
    return first, many


_SMALL_CELLS = 1 << 16  # up to this many sentence pairs, a pair's number fits 16 bits


def reaches(
    a: Sentences, others: list[tuple[np.ndarray, np.ndarray]], tau: float, small_cells: int = _SMALL_CELLS
) -> tuple[np.ndarray, np.ndarray]:
    """``Alignment(a, Sentences(*other)).reach(tau)`` for each ``(sentence stems, stems per sentence)``
    in ``others``, as two arrays (A's shares, the others' shares), equal to what ``reach`` gives.

    One pass for all of them, so what a query costs hardly grows with its candidates (``Alignment``
    pays a dozen numpy calls for each): their stems are looked up as they are stored (sentence after
    sentence, no ``Sentences`` built) in a table of A's 16-bit stems, and the stems each of their
    sentences shares with each of A's are counted by one sort."""
    k = len(others)
    zero = np.zeros(k)
    if not k or not a.total:
        return zero, zero.copy()
    counts = np.concatenate([per_sentence for _, per_sentence in others]).astype(np.int64)
    stems = np.concatenate([stems for stems, _ in others])
    sentences_of = np.array([len(per_sentence) for _, per_sentence in others], np.int64)
    owner = np.repeat(np.arange(k), sentences_of)  # the candidate of each of their sentences
    totals = np.bincount(owner, weights=counts, minlength=k)
    low, hits = sentence_table(a)
    hits = hits[stems]  # how many of A's sentences hold each of their stems
    found = np.flatnonzero(hits)  # a third of them, typically
    if not len(found):
        return zero, zero.copy()
    hits, low = hits[found], low[stems[found]]  # and where in A's sorted stems those sentences are
    total = int(hits.sum())
    width, height = len(a.weights), len(counts)
    theirs = np.repeat(np.repeat(np.arange(height), counts)[found], hits)  # their sentence of each shared stem
    mine = a.sentences[np.repeat(low - np.cumsum(hits, dtype=np.int64) + hits, hits) + np.arange(total)]
    bits = max(width - 1, 1).bit_length()
    cells = (theirs << bits) | mine  # each sentence pair once per stem the two share
    if height << bits <= small_cells:
        cells = cells.astype(np.uint16)  # sorted by radix: several times faster
    cells.sort()
    first = np.flatnonzero(np.concatenate(([True], cells[1:] != cells[:-1])))
    shared = np.diff(np.append(first, len(cells)))
    cells = cells[first].astype(np.int64)
    theirs, mine = cells >> bits, cells & ((1 << bits) - 1)
    match = 2.0 * shared / (a.weights[mine] + counts[theirs]) >= tau  # the Dice of Alignment
    theirs, mine = theirs[match], mine[match]
    rows = np.zeros(k * width)  # 1 for each (candidate, A's sentence) with a partner
    rows[owner[theirs] * width + mine] = 1.0
    reach_a = rows.reshape(k, width) @ a.weights / a.total
    cols = np.zeros(height)  # 1 for each of their sentences with a partner
    cols[theirs] = 1.0
    reach_b = np.bincount(owner, weights=counts * cols, minlength=k) / np.maximum(totals, 1.0)
    return reach_a, reach_b


def heaviest_chain(rows: list[int], cols: list[int], wa: np.ndarray, wb: np.ndarray, width: int) -> tuple[float, float]:
    """Heaviest chain of cells increasing in both row and column (weight ``wa[row] + wb[col]``), by a
    Fenwick tree of prefix maxima over columns; returns the chain's A and B weights. The cells come
    sorted by row; the cells of one row are all looked up before any of them is entered, so that no
    chain takes two of them."""
    wa, wb = wa.tolist(), wb.tolist()
    best = [0.0] * (width + 1)
    owner = [-1] * (width + 1)
    back: list[int] = []
    top, top_cell = 0.0, -1
    pending: list[tuple[int, float, int]] = []
    row_now = -1
    for cell, (r, c) in enumerate(zip(rows, cols)):
        if r != row_now:
            for col, value, entered in pending:
                pos = col + 1
                while pos <= width:
                    if value > best[pos]:
                        best[pos], owner[pos] = value, entered
                    pos += pos & -pos
            pending, row_now = [], r
        value, prev, pos = 0.0, -1, c  # the best chain ending in a column < c
        while pos > 0:
            if best[pos] > value:
                value, prev = best[pos], owner[pos]
            pos -= pos & -pos
        value += wa[r] + wb[c]
        back.append(prev)
        pending.append((c, value, cell))
        if value > top:
            top, top_cell = value, cell
    got_a = got_b = 0.0
    while top_cell >= 0:
        got_a += wa[rows[top_cell]]
        got_b += wb[cols[top_cell]]
        top_cell = back[top_cell]
    return got_a, got_b
