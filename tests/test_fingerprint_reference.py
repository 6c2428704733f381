"""The fast fingerprint parts agree with plain reference versions on arbitrary text.

``dedup.anchors`` and ``dedup.crosslingual`` find anchors and sentences with regexes written for
speed (a character class in front, lookbehinds, ``re.split``); the references below are the plain
versions they replaced, kept here as the definition. Hypothesis draws texts from the characters
each rule looks at (cases, openers and closers, sentence marks, line breaks and other white space,
URL and handle parts, code points above U+3000), so a difference shows up as a counterexample.
"""

import re
import unicodedata

import numpy as np
from hypothesis import given, settings, strategies as st

from dedup.anchors import _OPENERS, _STRIP, anchor_tokens
from dedup.crosslingual import sentence_lengths
from dedup.normalize import nfkc
from dedup.stopwords import STOPWORDS
from tests.dedup_reference import _SENTENCE_START, stem_mask

REFERENCE_URL = re.compile(r'https?://[^\s<>"]+|www\.[^\s<>"]+|(?<!\w)[@#]\w{2,}')
REFERENCE_NUMBER = re.compile(r"[0-9][0-9.,]*")
REFERENCE_SENTENCE_BREAK = re.compile(r'[.!?\u2026]["\u201d\u201c\u00bb)\']*\s+|\n+')


def reference_anchor_tokens(text: str) -> set[str]:
    text = "\n" + unicodedata.normalize("NFKC", text)
    out = set()
    for url in REFERENCE_URL.findall(text):
        out.add("u:" + url.lower().rstrip(".,;:)/"))
    text = REFERENCE_URL.sub(" ", text)
    for number in REFERENCE_NUMBER.findall(text):
        digits = number.replace(".", "").replace(",", "").lstrip("0")
        if len(digits) >= 2:
            out.add("n:" + digits)
    capitalised = {}
    for word in text.split():
        if word[0].isupper() or word[0] in _OPENERS:
            word = word.strip(_STRIP)
            if len(word) >= 2 and word[0].isupper():
                capitalised[word] = capitalised.get(word, 0) + 1
    for word in _SENTENCE_START.findall(text):
        if word in capitalised:
            capitalised[word] -= 1
    for word, mid_sentence in capitalised.items():
        if mid_sentence > 0 or word[1:] != word[1:].lower():
            out.add("c:" + word.casefold())
    return out


def reference_sentence_lengths(text: str) -> np.ndarray:
    lengths = []
    start = 0
    for m in REFERENCE_SENTENCE_BREAK.finditer(text):
        end = m.start() if m.group(0)[0] == "\n" else m.start() + 1
        if text[start:end].strip():
            lengths.append(end - start)
        start = m.end()
    if text[start:].strip():
        lengths.append(len(text) - start)
    return np.minimum(np.array(lengths, np.int64), 65535).astype(np.uint16)


PIECES = list(
    "aZbYsß1098 .,;:!?…\"'()[]{}„“”‘’«»*-_/<>@#\n\t\r\x0b\x0c\x1c\x85\u00a0\u2028\u3000ÄäÉéДдǅǄİıΣσＡａ𝐀ⅠⒶ中「」\udc80"
) + [
    "http",
    "https://",
    "www.",
    "Www.",
    "hTTp://",
    "x@",
    "@ab",
    "#Tag",
    "R1",
    "GPU",
    "OpenAI",
    "Nvidia",
    "1.000",
    "5,576",
    "007",
    ". ",
    ".\n",
    '…"',
    "!) ",
    "\n\n",
    " \n ",
    "ﬁ",
    "½",
    "…",
]
texts = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_anchor_tokens_agree_with_the_reference(text):
    assert anchor_tokens(text) == reference_anchor_tokens(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_anchor_tokens_agree_with_the_reference_on_any_characters(text):
    assert anchor_tokens(text) == reference_anchor_tokens(text)


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_sentence_lengths_agree_with_the_reference(text):
    ours, reference = sentence_lengths(text), reference_sentence_lengths(text)
    assert ours.dtype == reference.dtype and ours.tolist() == reference.tolist()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_sentence_lengths_agree_with_the_reference_on_any_characters(text):
    ours, reference = sentence_lengths(text), reference_sentence_lengths(text)
    assert ours.dtype == reference.dtype and ours.tolist() == reference.tolist()


def test_sentence_lengths_are_capped_at_the_uint16_maximum():
    text = "x" * 70_000 + ". Short one."
    assert sentence_lengths(text).tolist() == reference_sentence_lengths(text).tolist() == [65535, 10]


def test_no_white_space_comes_after_u3000():
    """``dedup.anchors`` lets every word starting from U+3001 on through its first filter."""
    assert [hex(c) for c in range(0x3001, 0x110000) if chr(c).isspace()] == []


# characters NFKC changes or combines: no-break spaces, the ellipsis, ligatures, fractions, full width,
# superscripts, Arabic presentation forms, combining marks (which compose with the letter before
# them, across nothing but other marks), Hangul jamo (which compose into syllables), line breaks
NFKC_PIECES = list(
    "aeoAEO .\n\r\t\u00a0\u202f\u2026\ufb01\u00bd\u2044\uff21\uff08\u00b2\u2122\ufeb4\u24d2"
    "\u0301\u0300\u0323\u0308\u0302\u1100\u1161\u11a8\uac00\u00e9\u1ec7\u212b\u2126\u0344"
)
nfkc_texts = st.lists(st.sampled_from(NFKC_PIECES), max_size=40).map("".join)


@settings(max_examples=1500, deadline=None)
@given(nfkc_texts)
def test_nfkc_by_lines_is_unicode_nfkc(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_nfkc_by_lines_is_unicode_nfkc_on_any_characters(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def reference_stem_mask(toks: list[bytes], min_token_bytes: int = 4) -> list[bool]:
    """A token is a stem when it has ``min_token_bytes`` bytes or more and its first 8 bytes are not
    those of a stop word."""
    stops = {word[:8] for word in STOPWORDS}
    return [len(tok) >= min_token_bytes and tok[:8] not in stops for tok in toks]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(sorted(STOPWORDS)), st.text("abcdeéßäöünrst", min_size=1, max_size=12).map(str.encode)
        ),
        min_size=1,
        max_size=40,
    )
)
def test_stem_mask_drops_exactly_the_stop_words(words):
    """``stem_mask`` looks up only the tokens its slot table marks; it drops what a plain lookup drops."""
    assert stem_mask(np.array(words, dtype="S8").view("<u8")).tolist() == reference_stem_mask(words)


def test_every_stop_word_is_dropped_and_its_neighbours_kept():
    words = sorted(STOPWORDS)
    toks = words + [w + b"x" for w in words] + [w[:-1] + b"q" for w in words]
    assert stem_mask(np.array(toks, dtype="S8").view("<u8")).tolist() == reference_stem_mask(toks)
