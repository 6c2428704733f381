"""Sentence alignment: the evidence that tells a copy or translation from another article on the event.

A copy, a syndicated or lightly edited version, or another machine translation of one source
follows it sentence by sentence. Two reports of one event share names, figures and vocabulary, but
not that order. So a near-duplicate candidate is verified here:

- ``sentence_stems`` gives each sentence of a text its set of word stems (the tokens MinHash sees,
  ``dedup.normalize``), each hashed to 16 bits, stored with the fingerprint;
- ``coverage`` finds the best order-preserving one-to-one matching of the two texts' sentences,
  where a pair of sentences may match when the Dice coefficient of their stem sets reaches
  ``tau``, and returns how much of each text (weighted by stems) the matching covers.

``DedupConfig.min_coverage`` must be reached by the smaller of the two coverages: most of *both*
texts is aligned. A short text whose words all occur in a long one, an article quoting a
paragraph of another, two pages sharing a site's boilerplate: each covers little of the other.
"""
from __future__ import annotations

import numpy as np

from dedup.crosslingual import SENTENCE_BREAK
from dedup.normalize import fold_nfkc, packed_stems, word_bytes

_SKETCH_MASK = np.uint64(0xFFFF)


def split_sentences(text: str) -> list[str]:
    """Sentences in text order: split after . ! ? and an ellipsis followed by white space, and at
    line breaks (as ``dedup.crosslingual.sentence_lengths``); blank pieces are dropped."""
    parts = SENTENCE_BREAK.split(text)
    return [piece for piece in parts[0::2] if piece and not piece.isspace()]


def sentence_stems(normalized: str, min_token_bytes: int, prefix_bytes: int,
                   drop_stopwords: bool) -> tuple[np.ndarray, np.ndarray]:
    """(stem hashes, stems per sentence) of a text in NFKC: the 16-bit hashes of each sentence's
    distinct stems, sentence after sentence (uint16), and how many belong to each (uint32)."""
    pieces = [sentence.encode('utf-8', 'surrogatepass') for sentence in split_sentences(fold_nfkc(normalized))]
    if not pieces:
        return np.empty(0, np.uint16), np.empty(0, np.uint32)
    starts = np.cumsum([0] + [len(p) + 1 for p in pieces[:-1]])
    stems, at = packed_stems(word_bytes(b' '.join(pieces)), min_token_bytes, prefix_bytes, drop_stopwords)
    sentence = np.searchsorted(starts, at, 'right') - 1
    keys = np.unique((sentence.astype(np.uint64) << np.uint64(16)) | (stems & _SKETCH_MASK))
    sizes = np.bincount((keys >> np.uint64(16)).astype(np.int64), minlength=len(pieces))
    return (keys & _SKETCH_MASK).astype(np.uint16), sizes.astype(np.uint32)


def shared_counts(a_stems: np.ndarray, a_sizes: np.ndarray, b_stems: np.ndarray,
                  b_sizes: np.ndarray) -> np.ndarray:
    """Matrix of shared stems between every sentence of A (rows) and of B (columns)."""
    n, m = len(a_sizes), len(b_sizes)
    a_sent = np.repeat(np.arange(n), a_sizes.astype(np.int64))
    b_sent = np.repeat(np.arange(m), b_sizes.astype(np.int64))
    common = np.intersect1d(a_stems, b_stems)
    if not len(common):
        return np.zeros((n, m), np.int64)
    in_a, in_b = np.isin(a_stems, common), np.isin(b_stems, common)
    a_hash, a_sent = a_stems[in_a], a_sent[in_a]
    b_hash, b_sent = b_stems[in_b], b_sent[in_b]
    order_a, order_b = np.argsort(a_hash, kind='stable'), np.argsort(b_hash, kind='stable')
    a_sent, b_sent = a_sent[order_a], b_sent[order_b]
    _, a_first, a_count = np.unique(a_hash[order_a], return_index=True, return_counts=True)
    _, b_first, b_count = np.unique(b_hash[order_b], return_index=True, return_counts=True)
    pairs = a_count * b_count  # every sentence of A holding a stem meets every sentence of B holding it
    group = np.repeat(np.arange(len(pairs)), pairs)
    offset = np.arange(int(pairs.sum())) - np.repeat(np.cumsum(pairs) - pairs, pairs)
    rows = a_sent[a_first[group] + offset // b_count[group]]
    cols = b_sent[b_first[group] + offset % b_count[group]]
    return np.bincount(rows * m + cols, minlength=n * m).reshape(n, m)


def coverage(a_stems: np.ndarray, a_sizes: np.ndarray, b_stems: np.ndarray, b_sizes: np.ndarray,
             tau: float) -> tuple[float, float]:
    """(share of A's stems, share of B's stems) in sentences of the best order-preserving one-to-one
    matching of A's and B's sentences; sentences may match when their stem sets' Dice >= ``tau``.

    The matching maximises the matched stems of both sides: a heaviest increasing chain over the
    matching cells (``_heaviest_chain``), so its cost grows with the cells, not with n x m."""
    total_a, total_b = float(a_sizes.sum()), float(b_sizes.sum())
    if not total_a or not total_b:
        return 0.0, 0.0
    shared = shared_counts(a_stems, a_sizes, b_stems, b_sizes)
    wa, wb = a_sizes.astype(np.float64), b_sizes.astype(np.float64)
    dice = 2.0 * shared / np.maximum(wa[:, None] + wb[None, :], 1.0)
    rows, cols = np.nonzero(dice >= tau)
    if not len(rows):
        return 0.0, 0.0
    got_a, got_b = _heaviest_chain(rows.tolist(), cols.tolist(), wa.tolist(), wb.tolist(), len(b_sizes))
    return got_a / total_a, got_b / total_b


def _heaviest_chain(rows: list[int], cols: list[int], wa: list[float], wb: list[float],
                    width: int) -> tuple[float, float]:
    """Heaviest chain of cells increasing in both row and column (weight ``wa[row] + wb[col]``),
    by a Fenwick tree of prefix maxima over columns; returns the chain's A and B weights.
    ``rows`` come sorted (``np.nonzero`` order); cells of one row are visited right to left so
    that no chain takes two of them."""
    size = width + 1
    best = [0.0] * (size + 1)
    owner: list[int] = [-1] * (size + 1)
    back: list[int] = []
    top, top_cell = 0.0, -1
    order = sorted(range(len(rows)), key=lambda k: (rows[k], -cols[k]))
    for k in order:
        r, c = rows[k], cols[k]
        value, prev, pos = 0.0, -1, c  # best chain ending in a column < c
        while pos > 0:
            if best[pos] > value:
                value, prev = best[pos], owner[pos]
            pos -= pos & -pos
        value += wa[r] + wb[c]
        back.append(prev)
        cell = len(back) - 1
        pos = c + 1
        while pos <= size:
            if value > best[pos]:
                best[pos], owner[pos] = value, cell
            pos += pos & -pos
        if value > top:
            top, top_cell = value, cell
    got_a = got_b = 0.0
    while top_cell >= 0:
        k = order[top_cell]
        got_a += wa[rows[k]]
        got_b += wb[cols[k]]
        top_cell = back[top_cell]
    return got_a, got_b
