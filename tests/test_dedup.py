"""dedup: settings, normalisation, fingerprints (bytes, pickling, worker processes), the index
(rebuild, merging), and ``python -m dedup cluster``."""

import json
import pickle
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from dedup import DedupConfig, Deduplicator, Fingerprint, Match, fingerprint_text
from hypothesis import given, settings, strategies as st

from dedup.normalize import content_hash, fold_nfkc, nfkc, normalize_text, tokens
from tests.dedup_reference import folded_packed_tokens
from tests.test_dedup_stories import IT_DE, NV_DE_A, NV_DE_B, R1_DE_A, R1_DE_B, V3_DE

ROOT = Path(__file__).resolve().parents[1]


# --- settings ---


def test_settings_override_defaults_and_other_keys_are_ignored():
    config = DedupConfig.from_settings(
        {
            "DEDUP_THRESHOLD": "0.4",
            "DEDUP_NUM_PERM": 256,
            "DEDUP_SEED": "7",
            "DEDUP_DROP_STOPWORDS": "false",
            "DEDUP_REDIS_URL": "redis://h:1/0",
            "BOT_NAME": "x",
            "dedup_threshold": 0.9,
        }
    )
    assert config.threshold == 0.4 and config.num_perm == 256 and config.seed == 7
    assert config.drop_stopwords is False and config.redis_url == "redis://h:1/0"
    assert DedupConfig.from_settings({}) == DedupConfig()


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"DEDUP_THRESHOLD": "high"}, "DEDUP_THRESHOLD"),
        ({"DEDUP_THRESHOLD": "1.5"}, "DEDUP_THRESHOLD"),
        ({"DEDUP_NUM_PERM": "12.5"}, "DEDUP_NUM_PERM"),
        ({"DEDUP_BANDS": "10"}, "DEDUP_BANDS"),
        ({"DEDUP_BANDS": "100", "DEDUP_ROWS": "3"}, "DEDUP_BANDS"),
        ({"DEDUP_DROP_STOPWORDS": "maybe"}, "DEDUP_DROP_STOPWORDS"),
    ],
)
def test_bad_settings_raise_one_line_errors(settings, message):
    with pytest.raises(ValueError, match=message) as info:
        DedupConfig.from_settings(settings)
    assert "\n" not in str(info.value)


def test_known_lsh_params_are_what_datasketch_derives():
    from datasketch.lsh import _optimal_param
    from dedup.config import DERIVED_LSH_PARAMS

    for (threshold, num_perm), params in DERIVED_LSH_PARAMS.items():
        assert _optimal_param(threshold, num_perm, 0.5, 0.5) == params


def test_lsh_params_follow_the_threshold_arithmetic():
    bands, rows = DedupConfig().lsh_params()
    assert bands * rows <= DedupConfig().num_perm
    midpoint = (1 / bands) ** (1 / rows)
    assert abs(midpoint - DedupConfig().threshold) < 0.06
    assert DedupConfig(bands=20, rows=5).lsh_params() == (20, 5)


# --- normalisation ---


def test_normalisation_folds_unicode_case_quotes_and_dashes():
    assert normalize_text("ＤｅｅｐＳｅｅｋ") == "deepseek"  # NFKC full width
    assert normalize_text("Straße") == "strasse"  # casefold
    assert tokens("„KI‑Modell“ – «R1» … ‚neu‘") == [b"ki", b"modell", b"r1", b"neu"]
    assert tokens("1.000.000 Dollar") == tokens("1,000,000 dollar")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab DeßÄä1.,\n\t„“–xéạ ")), max_size=60))
def test_numpy_tokenizer_agrees_with_the_plain_one(text):
    packed, chash, _starts = folded_packed_tokens(fold_nfkc(nfkc(text)).encode("utf-8", "surrogatepass"))
    toks = tokens(text)
    expected = np.array(toks, dtype="S8").view("<u8") if toks else np.empty(0, np.uint64)
    assert np.array_equal(packed, expected)
    assert chash == content_hash(toks)


@pytest.mark.parametrize(
    "text", ["\ud800", "DeepSeek \udcff R1 " * 30, "https://x.example/\udc80 @a\ud800b 12\udfff34"]
)
def test_lone_surrogates_are_fingerprinted_not_fatal(text):
    dedup = Deduplicator()
    fp = dedup.fingerprint(text, "de")
    assert dedup.find(fp) is None
    dedup.add("https://news.example/a", fp)
    assert dedup.find(dedup.fingerprint(text, "de")).kind == "exact"
    assert Fingerprint.from_bytes(fp.to_bytes()) == fp


def test_exact_hash_ignores_layout_but_not_words():
    config = DedupConfig()
    a = fingerprint_text("DeepSeek stellt R1 vor. Das Modell ist offen.", "de", config)
    b = fingerprint_text("  deepseek stellt „R1“ vor –\n\ndas Modell ist OFFEN ", "de", config)
    c = fingerprint_text("DeepSeek stellt R2 vor. Das Modell ist offen.", "de", config)
    assert a.content_hash == b.content_hash != c.content_hash


# --- fingerprints ---


def test_fingerprint_bytes_round_trip_and_small_size():
    config = DedupConfig()
    fp = fingerprint_text(R1_DE_A, "de", config)
    data = fp.to_bytes()
    again = Fingerprint.from_bytes(data)
    assert again == fp and again.lang == "de" and again.stems == fp.stems
    assert np.array_equal(again.signature, fp.signature)
    assert len(data) <= (
        4 * config.num_perm
        + 8 * len(fp.anchors)
        + 2 * len(fp.sentences)
        + 4 * len(fp.stems_per_sentence)
        + 2 * len(fp.sentence_stems)
        + 64
    )
    assert np.array_equal(again.sentence_stems, fp.sentence_stems)
    assert int(fp.stems_per_sentence.sum()) == len(fp.sentence_stems) > 0
    assert pickle.loads(pickle.dumps(fp)) == fp
    assert len(pickle.dumps(fp)) < len(data) + 200


@pytest.mark.parametrize("blob", [b"", b"garbage", b"DDF1" + b"\0" * 10])
def test_corrupt_fingerprint_bytes_raise_value_error(blob):
    with pytest.raises(ValueError):
        Fingerprint.from_bytes(blob)


def test_fingerprints_from_worker_processes_equal_local_ones():
    config = DedupConfig()
    texts = [R1_DE_A, NV_DE_A, IT_DE]
    with ProcessPoolExecutor(max_workers=2) as pool:
        remote = list(pool.map(fingerprint_text, texts, ["de"] * 3, [config] * 3))
    assert remote == [fingerprint_text(t, "de", config) for t in texts]


def test_fingerprint_of_other_settings_is_refused():
    dedup = Deduplicator()
    other = fingerprint_text(R1_DE_A, "de", DedupConfig(seed=2))
    with pytest.raises(ValueError, match="other dedup settings"):
        dedup.find(other)
    with pytest.raises(TypeError):
        dedup.find("not a fingerprint")


def test_empty_text_is_fingerprinted_and_never_near():
    dedup = Deduplicator()
    fp = dedup.fingerprint("", None)
    assert fp.stems == 0 and fp.lang == ""
    dedup.add("empty", fp)
    assert dedup.find(dedup.fingerprint("   ", None)).kind == "exact"
    assert dedup.find(dedup.fingerprint(R1_DE_A, "de")) is None


# --- index ---


def test_add_is_idempotent_and_match_is_a_value():
    dedup = Deduplicator()
    fp = dedup.fingerprint(R1_DE_A, "de")
    dedup.add("https://a.example/1", fp)
    dedup.add("https://a.example/1", fp)
    assert len(dedup) == 1
    assert dedup.find(fp) == Match("https://a.example/1", 1.0, "exact")


def test_rebuild_from_stored_bytes_finds_the_same_matches():
    first = Deduplicator()
    stored = []
    for key, text in (("r1", R1_DE_A), ("nv", NV_DE_A), ("it", IT_DE), ("v3", V3_DE)):
        fp = first.fingerprint(text, "de")
        first.add(key, fp)
        stored.append((key, fp.to_bytes()))
    second = Deduplicator()
    assert second.load(iter(stored)) == 4
    for probe in (R1_DE_B, NV_DE_B, R1_DE_A):
        fp = second.fingerprint(probe, "de")
        assert second.find(fp) == first.find(fp)
    assert second.find(second.fingerprint(R1_DE_B, "de")).key == "r1"


def test_many_inserts_survive_the_sorted_merges():
    rng = np.random.default_rng(5)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocabulary = ["".join(rng.choice(letters, 7)) for _ in range(20000)]
    texts = [" ".join(rng.choice(vocabulary, 120)) for _ in range(3000)]
    dedup = Deduplicator()
    fps = [dedup.fingerprint(t) for t in texts]
    for i, fp in enumerate(fps[:2500]):
        dedup.add(f"doc{i}", fp)
    dedup.load((f"doc{i}", fp.to_bytes()) for i, fp in enumerate(fps))  # 500 new, 2500 known
    assert len(dedup) == 3000
    for i in (0, 1023, 1024, 2047, 2499, 2500, 2999):
        words = texts[i].split()
        variant = " ".join(words[:100] + list(rng.choice(vocabulary, 20)))
        match = dedup.find(dedup.fingerprint(variant))
        assert match is not None and match.key == f"doc{i}" and match.kind == "near"


def test_load_refuses_bytes_of_other_settings():
    fp = fingerprint_text(R1_DE_A, "de", DedupConfig(num_perm=128))
    with pytest.raises(ValueError):
        Deduplicator().load([("a", fp.to_bytes())])


# --- python -m dedup cluster ---


def _cluster(tmp_path, lines, *args):
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "dedup", "cluster", str(path), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    return proc


def test_cluster_command_prints_kept_ids_in_input_order(tmp_path):
    docs = [("a", R1_DE_A), ("b", NV_DE_A), ("c", R1_DE_B), ("d", IT_DE), ("e", NV_DE_B), ("f", R1_DE_A)]
    proc = _cluster(tmp_path, [json.dumps({"id": i, "text": t, "lang": "de"}) for i, t in docs])
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(o["id"], o["cluster"], o["kind"]) for o in out] == [
        ("a", "a", "kept"),
        ("b", "b", "kept"),
        ("c", "a", "near"),
        ("d", "d", "kept"),
        ("e", "b", "near"),
        ("f", "a", "exact"),
    ]
    similarities = [o["similarity"] for o in out]
    assert similarities[5] == 1.0 and 0.65 <= similarities[2] <= 1.0 and similarities[0] is None


def test_cluster_command_reports_bad_lines_and_goes_on(tmp_path):
    lines = [
        json.dumps({"id": 1, "text": R1_DE_A}),
        "{broken",
        json.dumps({"text": "no id"}),
        json.dumps({"id": 2, "text": None}),
        json.dumps({"id": 3, "text": R1_DE_B}),
    ]
    proc = _cluster(tmp_path, lines)
    assert proc.returncode == 0
    assert [(o["id"], o["cluster"]) for o in map(json.loads, proc.stdout.splitlines())] == [
        ("1", "1"),
        ("2", "2"),
        ("3", "1"),
    ]
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 2 and ":2: invalid JSON" in errors[0] and ':3: no "id"' in errors[1]
    assert "Traceback" not in proc.stderr


def test_cluster_command_rejects_bad_settings_in_one_line(tmp_path):
    proc = _cluster(tmp_path, [json.dumps({"id": 1, "text": "x"})], "-s", "DEDUP_THRESHOLD=abc")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "DEDUP_THRESHOLD" in proc.stderr
    proc = _cluster(tmp_path, [], "--nope")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "dedup", "cluster", str(tmp_path / "missing.jsonl")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_cluster_help_is_plain_text():
    proc = subprocess.run([sys.executable, "-m", "dedup", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "cluster" in proc.stdout and "``" not in proc.stdout
