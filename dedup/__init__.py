"""Near-duplicate and translation detection for news articles (pure Python, no Scrapy).

    from dedup import DedupConfig, Deduplicator, Match, Fingerprint
    config = DedupConfig.from_settings(settings)   # DEDUP_<FIELD> overrides
    dedup = Deduplicator(config)
    fp = dedup.fingerprint(text, lang)             # or fingerprint_text(text, lang, config) in a worker
    match = dedup.find(fp)                         # None | Match(key, similarity, "exact" | "near")
    link = dedup.find_translation(fp, lang)        # None | Match(key, score, "translation")
    dedup.add(key, fp)                             # after storing the kept article
    dedup.load((key, fp.to_bytes()) for ...)       # rebuild at start-up

Modules: ``config`` (parameters and the measurements behind them), ``normalize`` (text -> tokens),
``minhash`` (signatures), ``lsh`` (datasketch's ``MinHashLSH`` over compact bucket storage),
``align`` (the sentence alignment that verifies a near duplicate), ``anchors`` and
``crosslingual`` (what survives translation, and the decision whether two articles are
translations), ``fingerprint``, ``index`` (the kept articles in memory),
``redis_index`` (the same shared through Redis), ``deduplicator`` (the decisions), ``cli``
(``python -m dedup cluster``).

The index side (``Deduplicator``, ``Match``) is imported on first use: the crawl's extraction
workers only fingerprint, and the index brings in datasketch (see ``dedup.lsh``).
"""

from dedup.config import DedupConfig
from dedup.fingerprint import Fingerprint, fingerprint_text

__all__ = ["DedupConfig", "Deduplicator", "Match", "Fingerprint", "fingerprint_text"]


def __getattr__(name: str):
    if name in ("Deduplicator", "Match"):
        from dedup import deduplicator

        return getattr(deduplicator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
