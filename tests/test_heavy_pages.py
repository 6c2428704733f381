"""Bounds on one page's work (issue 15): no page freezes the crawl.

- Markup: a start tag keeps at most MAX_ATTRIBUTES attributes before libxml2 parses it (it is
  quadratic in them: 60,000 attributes on one <div> froze the reactor thread in html_links and an
  extraction worker), read the way libxml2's tokenizer reads tags, and pages without such a tag are
  untouched; a parsed tree keeps at most MAX_ELEMENTS elements (trafilatura's XPath queries are
  quadratic in them: 100,000 short paragraphs kept a worker busy for minutes); html_links reads at
  most MAX_HTML_LINKS links.
- Time: a page gets EXTRACT_TIMEOUT seconds in a worker; past it the page is counted
  ``extract_timeout`` and finished, its worker pool killed and replaced, and the other pages that were
  in that pool go to the new one.
- Both crawled for real (tests/mockserver/heavy_web.py): the crawl finishes and stores the other pages.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from lxml import etree, html
from scrapy.utils.test import get_crawler

import crawler.settings
from core.worker import analyse_page
from crawler.context import CrawlContext
from core.discovery import MAX_HTML_LINKS, html_links
from core.extraction.decode import MAX_ELEMENTS, cut_after, parse_html
from crawler.items import PageItem
from core.markup import MAX_ATTRIBUTES, bound_attributes
from crawler.pipelines import ExtractPipeline
from dedup import DedupConfig, Fingerprint, fingerprint_text
from tests.mockserver import manifest
from tests.mockserver.crawl import FAST_SETTINGS, crawl_start_urls
from tests.mockserver.heavy_web import (
    ARTICLES,
    PARAGRAPHS,
    HeavyWeb,
    page_of_short_paragraphs,
    page_with_many_attributes,
    slow_page,
)
from tests.mockserver.hostile_web import article_html
from tests.mockserver.process import REPO_ROOT
from tests.test_hostile_crawl import Crawl, no_spider_exception, read_crawl

CRAWL_TIMEOUT_SECONDS = 180


def most_attributes(markup: str | bytes) -> int:
    tree = etree.fromstring(markup, etree.HTMLParser())
    return max(len(element.attrib) for element in tree.iter() if isinstance(element.tag, str))


# == markup: attributes ==================================================================================


def fixture_pages() -> list[Path]:
    return sorted(Path(manifest.WEB_ROOT).rglob("*.html")) + sorted(
        (REPO_ROOT / "tests" / "fixtures" / "extraction").rglob("*.html")
    )


def test_pages_without_an_oversized_tag_come_back_as_they_are():
    pages = fixture_pages()
    assert len(pages) > 20
    for path in pages:
        body = path.read_bytes()
        assert bound_attributes(body) is body, path
        text = body.decode("utf-8", "replace")
        assert bound_attributes(text) is text, path


@pytest.mark.parametrize(
    "markup",
    [
        # scripts, styles, titles, textareas and comments hold text, not tags, however tag-like
        "<script>if (a <b " + " x" * 300 + ") {}</script><p>Text</p>",
        "<style>p:before{content:'<p " + "a " * 300 + "'}</style>",
        "<title>1 <a " + "b " * 300 + "</title>",
        "<textarea><div " + "c " * 300 + "</textarea>",
        "<!-- <div " + "d " * 300 + " -->",
        "<SCRIPT type=text/javascript>var s = '<a " + "e " * 300 + "';</SCRIPT >",
        # at most MAX_ATTRIBUTES attributes, however written
        "<div " + " ".join(f'a{n}="{n}>"' for n in range(MAX_ATTRIBUTES)) + ">x</div>",
        "<div" + "".join(f" a{n}" for n in range(MAX_ATTRIBUTES)) + "/>",
        # cut off by the end of the page
        "<p>Text</p><div a=1 b=2",
        '<p>Text</p><div a="1 b=2 c=3',
        "<p>Text</p><!-- kein Ende <div a b",
        "<p>Text</p><script>var x = 1 <y" + " z" * 300,
    ],
)
def test_tags_within_the_bound_and_text_that_only_looks_like_tags_are_left_alone(markup):
    assert bound_attributes(markup) is markup


@pytest.mark.parametrize(
    "separator, value",
    [
        (" ", '="1"'),
        ("\n", "='1'"),
        (" ", "=1"),
        ("\t", ""),
        ("/", ""),
        ("", '="x>y"'),
        (" ", ' = "a b"'),
    ],
)
def test_a_tag_keeps_its_first_attributes_and_the_page_goes_on(separator, value):
    attributes = separator.join(f"a{n}{value}" for n in range(2000))
    page = f'<html><body><div {attributes}><p>Erster Absatz</p></div><a href="/weiter">Weiter</a></body></html>'
    bounded = bound_attributes(page)
    tree = html.fromstring(bounded)
    div = tree.find(".//div")
    assert list(div.attrib)[:3] == ["a0", "a1", "a2"] and len(div.attrib) == MAX_ATTRIBUTES
    assert div.findtext("p") == "Erster Absatz"
    assert tree.xpath("//a/@href") == ["/weiter"]
    assert bound_attributes(bounded) is bounded


def test_the_60000_attribute_page_is_bounded_as_bytes_and_as_text():
    page = page_with_many_attributes()
    bounded = bound_attributes(page)
    assert isinstance(bounded, bytes) and len(bounded) < len(page) // 100
    assert most_attributes(bounded) == MAX_ATTRIBUTES
    assert bound_attributes(page.decode("utf-8")) == bounded.decode("utf-8")


def test_utf16_bytes_are_bounded_too():
    page = "<html><body><div " + " ".join(f"a{n}" for n in range(1000)) + ">Ä</div></body></html>"
    bounded = bound_attributes(page.encode("utf-16"))
    assert isinstance(bounded, str) and most_attributes(bounded) == MAX_ATTRIBUTES and "Ä" in bounded


def test_attribute_names_holding_angle_brackets_are_read_in_one_pass():
    """Every "<a" inside this tag could start a tag of its own: each is read once, and the tag bounded."""
    tag = "<a " + " ".join("<a" + "b" * 50 for _ in range(3 * MAX_ATTRIBUTES)) + ">"
    assert most_attributes(bound_attributes(tag * 20)) <= MAX_ATTRIBUTES


# == markup: tree size and links ===========================================================================


def test_a_tree_within_the_bound_is_left_whole():
    page = "<html><body>" + "".join(f"<p>Absatz {n}</p>" for n in range(500)) + "</body></html>"
    tree = parse_html(page)
    before = html.tostring(tree)
    assert cut_after(tree, MAX_ELEMENTS) is tree and html.tostring(tree) == before


def test_a_tree_is_cut_after_its_first_elements_in_document_order():
    tree = parse_html(
        "<html><head><title>T</title></head><body><div><p>a</p>x<p>b</p>y<p>c</p></div>z<p>d</p>w</body></html>"
    )
    assert (
        html.tostring(cut_after(tree, 7))
        == b"<html><head><title>T</title></head><body><div><p>a</p>x<p>b</p>y</div></body></html>"
    )


def test_the_page_of_100000_paragraphs_is_cut_to_the_bound():
    tree = parse_html(page_of_short_paragraphs().decode("utf-8"))
    assert sum(1 for _ in tree.iter()) == MAX_ELEMENTS
    assert tree.xpath("//p")[0].text == "Satz 0 kurz."


def test_links_behind_60000_attributes_are_read():
    pages, _ = html_links(page_with_many_attributes(), "http://127.0.0.1/schwer/attribute.html")
    assert "http://127.0.0.1/schwer/artikel/hinter-attributen.html" in pages


def test_html_links_reads_at_most_max_html_links():
    page = (
        "<html><body>"
        + "".join(f'<a href="/seite-{n}.html">{n}</a>' for n in range(MAX_HTML_LINKS + 50))
        + "</body></html>"
    )
    pages, _ = html_links(page, "http://127.0.0.1/")
    assert len(pages) == MAX_HTML_LINKS and pages[-1] == f"http://127.0.0.1/seite-{MAX_HTML_LINKS - 1}.html"


# == the dedup fingerprint of the pathological pages =======================================================


@pytest.mark.parametrize("page", [page_with_many_attributes, page_of_short_paragraphs], ids=["attribute", "absaetze"])
def test_pathological_pages_are_fingerprinted_and_their_fingerprints_stored(page):
    result, fingerprint, _seconds = analyse_page(
        page(), "http://127.0.0.1/schwer/seite.html", "text/html", {}, frozenset(), DedupConfig()
    )
    assert result["text"] and fingerprint is not None
    assert Fingerprint.from_bytes(fingerprint.to_bytes()).content_hash == fingerprint.content_hash


def test_a_text_of_100000_numbered_paragraphs_has_a_fingerprint_that_can_be_stored():
    text = "\n\n".join(f"Satz {n} kurz." for n in range(PARAGRAPHS))
    fingerprint = fingerprint_text(text, "de", DedupConfig())
    assert Fingerprint.from_bytes(fingerprint.to_bytes()).content_hash == fingerprint.content_hash


# == the time limit, in the pipeline ========================================================================


def pipeline_settings(tmp_path: Path, **overrides) -> dict:
    settings = {name: getattr(crawler.settings, name) for name in dir(crawler.settings) if name.isupper()}
    settings.update(CORPUS_DB=str(tmp_path / "corpus.db"), LOG_LEVEL="INFO", **overrides)
    return settings


def page_item(url: str, body: bytes) -> PageItem:
    return PageItem(url=url, body=body, content_type="text/html; charset=utf-8", fetched_at="2025-02-14T10:00:00Z")


def test_a_page_over_the_time_limit_ends_and_the_pages_sharing_its_pool_go_on(tmp_path):
    """Two slow pages, the second handed over while the first runs: the first's time limit kills the
    pool under the second, which goes to the new pool, where its own limit ends it; then an ordinary
    page is extracted by the new pool."""
    crawler_ = get_crawler(settings_dict=pipeline_settings(tmp_path, EXTRACT_WORKERS=2, EXTRACT_TIMEOUT=1))
    pipeline = ExtractPipeline.from_crawler(crawler_)
    pipeline.open_spider()

    async def crawl():
        first = asyncio.ensure_future(pipeline.process_item(page_item("http://127.0.0.1/langsam/1", slow_page(1))))
        while pipeline.pool_ready is None or not pipeline.pool_ready.done():
            await asyncio.sleep(0.05)  # the workers start
        await asyncio.sleep(0.2)  # the first page runs
        second = await pipeline.process_item(page_item("http://127.0.0.1/langsam/2", slow_page(2)))
        ordinary = await pipeline.process_item(
            page_item(
                "http://127.0.0.1/langsam/artikel/hafen.html", article_html(*ARTICLES["/langsam/artikel/hafen.html"])
            )
        )
        return await first, second, ordinary

    try:
        first, second, ordinary = asyncio.run(crawl())
    finally:
        pipeline.close_spider()
        CrawlContext.of(crawler_).corpus.writer.close()
    stats = crawler_.stats.get_stats()
    assert first.outcome == second.outcome == "error"
    assert stats.get("deepseek/errors/extract_timeout") == 2, stats
    assert stats.get("deepseek/extraction_retried", 0) >= 1, stats
    assert ordinary.outcome is None and ordinary.page["text"], ordinary.page


def test_a_worker_killed_from_outside_costs_its_page_one_more_try(tmp_path):
    """Workers killed under a page (as the OOM killer would): the first time the page goes to a new
    pool, the second time it is given up and counted extraction_worker."""
    crawler_ = get_crawler(settings_dict=pipeline_settings(tmp_path, EXTRACT_WORKERS=1, EXTRACT_TIMEOUT=120))
    pipeline = ExtractPipeline.from_crawler(crawler_)
    pipeline.open_spider()

    async def kill_workers_under(page: PageItem, times: int) -> PageItem:
        extraction = asyncio.ensure_future(pipeline.process_item(page))
        for _ in range(times):
            pool = pipeline.pool
            while pipeline.pool_ready is None or not pipeline.pool_ready.done() or pool is not pipeline.pool:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # the page runs (for seconds)
            for pid in pipeline.pool_ready.result():
                os.kill(pid, signal.SIGKILL)
            while pipeline.pool is pool:
                await asyncio.sleep(0.05)
        return await extraction

    async def crawl():
        once = await kill_workers_under(page_item("http://127.0.0.1/langsam/1", slow_page(1)), 1)
        twice = await kill_workers_under(page_item("http://127.0.0.1/langsam/2", slow_page(2)), 2)
        return once, twice

    try:
        once, twice = asyncio.run(crawl())
    finally:
        pipeline.close_spider()
        CrawlContext.of(crawler_).corpus.writer.close()
    stats = crawler_.stats.get_stats()
    assert once.outcome is None and once.page["text"], once.page
    assert twice.outcome == "error" and stats.get("deepseek/errors/extraction_worker") == 1, stats
    assert stats.get("deepseek/extraction_retried") == 2, stats


# == crawled for real ========================================================================================


def crawl_heavy_web(db_path: Path, start_path: str, settings: tuple[str, ...]) -> tuple[Crawl, HeavyWeb]:
    with HeavyWeb() as web:
        run = crawl_start_urls(
            [web.url(start_path)], db_path, timeout=CRAWL_TIMEOUT_SECONDS, settings=FAST_SETTINGS + settings
        )
        crawl = read_crawl(db_path, run.returncode, run.output)
        crawl.requests = web.requests()
        return crawl, web


@pytest.fixture(scope="module")
def heavy_crawl(tmp_path_factory) -> tuple[Crawl, HeavyWeb]:
    """The 60,000-attribute page and the 2 MB page, with the default time limit; DOWNLOAD_TIMEOUT=5,
    so that a reactor frozen for seconds would show as download timeouts."""
    return crawl_heavy_web(
        tmp_path_factory.mktemp("heavy") / "corpus.db", "/schwer/", ("EXTRACT_WORKERS=2", "DOWNLOAD_TIMEOUT=5")
    )


@pytest.fixture(scope="module")
def slow_crawl(tmp_path_factory) -> tuple[Crawl, HeavyWeb]:
    """Two pages taking seconds to extract, under EXTRACT_TIMEOUT=1."""
    return crawl_heavy_web(
        tmp_path_factory.mktemp("slow") / "corpus.db", "/langsam/", ("EXTRACT_WORKERS=2", "EXTRACT_TIMEOUT=1")
    )


def test_heavy_pages_are_crawled_and_stored_with_the_others(heavy_crawl):
    crawl, web = heavy_crawl
    assert crawl.returncode == 0 and crawl.stats.get("finish_reason") == "finished", crawl.describe()
    no_spider_exception(crawl)
    stored = {row["url"] for row in crawl.articles}
    assert stored == {
        web.url(path)
        for path in (
            "/schwer/attribute.html",
            "/schwer/absaetze.html",
            "/schwer/artikel/chips.html",
            "/schwer/artikel/hinter-attributen.html",
        )
    }, crawl.describe()
    assert crawl.frontier == []


def test_the_link_behind_60000_attributes_is_followed(heavy_crawl):
    crawl, _web = heavy_crawl
    assert [r["path"] for r in crawl.requests if r["path"] == "/schwer/artikel/hinter-attributen.html"]


def test_heavy_pages_freeze_nothing(heavy_crawl):
    crawl, _web = heavy_crawl
    assert not crawl.stats_under("deepseek/errors/"), crawl.describe()
    assert not crawl.stats_under("downloader/exception_type_count/"), crawl.describe()


def test_the_2mb_page_is_stored_with_its_first_paragraphs(heavy_crawl):
    crawl, web = heavy_crawl
    row = next(row for row in crawl.articles if row["url"] == web.url("/schwer/absaetze.html"))
    assert row["text"].startswith("Satz 0 kurz.") and row["content_hash"]
    assert "Satz 20000 kurz." not in row["text"]  # the tree was cut at MAX_ELEMENTS


def test_pages_over_the_time_limit_are_counted_and_finished(slow_crawl):
    crawl, web = slow_crawl
    assert crawl.returncode == 0 and crawl.stats.get("finish_reason") == "finished", crawl.describe()
    no_spider_exception(crawl)
    assert crawl.stat("deepseek/errors/extract_timeout") == 2, crawl.describe()
    for path in ("/langsam/seite-1.html", "/langsam/seite-2.html"):
        assert crawl.pages.get(web.url(path)) == "error"
        assert "extraction of " + web.url(path) + " took more than EXTRACT_TIMEOUT=1.0s" in crawl.output
    assert crawl.frontier == []


def test_the_crawl_goes_on_past_pages_over_the_time_limit(slow_crawl):
    crawl, web = slow_crawl
    assert {row["url"] for row in crawl.articles} == {
        web.url("/langsam/artikel/hafen.html"),
        web.url("/langsam/artikel/chor.html"),
    }, crawl.describe()
