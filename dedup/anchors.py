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

from dedup.normalize import unique_sorted

_URL = re.compile(r'https?://[^\s<>"]+|www\.[^\s<>"]+|(?<!\w)[@#]\w{2,}')
_NUMBER = re.compile(r'[0-9][0-9.,]*')
_UPPER = ''.join(c for c in map(chr, range(0x3000)) if c.isupper() and c.isalpha())
_UPPER_CLASS = '[' + re.escape(_UPPER) + ']'
# The first word of a sentence or paragraph (after opening quotes or brackets).
_SENTENCE_START = re.compile(r'[.!?:;\n][\s"\'\u201e\u201c\u201d\u00ab\u00bb(\[]*(' + _UPPER_CLASS + r'[\w\-]*)')
_STRIP = '.,;:!?"\'()[]{}\u201e\u201c\u201d\u2018\u2019\u00ab\u00bb\u2026*'
_OPENERS = frozenset('"\'([{\u201e\u201c\u2018\u00ab*')


def anchor_tokens(text: str) -> set[str]:
    """Readable anchor tokens of a text (``n:``, ``u:``, ``c:`` prefixes); for tests and debugging."""
    text = '\n' + unicodedata.normalize('NFKC', text)
    out: set[str] = set()
    if 'http' in text or 'www.' in text or '@' in text or '#' in text:
        for url in _URL.findall(text):
            out.add('u:' + url.lower().rstrip('.,;:)/'))
        text = _URL.sub(' ', text)
    for number in _NUMBER.findall(text):
        digits = number.replace('.', '').replace(',', '').lstrip('0')
        if len(digits) >= 2:
            out.add('n:' + digits)
    capitalised: dict[str, int] = {}
    for word in [w for w in text.split() if w[0].isupper() or w[0] in _OPENERS]:
        word = word.strip(_STRIP)
        if len(word) >= 2 and word[0].isupper():
            capitalised[word] = capitalised.get(word, 0) + 1
    for word in _SENTENCE_START.findall(text):
        if word in capitalised:
            capitalised[word] -= 1
    for word, mid_sentence in capitalised.items():
        # a name seen inside a sentence, or an acronym / camel case word (another capital after
        # the first letter) even at a sentence start
        if mid_sentence > 0 or word[1:] != word[1:].lower():
            out.add('c:' + word.casefold())
    return out


def anchor_hashes(text: str) -> np.ndarray:
    """Sorted unique uint64 hashes of ``anchor_tokens(text)``."""
    toks = anchor_tokens(text)
    if not toks:
        return np.empty(0, np.uint64)
    return unique_sorted(np.fromiter((xxhash.xxh3_64_intdigest(t.encode('utf-8', 'surrogatepass')) for t in toks), np.uint64, len(toks)))
