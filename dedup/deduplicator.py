"""``Deduplicator``: decide whether an article is a copy of one already kept.

``find(fp)`` answers in this order:

1. exact: an indexed article has the same content hash -> ``Match(key, 1.0, "exact")``;
2. near: LSH candidates (articles sharing a signature band) whose estimated Jaccard of the stem
   sets reaches ``threshold`` and that have, like the query, >= ``min_tokens`` stems, are verified
   by sentence alignment (``dedup.align``): the best order-preserving matching of their sentences
   must cover ``min_coverage`` of both texts. A bound of that coverage (``dedup.align.reaches``,
   one pass for all candidates) rules out most candidates before any is aligned. The best covered
   one is returned as ``Match(key, coverage, "near")``. Shared vocabulary only nominates a
   candidate; the alignment decides, so two reports of one event stay apart however many names
   and figures they share.

The index holds only kept articles: ``add(key, fp)`` after the caller stored one. The first
stored copy of a story is therefore the one kept. ``load(rows)`` rebuilds the index from the
fingerprints persisted in the corpus. With ``config.redis_url`` the index lives in Redis and is
shared by every process using the same URL and settings (``dedup.redis_index``); a process
that writes a corpus shard ``claim``s it at start-up, so that what it indexed but never stored
before a SIGKILL is forgotten rather than counted as a copy of a missing article.

``find_translation(fp)`` answers a different question: which kept article in another language
is this one a translation of (``dedup.crosslingual``)? The crawler's policy decides whether to
link the two (default) or drop the translation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from dedup.align import Alignment, Sentences, reaches
from dedup.config import DedupConfig
from dedup.crosslingual import alignment_cost, cost_limit, translation_score
from dedup.fingerprint import Fingerprint, config_tag, fingerprint_text, language_key, unpack_many
from dedup.index import MemoryIndex
from dedup.minhash import estimated_jaccard


@dataclass(frozen=True)
class Match:
    """The kept article a text duplicates or translates, how similar, and which kind of match."""

    key: str
    similarity: float
    kind: str  # "exact" | "near" | "translation"


class Deduplicator:
    """The kept articles' index (in memory or in Redis) and the questions asked of it: is this a copy
    (``find``), a translation (``find_translation``); ``add`` indexes a kept article."""

    def __init__(self, config: DedupConfig | None = None):
        self.config = (config or DedupConfig()).validated()
        self.bands, self.rows = self.config.lsh_params()
        self._tag = config_tag(self.config)
        if self.config.redis_url:
            from dedup.redis_index import RedisIndex

            self.index = RedisIndex(
                self.config.redis_url,
                self._redis_namespace(),
                self.config.num_perm,
                self.bands,
                self.rows,
                self.config.xl_min_sentences,
            )
        else:
            self.index = MemoryIndex(self.config.num_perm, self.bands, self.rows, self.config.xl_min_sentences)

    def _redis_namespace(self) -> str:
        # 'k2': the bucket-key format of dedup.lsh, 'f3': the fingerprint format (dedup.fingerprint);
        # an index written with other keys or records is not reused
        return f"{self.config.redis_prefix}:{self.config.signature_tag()}b{self.bands}x{self.rows}k2f3"

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, key: str) -> bool:
        """Is an article indexed under ``key``?"""
        return key in self.index

    def fingerprint(self, text: str, lang: str | None = None) -> Fingerprint:
        return fingerprint_text(text, lang, self.config)

    def _check(self, fp: Fingerprint) -> None:
        if not isinstance(fp, Fingerprint):
            raise TypeError(f"expected a Fingerprint, got {type(fp).__name__}")
        if fp.tag != self._tag:
            raise ValueError("fingerprint made with other dedup settings (num_perm, seed or tokens)")

    def find(self, fp: Fingerprint) -> Match | None:
        """The kept article ``fp`` duplicates, or None."""
        self._check(fp)
        cfg = self.config
        key = self.index.exact(fp.content_hash)
        if key is not None:
            return Match(key, 1.0, "exact")
        if fp.stems < cfg.min_tokens:
            return None
        cand = self.index.lookup(fp.signature)
        if not len(cand.stems):
            return None
        sims = estimated_jaccard(fp.signature, cand.signatures)
        ok = np.flatnonzero((sims >= cfg.threshold) & (cand.stems >= cfg.min_tokens))
        if not len(ok):
            return None
        mine = Sentences(fp.sentence_stems, fp.stems_per_sentence)
        verified = ok[np.argsort(-sims[ok], kind="stable")][: cfg.max_verified]
        their_stems = [cand.sentence_stems(i) for i in verified.tolist()]
        # the bound aligned_share ends most candidates with, for all of them at once
        reach_a, reach_b = reaches(mine, their_stems, cfg.sentence_match)
        hopeful = (np.minimum(reach_a, reach_b) >= cfg.min_coverage) | (
            np.maximum(reach_a, reach_b) >= cfg.excerpt_coverage
        )
        best, best_cover = -1, 0.0
        for j in np.flatnonzero(hopeful).tolist():
            i = int(verified[j])
            cover = aligned_share(mine, Sentences(*their_stems[j]), cfg)
            if cover > best_cover:
                best, best_cover = i, cover
        if best < 0:
            return None
        return Match(cand.key(best), round(best_cover, 4), "near")

    def add(self, key: str, fp: Fingerprint) -> None:
        """Index a kept article under ``key`` (its canonical URL)."""
        self._check(fp)
        if not isinstance(key, str) or not key:
            raise ValueError("key must be a non-empty string")
        self.index.add(key, fp)

    def rename(self, old: str, new: str, content_hash: bytes = b"") -> bool:
        """Index the article kept under key ``old`` (whose content hash is ``content_hash``, when
        known) under ``new``; False when no article is indexed under ``old`` or ``new`` is taken."""
        if new in self.index:
            return False
        return self.index.rename(old, new, content_hash)

    def load(self, rows: Iterable[tuple[str, bytes]], batch: int = 250_000) -> int:
        """Rebuild the index from persisted ``(key, fp.to_bytes())`` rows; returns rows loaded.

        Rows made with other settings raise ValueError (the corpus must be re-fingerprinted).
        """
        loaded = 0
        keys: list[str] = []
        blobs: list[bytes] = []
        for key, data in rows:
            keys.append(key)
            blobs.append(data)
            if len(keys) >= batch:
                loaded += self._load_batch(keys, blobs)
                keys, blobs = [], []
        if keys:
            loaded += self._load_batch(keys, blobs)
        self.index.flush()
        return loaded

    def _load_batch(self, keys: list[str], blobs: list[bytes]) -> int:
        cols = unpack_many(blobs, self._tag, self.config.num_perm)
        self.index.add_many(keys, cols)
        return len(cols)

    def claim(self, owner: str, kept: set[str]) -> int:
        """For an index shared through Redis: index on behalf of corpus shard ``owner`` (one name
        per shard file), forgetting what that shard indexed in a run killed before it stored it
        (``kept``: the keys it stored). Returns how many were forgotten; 0 in memory."""
        return self.index.claim(owner, kept)

    def release(self) -> None:
        """The claimed shard stored everything indexed so far (a clean stop)."""
        self.index.release()

    def find_translation(self, fp: Fingerprint, lang: str | None = None) -> Match | None:
        """The kept article in another language that ``fp`` translates (or is translated by).

        ``lang`` overrides ``fp.lang``; without a language nothing is linked. Candidates share
        anchors with ``fp``; each is verified by the rule of ``dedup.crosslingual.cost_limit``
        and the best verified one is returned as ``Match(key, score, "translation")``.
        """
        self._check(fp)
        cfg = self.config
        lang = language_key(lang) or fp.lang
        if not lang or not (len(fp.anchors) or len(fp.sentences)):
            return None
        if lang != fp.lang:
            fp = dataclasses.replace(fp, lang=lang)
        best = None
        for doc, weight, share in self.index.translation_candidates(fp, cfg.xl_candidates):
            other = self.index.sentences(doc)
            limit = cost_limit(min(len(fp.sentences), len(other)), weight, share, cfg)
            # every sentence one side has more costs >= 0.3 (a merge), so skip hopeless alignments
            bound = 0.3 * abs(len(fp.sentences) - len(other)) / max(len(fp.sentences), len(other), 1)
            if bound > limit:
                continue
            cost = alignment_cost(fp.sentences, other, limit=limit)
            if cost <= limit:
                score = translation_score(cost, share)
                if best is None or score > best[1]:
                    best = (doc, score)
        if best is None:
            return None
        return Match(self.index.key(best[0]), best[1], "translation")


def aligned_share(mine: Sentences, other: Sentences, cfg: DedupConfig) -> float:
    """How much of both texts the sentence alignment covers when that makes them near duplicates
    (``min_coverage``, or ``excerpt_coverage`` of the shorter for a verbatim excerpt), else 0."""
    alignment = Alignment(mine, other)
    reach = alignment.reach(cfg.sentence_match)  # a bound that ends most candidates cheaply
    if min(reach) < cfg.min_coverage and max(reach) < cfg.excerpt_coverage:
        return 0.0
    cover = alignment.coverage(cfg.sentence_match)
    if min(cover) >= cfg.min_coverage:
        return min(cover)
    if max(cover) >= cfg.excerpt_coverage:
        excerpt = max(alignment.coverage(cfg.excerpt_match))
        if excerpt >= cfg.excerpt_coverage:
            return excerpt
    return 0.0
