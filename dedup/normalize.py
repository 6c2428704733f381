"""Text normalisation and tokens: what two copies of one story must agree on.

Owns the steps from raw article text to the hashed token set that MinHash sees, and the
content hash used for exact duplicates:

1. Unicode NFKC (full-width forms, ligatures, non-breaking spaces fold to plain characters),
   then case folding: ``str.lower`` plus ``ß`` -> ``ss`` (what ``str.casefold`` adds for the
   languages we crawl, at half its cost).
2. Quote and dash unification: every typographic quote, dash, bullet or ellipsis becomes a space,
   like ASCII punctuation; only letters, digits and ``_`` form tokens.
3. Numbers: split at their separators like words at punctuation, so ``1.000.000`` and
   ``1,000,000`` give the same tokens (the exact-duplicate hash treats them as equal); groups
   shorter than ``min_token_bytes`` then drop out of the MinHash set, years and long numbers stay.
   (Cross-language anchors keep whole numbers: ``dedup.anchors``.)
4. Tokens are UTF-8 byte strings split on the punctuation above. The MinHash token set keeps tokens
   of >= ``min_token_bytes`` bytes that are not stop words, cut to their first ``prefix_bytes``
   bytes. The cut is a crude, language-free stemmer: translations of one story use the same word
   stems in different inflections (``Modell/Modells/Modelle``), and it is what measured best on the
   dev set (see ``DedupConfig``).

The per-token work is one compiled pass (``dedup._kernels.text_stems``), because fingerprint speed
is a goal (``tests/benchmarks/bench_dedup.py``).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import xxhash

from dedup._kernels import text_stems
from dedup.stopwords import STOPWORDS

# ASCII bytes that are not letters or digits become spaces; bytes >= 128 (UTF-8 sequences) stay.
_ASCII_TO_SPACE = bytes(c if (chr(c).isalnum() or c == 0x5F or c >= 128) else 0x20 for c in range(256))

# Typographic punctuation left after NFKC: quotes, dashes, bullets, ellipsis, guillemets, primes,
# the middle dot, inverted marks, section and degree signs, the minus sign. Each becomes a space.
_UNICODE_PUNCT = re.compile("[\u2010-\u2027\u2032-\u203a\u00ab\u00bb\u00b7\u00bf\u00a1\u00a7\u00b0\u2212]")

# Stop words as 8-byte little-endian integers (tokens are compared on their first 8 bytes).
_STOP_KEYS = np.unique(np.array(sorted(STOPWORDS), dtype="S8").view("<u8"))

_NO_KEYS = np.empty(0, np.uint64)

_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


# What most often keeps a news text out of NFKC (no-break spaces, the ellipsis), with the full
# compatibility decomposition of each. Replacing a character by its decomposition leaves the NFKC
# of a text unchanged, so these cost a few replace() calls instead of a normalisation.
_COMMON_DECOMPOSITIONS = (("\u00a0", " "), ("\u202f", " "), ("\u2026", "..."))


def nfkc(text: str) -> str:
    """Unicode NFKC (ASCII is already in it). ``fingerprint_text`` does this once for the tokens and
    the anchors, which need it both.

    Normalising costs ~45 ns a character even where nothing changes, so only the lines that need it
    are normalised: a line break is a starter that never composes, decomposes or reorders with its
    neighbours, so NFKC(a + '\\n' + b) == NFKC(a) + '\\n' + NFKC(b).
    """
    if text.isascii():
        return text
    for char, decomposition in _COMMON_DECOMPOSITIONS:
        text = text.replace(char, decomposition)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "\n".join([unicodedata.normalize("NFKC", line) for line in text.split("\n")])


def normalize_text(text: str) -> str:
    """NFKC, case folding (lower + ß -> ss), typographic quotes and dashes to spaces."""
    return fold_nfkc(nfkc(text))


def fold_nfkc(text: str) -> str:
    """``normalize_text`` of a text already in NFKC: case folding, quotes and dashes to spaces."""
    if text.isascii():
        return text.lower()
    # lower() + the one German difference from casefold(): 15 us less per article than casefold()
    text = text.lower().replace("\u00df", "ss")
    return _UNICODE_PUNCT.sub(" ", text)


def tokens(text: str) -> list[bytes]:
    """Word tokens of the normalised text as UTF-8 bytes; every non-word character separates.

    Numbers split at their separators (``1.000,5`` -> ``1 000 5``), so ``1.000`` and ``1,000``
    agree; the short groups then fall under ``min_token_bytes``, years and long numbers remain.
    """
    return normalize_text(text).encode("utf-8", "surrogatepass").translate(_ASCII_TO_SPACE).split()


def folded_stems(
    folded: bytes, min_token_bytes: int = 4, prefix_bytes: int = 5, drop_stopwords: bool = True
) -> tuple[bytes, np.ndarray, np.ndarray, np.ndarray]:
    """The tokens of a text already folded (``fold_nfkc``) and encoded as UTF-8, in one compiled pass
    (``dedup._kernels.text_stems``): (``content_hash`` of the tokens, the same as ``tokens(text)``;
    the stem hash of each stem, in text order; each sentence's distinct stems as 16-bit hashes,
    sentence after sentence; how many each sentence has).

    A stem is a token of >= ``min_token_bytes`` bytes that is not a stop word (compared on its first
    8 bytes), hashed by the splitmix64 finaliser (``mix64``) of its first ``prefix_bytes`` bytes. A
    sentence ends after . ! ? (and a closing quote or bracket) before white space, and at line
    breaks, as ``dedup.crosslingual.sentence_lengths`` splits the original text (the folded text
    has typographic quotes as spaces already, an ellipsis as three dots); sentences without a stem
    are left out. The sentence stems are what ``dedup.align`` verifies near duplicates with."""
    joined, hashes, sentence_stems, per_sentence = text_stems(
        folded, _ASCII_TO_SPACE, min_token_bytes, prefix_bytes, _STOP_KEYS if drop_stopwords else _NO_KEYS
    )
    return xxhash.xxh3_128_digest(joined), hashes, sentence_stems, per_sentence


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique is several times slower on a few hundred integers)."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def content_hash(toks: list[bytes]) -> bytes:
    """16-byte hash of the token sequence: equal for texts that differ only in case, spacing,
    Unicode form, punctuation or digit separators (the ``exact`` duplicate kind)."""
    return xxhash.xxh3_128_digest(b" ".join(toks))


def mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads 64-bit keys uniformly (vectorised, wraps modulo 2**64)."""
    v = values ^ (values >> np.uint64(30))  # array arithmetic wraps silently
    v *= _MIX1
    v ^= v >> np.uint64(27)
    v *= _MIX2
    v ^= v >> np.uint64(31)
    return v
