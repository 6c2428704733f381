"""Cross-language evidence: is article B a translation of article A in another language?

Word MinHash cannot see translations (they share almost no words). Two signals survive:

1. Anchors (``dedup.anchors``): numbers, names, acronyms, URLs, handles shared by both texts,
   each weighted by its rarity in the index, ``idf = ln(max(N, 1000) / df)`` (a name in every
   article about DeepSeek weighs little, a figure like ``5576000`` a lot). ``weight`` is the sum
   over shared anchors; ``share`` is weight divided by the smaller of the two articles' anchor
   masses (German capitalises every noun, so its mass is larger; the smaller side is the
   other language's).
2. Sentence structure: translators and MT systems keep sentence boundaries, so the sequence of
   sentence lengths (characters, scaled by the overall length ratio of the two languages) lines
   up. ``alignment_cost`` is a Gale-Church-style dynamic programme allowing 1-1, 1-2 and 2-1
   sentence matches and skips; translations cost less per sentence than almost every unrelated
   pair of the dev set.

Two articles are translations when (measured on docs_xling.jsonl over all 108,756 cross-language
pairs, 339 of them true; see ``DedupConfig`` for the numbers behind each threshold):
  sentences align very well (cost <= ``xl_align_strict``, >= ``xl_min_sentences`` sentences),
  or anchors agree strongly (weight >= ``xl_anchor_weight``, share >= ``xl_anchor_share``) and
  the sentences are not far off (cost <= ``xl_align_loose``),
  or both moderately (cost <= ``xl_align`` with weight >= ``xl_support_weight`` and share >=
  ``xl_support_share``).
``cost_limit`` turns this rule into the highest alignment cost still accepted for a pair, so the
alignment can stop as soon as it is sure to exceed it.
Candidates come from the index through shared anchors, or, for articles without any shared anchor
(names and figures are rare in some texts), through ``structure_keys``: same sentence count and
the same positions of the longest sentences; those can only pass the first rule.
"""

from __future__ import annotations

import math

import numpy as np

from dedup._kernels import alignment_total as _alignment_total
from dedup._kernels import sentence_lengths as _sentence_lengths


def sentence_lengths(text: str) -> np.ndarray:
    """Character length of each sentence (uint16, capped), in text order; blank pieces between
    line breaks are no sentence. A sentence ends at . ! ? or an ellipsis followed (after closing
    quotes) by white space, or at a line break; the end mark belongs to the sentence. Compiled:
    ``dedup._kernels.sentence_lengths``."""
    return _sentence_lengths(text)


def structure_keys(sentences: np.ndarray, min_sentences: int) -> np.ndarray:
    """Index keys for translations that share no anchor: the sentence count with the positions of
    two of the three longest sentences (three keys, so a swap of the 2nd and 3rd still meets).
    Empty below ``min_sentences`` sentences."""
    n = len(sentences)
    if n < min_sentences:
        return np.empty(0, np.uint64)
    top = np.argsort(-sentences.astype(np.int64), kind="stable")[:3].tolist()
    keys = []
    for a, b in ((0, 1), (0, 2), (1, 2)):
        i, j = sorted((top[a], top[b]))
        keys.append(((n * 1_000_003 + i) * 1_000_003 + j) * 0x9E3779B97F4A7C15 % (1 << 64))
    return np.unique(np.array(keys, np.uint64))


def alignment_cost(
    a: np.ndarray, b: np.ndarray, skip: float = 1.0, merge: float = 0.3, band: int = 12, limit: float = math.inf
) -> float:
    """Mean cost per sentence of the best monotone alignment of two sentence-length sequences.

    Cost of matching groups of lengths x and y: ``|ln(x * r) - ln(y)|`` with ``r = sum(b)/sum(a)``;
    a 2-1 or 1-2 match adds ``merge``, an unmatched sentence costs ``skip``. Only cells within
    ``band`` sentences of the diagonal are explored. Returns ``inf`` for an empty sequence, and
    as soon as the cost is sure to exceed ``limit``: every path crosses one of any two consecutive
    rows (a step spans at most two) and costs never decrease along a path, so the smaller minimum
    of the last two rows is a lower bound of the result. The programme is compiled
    (``dedup._kernels.alignment_total``).
    """
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return math.inf
    a = a.astype(np.float64) + 1.0
    b = b.astype(np.float64) + 1.0
    r = b.sum() / a.sum()
    la = np.log(a * r)
    lb = np.log(b)
    ca = np.concatenate([[0.0], np.cumsum(a * r)]).tolist()
    cb = np.concatenate([[0.0], np.cumsum(b)]).tolist()
    # ln of the last two sentences merged, for rows i >= 2 and columns j >= 2
    la2 = np.array([0.0, 0.0, *(math.log(ca[i] - ca[i - 2]) for i in range(2, n + 1))])
    lb2 = np.array([0.0, 0.0, *(math.log(cb[j] - cb[j - 2]) for j in range(2, m + 1))])
    width = band + abs(n - m)
    return _alignment_total(la, lb, la2, lb2, skip, merge, width, limit) / max(n, m)


def cost_limit(sentences: int, weight: float, share: float, config) -> float:
    """The highest alignment cost at which the rule above still says "translation" (``-inf``
    when nothing could): two articles are translations when ``alignment_cost <= cost_limit``.
    ``sentences`` is the smaller sentence count of the two."""
    limits = [-math.inf]
    if sentences >= config.xl_min_sentences:
        limits.append(config.xl_align_strict)
    if weight >= config.xl_anchor_weight and share >= config.xl_anchor_share:
        limits.append(config.xl_align_loose)
    if weight >= config.xl_support_weight and share >= config.xl_support_share:
        limits.append(config.xl_align)
    return max(limits)


def translation_score(cost: float, share: float) -> float:
    """A similarity in [0, 1] for reports: the better of the two signals."""
    structural = max(0.0, 1.0 - cost / 0.3) if math.isfinite(cost) else 0.0
    return round(min(1.0, max(structural, share)), 4)
