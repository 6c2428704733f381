"""dedup.align: sentence stems and the order-preserving alignment, against a plain reference."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import DedupConfig, fingerprint_text
from dedup.align import Alignment, Sentences, _heaviest_chain, coverage, reaches
from dedup.crosslingual import sentence_lengths
from tests.dedup_reference import sentence_ends
from tests.test_dedup_stories import NV_DE_A, NV_DE_B, R1_DE_A, R1_DE_REPORT


def sentences_of(text: str) -> Sentences:
    fp = fingerprint_text(text, "de", DedupConfig())
    return Sentences(fp.sentence_stems, fp.stems_per_sentence)


def reference_chain(cells, wa, wb):
    """The heaviest chain of cells strictly increasing in row and column, by plain dynamic programming."""
    n, m = len(wa), len(wb)
    allowed = set(cells)
    best = [[(0.0, 0.0, 0.0)] * (m + 1) for _ in range(n + 1)]  # (total, A weight, B weight)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            options = [best[i - 1][j], best[i][j - 1]]
            if (i - 1, j - 1) in allowed:
                total, got_a, got_b = best[i - 1][j - 1]
                options.append((total + wa[i - 1] + wb[j - 1], got_a + wa[i - 1], got_b + wb[j - 1]))
            best[i][j] = max(options, key=lambda o: o[0])
    return best[n][m][0]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 8), st.integers(1, 8), st.data())
def test_the_heaviest_chain_is_the_best_monotone_matching(n, m, data):
    wa = data.draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
    wb = data.draw(st.lists(st.integers(1, 9), min_size=m, max_size=m))
    cells = sorted(set(data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)), max_size=20))))
    got_a, got_b = _heaviest_chain(
        [r for r, _ in cells], [c for _, c in cells], np.array(wa, float), np.array(wb, float), m
    )
    assert got_a + got_b == reference_chain(cells, wa, wb)


def test_sentences_end_where_the_cross_language_splitter_ends_them():
    for text in (R1_DE_A, NV_DE_B, 'Erster Satz. Zweiter Satz! "Dritter?" Vierter\nFünfter'):
        assert len(sentence_ends(text.lower().encode())) + 1 == len(sentence_lengths(text))


def test_two_translations_of_one_story_align_over_most_of_both():
    assert min(coverage(sentences_of(NV_DE_A), sentences_of(NV_DE_B), 0.3)) >= 0.9


def test_another_report_on_the_same_event_does_not_align_over_most_of_both():
    assert min(coverage(sentences_of(R1_DE_REPORT), sentences_of(R1_DE_A), 0.3)) < 0.5


def test_an_excerpt_is_covered_whole_and_covers_part_of_its_source():
    excerpt = "\n".join(NV_DE_A.split("\n")[:2])
    covered, covering = coverage(sentences_of(excerpt), sentences_of(NV_DE_A), 0.8)
    assert covered == 1.0 and covering < 0.5


def test_a_text_without_stems_covers_nothing():
    assert coverage(sentences_of("1 2 3. ab, cd!"), sentences_of(NV_DE_A), 0.3) == (0.0, 0.0)


def sentence_set(data, max_sentences: int = 8, alphabet: int = 30):
    """Sentence stems as ``sentence_stems`` stores them: each sentence's distinct 16-bit hashes,
    sorted, sentence after sentence, from a small alphabet so that sentences share stems."""
    per_sentence = data.draw(
        st.lists(st.sets(st.integers(0, alphabet), min_size=1, max_size=12), max_size=max_sentences)
    )
    stems = np.array([h for sentence in per_sentence for h in sorted(h * 2111 % 65536 for h in sentence)], np.uint16)
    return stems, np.array([len(sentence) for sentence in per_sentence], np.uint32)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from([0.3, 0.5, 0.8, 1.0]))
def test_reaches_of_many_candidates_are_each_candidates_reach(data, tau):
    mine = Sentences(*sentence_set(data))
    others = [sentence_set(data) for _ in range(data.draw(st.integers(0, 5)))]
    expected = [Alignment(mine, Sentences(*other)).reach(tau) for other in others]
    reach_a, reach_b = reaches(mine, others, tau)
    assert list(zip(reach_a, reach_b)) == expected


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_no_alignment_covers_more_than_the_reach(data):
    """The reach is the bound ``find`` rejects candidates with before aligning them: the alignment
    never covers more of either text."""
    a, b = Sentences(*sentence_set(data)), Sentences(*sentence_set(data))
    alignment = Alignment(a, b)
    for tau in (0.3, 0.8):
        (cover_a, cover_b), (reach_a, reach_b) = alignment.coverage(tau), alignment.reach(tau)
        assert cover_a <= reach_a and cover_b <= reach_b


def test_reaches_of_real_texts_are_their_reach():
    mine = sentences_of(R1_DE_A)
    others = [
        (fp.sentence_stems, fp.stems_per_sentence)
        for fp in (fingerprint_text(t, "de", DedupConfig()) for t in (R1_DE_REPORT, NV_DE_A, NV_DE_B, R1_DE_A))
    ]
    reach_a, reach_b = reaches(mine, others, 0.3)
    assert [(a, b) for a, b in zip(reach_a, reach_b)] == [Alignment(mine, Sentences(*o)).reach(0.3) for o in others]
    assert (reach_a[-1], reach_b[-1]) == (1.0, 1.0)


def reference_sentence_ends(folded: bytes) -> list[int]:
    """After . ! ? followed by white space, or by a closing quote or bracket and white space; at
    each line break."""
    ends = set()
    for i, byte in enumerate(folded):
        nxt, after = folded[i + 1 : i + 2], folded[i + 2 : i + 3]
        if byte in b".!?":
            if nxt and nxt in b" \t\n\r\x0b\x0c":
                ends.add(i + 1)
            if nxt and nxt in b"\")'" and after and after in b" \t\n\r\x0b\x0c":
                ends.add(i + 2)
        if byte == 10:
            ends.add(i)
    return sorted(ends)


@settings(max_examples=500, deadline=None)
@given(st.text("ab .!?\")'\n\t\r\x0b\x0cä", max_size=40))
def test_sentence_ends_are_the_plain_rule(text):
    folded = text.encode()
    assert sentence_ends(folded).tolist() == reference_sentence_ends(folded)
