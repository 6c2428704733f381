"""URL canonicalisation: the form we request and store, and the key of a page's URL variants."""

import pytest
from hypothesis import given, strategies as st

from core.urls import canonical_url, is_http_url, same_site, site_of, url_key


@pytest.mark.parametrize(
    "url, expected",
    [
        ("HTTP://WWW.Example.COM:80/a/?utm_source=x&utm_medium=rss&b=2&a=1#top", "http://www.example.com/a/?a=1&b=2"),
        ("https://example.com:443/news?fbclid=abc&gclid=1&id=7", "https://example.com/news?id=7"),
        ("https://example.com/p;jsessionid=0AF3?PHPSESSID=9&x=1", "https://example.com/p?x=1"),
        ("https://example.com", "https://example.com/"),
        ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "data:text/html,hi",
        "javascript:alert(1)",
        "mailto:a@b.c",
        "",
        "http://",
        "http://..",
        "https://./a",
    ],
)
def test_canonical_url_refuses_non_http(url):
    assert not is_http_url(url)
    with pytest.raises(ValueError):
        canonical_url(url)


def test_url_key_folds_variants_of_one_page():
    variants = [
        "https://www.example.com/News/DeepSeek-R1/",
        "https://example.com/news/deepseek-r1",
        "https://EXAMPLE.com/news/deepseek-r1?utm_campaign=feed",
        "https://example.com/news/deepseek-r1#comments",
    ]
    assert len({url_key(url) for url in variants}) == 1
    assert url_key("https://example.com/a?page=2") != url_key("https://example.com/a?page=3")


def test_sites():
    assert site_of("https://www.heise.de/news/x") == "heise.de"
    assert same_site("https://www.heise.de/a", "https://heise.de/b")
    assert not same_site("https://heise.de/a", "https://golem.de/a")


http_urls = st.builds(
    lambda scheme, host, path, query: f"{scheme}://{host}/{path}?{query}",
    st.sampled_from(["http", "https", "HTTP"]),
    st.from_regex(r"[A-Za-z0-9-]{1,20}(\.[A-Za-z]{2,6}){1,2}", fullmatch=True),
    st.text(max_size=40),
    st.text(max_size=40),
)


@given(http_urls)
def test_canonicalisation_is_idempotent(url):
    try:
        once = canonical_url(url)
    except ValueError:
        return
    assert canonical_url(once) == once
    assert url_key(once) == url_key(url)


@given(st.text(max_size=200))
def test_canonicalisation_never_crashes(text):
    try:
        canonical_url(text)
    except ValueError:
        pass
