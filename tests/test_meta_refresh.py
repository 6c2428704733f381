"""Meta-refresh redirects are followed as Scrapy follows them, without decoding pages that have none."""

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import QuickMetaRefreshMiddleware

URL = "https://nachrichten.example/artikel/1.html"


def respond(body: bytes, encoding: str = "utf-8"):
    middleware = QuickMetaRefreshMiddleware.from_crawler(get_crawler())
    request = Request(URL)
    response = HtmlResponse(URL, body=body, encoding=encoding, request=request)
    return middleware.process_response(request, response), response


def page(head: str) -> str:
    return f"<html><head>{head}<title>Ein Artikel über DeepSeek</title></head><body><p>Text.</p></body></html>"


def test_a_refresh_is_followed_like_scrapy_follows_it():
    result, _ = respond(page('<meta http-equiv="Refresh" content="0; url=/artikel/2.html">').encode())
    assert isinstance(result, Request) and result.url == "https://nachrichten.example/artikel/2.html"


def test_a_utf16_page_is_still_read_as_scrapy_reads_it():
    body = page('<meta http-equiv="refresh" content="0; url=/artikel/3.html">').encode("utf-16")
    result, _ = respond(body, "utf-16")
    request = Request(URL)
    scrapys = MetaRefreshMiddleware.from_crawler(get_crawler()).process_response(
        request, HtmlResponse(URL, body=body, encoding="utf-16", request=request)
    )
    assert isinstance(result, Request) and result.url == scrapys.url
    assert urlsplit(result.url).path == "/artikel/3.html"


def test_a_page_without_refresh_is_passed_on_undecoded():
    body = page('<meta charset="utf-8">').encode() + "<p>Größere Modelle.</p>".encode() * 2000
    result, response = respond(body)
    assert result is response
    assert getattr(response, "_cached_ubody", None) is None  # Scrapy's decoded copy was never made
