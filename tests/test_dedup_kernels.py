"""The compiled kernels (``dedup._kernels``) give exactly what the plain numpy and Python versions in
``tests/dedup_reference.py`` give, on random input (hypothesis) and on real texts of several
scripts, including empty ones."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import DedupConfig, fingerprint_text
from dedup._kernels import Multimap, postings_lookup
from dedup.align import Alignment, Sentences, _heaviest_chain, reaches
from dedup.anchors import nfkc_anchor_tokens
from dedup.crosslingual import alignment_cost, sentence_lengths
from dedup.lsh import band_keys
from dedup.minhash import estimated_jaccard, signature
from dedup.normalize import content_hash, fold_nfkc, folded_stems, nfkc, tokens
from tests import dedup_reference as reference
from tests.test_dedup_align import sentence_set
from tests.test_dedup_stories import NV_DE_A, NV_DE_B, R1_DE_A, R1_DE_REPORT

REAL_TEXTS = [
    "",
    " \n\t ",
    R1_DE_A,
    R1_DE_REPORT,
    NV_DE_A,
    NV_DE_B,
    "Китайский стартап DeepSeek выпустил модель R1. Акции Nvidia упали на 17%. «Это шок», — сказал аналитик.",
    "深度求索发布了R1模型。英伟达股价下跌17%。“这是一个转折点，”分析师说。\n梁文锋在杭州创立了公司。",
    "DeepSeek 🚀 released R1 😀 on 20 January 2025! Nvidia 📉 lost $589 billion. @karpathy: #DeepSeek rocks.",
    "Only the URL is wide: https://例え.jp/😀 then Nvidia und DeepSeek, 2025. Ende.",
    "Lone surrogate \udc80 in a text. Another \ud800 one! Ende.",
    "Straße 12. März: „Die KI-Firma“ (DeepSeek) — sagt Dr. Müller. ÜBER 5.576.000 $! OpenAI? ja.\n\nNeu",
    ("Ein sehr langer Satz mit vielen Wörtern über DeepSeek und Nvidia, " * 2000) + ". Kurz.",
]

STORY = "\n".join([R1_DE_A, R1_DE_REPORT, NV_DE_A, NV_DE_B])


def fingerprints():
    config = DedupConfig()
    return [fingerprint_text(text, "de", config) for text in REAL_TEXTS]


# --- MinHash ---


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), max_size=300, unique=True).map(lambda v: np.array(sorted(v), np.uint64)),
    st.integers(16, 70),
    st.integers(0, 5),
)
def test_minhash_is_the_numpy_signature(stems, num_perm, seed):
    assert signature(stems, num_perm, seed).tolist() == reference.signature(stems, num_perm, seed).tolist()


def test_minhash_of_real_texts_is_the_numpy_signature():
    config = DedupConfig()
    for fp, text in zip(fingerprints(), REAL_TEXTS):
        packed, _, _ = reference.folded_packed_tokens(fold_nfkc(nfkc(text)).encode("utf-8", "surrogatepass"))
        stems = reference.shingle_hashes(packed)
        expected = reference.signature(stems, config.num_perm, config.seed)
        assert signature(stems, config.num_perm, config.seed).tolist() == expected.tolist()
        assert fp.signature.tolist() == expected.tolist()


@settings(max_examples=200, deadline=None)
@given(st.integers(16, 70), st.integers(0, 30), st.data())
def test_estimated_jaccard_is_the_numpy_share(perms, rows, data):
    values = st.integers(0, 3) | st.integers(0, 2**32 - 1)
    sig = np.array(data.draw(st.lists(values, min_size=perms, max_size=perms)), np.uint32)
    others = np.array(
        data.draw(st.lists(st.lists(values, min_size=perms, max_size=perms), min_size=rows, max_size=rows)), np.uint32
    ).reshape(rows, perms)
    got, expected = estimated_jaccard(sig, others), reference.estimated_jaccard(sig, others)
    assert got.dtype == expected.dtype and got.tolist() == expected.tolist()


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5), st.sampled_from([(64, 3), (16, 1), (8, 8), (1, 192)]), st.data())
def test_band_keys_are_the_numpy_band_keys(n, shape, data):
    bands, rows = shape
    values = st.integers(0, 3) | st.integers(0, 2**32 - 1)
    sigs = np.array(data.draw(st.lists(values, min_size=n * 192, max_size=n * 192)), np.uint32).reshape(n, 192)
    assert band_keys(sigs, bands, rows).tolist() == reference.band_keys(sigs, bands, rows).tolist()
    if n:
        assert band_keys(sigs[0], bands, rows).tolist() == reference.band_keys(sigs[0], bands, rows).tolist()


# --- sentence alignment ---


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from([0.3, 0.5, 0.8, 1.0]))
def test_reaches_is_the_numpy_reaches(data, tau):
    mine = Sentences(*sentence_set(data, alphabet=data.draw(st.sampled_from([5, 30, 300]))))
    others = [sentence_set(data) for _ in range(data.draw(st.integers(0, 6)))]
    got = reaches(mine, others, tau)
    for small_cells in (reference._SMALL_CELLS, 0):  # sentence pairs numbered in 16 bits, or in 64
        expected = reference.reaches(mine, others, tau, small_cells)
        assert got[0].tolist() == expected[0].tolist() and got[1].tolist() == expected[1].tolist()


def test_reaches_of_real_texts_is_the_numpy_reaches():
    fps = fingerprints()
    others = [(fp.sentence_stems, fp.stems_per_sentence) for fp in fps]
    for fp in fps:
        mine = Sentences(fp.sentence_stems, fp.stems_per_sentence)
        for tau in (0.3, 0.8):
            got, expected = reaches(mine, others, tau), reference.reaches(mine, others, tau)
            assert got[0].tolist() == expected[0].tolist() and got[1].tolist() == expected[1].tolist()


def test_reaches_refuses_stem_counts_beyond_the_stems():
    mine = Sentences(np.array([1, 2], np.uint16), np.array([2], np.uint32))
    with pytest.raises(ValueError):
        reaches(mine, [(np.array([1], np.uint16), np.array([3], np.uint32))], 0.3)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.data())
def test_heaviest_chain_is_the_python_chain(n, m, data):
    wa = np.array(data.draw(st.lists(st.integers(1, 40), min_size=n, max_size=n)), float)
    wb = np.array(data.draw(st.lists(st.integers(1, 40), min_size=m, max_size=m)), float)
    cells = sorted(set(data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)), max_size=60))))
    rows, cols = [r for r, _ in cells], [c for _, c in cells]
    assert _heaviest_chain(rows, cols, wa, wb, m) == reference.heaviest_chain(rows, cols, wa, wb, m)


def test_heaviest_chain_of_real_texts_is_the_python_chain():
    fps = fingerprints()
    for a in fps:
        for b in fps:
            alignment = Alignment(
                Sentences(a.sentence_stems, a.stems_per_sentence), Sentences(b.sentence_stems, b.stems_per_sentence)
            )
            match = alignment.dice >= 0.3
            args = (alignment.rows[match], alignment.cols[match], alignment.a.weights, alignment.b.weights)
            width = len(alignment.b.weights)
            assert _heaviest_chain(*args, width) == reference.heaviest_chain(
                args[0].tolist(), args[1].tolist(), *args[2:], width
            )


def test_heaviest_chain_refuses_cells_out_of_range():
    with pytest.raises(ValueError):
        _heaviest_chain([0], [5], np.ones(1), np.ones(2), 2)
    assert _heaviest_chain([], [], np.ones(0), np.ones(0), 0) == (0.0, 0.0)


# --- anchors and sentence lengths: the kernels against their plain definitions ---

# the characters each rule looks at, with scripts, emoji and a lone surrogate
PIECES = list(
    "aZbYsß1098 .,;:!?…\"'()[]{}„“”‘’«»*-_/<>@#\n\t\r\x0b\x0c\x1c\x85\u00a0\u2028\u3000ÄäÉéДдǅǄİıΣσＡａ𝐀ⅠⒶ中「」😀\udc80"
) + [
    "http",
    "https://",
    "http://",
    "www.",
    "hTTps://",
    "x@",
    "@ab",
    "#Tag",
    "R1",
    "GPU",
    "1.000",
    "0,05",
    "Über",
    "Www.",
    "hTTp://",
    "OpenAI",
    "Nvidia",
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
]
texts = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_anchor_tokens_are_the_plain_anchor_tokens(text):
    text = nfkc(text)
    assert nfkc_anchor_tokens(text) == reference.anchor_tokens(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300))
def test_anchor_tokens_are_the_plain_anchor_tokens_on_any_characters(text):
    text = nfkc(text)
    assert nfkc_anchor_tokens(text) == reference.anchor_tokens(text)


def test_anchor_tokens_of_real_texts_are_the_regex_anchor_tokens():
    for text in REAL_TEXTS + [STORY]:
        text = nfkc(text)
        assert nfkc_anchor_tokens(text) == reference.anchor_tokens(text)


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_sentence_lengths_are_the_plain_sentence_lengths(text):
    ours, plain = sentence_lengths(text), reference.sentence_lengths(text)
    assert ours.dtype == plain.dtype and ours.tolist() == plain.tolist()


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300))
def test_sentence_lengths_are_the_plain_sentence_lengths_on_any_characters(text):
    ours, plain = sentence_lengths(text), reference.sentence_lengths(text)
    assert ours.dtype == plain.dtype and ours.tolist() == plain.tolist()


def test_sentence_lengths_of_real_texts_are_the_regex_sentence_lengths():
    for text in REAL_TEXTS + [STORY, "x" * 70_000 + ". Short one.", "…" * 300 + " " + "\n" * 200]:
        assert sentence_lengths(text).tolist() == reference.sentence_lengths(text).tolist()


# --- tokens, stems and sentence stems ---


def stems_both(text: str, min_token_bytes: int = 4, prefix_bytes: int = 5, drop_stopwords: bool = True):
    folded = fold_nfkc(nfkc(text)).encode("utf-8", "surrogatepass")
    args = (folded, min_token_bytes, prefix_bytes, drop_stopwords)
    return folded_stems(*args), reference.folded_stems(*args)


def assert_same_stems(ours, theirs):
    assert ours[0] == theirs[0]  # the content hash
    for got, expected in zip(ours[1:], theirs[1:]):
        assert got.dtype == expected.dtype and got.tolist() == expected.tolist()


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.sampled_from(PIECES + ["Modell", "Nvidia", "Aktien", "модель", "深度求索", "und", "the"]), max_size=120
    ).map("".join),
    st.integers(1, 8),
    st.integers(1, 8),
    st.booleans(),
)
def test_folded_stems_are_the_numpy_stems(text, min_token_bytes, prefix_bytes, drop_stopwords):
    assert_same_stems(*stems_both(text, min_token_bytes, prefix_bytes, drop_stopwords))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_folded_stems_are_the_numpy_stems_on_any_characters(text):
    assert_same_stems(*stems_both(text))


def test_folded_stems_of_real_texts_are_the_numpy_stems():
    for text in REAL_TEXTS + [STORY]:
        assert_same_stems(*stems_both(text))
        folded = fold_nfkc(nfkc(text)).encode("utf-8", "surrogatepass")
        assert folded_stems(folded)[0] == content_hash(tokens(text))


# --- recent postings ---


KEYS = st.sampled_from([0, 1, 2**40 - 1, 2**64 - 1, 12345, 7 << 24, (7 << 24) + 5]) | st.integers(0, 300)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.tuples(KEYS, st.integers(0, 2**24 - 1)), max_size=120), max_size=6),
    st.lists(st.tuples(KEYS, st.integers(0, 2**24 - 1)), max_size=60),
    st.lists(KEYS, max_size=50),
)
def test_postings_lookup_is_the_numpy_lookup_over_a_dict(batches, stored, queries):
    """Postings in the sorted array and in the recent table (which grows past its first 64 slots) are
    found for keys present and absent, in the same order."""
    ours, theirs = Multimap(), reference.DictMultimap()
    for batch in batches:
        keys = np.array([k for k, _ in batch], np.uint64) >> np.uint64(24)
        docs = np.array([d for _, d in batch], np.int64)
        ours.add_pairs(keys, docs)
        theirs.add_pairs(keys, docs)
    if batches and batches[0]:
        key = np.array([batches[0][0][0]], np.uint64) >> np.uint64(24)
        assert ours.add_postings(key << np.uint64(24), 99, 24).tolist() == [int(key[0]) << 24 | 99]
        theirs.add_pairs(key, np.array([99], np.int64))
    postings = np.sort(
        np.array([(k >> 24 << 24) | d for k, d in stored], np.uint64) if stored else np.empty(0, np.uint64)
    )
    keys = np.array(queries, np.uint64)
    assert len(ours) == len(theirs)
    assert ours.counts(keys >> np.uint64(24)).tolist() == theirs.counts(keys >> np.uint64(24)).tolist()
    got, expected = postings_lookup(postings, keys, ours, 24), reference.postings_lookup(postings, keys, theirs)
    assert got[0].tolist() == expected[0].tolist() and got[1].tolist() == expected[1].tolist()


def test_multimap_of_many_keys_keeps_every_value():
    keys = np.arange(100_000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) >> np.uint64(24)
    table = Multimap()
    table.add_pairs(keys, np.arange(100_000, dtype=np.int64))
    table.add_pairs(keys[::2].copy(), np.full(50_000, -1, np.int64))
    docs, at = postings_lookup(np.empty(0, np.uint64), keys[:10] << np.uint64(24), table, 24)
    assert (
        table.add_postings(keys[:3] << np.uint64(24) | np.uint64(77), 5, 24).tolist()
        == ((keys[:3] << np.uint64(24)) | np.uint64(5)).tolist()
    )
    assert docs.tolist() == [0, -1, 1, 2, -1, 3, 4, -1, 5, 6, -1, 7, 8, -1, 9]
    assert at.tolist() == [0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 8, 8, 9]
    assert len(table) == 150_003  # and the three add_postings added


# --- the sentence pairs of an alignment ---


def same_cells(a, b):
    alignment = Alignment(a, b)
    expected = reference.alignment_cells(a, b)
    for got, want in zip((alignment.rows, alignment.cols, alignment.dice), expected):
        assert got.dtype == want.dtype and got.tolist() == want.tolist()


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_alignment_cells_are_the_numpy_cells(data):
    alphabet = data.draw(st.sampled_from([3, 30, 300]))
    same_cells(Sentences(*sentence_set(data, alphabet=alphabet)), Sentences(*sentence_set(data, alphabet=alphabet)))


def test_alignment_cells_of_real_texts_are_the_numpy_cells():
    sentences = [Sentences(fp.sentence_stems, fp.stems_per_sentence) for fp in fingerprints()]
    for a in sentences:
        for b in sentences:
            same_cells(a, b)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 400), max_size=60),
    st.lists(st.integers(0, 400), max_size=60),
    st.sampled_from([math.inf, 0.05, 0.2, 0.5, 1.5]),
    st.integers(1, 14),
)
def test_alignment_cost_is_the_python_alignment_cost(a, b, limit, band):
    a, b = np.array(a, np.uint16), np.array(b, np.uint16)
    assert alignment_cost(a, b, band=band, limit=limit) == reference.alignment_cost(a, b, band=band, limit=limit)


def test_alignment_cost_of_real_texts_is_the_python_alignment_cost():
    sentences = [fp.sentences for fp in fingerprints()]
    for a in sentences:
        for b in sentences:
            for limit in (math.inf, 0.1, 0.3):
                assert alignment_cost(a, b, limit=limit) == reference.alignment_cost(a, b, limit=limit)
