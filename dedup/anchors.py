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
from collections import Counter

import numpy as np
import xxhash

from dedup.normalize import nfkc, unique_sorted

# A URL, www. address, @handle or #hashtag. Each kind starts with its own character, and the pattern
# opens with the class of those, so the regex engine jumps between them instead of trying three
# alternatives at every position; the lookbehinds then tell which kind it is (same matches as
# ``https?://[^\s<>"]+|www\.[^\s<>"]+|(?<!\w)[@#]\w{2,}``, 4x faster).
_URL = re.compile(r'[hw@#](?:(?<=h)ttps?://[^\s<>"]+|(?<=w)ww\.[^\s<>"]+|(?<=[@#])(?<!\w[@#])\w{2,})')
_NUMBER = re.compile(r"[0-9][0-9.,]*")
_UPPER = "".join(c for c in map(chr, range(0x3000)) if c.isupper() and c.isalpha())
_UPPER_CLASS = "[" + re.escape(_UPPER) + "]"
# The first word of a sentence or paragraph (after opening quotes or brackets).
_SENTENCE_START = re.compile(r'[.!?:;\n][\s"\'\u201e\u201c\u201d\u00ab\u00bb(\[]*(' + _UPPER_CLASS + r"[\w\-]*)")
_STRIP = ".,;:!?\"'()[]{}\u201e\u201c\u201d\u2018\u2019\u00ab\u00bb\u2026*"
_OPENERS = frozenset("\"'([{\u201e\u201c\u2018\u00ab*")


def _char_ranges(chars: str) -> str:
    """The inside of a regex character class matching exactly ``chars``, as ranges."""
    codes = sorted(set(map(ord, chars)))
    parts = []
    start = prev = codes[0]
    for code in codes[1:] + [-1]:
        if code != prev + 1:
            parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = code
        prev = code
    return "".join(parts)


# Whitespace-separated words (the items of ``str.split()``) that may be capitalised: those whose first
# character is upper case or an opener, or any character from U+3001 on (U+3000 is the last white
# space character). That filter runs in the regex engine (a character class in front lets it skip
# ahead, where ``str.split`` and a Python test per word cost twice as much); ``nfkc_anchor_tokens``
# still applies the exact test to what it lets through. The lookbehind after the first character
# checks that white space or the start of the text comes before it.
_MAYBE_CAPITALISED_START = "".join(c for c in map(chr, range(0x3000)) if c.isupper() or c in _OPENERS)
_MAYBE_CAPITALISED_WORD = re.compile(
    "[" + _char_ranges(_MAYBE_CAPITALISED_START) + "\u3001-\U0010ffff" + r"](?<!\S.)\S*"
)


def anchor_tokens(text: str) -> set[str]:
    """Readable anchor tokens of a text (``n:``, ``u:``, ``c:`` prefixes); for tests and debugging."""
    return nfkc_anchor_tokens(nfkc(text))


def nfkc_anchor_tokens(text: str) -> set[str]:
    """``anchor_tokens`` of a text already in NFKC (``fingerprint_text`` normalises once for all)."""
    text = "\n" + text
    out: set[str] = set()
    if "http" in text or "www." in text or "@" in text or "#" in text:
        urls: list[str] = []

        def cut_out(match: re.Match) -> str:  # collects the URLs while removing them: one pass
            urls.append(match.group())
            return " "

        text = _URL.sub(cut_out, text)
        for url in urls:
            out.add("u:" + url.lower().rstrip(".,;:)/"))
    for number in _NUMBER.findall(text):
        digits = number.replace(".", "").replace(",", "").lstrip("0")
        if len(digits) >= 2:
            out.add("n:" + digits)
    # every word that may be capitalised, stripped of quotes and brackets, with its count; the
    # exact test (two characters or more, an upper case first one) comes below, once per word
    capitalised = Counter([word.strip(_STRIP) for word in _MAYBE_CAPITALISED_WORD.findall(text)])
    for word in _SENTENCE_START.findall(text):
        if word in capitalised:
            capitalised[word] -= 1
    for word, mid_sentence in capitalised.items():
        # a name seen inside a sentence, or an acronym / camel case word (another capital after
        # the first letter) even at a sentence start
        if len(word) >= 2 and word[0].isupper() and (mid_sentence > 0 or word[1:] != word[1:].lower()):
            out.add("c:" + word.casefold())
    return out


def nfkc_anchor_hashes(text: str) -> np.ndarray:
    """Sorted unique uint64 hashes of the anchor tokens of a text already in NFKC (``fingerprint_text``
    normalises once for the tokens and the anchors)."""
    toks = nfkc_anchor_tokens(text)
    if not toks:
        return np.empty(0, np.uint64)
    return unique_sorted(
        np.array([xxhash.xxh3_64_intdigest(t.encode("utf-8", "surrogatepass")) for t in toks], np.uint64)
    )
