"""Anchors: the parts of an article that survive translation into another language.

Numbers (digit separators normalised, so ``1.000.000`` = ``1,000,000``), URLs, @handles and
#hashtags, acronyms (``KI``/``AI`` differ, but ``GPU``, ``OpenAI``, ``R1`` do not), capitalised
words that are not at the start of a sentence (names: ``Liang Wenfeng``, ``Nvidia``, ``Hangzhou``)
and the words of quoted titles. Returned as sorted unique uint64 hashes; the cross-language index
(``dedup.deduplicator``) compares these sets.

German capitalises every noun, so a capitalised German word is weak evidence on its own;
``Deduplicator`` therefore only counts anchors shared by the two articles being compared.
"""

from __future__ import annotations

import numpy as np
import xxhash

from dedup._kernels import anchor_hashes as _anchor_hashes
from dedup._kernels import anchor_tokens as _anchor_tokens
from dedup.normalize import nfkc, unique_sorted

# stripped from both ends of a word before it is counted
_STRIP = ".,;:!?\"'()[]{}\u201e\u201c\u201d\u2018\u2019\u00ab\u00bb\u2026*"
# characters a capitalised word may start with before it is stripped
_OPENERS = frozenset("\"'([{\u201e\u201c\u2018\u00ab*")
_OPENER_CHARS = "".join(sorted(_OPENERS))


def anchor_tokens(text: str) -> set[str]:
    """Readable anchor tokens of a text (``n:``, ``u:``, ``c:`` prefixes); for tests and debugging."""
    return nfkc_anchor_tokens(nfkc(text))


def nfkc_anchor_tokens(text: str) -> set[str]:
    """``anchor_tokens`` of a text already in NFKC (``fingerprint_text`` normalises once for all).

    URLs (``https?://``, ``www.``) and @handles or #hashtags of two word characters or more come out
    first, lower case, trailing ``.,;:)/`` dropped, and are cut from the text; then numbers of two
    digits or more (separators ``.`` ``,`` and leading zeros dropped); then the white-space separated
    words that, stripped of quotes and brackets (``_STRIP``), have two characters or more and an
    upper case first one, case folded: those seen inside a sentence (not only right after
    ``. ! ? : ;`` or a line break, quotes and brackets skipped), and acronyms or camel case words
    (another capital after the first letter) anywhere. One compiled scan per kind
    (``dedup._kernels.anchor_tokens``)."""
    return _anchor_tokens(text, _STRIP, _OPENER_CHARS)


def nfkc_anchor_hashes(text: str) -> np.ndarray:
    """Sorted unique uint64 hashes of the anchor tokens of a text already in NFKC (``fingerprint_text``
    normalises once for the tokens and the anchors)."""
    return unique_sorted(_anchor_hashes(text, _STRIP, _OPENER_CHARS, xxhash.xxh3_64_intdigest))
