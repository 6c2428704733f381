# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Compiled loops of dedup: what costs one Python or numpy call per token, sentence or candidate.

Each function here is the one implementation of its step; the module that owns the step calls it
(``dedup.minhash.signature``, ``dedup.align.reaches`` ...), and its docstring says what it computes.
``tests/dedup_reference.py`` keeps plain numpy and regex versions, and ``tests/test_dedup_kernels.py``
checks that these give the same values on random and real texts.

Indices are checked where they come from the caller (stored fingerprints), so bad input raises
ValueError instead of reading out of bounds; empty input gives empty output.
"""

from libc.stdint cimport int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, qsort, realloc
from libc.math cimport fabs
from libc.string cimport memcmp, memset

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


def equal_shares(const uint32_t[::1] sig, const uint32_t[:, ::1] others):
    """Share of equal values between ``sig`` (P,) and each row of ``others`` (N, P), float64."""
    cdef Py_ssize_t rows = others.shape[0], perms = sig.shape[0], i, j
    cdef int64_t equal
    if others.shape[1] != perms:
        raise ValueError("signatures differ in length")
    out = np.empty(rows)
    cdef double[::1] view = out
    for i in range(rows):
        equal = 0
        for j in range(perms):
            equal += others[i, j] == sig[j]
        view[i] = <double>equal / perms
    return out


cdef inline uint64_t _mix64(uint64_t v) noexcept nogil:
    """splitmix64 finaliser (``dedup.normalize.mix64``)."""
    v ^= v >> 30
    v *= 0xBF58476D1CE4E5B9ULL
    v ^= v >> 27
    v *= 0x94D049BB133111EBULL
    return v ^ (v >> 31)



# --- LSH bucket keys (dedup.lsh) ----------------------------------------------------------------


def band_keys(const uint32_t[:, ::1] signatures, int bands, int rows, uint64_t row_mult, const uint64_t[::1] salts):
    """``dedup.lsh.band_keys`` of (N, P) signatures: (N, bands) uint64, each band's ``rows`` values
    folded by multiply-xor (``acc * row_mult ^ value``), then the splitmix64 finaliser, xor the
    band's salt."""
    cdef Py_ssize_t n = signatures.shape[0], i, b, r
    cdef uint64_t acc
    if bands < 1 or rows < 1 or bands * rows > signatures.shape[1] or salts.shape[0] < bands:
        raise ValueError("bands x rows must fit the signatures, one salt per band")
    out = np.empty((n, bands), np.uint64)
    cdef uint64_t[:, ::1] keys = out
    for i in range(n):
        for b in range(bands):
            acc = signatures[i, b * rows]
            for r in range(1, rows):
                acc = (acc * row_mult) ^ signatures[i, b * rows + r]
            keys[i, b] = _mix64(acc) ^ salts[b]
    return out


# --- sentence alignment (dedup.align) ----------------------------------------------------------


# where each 16-bit stem first occurs in A's sorted stems: filled by each ``reaches`` call for A's
# stems, and read only for those (its bitmap), so what earlier calls left in it is never read;
# allocated on first use (256 KiB)
cdef uint32_t* _first_of = NULL


def reaches(
    const uint16_t[::1] hashes, const int64_t[::1] sentences, const double[::1] weights, double total, list others,
    double tau
):
    """``dedup.align.reaches`` for A given as its sorted stems ``hashes``, the sentence of each
    (``sentences``), the stems per sentence (``weights``) and their sum ``total``; ``others`` is a
    list of (uint16 sentence stems, uint32 stems per sentence)."""
    cdef Py_ssize_t k = len(others), width = weights.shape[0], n = hashes.shape[0], j
    cdef uint16_t h
    cdef uint64_t bitmap[1024]
    reach_a, reach_b = np.zeros(k), np.zeros(k)
    if k == 0 or total == 0 or n == 0:
        return reach_a, reach_b
    if sentences.shape[0] != n:
        raise ValueError("one sentence per stem expected")
    for j in range(n):
        if sentences[j] < 0 or sentences[j] >= width:
            raise ValueError("sentence number out of range")
    cdef double[::1] out_a = reach_a, out_b = reach_b
    global _first_of
    if _first_of == NULL:
        _first_of = <uint32_t*>calloc(1 << 16, sizeof(uint32_t))
        if _first_of == NULL:
            raise MemoryError()
    if n >= 0xFFFFFFFF:
        raise ValueError("too many stems")
    for j in range(1, n):
        if hashes[j - 1] > hashes[j]:
            raise ValueError("A's stems must be sorted")
    memset(bitmap, 0, sizeof(bitmap))
    for j in range(n):
        h = hashes[j]
        if not (bitmap[h >> 6] >> (h & 63)) & 1:
            bitmap[h >> 6] |= (<uint64_t>1) << (h & 63)
            _first_of[h] = j
    _reach_each(hashes, sentences, weights, total, others, tau, bitmap, out_a, out_b)
    return reach_a, reach_b


cdef int _reach_each(
    const uint16_t[::1] hashes, const int64_t[::1] sentences, const double[::1] weights, double total, list others,
    double tau, uint64_t* bitmap, double[::1] out_a, double[::1] out_b
) except -1:
    cdef Py_ssize_t k = len(others), width = weights.shape[0], n = hashes.shape[0]
    cdef Py_ssize_t c, s, j, pos, end, t, touched_n, lo, m
    cdef uint16_t h
    cdef uint32_t count
    cdef double got_a, got_b, total_b
    cdef bint partner
    cdef const uint16_t[::1] stems
    cdef const uint32_t[::1] per_sentence
    shared_arr, touched_arr, row_arr = np.zeros(width, np.int64), np.empty(width, np.int64), np.zeros(width, np.uint8)
    cdef int64_t[::1] shared = shared_arr, touched = touched_arr
    cdef unsigned char[::1] has_partner = row_arr
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
                lo = _first_of[h]
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
    return 0


def alignment_cells(
    const uint16_t[::1] a_hashes, const int64_t[::1] a_sentences, const double[::1] a_weights,
    const uint16_t[::1] b_hashes, const int64_t[::1] b_sentences, const double[::1] b_weights,
):
    """``dedup.align.Alignment``'s cells: the pairs (A's sentence, B's sentence) that share stems, sorted
    by row then column, with the Dice coefficient of their stem sets, from both texts' sorted stems
    and the sentence of each (a stem shared n times by one pair counts n times)."""
    cdef Py_ssize_t na = a_hashes.shape[0], nb = b_hashes.shape[0], width = b_weights.shape[0]
    cdef Py_ssize_t i = 0, j = 0, i2, j2, x, y, count = 0, cap = 1024, cells, k
    cdef int64_t* codes
    cdef int64_t* grown
    cdef uint16_t h
    if a_sentences.shape[0] != na or b_sentences.shape[0] != nb:
        raise ValueError("one sentence per stem expected")
    for x in range(na):
        if a_sentences[x] < 0 or a_sentences[x] >= a_weights.shape[0] or (x and a_hashes[x - 1] > a_hashes[x]):
            raise ValueError("A's stems must be sorted, their sentences in range")
    for y in range(nb):
        if b_sentences[y] < 0 or b_sentences[y] >= width or (y and b_hashes[y - 1] > b_hashes[y]):
            raise ValueError("B's stems must be sorted, their sentences in range")
    codes = <int64_t*>malloc(cap * sizeof(int64_t))
    if codes == NULL:
        raise MemoryError()
    try:
        while i < na and j < nb:  # merge the two sorted stem lists
            if a_hashes[i] < b_hashes[j]:
                i += 1
            elif a_hashes[i] > b_hashes[j]:
                j += 1
            else:
                h = a_hashes[i]
                i2, j2 = i, j
                while i2 < na and a_hashes[i2] == h:
                    i2 += 1
                while j2 < nb and b_hashes[j2] == h:
                    j2 += 1
                for x in range(i, i2):
                    for y in range(j, j2):
                        if count == cap:
                            cap *= 2
                            grown = <int64_t*>realloc(codes, cap * sizeof(int64_t))
                            if grown == NULL:
                                raise MemoryError()
                            codes = grown
                        codes[count] = a_sentences[x] * width + b_sentences[y]
                        count += 1
                i, j = i2, j2
        if not count:
            return np.empty(0), np.empty(0), np.empty(0)
        pairs = np.empty(count, np.int64)
        pairs_view = <int64_t[:count]>codes
        pairs[:] = pairs_view
    finally:
        free(codes)
    pairs.sort()
    cdef const int64_t[::1] sorted_pairs = pairs
    cells = 1
    for k in range(1, count):
        if sorted_pairs[k] != sorted_pairs[k - 1]:
            cells += 1
    rows, cols, dice = np.empty(cells, np.int64), np.empty(cells, np.int64), np.empty(cells)
    cdef int64_t[::1] row_view = rows, col_view = cols
    cdef double[::1] dice_view = dice
    cdef int64_t shared = 0
    x = 0
    for k in range(count):
        shared += 1
        if k + 1 == count or sorted_pairs[k + 1] != sorted_pairs[k]:
            row_view[x], col_view[x] = sorted_pairs[k] // width, sorted_pairs[k] % width
            dice_view[x] = 2.0 * shared / (a_weights[row_view[x]] + b_weights[col_view[x]])
            shared = 0
            x += 1
    return rows, cols, dice


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


# --- sentence-length alignment of translations (dedup.crosslingual) -----------------------------


def alignment_total(
    const double[::1] la,
    const double[::1] lb,
    const double[::1] la2,
    const double[::1] lb2,
    double skip,
    double merge,
    Py_ssize_t width,
    double limit,
):
    """The dynamic programme of ``dedup.crosslingual.alignment_cost``: the total cost (divide by the
    longer length for the mean) of the best monotone alignment, given the log lengths ``la``/``lb``
    and, at index i >= 2, those of the last two sentences merged (``la2``/``lb2``, n + 1 and m + 1
    long); ``inf`` as soon as the mean is sure to exceed ``limit``. The same operations in the same
    order as the Python version, so the same float."""
    cdef Py_ssize_t n = la.shape[0], m = lb.shape[0], i, j, lo, hi, centre
    cdef Py_ssize_t longer = n if n > m else m
    cdef double inf = float("inf"), best, v, lai, low
    if n == 0 or m == 0:
        return inf
    if la2.shape[0] != n + 1 or lb2.shape[0] != m + 1:
        raise ValueError("la2 and lb2 must be one longer than la and lb")
    rows = np.full((3, m + 1), inf)
    cdef double[:, ::1] table = rows
    cdef double* prev2 = &table[0, 0]
    cdef double* prev = &table[1, 0]
    cdef double* cur = &table[2, 0]
    cdef double* spare
    prev[0] = 0.0
    for j in range(1, (m if m < width else width) + 1):
        prev[j] = prev[j - 1] + skip
    for i in range(1, n + 1):
        for j in range(m + 1):
            cur[j] = inf
        centre = i * m // n
        lo = centre - width if centre - width > 0 else 0
        hi = centre + width if centre + width < m else m
        if lo == 0:
            cur[0] = prev[0] + skip
        lai = la[i - 1]
        for j in range(lo if lo > 1 else 1, hi + 1):
            best = prev[j - 1] + fabs(lai - lb[j - 1])
            if i >= 2:
                v = prev2[j - 1] + fabs(la2[i] - lb[j - 1]) + merge
                if v < best:
                    best = v
            if j >= 2:
                v = prev[j - 2] + fabs(lai - lb2[j]) + merge
                if v < best:
                    best = v
            v = prev[j] + skip
            if v < best:
                best = v
            v = cur[j - 1] + skip
            if v < best:
                best = v
            cur[j] = best
        if limit < inf:
            low = cur[0]
            for j in range(m + 1):
                if cur[j] < low:
                    low = cur[j]
                if prev[j] < low:
                    low = prev[j]
            if low / longer > limit:
                return inf
        spare = prev2
        prev2 = prev
        prev = cur
        cur = spare
    return prev[m]


# --- text scanning: anchors (dedup.anchors), sentence lengths (dedup.crosslingual) -------------


cdef extern from "Python.h":
    int PyUnicode_KIND(object text)
    void* PyUnicode_DATA(object text)
    bint Py_UNICODE_ISSPACE(Py_UCS4 c) nogil
    bint Py_UNICODE_ISALNUM(Py_UCS4 c) nogil
    bint Py_UNICODE_ISUPPER(Py_UCS4 c) nogil
    bint Py_UNICODE_ISALPHA(Py_UCS4 c) nogil


ctypedef fused text_char:  # the three storage kinds of a str (PEP 393): 1, 2 or 4 bytes a character
    uint8_t
    uint16_t
    uint32_t


cdef struct CharSet:  # a few characters: a bit per ASCII one, a list of the others
    uint64_t ascii[2]
    Py_UCS4 others[32]
    int n_others


cdef int _char_set(str chars, CharSet* out) except -1:
    cdef Py_UCS4 c
    cdef uint32_t code
    out.ascii[0] = out.ascii[1] = 0
    out.n_others = 0
    for c in chars:
        code = c
        if code < 128:
            out.ascii[code >> 6] |= (<uint64_t>1) << (code & 63)
        elif out.n_others < 32:
            out.others[out.n_others] = c
            out.n_others += 1
        else:
            raise ValueError("at most 32 non-ASCII characters")
    return 0


cdef inline bint _among(Py_UCS4 c, const CharSet* chars) noexcept nogil:
    cdef int i
    cdef uint32_t code = c
    if code < 128:
        return (chars.ascii[code >> 6] >> (code & 63)) & 1
    for i in range(chars.n_others):
        if chars.others[i] == c:
            return True
    return False


cdef inline bint _is_space(Py_UCS4 c) noexcept nogil:
    """``str.isspace`` of one character (``\\s`` of Python's re)."""
    return Py_UNICODE_ISSPACE(c)


cdef inline bint _is_upper(Py_UCS4 c) noexcept nogil:
    """``str.isupper`` of one character."""
    if c < 128:
        return u"A" <= c <= u"Z"
    return Py_UNICODE_ISUPPER(c)


cdef inline bint _is_word(Py_UCS4 c) noexcept nogil:
    """``\\w`` of Python's re: alphanumeric (``str.isalnum``) or the underscore."""
    if c < 128:
        return (u"0" <= c <= u"9") or (u"a" <= c <= u"z") or (u"A" <= c <= u"Z") or c == u"_"
    return Py_UNICODE_ISALNUM(c)


cdef inline bint _url_char(Py_UCS4 c) noexcept nogil:
    """``[^\\s<>"]``."""
    return not _is_space(c) and c != u"<" and c != u">" and c != u'"'


cdef inline bint _is_mark(Py_UCS4 c) noexcept nogil:
    """What a sentence start follows: ``[.!?:;\\n]``."""
    return c == u"." or c == u"!" or c == u"?" or c == u":" or c == u";" or c == u"\n"


cdef inline bint _before_sentence(Py_UCS4 c) noexcept nogil:
    """What may come between that mark and the first word: ``[\\s"'„“”«»(\\[]``."""
    return (
        _is_space(c) or c == u'"' or c == u"'" or c == u"\u201e" or c == u"\u201c" or c == u"\u201d"
        or c == u"\u00ab" or c == u"\u00bb" or c == u"(" or c == u"["
    )


cdef Py_ssize_t _url_end(const text_char* s, Py_ssize_t n, Py_ssize_t p) noexcept nogil:
    """Where a URL or handle starting at ``p`` ends, or -1 when none starts there."""
    cdef Py_UCS4 c = <Py_UCS4>s[p]
    cdef Py_ssize_t q, r = -1, e
    if c == u"h" and p + 7 <= n and <Py_UCS4>s[p + 1] == u"t" and <Py_UCS4>s[p + 2] == u"t" and <Py_UCS4>s[p + 3] == u"p":
        q = p + 4
        if <Py_UCS4>s[q] == u"s" and q + 1 < n:
            q += 1
        if q + 3 <= n and <Py_UCS4>s[q] == u":" and <Py_UCS4>s[q + 1] == u"/" and <Py_UCS4>s[q + 2] == u"/":
            r = q + 3
    elif c == u"w" and p + 4 <= n and <Py_UCS4>s[p + 1] == u"w" and <Py_UCS4>s[p + 2] == u"w" and <Py_UCS4>s[p + 3] == u".":
        r = p + 4
    if r >= 0:
        e = r
        while e < n and _url_char(<Py_UCS4>s[e]):
            e += 1
        return e if e > r else -1
    if (c == u"@" or c == u"#") and p > 0 and not _is_word(<Py_UCS4>s[p - 1]):
        e = p + 1
        while e < n and _is_word(<Py_UCS4>s[e]):
            e += 1
        return e if e - p - 1 >= 2 else -1
    return -1


cdef str _cut_urls(const text_char* s, Py_ssize_t n, str text, set out):
    """``text`` (of which ``s`` is the data) with each URL and handle replaced by a space, left to
    right without overlap; their tokens go to ``out``."""
    cdef Py_ssize_t p = 0, e, last = 0
    pieces = []
    while p < n:
        e = _url_end(s, n, p)
        if e < 0:
            p += 1
            continue
        out.add("u:" + text[p:e].lower().rstrip(".,;:)/"))
        pieces.append(text[last:p])
        pieces.append(" ")
        last = p = e
    if not last:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


cdef struct Span:  # a word counted by _numbers_and_names: where it is, its hash, its count
    uint64_t hash
    Py_ssize_t start
    Py_ssize_t length
    int64_t count


cdef struct SpanTable:  # open addressing over the words of one text, compared by their characters
    Span* slots
    Py_ssize_t size
    Py_ssize_t used
    const unsigned char* data
    int width


cdef inline uint64_t _span_hash(const SpanTable* table, Py_ssize_t start, Py_ssize_t length) noexcept nogil:
    cdef const unsigned char* p = table.data + start * table.width
    cdef Py_ssize_t i
    cdef uint64_t h = 0xCBF29CE484222325ULL ^ <uint64_t>length
    for i in range(length * table.width):
        h = (h ^ p[i]) * 0x100000001B3ULL
    return h ^ (h >> 29)


cdef inline Py_ssize_t _span_slot(const SpanTable* table, uint64_t h, Py_ssize_t start, Py_ssize_t length) noexcept nogil:
    """The slot of the word at ``start`` (same characters), or the free slot where it would go."""
    cdef Py_ssize_t mask = table.size - 1, i = <Py_ssize_t>(h & <uint64_t>mask)
    cdef Span* slot
    while True:
        slot = &table.slots[i]
        if slot.length == 0:
            return i
        if slot.hash == h and slot.length == length and memcmp(
            table.data + slot.start * table.width, table.data + start * table.width, length * table.width
        ) == 0:
            return i
        i = (i + 1) & mask


cdef int _span_add(SpanTable* table, Py_ssize_t start, Py_ssize_t length) except -1:
    """One more of the word at ``start`` (``length`` > 0 characters)."""
    cdef Py_ssize_t i, old_size = table.size
    cdef Span* old = table.slots
    cdef Span* grown
    if 2 * (table.used + 1) > table.size:
        grown = <Span*>calloc(2 * old_size, sizeof(Span))
        if grown == NULL:
            raise MemoryError()
        table.slots, table.size = grown, 2 * old_size
        for i in range(old_size):
            if old[i].length:
                table.slots[_span_slot(table, old[i].hash, old[i].start, old[i].length)] = old[i]
        free(old)
    h = _span_hash(table, start, length)
    i = _span_slot(table, h, start, length)
    if table.slots[i].length == 0:
        table.slots[i].hash, table.slots[i].start, table.slots[i].length = h, start, length
        table.used += 1
    table.slots[i].count += 1
    return 0


cdef inline void _span_remove_one(SpanTable* table, Py_ssize_t start, Py_ssize_t length) noexcept nogil:
    """One less of the word at ``start``, when it is counted at all."""
    cdef Py_ssize_t i = _span_slot(table, _span_hash(table, start, length), start, length)
    if table.slots[i].length:
        table.slots[i].count -= 1


cdef int _numbers_and_names(
    const text_char* s, Py_ssize_t n, str text, set out, const CharSet* strip, const CharSet* openers
) except -1:
    cdef Py_ssize_t p, q, e, a, b, i
    cdef Py_UCS4 c
    cdef int digits
    cdef bint started
    # numbers
    p = 0
    while p < n:
        c = <Py_UCS4>s[p]
        if not (u"0" <= c <= u"9"):
            p += 1
            continue
        q, digits, started = p, 0, False
        while q < n:
            c = <Py_UCS4>s[q]
            if u"0" <= c <= u"9":
                if started or c != u"0":
                    started = True
                    digits += 1
            elif c != u"." and c != u",":
                break
            q += 1
        if digits >= 2:
            out.add("n:" + text[p:q].replace(".", "").replace(",", "").lstrip("0"))
        p = q
    # capitalised words, with how often each appears (counted by their characters: no str for a repeat)
    cdef SpanTable table
    table.data, table.width, table.size, table.used = <const unsigned char*>s, sizeof(text_char), 64, 0
    table.slots = <Span*>calloc(table.size, sizeof(Span))
    if table.slots == NULL:
        raise MemoryError()
    try:
        p = 0
        while p < n:
            while p < n and _is_space(<Py_UCS4>s[p]):
                p += 1
            if p >= n:
                break
            q = p
            while p < n and not _is_space(<Py_UCS4>s[p]):
                p += 1
            c = <Py_UCS4>s[q]
            if c > 0x3000 or _is_upper(c) or _among(c, openers):
                a, b = q, p
                while a < b and _among(<Py_UCS4>s[a], strip):
                    a += 1
                while b > a and _among(<Py_UCS4>s[b - 1], strip):
                    b -= 1
                if b - a >= 2 and _is_upper(<Py_UCS4>s[a]):
                    _span_add(&table, a, b - a)
        # minus the first words of sentences
        p = 0
        while p < n:
            c = <Py_UCS4>s[p]
            p += 1
            if not _is_mark(c):
                continue
            q = p
            while q < n and _before_sentence(<Py_UCS4>s[q]):
                q += 1
            if q >= n:
                break
            c = <Py_UCS4>s[q]
            if c >= 0x3000 or not _is_upper(c) or not Py_UNICODE_ISALPHA(c):
                continue
            e = q + 1
            while e < n and (_is_word(<Py_UCS4>s[e]) or <Py_UCS4>s[e] == u"-"):
                e += 1
            _span_remove_one(&table, q, e - q)
            p = e
        for i in range(table.size):
            if not table.slots[i].length:
                continue
            word = text[table.slots[i].start : table.slots[i].start + table.slots[i].length]
            # a name seen inside a sentence, or an acronym / camel case word (another capital after
            # the first letter) even at a sentence start
            if table.slots[i].count > 0 or word[1:] != word[1:].lower():
                out.add("c:" + word.casefold())
    finally:
        free(table.slots)
    return 0


def anchor_tokens(str text, str strip, str openers):
    """``dedup.anchors.nfkc_anchor_tokens`` with its ``_STRIP`` and ``_OPENERS`` (the rules are
    documented there). One scan of the text per kind of anchor, character by character:

    - URLs ``https?://[^\\s<>"]+``, ``www\\.[^\\s<>"]+`` and handles ``(?<!\\w)[@#]\\w{2,}``, left to
      right without overlap, each cut out (replaced by one space) before the other kinds are looked for;
    - numbers ``[0-9][0-9.,]*`` with two digits or more after separators and leading zeros go;
    - the white-space separated words whose first character is upper case or an opener (or from
      U+3001 on), stripped of ``strip``, counted when two characters or more with an upper case first;
    - minus one for each first word of a sentence ``[.!?:;\\n][\\s"'„“”«»(\\[]*`` then an upper case
      letter below U+3000 and ``[\\w\\-]*``, left to right without overlap.
    """
    cdef str s = "\n" + text
    cdef int kind
    cdef void* data
    cdef CharSet strip_set, opener_set
    _char_set(strip, &strip_set)
    _char_set(openers, &opener_set)
    out = set()
    if "http" in s or "www." in s or "@" in s or "#" in s:
        kind, data = PyUnicode_KIND(s), PyUnicode_DATA(s)
        if kind == 1:
            s = _cut_urls(<const uint8_t*>data, len(s), s, out)
        elif kind == 2:
            s = _cut_urls(<const uint16_t*>data, len(s), s, out)
        else:
            s = _cut_urls(<const uint32_t*>data, len(s), s, out)
    kind, data = PyUnicode_KIND(s), PyUnicode_DATA(s)
    if kind == 1:
        _numbers_and_names(<const uint8_t*>data, len(s), s, out, &strip_set, &opener_set)
    elif kind == 2:
        _numbers_and_names(<const uint16_t*>data, len(s), s, out, &strip_set, &opener_set)
    else:
        _numbers_and_names(<const uint32_t*>data, len(s), s, out, &strip_set, &opener_set)
    return out


def anchor_hashes(str text, str strip, str openers, hasher):
    """``hasher`` (a function of bytes giving an int below 2**64) of each of ``anchor_tokens(text,
    strip, openers)`` encoded as UTF-8 (lone surrogates passed through), as uint64 in set order."""
    tokens = anchor_tokens(text, strip, openers)
    out = np.empty(len(tokens), np.uint64)
    cdef uint64_t[::1] view = out
    cdef Py_ssize_t i = 0
    for token in tokens:
        view[i] = hasher((<str>token).encode("utf-8", "surrogatepass"))
        i += 1
    return out


cdef Py_ssize_t _sentence_lengths(const text_char* s, Py_ssize_t n, uint16_t* lengths) noexcept nogil:
    """The lengths into ``lengths`` (room for one per character, plus one); returns how many."""
    cdef Py_ssize_t p = 0, q, start = 0, count = 0, length
    cdef Py_UCS4 c
    cdef bint blank = True
    while p <= n:
        length = -1
        if p == n:  # the last piece
            if not blank:
                length = n - start
            p += 1
        else:
            c = <Py_UCS4>s[p]
            if c == u"\n":
                if not blank:
                    length = p - start
                while p < n and <Py_UCS4>s[p] == u"\n":
                    p += 1
                start, blank = p, True
            elif c == u"." or c == u"!" or c == u"?" or c == u"\u2026":
                q = p + 1
                while q < n and (
                    <Py_UCS4>s[q] == u'"' or <Py_UCS4>s[q] == u"\u201d" or <Py_UCS4>s[q] == u"\u201c" or <Py_UCS4>s[q] == u"\u00bb" or <Py_UCS4>s[q] == u")"
                    or <Py_UCS4>s[q] == u"'"
                ):
                    q += 1
                if q < n and _is_space(<Py_UCS4>s[q]):
                    length = p + 1 - start
                    while q < n and _is_space(<Py_UCS4>s[q]):
                        q += 1
                    p = start = q
                    blank = True
                else:
                    blank = False
                    p += 1
            else:
                if blank and not _is_space(c):
                    blank = False
                p += 1
        if length >= 0:
            lengths[count] = length if length < 65535 else 65535
            count += 1
    return count


def sentence_lengths(str text):
    """``dedup.crosslingual.sentence_lengths``: the length of each sentence (uint16, capped at 65535).
    A sentence ends at ``[.!?…]["”“»)']*\\s+`` (the mark belongs to it) or at ``\\n+``, left to right
    without overlap; pieces of white space only are no sentence."""
    cdef Py_ssize_t n = len(text), count
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    out = np.empty(n + 1, np.uint16)  # a sentence has a character at least, so at most one each
    cdef uint16_t[::1] lengths = out
    if kind == 1:
        count = _sentence_lengths(<const uint8_t*>data, n, &lengths[0])
    elif kind == 2:
        count = _sentence_lengths(<const uint16_t*>data, n, &lengths[0])
    else:
        count = _sentence_lengths(<const uint32_t*>data, n, &lengths[0])
    return out[:count].copy()


# --- tokens, stems and sentence stems (dedup.normalize) ----------------------------------------


cdef int _compare_u16(const void* a, const void* b) noexcept nogil:
    return (<const uint16_t*>a)[0] - (<const uint16_t*>b)[0]


cdef inline Py_ssize_t _first_at_least(const uint64_t* values, Py_ssize_t n, uint64_t key) noexcept nogil:
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline bint _is_stop(uint64_t packed, const uint64_t* stop_keys, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t lo = _first_at_least(stop_keys, n, packed)
    return lo < n and stop_keys[lo] == packed


cdef inline bint _ends_sentence(const unsigned char* folded, Py_ssize_t e) noexcept nogil:
    """Does a sentence end at byte ``e``: a line break, or white space after . ! ? (and a closing
    quote or bracket)?"""
    cdef unsigned char byte = folded[e], before
    if byte == 10:
        return True
    if not (byte == 32 or 9 <= byte <= 13):
        return False
    before = folded[e - 1] if e >= 1 else 0
    if before == 46 or before == 33 or before == 63:  # . ! ?
        return True
    if (before == 34 or before == 41 or before == 39) and e >= 2:  # " ) '
        before = folded[e - 2]
        return before == 46 or before == 33 or before == 63
    return False


def text_stems(
    const unsigned char[::1] folded, const unsigned char[::1] separators, int min_token_bytes, int prefix_bytes,
    const uint64_t[::1] stop_keys
):
    """Tokens, stems and sentence stems of a folded UTF-8 text in one pass (``dedup.normalize.folded_stems``).

    A token is a maximal run of bytes that ``separators`` (the table of ``bytes.translate``) keeps;
    its key is its first 8 bytes as a little-endian integer, zero padded. A stem is a token of at
    least ``min_token_bytes`` bytes whose key is not in ``stop_keys`` (sorted); its hash is the
    splitmix64 finaliser of its first ``prefix_bytes`` bytes. A stem's sentence is the number of
    sentence ends (``_ends_sentence``) at or before its first byte.

    Returns (the tokens joined by single spaces, bytes; the hash of each stem in text order, uint64;
    each sentence's distinct 16-bit stem hashes, sorted, sentence after sentence, uint16; how many
    each sentence with stems has, uint32)."""
    cdef Py_ssize_t n = folded.shape[0], p = 0, start, length, joined_n = 0, stems = 0, cap = 256
    cdef Py_ssize_t sentence = 0, i, w, t, group, sentences = 0, k
    cdef uint64_t key, prefix_mask, slot
    cdef unsigned char* joined
    cdef uint64_t* hashes
    cdef uint64_t* grown_hashes
    cdef uint32_t* sentence_of
    cdef uint32_t* grown_sentences
    cdef uint16_t* low
    cdef uint64_t[::1] view_hashes
    cdef uint16_t[::1] view_low
    cdef uint32_t[::1] view_sizes
    cdef const unsigned char* data = &folded[0] if n else <const unsigned char*>b""
    cdef const unsigned char* table
    cdef const uint64_t* stop = &stop_keys[0] if stop_keys.shape[0] else NULL
    cdef Py_ssize_t n_stop = stop_keys.shape[0]
    cdef uint64_t stop_slots[64]  # a bit per 12-bit multiplicative hash of the stop keys: most tokens miss it
    if separators.shape[0] != 256:
        raise ValueError("separators must be a 256-byte translate table")
    if not 1 <= min_token_bytes <= 8 or not 1 <= prefix_bytes <= 8:
        raise ValueError("min_token_bytes and prefix_bytes must be 1..8")
    table = &separators[0]
    memset(stop_slots, 0, sizeof(stop_slots))
    for i in range(n_stop):
        key = stop[i] * 0x9E3779B97F4A7C15ULL
        stop_slots[key >> 58] |= (<uint64_t>1) << ((key >> 52) & 63)
    prefix_mask = 0xFFFFFFFFFFFFFFFFULL if prefix_bytes == 8 else ((<uint64_t>1) << (8 * prefix_bytes)) - 1
    joined = <unsigned char*>malloc(n + 1)
    hashes = <uint64_t*>malloc(cap * sizeof(uint64_t))
    sentence_of = <uint32_t*>malloc(cap * sizeof(uint32_t))
    low = NULL
    try:
        if joined == NULL or hashes == NULL or sentence_of == NULL:
            raise MemoryError()
        while p < n:
            if table[data[p]] == 32:
                if _ends_sentence(data, p):  # sentences end only at white space, which separates tokens
                    sentence += 1
                p += 1
                continue
            start = p
            while p < n and table[data[p]] != 32:
                p += 1
            length = p - start
            if joined_n:
                joined[joined_n] = 32
                joined_n += 1
            key = 0
            for i in range(length):
                joined[joined_n + i] = data[start + i]
                if i < 8:
                    key |= (<uint64_t>data[start + i]) << (8 * i)
            joined_n += length
            if length < min_token_bytes:
                continue
            slot = key * 0x9E3779B97F4A7C15ULL
            if n_stop and (stop_slots[slot >> 58] >> ((slot >> 52) & 63)) & 1:
                if _is_stop(key, stop, n_stop):
                    continue
            if stems == cap:
                cap *= 2
                grown_hashes = <uint64_t*>realloc(hashes, cap * sizeof(uint64_t))
                if grown_hashes == NULL:
                    raise MemoryError()
                hashes = grown_hashes
                grown_sentences = <uint32_t*>realloc(sentence_of, cap * sizeof(uint32_t))
                if grown_sentences == NULL:
                    raise MemoryError()
                sentence_of = grown_sentences
            hashes[stems] = _mix64(key & prefix_mask)
            sentence_of[stems] = sentence
            stems += 1
        out_joined = joined[:joined_n]
        out_hashes = np.empty(stems, np.uint64)
        view_hashes = out_hashes
        for i in range(stems):
            view_hashes[i] = hashes[i]
        # each sentence's 16-bit hashes, sorted and distinct
        low = <uint16_t*>malloc((stems + 1) * sizeof(uint16_t))
        if low == NULL:
            raise MemoryError()
        for i in range(stems):
            low[i] = hashes[i] & 0xFFFF
        i = w = 0
        while i < stems:
            group = i
            while i < stems and sentence_of[i] == sentence_of[group]:
                i += 1
            qsort(&low[group], i - group, sizeof(uint16_t), _compare_u16)
            t = w
            low[w] = low[group]
            w += 1
            for k in range(group + 1, i):
                if low[k] != low[w - 1]:
                    low[w] = low[k]
                    w += 1
            sentence_of[sentences] = w - t  # sentences <= group: already read
            sentences += 1
        out_low = np.empty(w, np.uint16)
        out_sizes = np.empty(sentences, np.uint32)
        view_low = out_low
        view_sizes = out_sizes
        for i in range(w):
            view_low[i] = low[i]
        for i in range(sentences):
            view_sizes[i] = sentence_of[i]
        return out_joined, out_hashes, out_low, out_sizes
    finally:
        free(joined)
        free(hashes)
        free(sentence_of)
        free(low)


# --- recent postings (dedup.index.Postings) ----------------------------------------------------


cdef class Multimap:
    """uint64 key -> the values added under it, in the order added (append-only).

    Open addressing over the distinct keys (at most half the slots used), each slot holding its
    key and the first and last of its entries; each entry holds its value and the next entry of
    the same key. 8 bytes of key and 16 of entry heads per slot, 16 bytes per entry, no Python
    object per key."""

    cdef uint64_t* slot_keys
    cdef int64_t* slot_first  # entry number + 1; 0: the slot is free
    cdef int64_t* slot_last
    cdef int64_t* values
    cdef int64_t* nexts  # entry number + 1 of the next entry of the same key; 0: none
    cdef Py_ssize_t slots, distinct, entries, capacity

    def __cinit__(self):
        self.slots = 64
        self.capacity = 64
        self.slot_keys = <uint64_t*>malloc(self.slots * sizeof(uint64_t))
        self.slot_first = <int64_t*>malloc(self.slots * sizeof(int64_t))
        self.slot_last = <int64_t*>malloc(self.slots * sizeof(int64_t))
        self.values = <int64_t*>malloc(self.capacity * sizeof(int64_t))
        self.nexts = <int64_t*>malloc(self.capacity * sizeof(int64_t))
        if not (self.slot_keys and self.slot_first and self.slot_last and self.values and self.nexts):
            raise MemoryError()
        memset(self.slot_first, 0, self.slots * sizeof(int64_t))

    def __dealloc__(self):
        free(self.slot_keys)
        free(self.slot_first)
        free(self.slot_last)
        free(self.values)
        free(self.nexts)

    def __len__(self):
        """Number of (key, value) entries."""
        return self.entries

    cdef inline Py_ssize_t _slot(self, uint64_t key) noexcept:
        """The slot holding ``key``, or the free slot where it would go."""
        cdef Py_ssize_t mask = self.slots - 1
        cdef Py_ssize_t i = <Py_ssize_t>((key * 0x9E3779B97F4A7C15ULL) >> 32) & mask
        while self.slot_first[i] and self.slot_keys[i] != key:
            i = (i + 1) & mask
        return i

    cdef int _grow_slots(self) except -1:
        cdef Py_ssize_t old_slots = self.slots, i, j
        cdef uint64_t* old_keys = self.slot_keys
        cdef int64_t* old_first = self.slot_first
        cdef int64_t* old_last = self.slot_last
        new_keys = <uint64_t*>malloc(2 * old_slots * sizeof(uint64_t))
        new_first = <int64_t*>malloc(2 * old_slots * sizeof(int64_t))
        new_last = <int64_t*>malloc(2 * old_slots * sizeof(int64_t))
        if not (new_keys and new_first and new_last):
            free(new_keys)
            free(new_first)
            free(new_last)
            raise MemoryError()
        memset(new_first, 0, 2 * old_slots * sizeof(int64_t))
        self.slot_keys, self.slot_first, self.slot_last, self.slots = new_keys, new_first, new_last, 2 * old_slots
        for i in range(old_slots):
            if old_first[i]:
                j = self._slot(old_keys[i])
                self.slot_keys[j], self.slot_first[j], self.slot_last[j] = old_keys[i], old_first[i], old_last[i]
        free(old_keys)
        free(old_first)
        free(old_last)
        return 0

    cdef int _add(self, uint64_t key, int64_t value) except -1:
        cdef Py_ssize_t i
        cdef int64_t* grown_values
        cdef int64_t* grown_nexts
        if self.entries == self.capacity:
            grown_values = <int64_t*>realloc(self.values, 2 * self.capacity * sizeof(int64_t))
            if grown_values == NULL:
                raise MemoryError()
            self.values = grown_values
            grown_nexts = <int64_t*>realloc(self.nexts, 2 * self.capacity * sizeof(int64_t))
            if grown_nexts == NULL:
                raise MemoryError()
            self.nexts = grown_nexts
            self.capacity *= 2
        if 2 * (self.distinct + 1) > self.slots:
            self._grow_slots()
        i = self._slot(key)
        self.values[self.entries] = value
        self.nexts[self.entries] = 0
        self.entries += 1
        if self.slot_first[i]:
            self.nexts[self.slot_last[i] - 1] = self.entries
        else:
            self.slot_keys[i] = key
            self.slot_first[i] = self.entries
            self.distinct += 1
        self.slot_last[i] = self.entries
        return 0

    def add_postings(self, const uint64_t[::1] keys, int64_t doc, int doc_bits):
        """``doc`` under the top bits (``key >> doc_bits``) of each of ``keys``; returns the
        postings ``(key >> doc_bits << doc_bits) | doc`` (uint64) for the sorted array."""
        cdef Py_ssize_t j
        cdef uint64_t top
        if not 0 < doc_bits < 64 or not 0 <= doc < (<int64_t>1) << doc_bits:
            raise ValueError("doc must fit doc_bits (1..63) bits")
        out = np.empty(keys.shape[0], np.uint64)
        cdef uint64_t[::1] postings = out
        for j in range(keys.shape[0]):
            top = keys[j] >> doc_bits
            self._add(top, doc)
            postings[j] = (top << doc_bits) | <uint64_t>doc
        return out

    def add_pairs(self, const uint64_t[::1] keys, const int64_t[::1] values):
        """``values[j]`` under ``keys[j]``."""
        cdef Py_ssize_t j
        if values.shape[0] != keys.shape[0]:
            raise ValueError("keys and values differ in length")
        for j in range(keys.shape[0]):
            self._add(keys[j], values[j])

    def counts(self, const uint64_t[::1] keys):
        """How many values each of ``keys`` has (int64)."""
        cdef Py_ssize_t j, i
        cdef int64_t entry, count
        out = np.zeros(keys.shape[0], np.int64)
        cdef int64_t[::1] view = out
        if not self.entries:
            return out
        for j in range(keys.shape[0]):
            i = self._slot(keys[j])
            entry, count = self.slot_first[i], 0
            while entry:
                count += 1
                entry = self.nexts[entry - 1]
            view[j] = count
        return out


def postings_lookup(const uint64_t[::1] postings, const uint64_t[::1] keys, Multimap recent, int doc_bits):
    """``dedup.index.Postings.lookup``: (documents, index of the query key that found each), first
    those of the sorted ``postings`` (each a key's top bits above a ``doc_bits``-bit document
    number) key after key, then those of ``recent`` (keyed by the keys' top bits) key after key."""
    cdef Py_ssize_t n = keys.shape[0], j, total = 0, k = 0, i, slot
    cdef uint64_t low_mask = ((<uint64_t>1) << doc_bits) - 1, base
    cdef int64_t entry
    if not 0 < doc_bits < 64:
        raise ValueError("doc_bits must be 1..63")
    lo_arr, hi_arr = np.empty(n, np.int64), np.empty(n, np.int64)
    cdef int64_t[::1] lo = lo_arr, hi = hi_arr
    cdef Py_ssize_t size = postings.shape[0]
    cdef const uint64_t* sorted_postings = &postings[0] if size else NULL
    for j in range(n):
        base = keys[j] & ~low_mask
        lo[j] = _first_at_least(sorted_postings, size, base)
        hi[j] = size if base | low_mask == 0xFFFFFFFFFFFFFFFFULL else _first_at_least(sorted_postings, size, (base | low_mask) + 1)
        total += hi[j] - lo[j]
    if recent.entries:
        for j in range(n):
            slot = recent._slot(keys[j] >> doc_bits)
            entry = recent.slot_first[slot]
            while entry:
                total += 1
                entry = recent.nexts[entry - 1]
    docs, at = np.empty(total, np.int64), np.empty(total, np.int64)
    cdef int64_t[::1] docs_view = docs, at_view = at
    for j in range(n):
        for i in range(lo[j], hi[j]):
            docs_view[k] = postings[i] & low_mask
            at_view[k] = j
            k += 1
    if recent.entries:
        for j in range(n):
            slot = recent._slot(keys[j] >> doc_bits)
            entry = recent.slot_first[slot]
            while entry:
                docs_view[k] = recent.values[entry - 1]
                at_view[k] = j
                k += 1
                entry = recent.nexts[entry - 1]
    return docs, at
