"""Cross-language links: an article and its translation into another language are linked
(``Deduplicator.find_translation``), two different stories on the same topic never are."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dedup import DedupConfig, Deduplicator, Match
from dedup.anchors import anchor_tokens
from dedup.crosslingual import alignment_cost, sentence_lengths, structure_keys
from tests.test_dedup_stories import (
    APP_EN,
    IT_DE,
    NV_DE_A,
    NV_DE_B,
    NV_VI,
    QUOTING_DE,
    R1_DE_A,
    R1_DE_B,
    R1_EN,
    R1_EN_B,
    R1_VI_A,
    R1_VI_B,
    V3_DE,
)

ROOT = Path(__file__).resolve().parents[1]

# (name, text, language, story)
ARTICLES = [
    ("r1-en", R1_EN, "en", "r1"),
    ("r1-en-b", R1_EN_B, "en", "r1"),
    ("app-en", APP_EN, "en", "app"),
    ("r1-de-a", R1_DE_A, "de", "r1"),
    ("r1-de-b", R1_DE_B, "de", "r1"),
    ("nv-de-a", NV_DE_A, "de", "nv"),
    ("nv-de-b", NV_DE_B, "de", "nv"),
    ("it-de", IT_DE, "de", "it"),
    ("v3-de", V3_DE, "de", "v3"),
    ("quoting-de", QUOTING_DE, "de", "quoting"),
    ("r1-vi-a", R1_VI_A, "vi", "r1"),
    ("r1-vi-b", R1_VI_B, "vi", "r1"),
    ("nv-vi", NV_VI, "vi", "nv"),
]
CROSS_PAIRS = [(a, b) for a in ARTICLES for b in ARTICLES if a[2] != b[2]]


def test_anchors_keep_what_survives_translation():
    text = (
        "Laut Nvidia-Chef Jensen Huang kostete es 1.000.000 Dollar. Mehr unter https://deepseek.com und @deepseek_ai."
    )
    tokens = anchor_tokens(text)
    assert {"c:jensen", "c:huang", "n:1000000", "u:https://deepseek.com", "u:@deepseek_ai"} <= tokens
    assert "c:laut" not in tokens  # the first word of a sentence is not a name
    assert "n:1000000" in anchor_tokens("It cost 1,000,000 dollars.")


def test_sentence_alignment_separates_translations_from_other_stories():
    r1_en, r1_de = sentence_lengths(R1_EN), sentence_lengths(R1_DE_A)
    assert len(r1_en) == len(r1_de) >= 6
    assert alignment_cost(r1_en, r1_de) < 0.1
    assert alignment_cost(r1_en, sentence_lengths(V3_DE)) > 0.2
    assert alignment_cost(r1_en, np.empty(0, np.uint16)) == float("inf")
    lengths = np.array([50, 120, 80, 60, 200, 90, 70, 150, 40], np.uint16)
    scaled = (lengths * 1.2).astype(np.uint16)
    assert len(structure_keys(lengths, 8)) == 3
    assert np.array_equal(structure_keys(lengths, 8), structure_keys(scaled, 8))
    assert len(structure_keys(lengths[:5], 8)) == 0


@pytest.mark.parametrize("kept, probe", CROSS_PAIRS, ids=[f"{a[0]}<-{b[0]}" for a, b in CROSS_PAIRS])
def test_one_kept_article_links_only_its_own_story(kept, probe):
    dedup = Deduplicator()
    dedup.add(kept[0], dedup.fingerprint(kept[1], kept[2]))
    match = dedup.find_translation(dedup.fingerprint(probe[1], probe[2]))
    if kept[3] == probe[3]:
        assert match is not None and match.key == kept[0] and match.kind == "translation"
        assert 0 < match.similarity <= 1
    else:
        assert match is None


@pytest.mark.parametrize("probe", ARTICLES, ids=[a[0] for a in ARTICLES])
def test_in_a_full_index_an_article_links_to_its_story_or_to_nothing(probe):
    dedup = Deduplicator()
    for name, text, lang, story in ARTICLES:
        if name != probe[0] and not (story == probe[3] and lang == probe[2]):
            dedup.add(name, dedup.fingerprint(text, lang))
    match = dedup.find_translation(dedup.fingerprint(probe[1], probe[2]))
    stories = {name: story for name, _, _, story in ARTICLES}
    if probe[3] in ("r1", "nv"):
        assert match is not None and stories[match.key] == probe[3]
    else:
        assert match is None


def test_no_language_no_link_and_same_language_is_not_a_translation():
    dedup = Deduplicator()
    dedup.add("r1-en", dedup.fingerprint(R1_EN, "en"))
    assert dedup.find_translation(dedup.fingerprint(R1_DE_A, None)) is None
    assert dedup.find_translation(dedup.fingerprint(R1_DE_A, None), lang="de") == Match(
        "r1-en", dedup.find_translation(dedup.fingerprint(R1_DE_A, "de")).similarity, "translation"
    )
    assert dedup.find_translation(dedup.fingerprint(R1_EN_B, "en")) is None


def test_links_survive_a_rebuild_from_stored_bytes():
    first = Deduplicator()
    fp = first.fingerprint(R1_EN, "en")
    second = Deduplicator()
    second.load([("r1-en", fp.to_bytes())])
    assert second.find_translation(second.fingerprint(R1_DE_B, "de")).key == "r1-en"


def test_without_cross_language_fingerprints_carry_no_anchors():
    dedup = Deduplicator(DedupConfig(cross_language=False))
    fp = dedup.fingerprint(R1_EN, "en")
    assert len(fp.anchors) == 0 and len(fp.sentences) == 0
    dedup.add("r1-en", fp)
    assert dedup.find_translation(dedup.fingerprint(R1_DE_A, "de")) is None


def test_cluster_command_joins_translations_with_the_flag_only(tmp_path):
    docs = [
        ("en1", R1_EN, "en"),
        ("de1", R1_DE_A, "de"),
        ("de2", R1_DE_B, "de"),
        ("app", APP_EN, "en"),
        ("it", IT_DE, "de"),
        ("vi1", R1_VI_A, "vi"),
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t, "lang": lg}) + "\n" for i, t, lg in docs))

    def run(*flags):
        proc = subprocess.run(
            [sys.executable, "-m", "dedup", "cluster", *flags, str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        return {o["id"]: o["cluster"] for o in map(json.loads, proc.stdout.splitlines())}

    assert run() == {"en1": "en1", "de1": "de1", "de2": "de1", "app": "app", "it": "it", "vi1": "vi1"}
    assert run("--cross-language") == {"en1": "en1", "de1": "en1", "de2": "en1", "app": "app", "it": "it", "vi1": "en1"}
