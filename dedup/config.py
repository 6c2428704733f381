"""Every dedup parameter in one dataclass, in three parts: tokens, MinHash/LSH, verification.

Tokens: word stems, i.e. tokens of at least ``min_token_bytes`` bytes cut to ``prefix_bytes`` bytes
(a language-free stemmer: translations of one story share stems, not word sequences), without stop
words.

Threshold arithmetic (as in datatrove's ``MinhashConfig``): a signature of ``num_perm`` values is
cut into ``bands`` bands of ``rows`` values; two documents with Jaccard ``s`` share at least one
band with probability ``1 - (1 - s**rows)**bands``, an S-curve whose midpoint is about
``(1/bands)**(1/rows)``. With ``bands = rows = 0`` they are derived from ``threshold`` by
datasketch's ``_optimal_param``. The LSH and the estimated Jaccard only nominate candidates; the
sentence alignment (``dedup.align``, the verification fields) decides.

``seed`` fixes the MinHash permutations: fingerprints made with different seeds, permutation counts
or token settings are not comparable, and the index refuses to mix them.
``tests/benchmarks/bench_dedup.py`` prints what these defaults measure on the evaluation sets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class DedupConfig:
    """Near-duplicate detection settings. Scrapy setting ``DEDUP_<FIELD>`` overrides ``<field>``."""

    # --- tokens (dedup.normalize) ---
    min_token_bytes: int = 4
    """Tokens shorter than this (UTF-8 bytes) are ignored: articles, short function words."""
    prefix_bytes: int = 5
    """Tokens are cut to this many bytes (<= 8)."""
    drop_stopwords: bool = True
    """Drop the German/English/French stop words of ``dedup.stopwords``."""

    # --- MinHash and LSH ---
    num_perm: int = 192
    """Signature length."""
    seed: int = 1
    """Seed of the permutations (numpy RandomState, stable across numpy versions)."""
    threshold: float = 0.2
    """Estimated Jaccard a candidate must reach to be aligned (``min_coverage``). Low, for recall:
    shared vocabulary only nominates candidates, the sentence alignment decides."""
    bands: int = 0
    """LSH bands; 0 derives (bands, rows) from ``threshold`` (see module docstring)."""
    rows: int = 0
    """Rows per band; 0 derives them with ``bands``."""

    # --- guards against merging different stories ---
    min_tokens: int = 20
    """Documents with fewer distinct stems are only matched as exact duplicates: too little text
    to tell two stories apart."""

    # --- verification by sentence alignment (dedup.align) ---
    sentence_match: float = 0.3
    """Dice coefficient of two sentences' stem sets from which they may be aligned."""
    min_coverage: float = 0.65
    """Share of each text's stems that the sentence alignment must cover, on both sides, for a
    candidate to be a near duplicate: copies and re-translations follow their source sentence by
    sentence, other articles on the same event do not."""
    excerpt_match: float = 0.8
    excerpt_coverage: float = 0.9
    """A text is also a near duplicate when it is an excerpt of the other (a republished first
    part): ``excerpt_coverage`` of it aligned to sentences of the other at a Dice of at least
    ``excerpt_match``, i.e. nearly word for word. Quoting a paragraph covers far less."""
    max_verified: int = 20
    """Candidates aligned per article at most, most similar signature first."""

    # --- cross-language links (dedup.crosslingual) ---
    cross_language: bool = True
    """Compute anchors and sentence lengths in every fingerprint so that ``find_translation`` can
    link an article to its original in another language."""
    xl_align_strict: float = 0.14
    """Sentence alignment cost that proves a translation by itself (with ``xl_min_sentences``)."""
    xl_min_sentences: int = 8
    """Fewer sentences than this cannot prove a translation by alignment alone: short different
    stories can align by chance."""
    xl_anchor_weight: float = 15.0
    """Rarity-weighted shared anchors that prove a translation together with ``xl_anchor_share``
    (and ``xl_align_loose``)."""
    xl_anchor_share: float = 0.3
    """Shared anchor weight / the smaller article's anchor weight."""
    xl_align_loose: float = 0.4
    """Worst sentence alignment accepted with strong anchors."""
    xl_align: float = 0.19
    """Alignment cost accepted when anchors support it (``xl_support_*``)."""
    xl_support_weight: float = 5.0
    xl_support_share: float = 0.25
    """Pairs sharing no anchor are found only through the sentence structure (same count, same
    longest sentences) and the strict alignment rule."""
    xl_candidates: int = 30
    """How many other-language articles (most shared anchor weight first) are aligned per query."""

    # --- shared index ---
    redis_url: str | None = None
    """``redis://host:port/db``: keep the LSH index in Redis, shared by several crawler processes.
    None keeps it in this process's memory."""
    redis_prefix: str = "dedup"
    """Prefix of the Redis keys; the token and MinHash settings are appended to it."""

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "DedupConfig":
        """Build from a mapping (e.g. Scrapy settings): ``DEDUP_<FIELD>`` keys override defaults,
        other keys are ignored. Raises ValueError with a one-line message on a bad value."""
        values = {}
        for f in fields(cls):
            name = "DEDUP_" + f.name.upper()
            try:
                present = name in settings
            except TypeError:
                present = False
            if not present:
                continue
            raw = settings[name]
            values[f.name] = _convert(name, raw, f)
        return cls(**values).validated()

    def validated(self) -> "DedupConfig":
        """Return self after checking the ranges; ValueError names the bad setting."""
        checks = [
            (1 <= self.min_token_bytes <= 8, "DEDUP_MIN_TOKEN_BYTES must be 1..8"),
            (1 <= self.prefix_bytes <= 8, "DEDUP_PREFIX_BYTES must be 1..8"),
            (self.num_perm >= 16, "DEDUP_NUM_PERM must be >= 16"),
            (0.0 < self.threshold <= 1.0, "DEDUP_THRESHOLD must be in (0, 1]"),
            (self.bands >= 0 and self.rows >= 0, "DEDUP_BANDS and DEDUP_ROWS must be >= 0"),
            ((self.bands == 0) == (self.rows == 0), "set both DEDUP_BANDS and DEDUP_ROWS, or neither"),
            (self.bands * self.rows <= self.num_perm, "DEDUP_BANDS x DEDUP_ROWS must be <= DEDUP_NUM_PERM"),
            (0.0 < self.sentence_match <= 1.0, "DEDUP_SENTENCE_MATCH must be in (0, 1]"),
            (0.0 < self.min_coverage <= 1.0, "DEDUP_MIN_COVERAGE must be in (0, 1]"),
            (0.0 < self.excerpt_match <= 1.0, "DEDUP_EXCERPT_MATCH must be in (0, 1]"),
            (0.0 < self.excerpt_coverage <= 1.0, "DEDUP_EXCERPT_COVERAGE must be in (0, 1]"),
            (self.max_verified >= 1, "DEDUP_MAX_VERIFIED must be >= 1"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        return self

    def lsh_params(self) -> tuple[int, int]:
        """(bands, rows) of the LSH index."""
        if self.bands and self.rows:
            return self.bands, self.rows
        return derive_lsh_params(self.threshold, self.num_perm)

    def signature_tag(self) -> str:
        """Identifies every setting that changes a fingerprint; equal tags = comparable fingerprints."""
        return f"p{self.prefix_bytes}m{self.min_token_bytes}s{int(self.drop_stopwords)}n{self.num_perm}r{self.seed}"

    def replace(self, **changes) -> "DedupConfig":
        return dataclasses.replace(self, **changes).validated()


DERIVED_LSH_PARAMS = {(0.2, 192): (64, 3), (0.25, 192): (64, 3)}
"""What ``derive_lsh_params`` gives for the defaults (a test checks it), known in advance because
datasketch's optimiser integrates with scipy, ~45 MB in a crawl process that would need it for
nothing else (``dedup.lsh`` imports datasketch without it)."""


@lru_cache(maxsize=64)
def derive_lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) minimising the weighted false-positive/negative areas (datasketch's optimiser)."""
    known = DERIVED_LSH_PARAMS.get((threshold, num_perm))
    if known is not None:
        return known
    from datasketch.lsh import _optimal_param

    return _optimal_param(threshold, num_perm, 0.5, 0.5)


def _convert(name: str, raw: Any, f: dataclasses.Field) -> Any:
    kind = type(f.default) if f.default is not None else str
    if raw is None:
        if f.default is None:
            return None
        raise ValueError(f"{name} must not be empty")
    try:
        if kind is bool:
            if isinstance(raw, str):
                low = raw.strip().lower()
                if low in ("1", "true", "yes", "on"):
                    return True
                if low in ("0", "false", "no", "off", ""):
                    return False
                raise ValueError
            return bool(raw)
        if kind is int:
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError
            return int(raw)
        if kind is float:
            return float(raw)
        value = str(raw).strip()
        return value or None if f.default is None else value
    except (TypeError, ValueError):
        raise ValueError(f"{name}={raw!r} is not a valid {kind.__name__}") from None
