# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Compiled loops of dedup: what costs one Python or numpy call per token, sentence or candidate.

Each function here is the one implementation of its step; the module that owns the step calls it
(``dedup.minhash.signature``, ``dedup.align.reaches`` ...), and its docstring says what it computes.
``tests/dedup_reference.py`` keeps plain numpy and regex versions, and ``tests/test_dedup_kernels.py``
checks that these give the same values on random and real texts.

Indices are checked where they come from the caller (stored fingerprints), so bad input raises
ValueError instead of reading out of bounds; empty input gives empty output.
"""

from libc.stdint cimport int64_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, qsort
from libc.string cimport memset
from cpython.unicode cimport Py_UNICODE_ISSPACE, Py_UNICODE_ISALNUM, Py_UNICODE_ISUPPER, Py_UNICODE_ISALPHA

import numpy as np


# --- MinHash (dedup.minhash) -------------------------------------------------------------------


def minhash(const uint64_t[::1] stems, const uint64_t[::1] mult, const uint64_t[::1] add):
    """uint32 signature: for each i, ``min over x of ((mult[i] * x + add[i]) mod 2**64) >> 32``
    (all-ones for no stems)."""
    cdef Py_ssize_t n = stems.shape[0], perms = mult.shape[0], i, j
    cdef uint64_t x, m0, m1, m2, m3, v0, v1, v2, v3, a0, a1, a2, a3, b0, b1, b2, b3
    if add.shape[0] != perms:
        raise ValueError("multipliers and offsets differ in length")
    out = np.empty(perms, np.uint32)
    cdef uint32_t[::1] sig = out
    i = 0
    while i + 4 <= perms:  # four permutations per pass over the stems: four independent minima
        a0, a1, a2, a3 = mult[i], mult[i + 1], mult[i + 2], mult[i + 3]
        b0, b1, b2, b3 = add[i], add[i + 1], add[i + 2], add[i + 3]
        m0 = m1 = m2 = m3 = 0xFFFFFFFFFFFFFFFFULL
        for j in range(n):
            x = stems[j]
            v0 = a0 * x + b0
            v1 = a1 * x + b1
            v2 = a2 * x + b2
            v3 = a3 * x + b3
            if v0 < m0:
                m0 = v0
            if v1 < m1:
                m1 = v1
            if v2 < m2:
                m2 = v2
            if v3 < m3:
                m3 = v3
        sig[i], sig[i + 1], sig[i + 2], sig[i + 3] = m0 >> 32, m1 >> 32, m2 >> 32, m3 >> 32
        i += 4
    while i < perms:
        m0 = 0xFFFFFFFFFFFFFFFFULL
        for j in range(n):
            v0 = mult[i] * stems[j] + add[i]
            if v0 < m0:
                m0 = v0
        sig[i] = m0 >> 32
        i += 1
    return out


# --- sentence alignment (dedup.align) ----------------------------------------------------------


cdef inline Py_ssize_t _lower_bound(const uint16_t[::1] values, Py_ssize_t n, uint16_t key) noexcept nogil:
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


def reaches(
    const uint16_t[::1] hashes, const int64_t[::1] sentences, const double[::1] weights, double total, list others,
    double tau
):
    """``dedup.align.reaches`` for A given as its sorted stems ``hashes``, the sentence of each
    (``sentences``), the stems per sentence (``weights``) and their sum ``total``; ``others`` is a
    list of (uint16 sentence stems, uint32 stems per sentence)."""
    cdef Py_ssize_t k = len(others), width = weights.shape[0], n = hashes.shape[0]
    cdef Py_ssize_t c, s, j, pos, end, t, touched_n, lo, m
    cdef uint16_t h
    cdef uint32_t count
    cdef double got_a, got_b, total_b
    cdef bint partner
    cdef uint64_t bitmap[1024]
    cdef const uint16_t[::1] stems
    cdef const uint32_t[::1] per_sentence
    reach_a, reach_b = np.zeros(k), np.zeros(k)
    if k == 0 or total == 0 or n == 0:
        return reach_a, reach_b
    if sentences.shape[0] != n:
        raise ValueError("one sentence per stem expected")
    for j in range(n):
        if sentences[j] < 0 or sentences[j] >= width:
            raise ValueError("sentence number out of range")
    cdef double[::1] out_a = reach_a, out_b = reach_b
    shared_arr, touched_arr, row_arr = np.zeros(width, np.int64), np.empty(width, np.int64), np.zeros(width, np.uint8)
    cdef int64_t[::1] shared = shared_arr, touched = touched_arr
    cdef unsigned char[::1] has_partner = row_arr
    memset(bitmap, 0, sizeof(bitmap))
    for j in range(n):
        h = hashes[j]
        bitmap[h >> 6] |= (<uint64_t>1) << (h & 63)
    for c in range(k):
        stems, per_sentence = others[c]
        pos = 0
        got_b = total_b = 0.0
        for s in range(per_sentence.shape[0]):
            count = per_sentence[s]
            total_b += count
            end = pos + count
            if end > stems.shape[0]:
                raise ValueError("sentence stem counts exceed the stems")
            touched_n = 0
            for j in range(pos, end):
                h = stems[j]
                if not (bitmap[h >> 6] >> (h & 63)) & 1:
                    continue
                lo = _lower_bound(hashes, n, h)
                while lo < n and hashes[lo] == h:
                    m = sentences[lo]
                    if shared[m] == 0:
                        touched[touched_n] = m
                        touched_n += 1
                    shared[m] += 1
                    lo += 1
            pos = end
            partner = False
            for t in range(touched_n):
                m = touched[t]
                if 2.0 * shared[m] / (weights[m] + count) >= tau:  # the Dice of the two sentences
                    has_partner[m] = 1
                    partner = True
                shared[m] = 0
            if partner:
                got_b += count
        got_a = 0.0
        for m in range(width):
            if has_partner[m]:
                got_a += weights[m]
                has_partner[m] = 0
        out_a[c] = got_a / total
        out_b[c] = got_b / (total_b if total_b > 1.0 else 1.0)
    return reach_a, reach_b


def heaviest_chain(
    const int64_t[::1] rows, const int64_t[::1] cols, const double[::1] wa, const double[::1] wb, Py_ssize_t width
):
    """``dedup.align._heaviest_chain`` (cells sorted by row; see there)."""
    cdef Py_ssize_t n = rows.shape[0], cell, pos, pending_from = 0, p, col, top_cell = -1, prev
    cdef int64_t r, row_now = -1
    cdef double value, top = 0.0, got_a = 0.0, got_b = 0.0
    if cols.shape[0] != n:
        raise ValueError("rows and columns differ in length")
    if width < 0 or width > wb.shape[0]:
        raise ValueError("width out of range")
    for cell in range(n):
        if rows[cell] < 0 or rows[cell] >= wa.shape[0] or cols[cell] < 0 or cols[cell] >= width:
            raise ValueError("cell out of range")
    best_arr, owner_arr = np.zeros(width + 1), np.full(width + 1, -1, np.int64)
    back_arr, values_arr = np.empty(n, np.int64), np.empty(n)
    cdef double[::1] best = best_arr, values = values_arr
    cdef int64_t[::1] owner = owner_arr, back = back_arr
    for cell in range(n):
        r = rows[cell]
        if r != row_now:  # enter the previous row's cells
            for p in range(pending_from, cell):
                pos = cols[p] + 1
                value = values[p]
                while pos <= width:
                    if value > best[pos]:
                        best[pos], owner[pos] = value, p
                    pos += pos & -pos
            pending_from, row_now = cell, r
        value, prev, pos = 0.0, -1, cols[cell]  # the best chain ending in a column < this one
        while pos > 0:
            if best[pos] > value:
                value, prev = best[pos], owner[pos]
            pos -= pos & -pos
        value += wa[r] + wb[cols[cell]]
        back[cell] = prev
        values[cell] = value
        if value > top:
            top, top_cell = value, cell
    while top_cell >= 0:
        got_a += wa[rows[top_cell]]
        got_b += wb[cols[top_cell]]
        top_cell = back[top_cell]
    return got_a, got_b
