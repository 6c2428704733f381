"""Site chrome: SiteChrome learns blocks recurring on a site's pages, and
extract_page drops them once the crawler passes them back as site_chrome."""

import xxhash

from core.chrome import PAGES_ROW, SiteChrome, block_hash, normalize_block
from core.extract import extract_page

SITE = "hangzhou-post.example"
PROMO = "Unterstützen Sie unabhängigen Journalismus mit einem Abo für wenige Euro im Monat."
TOPICS = [
    "Rechenzentren",
    "Exportkontrollen",
    "Datenschutz",
    "Open Source",
    "Aktienkurse",
    "Chipfertigung",
    "Hochschulen",
    "Start-ups",
    "Regulierung",
    "Energiebedarf",
]
WORDS = [
    "Forscher",
    "Anleger",
    "Behörden",
    "Entwickler",
    "Politiker",
    "Studenten",
    "Gründer",
    "Juristen",
    "Ingenieure",
    "Verbraucher",
]


def page(i: int) -> str:
    topic, who = TOPICS[i], WORDS[i]
    return f"""<html lang="de"><head><title>DeepSeek und {topic}</title>
<meta property="og:type" content="article"></head><body><article><h1>DeepSeek und {topic}</h1>
<div class="body">
<p>Beim Thema {topic} hat DeepSeek eine neue Debatte ausgelöst, die {who} in vielen Ländern beschäftigt.</p>
<p>{PROMO}</p>
<p>Was die {who} über {topic} sagen, zeigt, wie schnell sich die Lage in der Branche verändert hat.</p>
</div></article></body></html>"""


def test_tenth_page_is_cleaner_than_the_first():
    chrome = SiteChrome(min_pages=3)
    first = extract_page(page(0), f"https://{SITE}/artikel/deepseek-thema-0-abc")
    assert PROMO in first["text"]
    for i in range(9):
        result = extract_page(
            page(i), f"https://{SITE}/artikel/deepseek-thema-{i}-abc", site_chrome=chrome.chrome_for(SITE)
        )
        chrome.observe(SITE, result["block_hashes"])
    tenth = extract_page(page(9), f"https://{SITE}/artikel/deepseek-thema-9-abc", site_chrome=chrome.chrome_for(SITE))
    assert PROMO not in tenth["text"]
    assert "Beim Thema Energiebedarf hat DeepSeek eine neue Debatte ausgelöst" in tenth["text"]
    assert "Was die Verbraucher über Energiebedarf sagen" in tenth["text"]
    assert len(tenth["text"]) < len(first["text"])


def h(name: str) -> str:
    """A 16-hex-digit hash for a made-up block name, as ``block_hash`` gives (which would fold the
    numbers in the names used here)."""
    return xxhash.xxh3_64_hexdigest(name.encode())


def test_chrome_needs_min_pages_and_min_share():
    chrome = SiteChrome(min_pages=3, min_share=0.5)
    for _ in range(2):
        chrome.observe("a.example", [h("aa block"), h("bb block")])
    assert chrome.chrome_for("a.example") == frozenset()
    chrome.observe("a.example", [h("aa block")])
    assert chrome.chrome_for("a.example") == {h("aa block")}
    for _ in range(5):
        chrome.observe("a.example", [h("cc block")])
    # 8 pages seen: "aa" (3 pages) is now under half of them, "cc" (5 pages) is not
    assert chrome.chrome_for("a.example") == {h("cc block")}
    assert chrome.chrome_for("unknown.example") == frozenset()


def test_sites_do_not_share_chrome():
    chrome = SiteChrome(min_pages=2)
    for _ in range(3):
        chrome.observe("a.example", [h("aa block")])
    assert chrome.chrome_for("a.example") == {h("aa block")}
    assert chrome.chrome_for("b.example") == frozenset()


def test_memory_stays_bounded_per_site_and_chrome_survives_the_cap():
    chrome = SiteChrome(min_pages=3, max_blocks_per_site=100)
    for i in range(200):
        chrome.observe("a.example", [h("menu"), h(f"unique-{i}-a"), h(f"unique-{i}-b")])
    assert chrome.blocks("a.example") <= 100
    assert h("menu") in chrome.chrome_for("a.example")


def test_rows_and_load_round_trip():
    chrome = SiteChrome(min_pages=3)
    for i in range(4):
        chrome.observe("a.example", [h("aa block"), h(f"once-{i}")])
    rows = list(chrome.rows())
    assert ("a.example", PAGES_ROW, 4) in rows
    assert ("a.example", h("aa block"), 4) in rows
    assert not any(fp == h(f"once-{i}") for i in range(4) for _site, fp, _n in rows)
    restored = SiteChrome(min_pages=3)
    restored.load(rows)
    assert restored.chrome_for("a.example") == chrome.chrome_for("a.example") == {h("aa block")}
    assert restored.pages_seen("a.example") == 4


def test_block_fingerprint_ignores_case_spacing_and_numbers():
    assert block_hash("Kommentar (3)") == block_hash("  kommentar   (12) ")
    assert block_hash("ab") is None
    assert normalize_block("Lesezeit: 8 Min.") == "lesezeit: 0 min."


def test_a_page_made_mostly_of_learned_blocks_is_kept_whole():
    html = page(3)
    first = extract_page(html, f"https://{SITE}/artikel/deepseek-thema-3-abc")
    chrome = SiteChrome(min_pages=3)
    for _ in range(5):  # the same article fetched again and again (print view, tracking URLs)
        chrome.observe(SITE, first["block_hashes"])
    again = extract_page(
        html, f"https://{SITE}/artikel/deepseek-thema-3-abc?print=1", site_chrome=chrome.chrome_for(SITE)
    )
    assert again["text"] == first["text"]


def test_chrome_kept_as_pages_come_is_what_the_counts_say():
    """SiteChrome keeps each site's chrome up to date page by page; it must always equal the blocks whose
    count reaches the site's threshold, also when the threshold rises and when the cap drops blocks."""
    import random

    rng = random.Random(7)
    chrome = SiteChrome(min_pages=3, min_share=0.3, max_blocks_per_site=60)
    for page in range(400):
        site = rng.choice(["a.example", "b.example"])
        common = [h(f"nav-{i}") for i in range(8) if rng.random() < 0.9 - i * 0.1]
        chrome.observe(site, common + [h(f"text-{page}-{i}") for i in range(rng.randint(0, 12))])
        for name in ("a.example", "b.example"):
            need = chrome.threshold(name)
            counted = {fp for _site, fp, n in chrome.rows() if _site == name and fp != PAGES_ROW}
            assert chrome.chrome_for(name) == {fp for fp in counted if chrome.count(name, fp) >= need}


def test_thousands_of_sites_stay_within_the_bound_and_a_sites_chrome_outlives_the_shrinking():
    chrome = SiteChrome(min_pages=3, max_blocks=5_000)
    for _ in range(5):
        chrome.observe(SITE, [block_hash(PROMO)])
    for n in range(2_000):  # an archive of many sites, one page each: every block seen once
        chrome.observe(
            f"lokalblatt-{n}.example", [block_hash(f"Absatz {i} auf Seite {n}: {'x' * i}") for i in range(100)]
        )
        assert chrome._blocks <= 5_000
    assert chrome._blocks == sum(chrome.blocks(site) for site in chrome._counts)
    assert block_hash(PROMO) in chrome.chrome_for(SITE)


def test_the_compact_counts_are_what_a_plain_count_says():
    """The counts kept as numpy arrays (merged from a dict of fresh blocks every so often) equal a plain
    count of the pages each block was seen on, for blocks of every frequency, and a block that is not a
    16-hex-digit hash is not counted."""
    import random

    rng = random.Random(11)
    chrome = SiteChrome(min_pages=3, max_blocks_per_site=10**6, max_blocks=10**7)
    plain: dict[str, int] = {}
    for page in range(600):
        blocks = {h(f"b{rng.randint(0, 3000)}") for _ in range(rng.randint(1, 40))}
        chrome.observe("a.example", [*blocks, "not a hash", ""])
        for fp in blocks:
            plain[fp] = plain.get(fp, 0) + 1
    assert all(chrome.count("a.example", fp) == n for fp, n in plain.items())
    assert chrome.blocks("a.example") == len(plain)
    assert chrome.count("a.example", "not a hash") == 0
    assert {(fp, n) for _s, fp, n in chrome.rows() if fp != PAGES_ROW} == {(fp, n) for fp, n in plain.items() if n >= 2}


def test_changed_rows_are_the_counts_changed_since_the_last_save():
    chrome = SiteChrome(min_pages=3)
    for i in range(3):
        chrome.observe("a.example", [h("menu"), h(f"text {i}")])
    chrome.observe("b.example", [h("menu")])
    assert sorted(chrome.changed_rows()) == [
        ("a.example", PAGES_ROW, 3),
        ("a.example", h("menu"), 3),
        ("b.example", PAGES_ROW, 1),
    ]
    assert list(chrome.changed_rows()) == []  # nothing counted since
    chrome.observe("a.example", [h("menu"), h("text 0")])
    assert sorted(chrome.changed_rows()) == sorted(
        [("a.example", PAGES_ROW, 4), ("a.example", h("menu"), 4), ("a.example", h("text 0"), 2)]
    )
    restored = SiteChrome(min_pages=3)
    restored.load(chrome.rows())
    assert list(restored.changed_rows()) == []  # what was loaded is saved already
    assert restored.chrome_for("a.example") == {h("menu")}
