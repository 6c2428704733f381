"""The topic filter: is a page's clean title and text about one of the topic terms?

Pure. It only ever sees extracted article text, never page chrome, so a sidebar teaser that names
the topic cannot make an off-topic page count.
"""

from __future__ import annotations

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
