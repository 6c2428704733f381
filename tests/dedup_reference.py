"""Plain numpy and Python versions of the steps ``dedup._kernels`` compiles: the definitions those
kernels must agree with (``tests/test_dedup_kernels.py``): what the package ran before the kernels,
and for the anchors and sentence lengths their plainest statement; test oracles only."""

import math
import unicodedata
import re

import numpy as np
import xxhash

from dedup.align import Sentences
from dedup.anchors import _OPENERS, _STRIP
from dedup.lsh import _ROW_MULT, band_salts
from dedup.minhash import permutations
from dedup.normalize import _ASCII_TO_SPACE, _STOP_KEYS, mix64, unique_sorted


def signature(stem_hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """uint32[num_perm] MinHash signature of a set of 64-bit stem hashes (all-ones when empty)."""
    if len(stem_hashes) == 0:
        return np.full(num_perm, 0xFFFFFFFF, np.uint32)
    mult, add = (p[:, None] for p in permutations(num_perm, seed))
    values = mult * stem_hashes[None, :]  # (num_perm, stems); array arithmetic wraps modulo 2**64
    values += add
    # min along the contiguous axis, then the shift (monotone, so it commutes with min)
    return (values.min(axis=1) >> np.uint64(32)).astype(np.uint32)


def estimated_jaccard(sig: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Share of equal values between ``sig`` (P,) and each row of ``others`` (N, P)."""
    return np.count_nonzero(others == sig, axis=1) / len(sig)


def sentence_table(a: Sentences) -> tuple[np.ndarray, np.ndarray]:
    """For every 16-bit stem: where it starts in ``a.hashes`` and how many sentences hold it."""
    hashes = a.hashes.astype(np.int64)
    starts = np.flatnonzero(np.concatenate(([True], hashes[1:] != hashes[:-1]))) if len(hashes) else hashes
    first, many = np.zeros(1 << 16, np.int32), np.zeros(1 << 16, np.int32)
    first[hashes[starts]] = starts
    many[hashes[starts]] = np.diff(np.append(starts, len(hashes)))
    return first, many


def alignment_cells(a: Sentences, b: Sentences) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``Alignment(a, b)``'s (rows, cols, dice), by searchsorted on the sorted stems."""
    empty = np.empty(0)
    if not a.total or not b.total:
        return empty, empty, empty
    at = np.searchsorted(b.hashes, a.hashes)
    hit = b.hashes[np.minimum(at, len(b.hashes) - 1)] == a.hashes
    if not hit.any():
        return empty, empty, empty
    low = at[hit]
    count = np.searchsorted(b.hashes, a.hashes[hit], "right") - low  # B's sentences holding each stem
    rows = np.repeat(a.sentences[hit], count)
    cols = b.sentences[np.repeat(low - np.cumsum(count) + count, count) + np.arange(int(count.sum()))]
    width = len(b.weights)
    cells, shared = np.unique(rows * width + cols, return_counts=True)  # sorted by row, then column
    rows, cols = cells // width, cells % width
    return rows, cols, 2.0 * shared / (a.weights[rows] + b.weights[cols])


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


# --- anchors and sentence lengths: the plain definitions dedup._kernels.anchor_tokens and
# sentence_lengths must agree with (the regexes that came between are gone) ---

_UPPER = "".join(c for c in map(chr, range(0x3000)) if c.isupper() and c.isalpha())
_UPPER_CLASS = "[" + re.escape(_UPPER) + "]"
# The first word of a sentence or paragraph (after opening quotes or brackets).
_SENTENCE_START = re.compile(r'[.!?:;\n][\s"\'\u201e\u201c\u201d\u00ab\u00bb(\[]*(' + _UPPER_CLASS + r"[\w\-]*)")

_URL = re.compile(r'https?://[^\s<>"]+|www\.[^\s<>"]+|(?<!\w)[@#]\w{2,}')
_NUMBER = re.compile(r"[0-9][0-9.,]*")
_SENTENCE_BREAK = re.compile(r'[.!?\u2026]["\u201d\u201c\u00bb)\']*\s+|\n+')


def anchor_tokens(text: str) -> set[str]:
    """``dedup.anchors.anchor_tokens`` as plainly as it can be said."""
    text = "\n" + unicodedata.normalize("NFKC", text)
    out = set()
    for url in _URL.findall(text):
        out.add("u:" + url.lower().rstrip(".,;:)/"))
    text = _URL.sub(" ", text)
    for number in _NUMBER.findall(text):
        digits = number.replace(".", "").replace(",", "").lstrip("0")
        if len(digits) >= 2:
            out.add("n:" + digits)
    capitalised = {}
    for word in text.split():
        if word[0].isupper() or word[0] in _OPENERS:
            word = word.strip(_STRIP)
            if len(word) >= 2 and word[0].isupper():
                capitalised[word] = capitalised.get(word, 0) + 1
    for word in _SENTENCE_START.findall(text):
        if word in capitalised:
            capitalised[word] -= 1
    for word, mid_sentence in capitalised.items():
        if mid_sentence > 0 or word[1:] != word[1:].lower():
            out.add("c:" + word.casefold())
    return out


def sentence_lengths(text: str) -> np.ndarray:
    """``dedup.crosslingual.sentence_lengths`` as plainly as it can be said."""
    lengths = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        end = m.start() if m.group(0)[0] == "\n" else m.start() + 1
        if text[start:end].strip():
            lengths.append(end - start)
        start = m.end()
    if text[start:].strip():
        lengths.append(len(text) - start)
    return np.minimum(np.array(lengths, np.int64), 65535).astype(np.uint16)


# --- sentence stems: the numpy version before dedup._kernels ---

_LOW16 = np.uint64(0xFFFF)
_SHIFT = np.uint64(16)


def _table(chars: bytes) -> bytes:
    """A ``bytes.translate`` table giving 1 for ``chars`` and 0 for every other byte."""
    return bytes(1 if c in chars else 0 for c in range(256))


_SPACE, _MARK, _CLOSE, _NEWLINE = _table(b" \t\n\r\x0b\x0c"), _table(b".!?"), _table(b"\")'"), _table(b"\n")
_SPACE_OF, _CLOSE_OF = np.frombuffer(_SPACE, bool), np.frombuffer(_CLOSE, bool)  # indexed by byte value


def sentence_ends(folded: bytes) -> np.ndarray:
    """Byte offsets in a folded UTF-8 text (``dedup.normalize.fold_nfkc``: typographic quotes are spaces
    already, an ellipsis three dots) where a sentence ends: after . ! ? (and a closing quote or bracket)
    before white space, and at line breaks; as ``dedup.crosslingual.sentence_lengths`` splits the
    original text. Found with numpy: a regex costs several microseconds per sentence."""
    marks = np.flatnonzero(np.frombuffer(folded.translate(_MARK), bool))
    # the two bytes after each mark (zero past the end), as 0/1 for white space and closing characters
    after = np.frombuffer(folded + b"\0\0", np.uint8)
    after1, after2 = after[marks + 1], after[marks + 2]
    ends = [marks[_SPACE_OF[after1]] + 1, marks[_CLOSE_OF[after1] & _SPACE_OF[after2]] + 2]
    if b"\n" in folded:
        ends.append(np.flatnonzero(np.frombuffer(folded.translate(_NEWLINE), bool)))
    return unique_sorted(np.concatenate(ends))


def stem_sentences(
    folded: bytes, starts: np.ndarray, keep: np.ndarray, hashes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``sentence_stems`` given which tokens are stems and their hashes (``dedup.normalize.stems_of``)."""
    if not len(hashes):
        return np.empty(0, np.uint16), np.empty(0, np.uint32)
    sentence = np.searchsorted(sentence_ends(folded), starts[keep], "right").astype(np.uint64)
    keys = unique_sorted((sentence << _SHIFT) | (hashes & _LOW16))
    of = keys >> _SHIFT
    first = np.flatnonzero(np.concatenate(([True], of[1:] != of[:-1])))  # each sentence's first stem
    sizes = np.diff(np.append(first, len(keys)))
    return (keys & _LOW16).astype(np.uint16), sizes.astype(np.uint32)


# --- recent postings: the dict dedup.index.Postings kept before dedup._kernels.Multimap ---


class DictMultimap:
    """key -> values in the order added, as a dict of a value or a list of values."""

    def __init__(self):
        self.pending: dict[int, int | list[int]] = {}

    def __len__(self) -> int:
        return sum(len(v) if isinstance(v, list) else 1 for v in self.pending.values())

    def add_pairs(self, keys: np.ndarray, docs: np.ndarray) -> None:
        pending = self.pending
        for k, d in zip(keys.tolist(), docs.tolist()):
            old = pending.get(k)
            if old is None:
                pending[k] = d
            elif isinstance(old, list):
                old.append(d)
            else:
                pending[k] = [old, d]

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hits = list(map(self.pending.get, keys.tolist()))
        docs, at = [], []
        for q in [q for q, hit in enumerate(hits) if hit is not None]:
            hit = hits[q]
            if isinstance(hit, list):
                docs.extend(hit)
                at.extend([q] * len(hit))
            else:
                docs.append(hit)
                at.append(q)
        return np.array(docs, np.int64), np.array(at, np.int64)

    def counts(self, keys: np.ndarray) -> np.ndarray:
        out = np.zeros(len(keys), np.int64)
        for q, k in enumerate(keys.tolist()):
            hit = self.pending.get(k)
            if hit is not None:
                out[q] += len(hit) if isinstance(hit, list) else 1
        return out


# --- tokens and stems: the numpy versions before dedup._kernels.text_stems ---

_SPACES9 = b" " * 9
_LENGTH_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], np.uint64)


def folded_packed_tokens(folded: bytes) -> tuple[np.ndarray, bytes, np.ndarray]:
    """The tokens of a text already folded (``fold_nfkc``) and encoded as UTF-8: (first 8 bytes of every
    token as little-endian uint64, zero padded; ``content_hash``; the byte offset in ``folded`` where
    each token starts).

    Same tokens as ``tokens(text)``, found with numpy on the byte buffer instead of a Python list
    of bytes objects: token boundaries are where "is a word byte" changes, and each token's first
    8 bytes are one unaligned uint64 read at its start, masked to its length.
    """
    data = b" " + folded.translate(_ASCII_TO_SPACE) + _SPACES9
    buf = np.frombuffer(data, np.uint8)
    word = buf != 0x20
    bounds = np.flatnonzero(word[1:] != word[:-1]) + 1  # starts and ends alternate
    starts, ends = bounds[0::2], bounds[1::2]
    if not len(starts):
        return np.empty(0, np.uint64), xxhash.xxh3_128_digest(b""), starts
    # the token sequence joined by single spaces, as b' '.join(tokens(text))
    keep = word[starts[0] : ends[-1]].copy()
    keep[ends[:-1] - starts[0]] = True
    chash = xxhash.xxh3_128_digest(buf[starts[0] : ends[-1]][keep].tobytes())
    every_offset = np.ndarray((len(buf) - 7,), "<u8", data, 0, (1,))  # uint64 starting at each byte
    return every_offset[starts] & _LENGTH_MASKS[np.minimum(ends - starts, 8)], chash, starts - 1


# A 16-bit multiplicative hash of each stop key marks a slot here; a token whose slot is unmarked is no
# stop word, so only the few marked ones are looked up in _STOP_KEYS.
_STOP_MULT = np.uint64(0x9E3779B97F4A7C15)
_STOP_SLOTS = np.zeros(1 << 16, bool)
_STOP_SLOTS[(_STOP_KEYS * _STOP_MULT) >> np.uint64(48)] = True


def stem_mask(packed: np.ndarray, min_token_bytes: int = 4, drop_stopwords: bool = True) -> np.ndarray:
    """Which packed tokens are stems (``shingle_hashes``): long enough, and not stop words."""
    keep = (packed >> np.uint64(8 * (min_token_bytes - 1))) != 0  # byte min_token_bytes-1 present
    if drop_stopwords and len(packed):
        maybe = np.flatnonzero(_STOP_SLOTS[(packed * _STOP_MULT) >> np.uint64(48)])
        if len(maybe):
            pos = np.minimum(np.searchsorted(_STOP_KEYS, packed[maybe]), len(_STOP_KEYS) - 1)
            keep[maybe[_STOP_KEYS[pos] == packed[maybe]]] = False
    return keep


def stems_of(
    packed: np.ndarray, min_token_bytes: int = 4, prefix_bytes: int = 5, drop_stopwords: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(which packed tokens are stems, the ``stem_hash`` of each of those), for both the MinHash set
    (``shingle_hashes``) and the sentence stems (``dedup.align.sentence_stems``) of one text."""
    keep = stem_mask(packed, min_token_bytes, drop_stopwords)
    return keep, stem_hash(packed[keep], prefix_bytes)


def stem_hash(packed: np.ndarray, prefix_bytes: int = 5) -> np.ndarray:
    """The hash of each packed stem: its first ``prefix_bytes`` bytes, mixed."""
    if prefix_bytes < 8:
        packed = packed & np.uint64((1 << (8 * prefix_bytes)) - 1)
    return mix64(packed)


def shingle_hashes(toks, min_token_bytes: int = 4, prefix_bytes: int = 5, drop_stopwords: bool = True) -> np.ndarray:
    """Unique 64-bit hashes of the token stems used as the MinHash set (sorted, uint64).

    ``toks``: a list of token bytes, or their packed first 8 bytes (``folded_packed_tokens``). A stem is
    the first ``prefix_bytes`` bytes (<= 8) of a token of >= ``min_token_bytes`` bytes that is
    not a stop word. Computed on 8-byte prefixes packed into integers, so no Python loop runs per
    token.
    """
    if not len(toks):
        return np.empty(0, np.uint64)
    if isinstance(toks, np.ndarray):
        packed = toks
    else:  # first 8 bytes, zero padded, little endian
        packed = np.array(toks, dtype="S8").view("<u8")
    packed = unique_sorted(packed)  # ~800 tokens of an article -> ~450 distinct: less work below
    return unique_sorted(stem_hash(packed[stem_mask(packed, min_token_bytes, drop_stopwords)], prefix_bytes))


def sentence_stems(
    folded: bytes, packed: np.ndarray, starts: np.ndarray, min_token_bytes: int, prefix_bytes: int, drop_stopwords: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(stem hashes, stems per sentence) of a folded text whose tokens are ``packed``, starting at byte
    offsets ``starts`` (``folded_packed_tokens``)."""
    return stem_sentences(folded, starts, *stems_of(packed, min_token_bytes, prefix_bytes, drop_stopwords))


def folded_stems(folded: bytes, min_token_bytes: int = 4, prefix_bytes: int = 5, drop_stopwords: bool = True):
    """``dedup.normalize.folded_stems`` from the numpy steps above."""
    packed, chash, starts = folded_packed_tokens(folded)
    keep, hashes = stems_of(packed, min_token_bytes, prefix_bytes, drop_stopwords)
    return (chash, hashes, *stem_sentences(folded, starts, keep, hashes))


def postings_lookup(postings: np.ndarray, keys: np.ndarray, recent: DictMultimap, doc_bits: int = 24):
    """``dedup.index.Postings.lookup`` as numpy ranges over the sorted postings, then the recent ones."""
    shift, mask = np.uint64(doc_bits), np.uint64((1 << doc_bits) - 1)
    found_docs, found_at = [], []
    base = (keys >> shift) << shift
    lo = np.searchsorted(postings, base, "left")
    hi = np.searchsorted(postings, base | mask, "right")
    lengths = hi - lo
    total = int(lengths.sum())
    if total:  # all ranges gathered at once: start of each range repeated + running offset
        ends = np.cumsum(lengths)
        idx = np.repeat(lo - (ends - lengths), lengths) + np.arange(total)
        found_docs.append((postings[idx] & mask).astype(np.int64))
        found_at.append(np.repeat(np.arange(len(keys)), lengths))
    docs, at = recent.lookup(keys >> shift)
    if len(docs):
        found_docs.append(docs)
        found_at.append(at)
    if not found_docs:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(found_docs), np.concatenate(found_at)


# --- LSH bucket keys: the numpy version before dedup._kernels.band_keys ---


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Salted bucket keys as ``MinHashLSH`` with ``bucket_key`` makes them, vectorised: uint64,
    shape (N, bands) for (N, P) uint32 signatures or (bands,) for one signature."""
    single = signatures.ndim == 1
    sigs = np.atleast_2d(signatures)
    sigs = sigs[:, : bands * rows].astype(np.uint64).reshape(len(sigs), bands, rows)
    acc = sigs[:, :, 0].copy()
    for k in range(1, rows):
        acc *= np.uint64(_ROW_MULT)  # array arithmetic wraps modulo 2**64
        acc ^= sigs[:, :, k]
    acc = mix64(acc) ^ band_salts(bands)
    return acc[0] if single else acc


def alignment_cost(
    a: np.ndarray, b: np.ndarray, skip: float = 1.0, merge: float = 0.3, band: int = 12, limit: float = math.inf
) -> float:
    """``dedup.crosslingual.alignment_cost`` in plain Python, as it was before the kernel."""
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return math.inf
    a = a.astype(np.float64) + 1.0
    b = b.astype(np.float64) + 1.0
    r = b.sum() / a.sum()
    la = np.log(a * r).tolist()
    lb = np.log(b).tolist()
    ca = np.concatenate([[0.0], np.cumsum(a * r)]).tolist()
    cb = np.concatenate([[0.0], np.cumsum(b)]).tolist()
    # ln of the last two sentences merged, for rows i >= 2 and columns j >= 2
    la2 = [0.0, 0.0, *(math.log(ca[i] - ca[i - 2]) for i in range(2, n + 1))]
    lb2 = [0.0, 0.0, *(math.log(cb[j] - cb[j - 2]) for j in range(2, m + 1))]
    longer = max(n, m)
    inf = math.inf
    width = band + abs(n - m)
    prev2 = [inf] * (m + 1)
    prev = [inf] * (m + 1)
    prev[0] = 0.0
    for j in range(1, min(m, width) + 1):
        prev[j] = prev[j - 1] + skip
    for i in range(1, n + 1):
        cur = [inf] * (m + 1)
        centre = i * m // n
        lo, hi = max(0, centre - width), min(m, centre + width)
        if lo == 0:
            cur[0] = prev[0] + skip
        lai = la[i - 1]
        for j in range(max(1, lo), hi + 1):
            best = prev[j - 1] + abs(lai - lb[j - 1])
            if i >= 2:
                v = prev2[j - 1] + abs(la2[i] - lb[j - 1]) + merge
                if v < best:
                    best = v
            if j >= 2:
                v = prev[j - 2] + abs(lai - lb2[j]) + merge
                if v < best:
                    best = v
            v = prev[j] + skip
            if v < best:
                best = v
            v = cur[j - 1] + skip
            if v < best:
                best = v
            cur[j] = best
        if limit < inf and min(min(cur), min(prev)) / longer > limit:
            return inf
        prev2, prev = prev, cur
    return prev[m] / longer
