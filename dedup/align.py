"""Sentence alignment: the evidence that tells a copy or translation from another article on the event.

A copy, a syndicated or lightly edited version, or another machine translation of one source
follows it sentence by sentence. Two reports of one event share names, figures and vocabulary, but
not that order. So a near-duplicate candidate is verified here:

- ``dedup.normalize.folded_stems`` gives each sentence of a text its set of word stems (the tokens
  MinHash sees), each hashed to 16 bits, stored with the fingerprint;
- ``coverage`` finds the best order-preserving one-to-one matching of the two texts' sentences,
  where two sentences may match when the Dice coefficient of their stem sets reaches ``tau``, and
  returns how much of each text (weighted by stems) the matching covers;
- ``reaches`` bounds that coverage for many candidates at once (the share of each text in sentences
  that have a partner at all), so that only the few candidates it leaves are aligned.

``DedupConfig.min_coverage`` must be reached by the smaller of the two coverages: most of *both*
texts is aligned. A short text whose words all occur in a long one, an article quoting a
paragraph of another, two pages sharing a site's boilerplate: each covers little of the other.
"""

from __future__ import annotations

import numpy as np

from dedup import _kernels


class Sentences:
    """A text's sentence stems made ready for ``coverage``: the stems sorted, with their sentences."""

    __slots__ = ("hashes", "sentences", "weights", "total")

    def __init__(self, stems: np.ndarray, stems_per_sentence: np.ndarray):
        stems = np.asarray(stems, np.uint16)
        order = np.argsort(stems, kind="stable")
        self.hashes = stems[order]
        self.sentences = np.repeat(np.arange(len(stems_per_sentence)), stems_per_sentence.astype(np.int64))[order]
        self.weights = stems_per_sentence.astype(np.float64)
        self.total = float(len(stems))


class Alignment:
    """The sentence pairs of texts A and B that share stems, with their Dice coefficients, found once
    for ``coverage`` at several thresholds. Only sentence pairs that share a stem are looked at (one
    merge of the sorted stems, compiled: ``dedup._kernels.alignment_cells``), so the cost grows with
    what the texts share, not with the product of their lengths."""

    __slots__ = ("a", "b", "rows", "cols", "dice")

    def __init__(self, a: Sentences, b: Sentences):
        self.a, self.b = a, b
        self.rows = self.cols = self.dice = np.empty(0)
        if not a.total or not b.total:
            return
        self.rows, self.cols, self.dice = _kernels.alignment_cells(
            a.hashes, a.sentences, a.weights, b.hashes, b.sentences, b.weights
        )

    def reach(self, tau: float) -> tuple[float, float]:
        """What ``coverage(tau)`` can reach at most: the shares of A's and B's stems in sentences that
        have a partner at ``tau`` (cheap; the matching takes one partner each, in order)."""
        match = self.dice >= tau
        if not match.any():
            return 0.0, 0.0
        rows, cols = np.unique(self.rows[match]), np.unique(self.cols[match])
        return self.a.weights[rows].sum() / self.a.total, self.b.weights[cols].sum() / self.b.total

    def coverage(self, tau: float) -> tuple[float, float]:
        """(share of A's stems, share of B's stems) in sentences of the best order-preserving one-to-one
        matching of A's and B's sentences; sentences may match when their stem sets' Dice >= ``tau``.
        The matching is a heaviest increasing chain over the pairs that may match."""
        match = self.dice >= tau
        if not match.any():
            return 0.0, 0.0
        got_a, got_b = _heaviest_chain(
            self.rows[match], self.cols[match], self.a.weights, self.b.weights, len(self.b.weights)
        )
        return got_a / self.a.total, got_b / self.b.total


def reaches(a: Sentences, others: list[tuple[np.ndarray, np.ndarray]], tau: float) -> tuple[np.ndarray, np.ndarray]:
    """``Alignment(a, Sentences(*other)).reach(tau)`` for each ``(sentence stems, stems per sentence)``
    in ``others``, as two arrays (A's shares, the others' shares), equal to what ``reach`` gives.

    One compiled pass for all of them (``dedup._kernels.reaches``), so what a query costs hardly grows
    with its candidates: their stems are read as they are stored (sentence after sentence, no
    ``Sentences`` built), looked up in A's sorted stems, and the stems each of their sentences shares
    with each of A's are counted."""
    others = [(np.asarray(stems, np.uint16), np.asarray(counts, np.uint32)) for stems, counts in others]
    return _kernels.reaches(a.hashes, a.sentences, a.weights, a.total, others, tau)


def coverage(a: Sentences, b: Sentences, tau: float) -> tuple[float, float]:
    """``Alignment(a, b).coverage(tau)``."""
    return Alignment(a, b).coverage(tau)


def _heaviest_chain(rows, cols, wa: np.ndarray, wb: np.ndarray, width: int) -> tuple[float, float]:
    """Heaviest chain of cells increasing in both row and column (weight ``wa[row] + wb[col]``), by a
    Fenwick tree of prefix maxima over columns; returns the chain's A and B weights. The cells come
    sorted by row; the cells of one row are all looked up before any of them is entered, so that no
    chain takes two of them. Compiled: ``dedup._kernels.heaviest_chain``."""
    return _kernels.heaviest_chain(
        np.asarray(rows, np.int64),
        np.asarray(cols, np.int64),
        np.asarray(wa, np.float64),
        np.asarray(wb, np.float64),
        width,
    )
