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

Everything here is vectorised with numpy where the work is per token, because signature speed is a
goal (>= 5,000 800-word documents per second on one core).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import xxhash

from dedup.stopwords import STOPWORDS

# ASCII bytes that are not letters or digits become spaces; bytes >= 128 (UTF-8 sequences) stay.
_ASCII_TO_SPACE = bytes(c if (chr(c).isalnum() or c == 0x5F or c >= 128) else 0x20 for c in range(256))

# Typographic punctuation left after NFKC: quotes, dashes, bullets, ellipsis, guillemets, primes,
# the middle dot, inverted marks, section and degree signs, the minus sign. Each becomes a space.
_UNICODE_PUNCT = re.compile("[\u2010-\u2027\u2032-\u203a\u00ab\u00bb\u00b7\u00bf\u00a1\u00a7\u00b0\u2212]")

# Stop words as 8-byte little-endian integers (tokens are compared on their first 8 bytes).
_STOP_KEYS = np.unique(np.array(sorted(STOPWORDS), dtype="S8").view("<u8"))

_SPACES9 = b" " * 9
_LENGTH_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], np.uint64)

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
