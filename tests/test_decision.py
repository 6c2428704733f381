"""The keep, drop or link decision (core.decision) as a pure function: no crawl, no index."""

from dedup import Match

from core.decision import Decision, claimed_url, decide, new_is_original

PAGE = "https://technik-tagblatt.de/2025/01/27/deepseek-r1"
AMP = "https://technik-tagblatt.de/amp/2025/01/27/deepseek-r1"
OTHER = "https://technik-tagblatt.de/2025/01/28/nvidia-verliert"


def test_a_new_article_is_stored_under_its_own_url():
    assert decide(PAGE, PAGE, False, None, None) == Decision("store", PAGE)


def test_a_copy_is_a_duplicate_of_the_kept_article_with_the_match_kind():
    decision = decide(OTHER, OTHER, False, Match(PAGE, 0.82, "near"), None)
    assert decision == Decision("duplicate", PAGE, "near", 0.82)
    assert not decision.indexes


def test_a_variant_is_stored_under_its_canonical_url():
    assert decide(AMP, PAGE, False, None, None) == Decision("store", PAGE)


def test_a_variant_of_a_kept_article_is_its_copy():
    assert decide(AMP, PAGE, True, Match(PAGE, 1.0, "exact"), None) == Decision("duplicate", PAGE, "exact", 1.0)


def test_a_page_claiming_the_url_of_another_text_keeps_its_own():
    assert decide(OTHER, PAGE, True, None, None) == Decision("store", OTHER)


def test_the_page_at_a_url_another_text_claimed_takes_it_back():
    assert decide(PAGE, PAGE, True, None, None) == Decision("store", PAGE, displaces=True)


def test_the_same_page_kept_by_another_process_is_stored_elsewhere():
    assert decide(PAGE, PAGE, True, Match(PAGE, 1.0, "exact"), None).action == "stored_elsewhere"


def test_a_translation_is_stored_and_linked_or_removed_by_policy():
    english = "https://tech-ledger.example/deepseek-r1"
    link = decide(english, english, False, None, Match(PAGE, 0.9, "translation"))
    assert link == Decision("store", english, translation_of=PAGE, translation_score=0.9) and link.indexes
    removed = decide(english, english, False, None, Match(PAGE, 0.9, "translation"), translations="remove")
    assert removed == Decision("duplicate", PAGE, "translation", 0.9)


def test_claimed_url_trusts_only_same_site_article_urls():
    assert claimed_url(AMP, PAGE) == PAGE
    assert claimed_url(AMP, None) == AMP
    assert claimed_url(AMP, "https://elsewhere.example/deepseek-r1") == AMP
    assert claimed_url(AMP, "https://technik-tagblatt.de/") == AMP  # a front page is no article's address
    assert claimed_url(AMP, "javascript:alert(1)") == AMP


def test_the_original_of_two_translations_is_the_earlier_then_the_foreign_one():
    assert new_is_original({"published": "2025-01-26"}, {"published": "2025-01-27"}, "de")
    assert not new_is_original({"language": "de"}, {"language": "en"}, "de")
    assert new_is_original({"language": "en"}, {"language": "de"}, "de")
    assert not new_is_original({}, {}, "de")
