"""The topic filter: is a page's clean title and text about one of the topic terms?

Pure. It only ever sees extracted article text, never page chrome, so a sidebar teaser that names
the topic cannot make an off-topic page count.
"""

from __future__ import annotations

import html
import re
import unicodedata


def compile_terms(terms) -> re.Pattern | None:
    """One case-insensitive pattern for all terms; each term must start at a word boundary (except in
    CJK scripts) and may be followed by an inflection or suffix ("DeepSeeks", "DeepSeek-R1").
    None means no filter."""
    terms = [unicodedata.normalize("NFKC", term).strip() for term in terms if term.strip()]
    if not terms:
        return None
    return re.compile("|".join(map(_term_pattern, terms)), re.IGNORECASE)


def _term_pattern(term: str) -> str:
    words = r"\s+".join(map(re.escape, term.split()))
    if unicodedata.east_asian_width(term[0]) in ("W", "F"):
        return words  # CJK scripts do not separate words: no boundary to require
    return rf"(?<!\w){words}"


def on_topic(pattern: re.Pattern | None, title: str | None, text: str | None) -> bool:
    if pattern is None:
        return True
    return any(pattern.search(unicodedata.normalize("NFKC", part)) for part in (title, text) if part)


# -- the pre-filter: can a page's extraction name a term at all? -----------------------------------------
# What the extracted title and text can hold that the page's HTML does not spell out literally: entities
# (&#68;eepSeek, &amp;), escapes in script bodies (JSON-LD: \u0044eepSeek, markup as \u003cb\u003e), a
# word split by inline tags (Deep<b>Seek</b>), attribute values (og:title, alt), compatibility forms
# (fullwidth letters: NFKC), case, and the characters clean-up removes inside words (soft hyphens,
# zero-width spaces). The pre-filter compares skeletons that none of these change, of the page with its
# tags kept and with them removed (read two ways), before and after unescaping: compatibility-decomposed
# (NFKD) and case-folded, without ASCII characters other than letters and digits, and with any run of
# other non-ASCII characters allowed between two characters of a term (combining marks, soft hyphens).
TAG_RE = re.compile(r"<!--.*?-->|<[A-Za-z/!?](?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.S)  # quoted values may hold >
PLAIN_TAG_RE = re.compile(r"<[A-Za-z/!?][^>]*>")  # as a reader that ignores quotes ends a tag
ESCAPE_RE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(.))", re.S)
ESCAPED_SPACE = {"n": "\n", "t": "\t", "r": "\r", "b": " ", "f": " "}
ASCII_NOT_ALNUM = bytes(code for code in range(128) if not chr(code).isalnum())
NON_ASCII_RUN = rb"[\x80-\xff]*"
UNESCAPE_ROUNDS = 3  # entities and escapes within each other (JSON of HTML of JSON...)


def compile_prefilter(terms) -> re.Pattern | None:
    """The pre-filter of ``compile_terms(terms)``: a pattern of the terms' skeletons, to search page
    skeletons with (``may_be_on_topic``); None means no filter (every page passes)."""
    terms = [unicodedata.normalize("NFKC", term).strip() for term in terms if term.strip()]
    if not terms:
        return None
    # a term's letters and digits (without the combining marks NFKD splits off): a page's skeleton may
    # hold anything non-ASCII between them
    skeletons = sorted({"".join(filter(str.isalnum, _skeleton(term).decode())) for term in terms}, key=len)
    if not skeletons[0]:  # a term of punctuation alone: no skeleton tells it apart
        return re.compile(b"")
    return re.compile(b"|".join(NON_ASCII_RUN.join(re.escape(c.encode()) for c in term) for term in skeletons))


def may_be_on_topic(prefilter: re.Pattern | None, body: bytes | str, content_type: str | None = None) -> bool:
    """False only when no extraction of the page (``body``, decoded as extraction decodes it) can be on
    topic by ``on_topic``: an exact necessary condition, never a guess, so a page it rejects need not be
    extracted. A page whose HTML names a term in any form passes, in its chrome or scripts too."""
    if prefilter is None:
        return True
    from core.charset import decode_body

    page = decode_body(body, content_type)
    unescaped = _unescape(page)
    readings = (
        lambda: page,
        lambda: unescaped,
        lambda: _unescape(TAG_RE.sub("", page)),
        lambda: TAG_RE.sub("", unescaped),
        lambda: _unescape(PLAIN_TAG_RE.sub("", page)),
        lambda: PLAIN_TAG_RE.sub("", unescaped),
    )
    seen = set()
    for reading in readings:
        text = reading()
        if text not in seen:
            seen.add(text)
            if prefilter.search(_skeleton(text)):
                return True
    return False


def _skeleton(text: str) -> bytes:
    """UTF-8 of text compatibility-decomposed and case-folded (Unicode's compatibility caseless match;
    dotless i as i, as re.IGNORECASE reads it), without ASCII characters other than letters and digits."""
    if text.isascii():
        return text.encode("ascii").lower().translate(None, ASCII_NOT_ALNUM)
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold()).replace("ı", "i")
    return folded.encode("utf-8", "surrogatepass").translate(None, ASCII_NOT_ALNUM)


def _unescape(text: str) -> str:
    """Entities and backslash escapes (JSON, JavaScript) decoded, again while it changes anything."""
    for _ in range(UNESCAPE_ROUNDS):
        decoded = html.unescape(ESCAPE_RE.sub(_escaped, text) if "\\" in text else text)
        if decoded == text:
            break
        text = decoded
    return text


def _escaped(match: re.Match) -> str:
    code, byte, char = match.groups()
    if char is not None:
        return ESCAPED_SPACE.get(char, char)
    return chr(int(code or byte, 16))
