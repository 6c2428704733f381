"""End to end: the real `scrapy crawl deepseek_news` against the fixture news web, asserted on the rows
it wrote to SQLite and on the server's request log, driven by tests/fixtures/web/expected.json.

The crawl runs twice over the same corpus file: the second run must add nothing and must not
download stored articles again. The subprocess timeout only guards against a hung crawl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.mockserver import manifest
from tests.mockserver.crawl import Corpus, CrawlRun, read_corpus, run_crawl

CRAWL_TIMEOUT_SECONDS = 120


@dataclass
class CrawlResult:
    run: CrawlRun
    corpus: Corpus
    requests: list[dict]


@pytest.fixture(scope="module")
def crawls(news_web, tmp_path_factory):
    """Two crawls of the fixture web into one corpus file: (first, second)."""
    db_path = tmp_path_factory.mktemp("e2e") / "corpus.db"
    results = []
    for _ in range(2):
        news_web.reset()
        run = run_crawl(news_web.bases, db_path, timeout=CRAWL_TIMEOUT_SECONDS)
        results.append(CrawlResult(run, read_corpus(db_path), news_web.requests()))
    news_web.reset()
    return results


@pytest.fixture(scope="module")
def first(crawls) -> CrawlResult:
    return crawls[0]


@pytest.fixture(scope="module")
def second(crawls) -> CrawlResult:
    return crawls[1]


def normalise(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def article_by_url(corpus: Corpus, url: str) -> list[dict]:
    return [row for row in corpus.articles if row["url"] == url]


def requested(requests: list[dict], entry: dict) -> list[dict]:
    return [r for r in requests if manifest.matches(entry, r["listener"], r["path"])]


def check_article(row: dict, entry: dict, news_web) -> list[str]:
    """Everything wrong with a stored row against its manifest entry (empty list: all good)."""
    problems = []
    text = normalise(row.get("text"))
    for sentence in entry["body"]:
        if normalise(sentence) not in text:
            problems.append(f"body sentence missing: {sentence[:70]!r}")
    for chrome in entry["chrome"]:
        if chrome in text:
            problems.append(f"chrome in text: {chrome!r}")
    if normalise(row.get("title")) != entry["title"]:
        problems.append(f"title {row.get('title')!r} != {entry['title']!r}")
    if row.get("language") != entry["language"]:
        problems.append(f"language {row.get('language')!r} != {entry['language']!r}")
    if not str(row.get("published") or "").startswith(entry["published"]):
        problems.append(f"published {row.get('published')!r} is not on {entry['published']}")
    if entry["author"] is None:  # the page names only its site or desk ("Netzecho Redaktion"): no person
        if row.get("author") is not None:
            problems.append(f"author {row.get('author')!r} where the page names no person")
    elif entry["author"].lower() not in str(row.get("author") or "").lower():
        problems.append(f"author {row.get('author')!r} lacks {entry['author']!r}")
    host = manifest.url(news_web.bases, entry).split("/")[2].split(":")[0]
    if host not in str(row.get("site") or ""):
        problems.append(f"site {row.get('site')!r} does not name {host}")
    return problems


# --- the run itself -----------------------------------------------------------------------------


def test_crawl_stops_by_itself_and_succeeds(first, second):
    for result in (first, second):
        assert not result.run.timed_out, result.run.describe()
        assert result.run.returncode == 0, result.run.describe()
        assert result.corpus.missing_tables == [], result.run.describe()


def test_user_agent_is_descriptive(first):
    agents = {r["user_agent"] for r in first.requests}
    assert agents, "the crawl sent no request at all"
    for agent in agents:
        assert agent and not agent.startswith("Scrapy/"), agent
        assert "http" in agent, f"no contact URL in User-Agent {agent!r}"


# --- what is stored -----------------------------------------------------------------------------

DUPLICATES = manifest.pages("duplicate_of")
# Pages that may end either stored or as the removed copy of a pair (which one is kept depends on
# crawl order); the duplicates test checks them.
PAIRED = {(d["duplicate_of"]["site"], d["duplicate_of"]["path"]) for d in DUPLICATES if d.get("either_way")}
STORED = [e for e in manifest.pages("stored") if (e["site"], e["path"]) not in PAIRED]


@pytest.mark.parametrize("entry", STORED, ids=lambda e: e["path"])
def test_story_stored_once_with_clean_text_and_metadata(first, news_web, entry):
    url = manifest.url(news_web.bases, entry)
    rows = article_by_url(first.corpus, url)
    assert len(rows) == 1, f"{url}: {len(rows)} rows; stored URLs: {sorted(r['url'] for r in first.corpus.articles)}"
    problems = check_article(rows[0], entry, news_web)
    assert not problems, f"{url}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("entry", DUPLICATES, ids=lambda e: e["path"])
def test_republished_translation_recorded_as_near_duplicate(first, news_web, entry):
    """Exactly one copy of the story is stored; the other is in duplicates, pointing to the kept one."""
    copy_url = manifest.url(news_web.bases, entry)
    original = next(
        p
        for p in manifest.pages()
        if p["site"] == entry["duplicate_of"]["site"] and p["path"] == entry["duplicate_of"]["path"]
    )
    original_url = manifest.url(news_web.bases, original)
    stored = {url: article_by_url(first.corpus, url) for url in (copy_url, original_url)}
    kept = [url for url, rows in stored.items() if rows]
    assert len(kept) == 1, f"stored copies of the story: {kept}"
    if not entry.get("either_way"):
        assert kept == [original_url]
    kept_url = kept[0]
    removed_url = copy_url if kept_url == original_url else original_url
    kept_row = stored[kept_url][0]
    problems = check_article(kept_row, entry if kept_url == copy_url else original, news_web)
    assert not problems, f"{kept_url}:\n  " + "\n  ".join(problems)
    rows = [d for d in first.corpus.duplicates if d["url"] == removed_url]
    assert len(rows) == 1, f"duplicates rows for {removed_url}: {first.corpus.duplicates}"
    duplicate = rows[0]
    assert duplicate["kind"] == entry["kind"]
    assert duplicate["duplicate_of_url"] == kept_url
    assert duplicate["duplicate_of"] == kept_row["id"]
    assert 0 < float(duplicate["similarity"]) <= 1


def test_nothing_else_is_stored(first, news_web):
    stored = {row["url"] for row in first.corpus.articles}
    expected = {manifest.url(news_web.bases, e) for e in STORED}
    for entry in DUPLICATES:
        pair = {manifest.url(news_web.bases, entry), manifest.url(news_web.bases, entry["duplicate_of"])}
        expected |= pair & stored
    assert {"missing": sorted(expected - stored), "unexpected": sorted(stored - expected)} == {
        "missing": [],
        "unexpected": [],
    }


@pytest.mark.parametrize(
    "entry",
    manifest.pages("off_topic", "not_article", "error", "same_as", "never_requested", "discovery"),
    ids=lambda e: f"{e['outcome']}:{e['path']}",
)
def test_page_is_not_stored(first, news_web, entry):
    for row in first.corpus.articles:
        site_path = manifest.site_of(news_web.bases, row["url"])
        assert site_path is None or not manifest.matches(entry, *site_path), f"stored: {row['url']} ({entry['why']})"


@pytest.mark.parametrize("entry", manifest.pages("same_as"), ids=lambda e: e["path"])
def test_alias_is_stored_under_its_target_only(first, news_web, entry):
    target = manifest.url(news_web.bases, entry["same_as"])
    if (entry["same_as"]["site"], entry["same_as"]["path"]) in PAIRED and not article_by_url(first.corpus, target):
        assert [d for d in first.corpus.duplicates if d["url"] == target], f"{target} neither stored nor a duplicate"
        return
    assert len(article_by_url(first.corpus, target)) == 1


# --- the pages table: how each page ended -------------------------------------------------------

# manifest outcome -> pages.outcome values that say the same ("blocked": refused by the address
# guard or a size limit, a kind of error)
PAGE_OUTCOME = {
    "stored": {"stored"},
    "duplicate_of": {"duplicate"},
    "off_topic": {"off_topic"},
    "not_article": {"not_article"},
    "error": {"error", "blocked"},
}


@pytest.mark.parametrize(
    "entry",
    [e for e in manifest.pages(*PAGE_OUTCOME) if e.get("match") != "prefix" and (e["site"], e["path"]) not in PAIRED],
    ids=lambda e: f"{e['outcome']}:{e['path']}",
)
def test_pages_table_records_how_the_page_ended(first, news_web, entry):
    url = manifest.url(news_web.bases, entry)
    rows = [p for p in first.corpus.pages if p["url"] == url]
    if entry["outcome"] == "duplicate_of" and entry.get("either_way"):
        other = manifest.url(news_web.bases, entry["duplicate_of"])
        outcomes = {p["outcome"] for p in first.corpus.pages if p["url"] in (url, other)}
        assert outcomes == {"stored", "duplicate"}
        return
    must_have_row = entry["outcome"] in ("stored", "duplicate_of", "off_topic") or entry.get("must_fetch")
    if must_have_row:
        assert rows, f"no pages row for {url} ({entry['why']})"
    allowed = PAGE_OUTCOME[entry["outcome"]].union(entry.get("also", []))
    for row in rows:
        assert row["outcome"] in allowed, f"{url}: {row['outcome']}"


# --- what the server saw ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [e for e in manifest.pages() if e.get("must_fetch") or e["outcome"] in ("stored", "off_topic")],
    ids=lambda e: e["path"],
)
def test_page_was_requested(first, entry):
    assert requested(first.requests, entry), f"never requested: {entry['site']} {entry['path']}"


@pytest.mark.parametrize("entry", manifest.pages("never_requested"), ids=lambda e: f"{e['site']}:{e['path']}")
def test_forbidden_pages_never_requested(first, second, entry):
    for result in (first, second):
        assert requested(result.requests, entry) == []


def test_private_host_got_no_request_at_all(first, second):
    assert [r for r in first.requests + second.requests if r["listener"] == "forbidden"] == []


def test_endless_calendar_is_cut_off(first):
    for entry in manifest.pages():
        if "max_requests" in entry:
            assert len(requested(first.requests, entry)) <= entry["max_requests"], entry["why"]


# --- the second run -----------------------------------------------------------------------------


def test_second_run_adds_nothing(first, second):
    assert sorted(r["url"] for r in second.corpus.articles) == sorted(r["url"] for r in first.corpus.articles)
    assert sorted(d["url"] for d in second.corpus.duplicates) == sorted(d["url"] for d in first.corpus.duplicates)
    assert {r["url"]: r["text"] for r in second.corpus.articles} == {r["url"]: r["text"] for r in first.corpus.articles}


def test_second_run_does_not_download_stored_articles_again(first, second, news_web):
    refetched = []
    for row in first.corpus.articles:
        site_path = manifest.site_of(news_web.bases, row["url"])
        if site_path is None:
            continue
        site, path = site_path
        bare = path.split("?", 1)[0]
        refetched += [
            f"{r['path']} (referer {r['referer'] or '-'})"
            for r in second.requests
            if r["listener"] == site and r["path"].split("?", 1)[0] == bare
        ]
    assert refetched == []
