"""URL canonicalisation: the one form we request and store, and the key that says two URLs are one page.

Pure functions. ``canonical_url`` is what the crawler requests and stores: lower-case scheme and host,
no default port, no fragment, no tracking or session parameters, sorted query. ``url_key`` folds the
variations a site serves the same page under (``www.``, a trailing slash, letter case) for
"have we seen this page" checks; it is never requested.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

HTTP_SCHEMES = ("http", "https")
TRACKING_PARAMETERS = re.compile(
    r"^(utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|_gl|"
    r"ref|ref_src|referrer|source|cmpid|icid|ncid|ocid|xtor|wt_mc|wt\.mc_id|at_medium|at_campaign|"
    r"sessionid|session_id|sid|phpsessid|jsessionid|aspsessionid\w*|cfid|cftoken|s_cid|share|amp)$",
    re.IGNORECASE,
)
PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in HTTP_SCHEMES and bool((parts.hostname or "").strip("."))  # not "http://../"


URL_CACHE_SIZE = 1024  # a page's URL is canonicalised ~8 times between its request and its corpus row, seconds apart


@lru_cache(maxsize=URL_CACHE_SIZE)
def canonical_url(url: str) -> str:
    """The form of ``url`` we request and store. Raises ValueError for a URL that is not http(s)."""
    url = url.strip()
    if not is_http_url(url):
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMETERS.match(k)]
    host = parts.hostname.rstrip(".")
    port = parts.port
    if port and (parts.scheme.lower(), port) not in (("http", 80), ("https", 443)):
        host = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    elif ":" in host:
        host = f"[{host}]"
    path = PATH_SESSION.sub("", parts.path) or "/"
    rebuilt = urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def canonical_or_none(url: str) -> str | None:
    """``canonical_url(url)``, or None for a URL that is not http(s)."""
    try:
        return canonical_url(url)
    except ValueError:
        return None


@lru_cache(maxsize=URL_CACHE_SIZE)
def url_key(url: str) -> str:
    """A key equal for the URL variants one page is served under: www., trailing slash, case."""
    parts = urlsplit(canonical_url(url))
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/").lower() or "/"
    return urlunsplit(("http", host, path, parts.query, ""))


def site_of(url: str) -> str:
    """The site a URL belongs to: its host without ``www.`` (and its port, when not the default)."""
    return urlsplit(url).netloc.lower().removeprefix("www.")


def same_site(url: str, other: str) -> bool:
    return site_of(url) == site_of(other)
