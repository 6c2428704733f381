"""The Redis-backed LSH index against a real redis-server: two Deduplicator instances (as two
crawler processes would) share one index; a rebuild through Redis finds what memory finds."""

import pytest

from dedup import DedupConfig, Deduplicator
from tests.redis_server import redis_url  # noqa: F401  (pytest fixture)
from tests.test_dedup_stories import (
    APP_EN,
    IT_DE,
    NV_DE_A,
    NV_DE_B,
    NV_VI,
    QUOTING_DE,
    R1_DE_A,
    R1_DE_A_RETYPED,
    R1_DE_B,
    R1_EN,
    R1_EN_B,
    R1_VI_A,
    V3_DE,
)


@pytest.fixture
def config(redis_url, request):  # noqa: F811
    cfg = DedupConfig(redis_url=redis_url, redis_prefix=f"test-{request.node.name}")
    yield cfg
    Deduplicator(cfg).index.clear()


def test_two_instances_share_one_index(config):
    crawler_a, crawler_b = Deduplicator(config), Deduplicator(config)
    crawler_a.add("https://a.example/r1", crawler_a.fingerprint(R1_DE_A, "de"))
    crawler_b.add("https://b.example/nv", crawler_b.fingerprint(NV_DE_A, "de"))
    assert len(crawler_a) == len(crawler_b) == 2

    near = crawler_b.find(crawler_b.fingerprint(R1_DE_B, "de"))
    assert near is not None and near.key == "https://a.example/r1" and near.kind == "near"
    exact = crawler_b.find(crawler_b.fingerprint(R1_DE_A_RETYPED, "de"))
    assert exact is not None and exact.key == "https://a.example/r1" and exact.kind == "exact"
    other = crawler_a.find(crawler_a.fingerprint(NV_DE_B, "de"))
    assert other is not None and other.key == "https://b.example/nv"
    for text in (IT_DE, V3_DE, QUOTING_DE):
        assert crawler_a.find(crawler_a.fingerprint(text, "de")) is None
    # the English original, met by the other process, is linked to the German copy kept by A
    link = crawler_b.find_translation(crawler_b.fingerprint(R1_EN, "en"))
    assert link is not None and link.key == "https://a.example/r1" and link.kind == "translation"
    assert crawler_b.find_translation(crawler_b.fingerprint(APP_EN, "en")) is None


def test_redis_and_memory_indexes_agree(config):
    shared, local = Deduplicator(config), Deduplicator()
    rows = []
    for key, text in (("r1", R1_DE_A), ("nv", NV_DE_A), ("it", IT_DE), ("v3", V3_DE)):
        fp = local.fingerprint(text, "de")
        rows.append((key, fp.to_bytes()))
    assert shared.load(rows) == local.load(rows) == 4
    shared.load(rows)  # loading twice changes nothing
    assert len(shared) == 4
    for text in (R1_DE_B, NV_DE_B, QUOTING_DE, R1_DE_A):
        fp = local.fingerprint(text, "de")
        assert shared.find(fp) == local.find(fp)


def test_redis_and_memory_indexes_link_the_same_translations(config):
    shared, local = Deduplicator(config), Deduplicator()
    kept = [("r1-de", R1_DE_A, "de"), ("nv-de", NV_DE_A, "de"), ("it-de", IT_DE, "de"), ("app-en", APP_EN, "en")]
    rows = [(key, local.fingerprint(text, lang).to_bytes()) for key, text, lang in kept]
    shared.load(rows[:2])
    for key, text, lang in kept[2:]:
        shared.add(key, shared.fingerprint(text, lang))
    local.load(rows)
    found = []
    for text, lang in ((R1_EN, "en"), (R1_EN_B, "en"), (NV_VI, "vi"), (R1_VI_A, "vi"), (V3_DE, "de")):
        fp = local.fingerprint(text, lang)
        assert shared.find_translation(fp) == local.find_translation(fp)
        found.append(getattr(local.find_translation(fp), "key", None))
    assert found == ["r1-de", "r1-de", "nv-de", "r1-de", None]


def test_settings_that_change_fingerprints_use_separate_indexes(config):
    Deduplicator(config).add("r1", Deduplicator(config).fingerprint(R1_DE_A, "de"))
    other = Deduplicator(config.replace(seed=9))
    try:
        assert len(other) == 0
        assert other.find(other.fingerprint(R1_DE_A, "de")) is None
    finally:
        other.index.clear()


def test_unreachable_redis_is_one_clear_error():
    with pytest.raises(ConnectionError, match="cannot use Redis"):
        Deduplicator(DedupConfig(redis_url="redis://127.0.0.1:1/0"))


def test_the_shared_index_is_a_datasketch_lsh_and_adding_a_key_twice_changes_no_bucket(config):
    from datasketch import MinHashLSH

    dedup = Deduplicator(config)
    assert isinstance(dedup.index.lsh, MinHashLSH)
    fp = dedup.fingerprint(R1_DE_A, "de")
    dedup.add("https://a.example/r1", fp)
    buckets = dedup.index.client.hgetall(dedup.index.ns + ":bands")
    assert len(buckets) == dedup.index.bands
    dedup.add("https://a.example/r1", fp)
    dedup.load([("https://a.example/r1", fp.to_bytes())])
    assert dedup.index.client.hgetall(dedup.index.ns + ":bands") == buckets
    assert len(dedup) == 1


def test_loading_a_shard_again_uses_no_new_ids(config):
    dedup = Deduplicator(config)
    rows = [(key, dedup.fingerprint(text, "de").to_bytes()) for key, text in (("r1", R1_DE_A), ("nv", NV_DE_A))]
    dedup.load(rows)
    ids = dedup.index.client.get(dedup.index.ns + ":next")
    Deduplicator(config).load(rows)  # a second process start with the same shard
    assert dedup.index.client.get(dedup.index.ns + ":next") == ids


def test_articles_indexed_but_never_stored_are_forgotten_when_their_shard_restarts(config):
    shard_a, other = Deduplicator(config), Deduplicator(config)
    assert shard_a.claim("host:/data/shard-a.db", set()) == 0
    shard_a.add("https://a.example/r1", shard_a.fingerprint(R1_DE_A, "de"))
    shard_a.add("https://a.example/nv", shard_a.fingerprint(NV_DE_A, "de"))
    assert other.find(other.fingerprint(R1_DE_B, "de")).key == "https://a.example/r1"
    # shard A is killed after writing nv and before writing r1; it starts again
    restarted = Deduplicator(config)
    assert restarted.claim("host:/data/shard-a.db", {"https://a.example/nv"}) == 1
    for text in (R1_DE_A, R1_DE_B):
        assert other.find(other.fingerprint(text, "de")) is None
    assert other.find_translation(other.fingerprint(R1_EN, "en")) is None
    assert other.find(other.fingerprint(NV_DE_B, "de")).key == "https://a.example/nv"
    # the story can be kept again, and is found exactly again
    other.add("https://b.example/r1", other.fingerprint(R1_DE_B, "de"))
    restarted.add("https://a.example/r1", restarted.fingerprint(R1_DE_A, "de"))
    exact = other.find(other.fingerprint(R1_DE_A_RETYPED, "de"))
    assert exact.kind == "exact" and exact.key == "https://a.example/r1"
    restarted.release()
    assert Deduplicator(config).claim("host:/data/shard-a.db", set()) == 0  # a clean stop leaves nothing


@pytest.mark.parametrize("shared", [False, True], ids=["memory", "redis"])
def test_a_kept_article_can_move_to_another_key(config, shared):
    """A page that claimed another page's URL gives it back (core.decision): its article is indexed
    under its own URL from then on, in memory and in Redis alike, and the freed key can be taken."""
    dedup = Deduplicator(config if shared else DedupConfig())
    fp = dedup.fingerprint(NV_DE_A, "de")
    dedup.add("https://site.example/opfer", fp)
    assert dedup.rename("https://site.example/opfer", "https://site.example/dieb", fp.content_hash)
    assert "https://site.example/opfer" not in dedup and "https://site.example/dieb" in dedup
    assert dedup.find(fp).key == "https://site.example/dieb"
    assert dedup.find(dedup.fingerprint(NV_DE_B, "de")).key == "https://site.example/dieb"
    dedup.add("https://site.example/opfer", dedup.fingerprint(IT_DE, "de"))
    assert dedup.find(dedup.fingerprint(IT_DE, "de")).key == "https://site.example/opfer"
    assert not dedup.rename("https://site.example/nirgends", "https://site.example/x")
    assert not dedup.rename("https://site.example/dieb", "https://site.example/opfer")  # taken


def test_an_article_with_more_anchors_than_16_bits_count_is_indexed_and_found(config):
    """The :xl record counts anchors in 32 bits, like fingerprint format 3 (a 16-bit count wrapped)."""
    dedup = Deduplicator(config)
    numbers = "\n".join(f"Meldung {n}: DeepSeek." for n in range(70_000))
    fp = dedup.fingerprint(numbers, "de")
    assert len(fp.anchors) > 65_535
    dedup.add("https://site.example/liste", fp)
    other = Deduplicator(config)  # another process reading the same record
    assert "https://site.example/liste" in other
    other.find_translation(dedup.fingerprint(numbers, "en"))  # reads the :xl record back without error
