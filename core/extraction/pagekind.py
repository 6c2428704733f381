"""Is this page an article? Decided from the page itself, not only from what was extracted.

Owns the signals and their order: error pages (title/h1), article markup (JSON-LD Article
types, og:type=article), listing markup (CollectionPage/ItemList/SearchResultsPage), URL shape
(/tag/, /category/, /search, /page/2, /chu-de/, home page...), how much of the extracted text
is link text of the page (teaser lists), and the length of the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from core.chrome import normalize_block
from core.extraction.metadata import ARTICLE_TYPES, LISTING_TYPES, Metadata, safe_urlsplit

LISTING_SEGMENTS = frozenset(
    """
    tag tags topic topics thema themen schlagwort schlagworte stichwort category categories
    kategorie kategorien rubrik ressort archive archiv archives author authors autor autoren
    search suche page seite label labels chu-de the-loai tim-kiem tu-khoa tac-gia chuyen-muc
    biaoqian tag-list
""".split()
)
# legal and service pages: never articles, whatever their length
SERVICE_SEGMENTS = frozenset(
    """
    impressum datenschutz datenschutzerklaerung privacy privacy-policy imprint kontakt contact
    about about-us ueber-uns uber-uns agb terms terms-of-use terms-of-service nutzungsbedingungen
    cookies cookie-policy legal disclaimer barrierefreiheit accessibility login register
    gioi-thieu lien-he dieu-khoan chinh-sach-bao-mat guanyu lianxi
""".split()
)
SEARCH_QUERY_RE = re.compile(r"(?:^|&)(?:s|q|query|search|keyword|keywords|suche|tag)=", re.I)
ERROR_RE = re.compile(
    r"^\s*(?:error\s*|fehler\s*)?(?:404|410)\b|\b(?:404|410)\s*[-–:|]?\s*(?:error|fehler|not found|"
    r"nicht gefunden|page)|\b(?:page not found|seite nicht gefunden|seite existiert nicht|"
    r"fehlerseite|không tìm thấy trang|页面不存在|找不到页面)\b",
    re.I,
)
ARTICLE_SLUG_RE = re.compile(r"(?:[\w%]+-){3,}[\w%]+|\d{5,}|(?:19|20)\d\d/\d\d")
MIN_CHARS_WITH_MARKUP = 80  # article markup present: this little text still counts
TEASER_SHARE_MAX = 0.5  # more of the text than this in teaser titles/snippets: a listing


def url_listing_reason(url: str | None) -> str | None:
    """Why the URL looks like a listing/tag/search/home page, or None."""
    parts = safe_urlsplit(url)
    if parts is None:
        return None
    path = parts.path.lower()
    segments = [s for s in path.split("/") if s]
    if not segments and not parts.query:
        return "home page url"
    if parts.query and SEARCH_QUERY_RE.search(parts.query):
        return "search url"
    last = segments[-1] if segments else ""
    if last.rsplit(".", 1)[0] in SERVICE_SEGMENTS:
        return f"service page url /{last}/"
    if ARTICLE_SLUG_RE.search(last) and not (len(segments) >= 2 and segments[-2] in ("page", "seite")):
        return None
    for segment in segments[-3:]:
        if segment in LISTING_SEGMENTS:
            return f"listing url /{segment}/"
    if re.fullmatch(r"(?:page|seite|trang)[-_]?\d+", last):
        return "listing url (page number)"
    return None


def teaser_share(text: str, teaser_texts: set[str]) -> float:
    """Share of the text's characters in lines that are link texts or teaser snippets of the page."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    total = sum(len(ln) for ln in lines)
    if not total or not teaser_texts:
        return 0.0
    linked = sum(len(ln) for ln in lines if normalize_block(ln) in teaser_texts)
    return linked / total


def classify_page(
    meta: Metadata,
    url: str | None,
    text: str | None,
    *,
    teaser_texts: Callable[[], set[str]] = frozenset,
    min_chars: int = 150,
) -> tuple[bool, str]:
    """(is_article, short reason).

    Home, search and service pages are never articles. JSON-LD Article markup outweighs a
    listing-like URL and the teaser-list test; og:type=article does not (many sites put it on
    every page).
    teaser_texts is called only when needed: it returns the page's link and teaser texts.
    """
    title = meta.title or ""
    if ERROR_RE.search(title[:120]):
        return False, "error page"
    schema_article = bool(meta.schema_types & ARTICLE_TYPES)
    marked_article = schema_article or meta.og_type == "article"
    if not text or not text.strip():
        return False, "no article text"
    url_reason = url_listing_reason(url)
    if url_reason and (not schema_article or not url_reason.startswith("listing url")):
        return False, url_reason
    if meta.schema_types & LISTING_TYPES and not schema_article:
        return False, "listing markup"
    share = 0.0 if schema_article else teaser_share(text, teaser_texts())
    if share > TEASER_SHARE_MAX:
        return False, f"teaser list ({share:.0%} of text in teasers)"
    if len(text) < MIN_CHARS_WITH_MARKUP:
        return False, "text too short"
    if len(text) < min_chars and not marked_article:
        return False, "text too short"
    if meta.schema_types & ARTICLE_TYPES:
        return True, "article markup (JSON-LD)"
    if meta.og_type == "article":
        return True, "article markup (og:type)"
    return True, "article text"
