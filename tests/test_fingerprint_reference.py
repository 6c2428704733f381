"""Text steps of the fingerprint against their plain definitions: NFKC taken line by line is Unicode
NFKC, the stop-word mask drops exactly the stop words, and no white space comes after U+3000 (the
anchor kernel's first filter relies on it). The anchors and sentence lengths are checked against
theirs in ``tests/test_dedup_kernels.py``. Hypothesis draws texts from the characters each rule
looks at, so a difference shows up as a counterexample.
"""

import unicodedata

import numpy as np
from hypothesis import given, settings, strategies as st

from dedup.normalize import nfkc
from dedup.stopwords import STOPWORDS
from tests.dedup_reference import stem_mask


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
