"""A page's headline: the candidates in order of trust, decoded, without the site's name.

Owns: which title source wins (JSON-LD headline, then the title meta tags, then <title>, then <h1>),
decoding character references a publisher escaped twice, and cutting a site name or section trail
off either end ("... | Reuters", "STERN.de - ...") without touching the dashes inside the headline.
Pure functions over strings; metadata.py gathers the candidates from the page.
"""

from __future__ import annotations

import html
import re

# meta keys that carry the headline, most trusted first (Open Graph is what publishers curate for
# sharing; Dublin Core and Parse.ly are explicit too; a bare <meta name="title"> is often the SEO one)
TITLE_META_KEYS = (
    "og:title",
    "dc.title",
    "dc:title",
    "dcterms.title",
    "twitter:title",
    "parsely-title",
    "sailthru.title",
    "title",
)
# a separator between a headline and a site name or section: "|", "-", "–", "—", "·", "»", "/",
# "::", "//", "~", "•" between spaces; a full-width bar; "_" after a space or between CJK characters
SEPARATOR_RE = re.compile(
    r"\s+(?:[|·•»~/\\–—-]|::|//)\s+|\s*｜\s*|\s+_(?=\S)"
    r"|(?<=[^\x00-\x7f])_(?=[^\x00-\x7f])"
)
SITE_PART_MAX_WORDS = 5  # a part this long or longer is a headline, never a site name
TRAIL_MAX_WORDS = 3  # an unnamed last part of a <title> is dropped when it has at most this many words...
HEADLINE_MIN_WORDS = 4  # ...and the rest at least this many


def decode_entities(title: str | None) -> str | None:
    """A title with the character references a publisher escaped twice ("&quot;", "&#039;",
    "&ouml;" left in the text after parsing) decoded."""
    if not title or "&" not in title:
        return title
    return " ".join(html.unescape(title).split()) or None


def squeezed(value: str) -> str:
    """value case-folded with only letters, digits and dots: "Herald Sun" and "HeraldSun" meet."""
    value = value.casefold().removeprefix("www.")
    return "".join(ch for ch in value if ch.isalnum() or ch == ".").strip(".")


GENERIC_LABELS = frozenset(
    {
        "www",
        "com",
        "net",
        "org",
        "gov",
        "edu",
        "co",
        "ac",
        "info",
        "biz",
        "online",
        "news",
        "blog",
        "blogs",
        "m",
        "amp",
        "mobile",
    }
)


def site_keys(*names: str | None) -> set[str]:
    """The squeezed forms of a site's names (og:site_name, publisher, host) and of their parts
    ("Aktuálně.cz - Víte, co se právě děje"), and the labels of a host name but the generic ones
    ("www.stern.de" -> "stern.de", "stern"; "www.bbc.co.uk" -> "bbc"); keys shorter than 3
    characters would match too much."""
    names = [name for name in names if name]
    keys = {squeezed(part) for name in names for part in [name, *split_title(name)[0]]}
    for key in list(keys):
        if "." in key:
            labels = key.split(".")
            keys |= {label for label in labels[:-1] if label not in GENERIC_LABELS}
            keys.add(key.replace(".", ""))
    return {key for key in keys if len(key) >= 3}


def is_site_name(part: str, keys: set[str]) -> bool:
    """part names the site: short, and its squeezed form holds a site key or lies inside one."""
    if not keys or len(part.split()) > SITE_PART_MAX_WORDS:
        return False
    form = squeezed(part)
    return bool(form) and any(key in form or (len(form) >= 3 and form in key) for key in keys)


def split_title(title: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The parts of title between separators and each part's span in title."""
    spans, start = [], 0
    for match in SEPARATOR_RE.finditer(title):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(title)))
    spans = [(a, b) for a, b in spans if title[a:b].strip()]
    return [title[a:b] for a, b in spans], spans


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def strip_site_name(
    title: str | None, keys: set[str], *, headings: tuple[str, ...] = (), from_title_tag: bool = False
) -> str | None:
    """title without the parts that name the site at either end; the text between the first and the
    last part kept is returned as written (its dashes and separators untouched).

    For the <title> element (from_title_tag) more rules: when a heading of the page (an <h1>) is
    the leading parts of what is left, the title is cut there ("„Europa muss jetzt aufholen“ -
    Interview - Kurier"); else, when no part named the site, a heading the title holds is taken
    (_heading_inside), or a short last part after a long headline is taken for the site's name
    ("Lorem ipsum dolor sit amet – My website")."""
    if not title:
        return title
    parts, spans = split_title(title)
    if len(parts) == 1:
        return (_heading_inside(title, headings, parts[-1]) if from_title_tag else None) or title
    first, last = 0, len(parts) - 1
    while last > first and is_site_name(parts[last], keys):
        last -= 1
    while first < last and is_site_name(parts[first], keys):
        first += 1
    wanted = {_norm(h) for h in headings if h} if from_title_tag else set()
    cut = None
    if wanted:  # the last part of what is left after which a heading of the page ends, if any
        leading = (end for end in range(last, first, -1) if _norm(title[spans[first][0] : spans[end - 1][1]]) in wanted)
        cut = next(leading, None)
    if cut is not None:  # a heading of the page is the title's leading parts: what follows is a trail
        last = cut - 1
    elif (first, last) == (0, len(parts) - 1) and from_title_tag:
        inner = _heading_inside(title, headings, parts[-1])
        if inner:
            return inner
        rest_words = len(title[spans[0][0] : spans[-2][1]].split())
        if (
            len(parts[-1].split()) <= TRAIL_MAX_WORDS
            and rest_words >= HEADLINE_MIN_WORDS
            and rest_words > len(parts[-1].split())
        ):
            last -= 1
    return title[spans[first][0] : spans[last][1]].strip() or title


HEADING_MIN_SHARE = 0.4  # a heading inside the <title> is the headline when it is this much of it


def _heading_inside(title: str, headings: tuple[str, ...], last_part: str) -> str | None:
    """The longest heading of two words or more that the title holds (after "Seth's Blog: ", before
    " | Tennessee"), when it is at least HEADING_MIN_SHARE of the title and neither the title's start
    (a blog's name in its <h1>: "Life as a Healthcare CIO: In Shanghai this Week") nor its last
    part after a separator (an <h1> with the site's name: "... — evolve extension for Mercurial")."""
    tag = _norm(title)
    inside = [
        h
        for h in headings
        if h
        and len(h.split()) >= 2
        and _norm(h) in tag
        and len(_norm(h)) >= HEADING_MIN_SHARE * len(tag)
        and not tag.startswith(_norm(h))
        and _norm(h) != _norm(last_part)
    ]
    return max(inside, key=len) if inside else None


def choose_headline(headline: str | None, name: str | None, title_tag: str | None) -> str | None:
    """A JSON-LD article's headline, or its name when the two differ and only the name is in the
    <title> (Wikipedia's headline is a description: "Wikimedia list article")."""
    if headline and name and _norm(headline) != _norm(name) and title_tag:
        tag = _norm(title_tag)
        if _norm(name) in tag and _norm(headline) not in tag:
            return name
    return headline or None


def page_title(
    jsonld_headline: str | None, meta: dict[str, str], title_tag: str | None, h1s: list[str], keys: set[str]
) -> str | None:
    """The headline: JSON-LD's, then the title meta tags (TITLE_META_KEYS), then <title>, then the
    first <h1>; entities decoded and the site's name cut off (strip_site_name). A candidate that
    is only the site's name ("Aktuálně.cz" as a JSON-LD headline) is passed over."""
    for candidate in (jsonld_headline, *(meta.get(key) for key in TITLE_META_KEYS)):
        candidate = decode_entities(candidate)
        if candidate and squeezed(candidate) not in keys:
            return strip_site_name(candidate, keys)
    title_tag = decode_entities(title_tag)
    if title_tag:
        return strip_site_name(title_tag, keys, headings=tuple(h1s), from_title_tag=True)
    return decode_entities(h1s[0]) if h1s else None
