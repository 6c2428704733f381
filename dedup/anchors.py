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

import re
import unicodedata

import numpy as np
import xxhash

_URL = re.compile(r'https?://[^\s<>"]+|www\.[^\s<>"]+|(?<!\w)[@#]\w{2,}')
_NUMBER = re.compile(r"\d+(?:[.,'\u202f ]\d{3})*(?:[.,]\d+)?")
# A word starting with an upper-case letter (any script), with inner digits/hyphens allowed.
_WORD = re.compile(r"[^\W\d_][\w\-]*|[.!?:;\n]")
_SENTENCE_END = frozenset('.!?:;\n')


def anchor_tokens(text: str) -> set[str]:
    """Readable anchor tokens of a text (``n:``, ``u:``, ``c:`` prefixes); for tests and debugging."""
    text = unicodedata.normalize('NFKC', text)
    out: set[str] = set()
    for m in _URL.finditer(text):
        out.add('u:' + m.group(0).lower().rstrip('.,;:)/'))
    text = _URL.sub(' ', text)
    for m in _NUMBER.finditer(text):
        digits = re.sub(r'\D', '', m.group(0)).lstrip('0')
        if len(digits) >= 2:
            out.add('n:' + digits)
    at_start = True
    for m in _WORD.finditer(text):
        word = m.group(0)
        if word in _SENTENCE_END:
            at_start = True
            continue
        if len(word) >= 2 and word[0].isupper():
            if not at_start or (len(word) > 1 and sum(c.isupper() for c in word) >= 2):
                out.add('c:' + word.casefold())
        at_start = False
    return out


def anchor_hashes(text: str) -> np.ndarray:
    """Sorted unique uint64 hashes of ``anchor_tokens(text)``."""
    toks = anchor_tokens(text)
    if not toks:
        return np.empty(0, np.uint64)
    return np.unique(np.fromiter((xxhash.xxh3_64_intdigest(t.encode()) for t in toks), np.uint64, len(toks)))
