"""The keep, drop or link decision for one article page, as a pure function of what is known.

``decide`` takes the page's URL, the URL it claims (its ``rel=canonical``), whether another page
holds that claimed URL already, and what the dedup index answered (``dedup.Match``: a copy, or a
translation in another language), and returns a ``Decision``. The Scrapy pipeline only gathers
those answers and applies the result; the rules live here, with unit tests that need no crawl:

- a copy (exact or near duplicate) of a kept article is dropped as its duplicate;
- a page claiming the canonical URL of a kept article with the same text is a copy of it;
- a page claiming a URL that another text holds keeps its own URL, and the page fetched at a URL
  that another text claimed takes it back: every text ends under its own URL, and a URL is only
  ever finished by the page that was fetched there;
- a translation is stored and linked to the article it translates, or dropped as its duplicate
  when the crawl's policy is ``remove``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from core.urls import canonical_or_none, same_site


@dataclass(frozen=True)
class Decision:
    """``store`` the page under ``url``, or record it as a ``duplicate`` of the article kept under
    ``url`` (``kind`` and ``similarity`` say why), or ``stored_elsewhere`` (this very page's text is kept
    under its URL already: by a page that claimed the URL, or by another process sharing the index). ``displaces``: a page with another text claimed this
    page's own URL first; that article moves to the URL it was fetched from. ``translation_of``
    names the kept article a stored page translates (or is translated by), to be linked."""

    action: str
    url: str
    kind: str | None = None
    similarity: float = 1.0
    translation_of: str | None = None
    translation_score: float = 0.0
    displaces: bool = False

    @property
    def indexes(self) -> bool:
        """Does the page go into the dedup index (under ``url``)?"""
        return self.action == "store"


def claimed_url(fetched_url: str, declared_canonical: str | None) -> str:
    """The URL a page claims to be stored under: its ``rel=canonical`` when that is an http(s) URL on
    the same site and not the site's front page (a page of its own, never an article's address),
    else the URL it was fetched from."""
    canonical = canonical_or_none(declared_canonical) if declared_canonical else None
    if canonical is None or not same_site(canonical, fetched_url):
        return fetched_url
    if urlsplit(canonical).path in ("", "/") and canonical != fetched_url:
        return fetched_url
    return canonical


def decide(
    fetched_url: str, claimed: str, claimed_taken: bool, match, translation, translations: str = "link"
) -> Decision:
    """What to do with one article page.

    ``claimed``: ``claimed_url`` of the page; ``claimed_taken``: another page's article is stored
    (or being stored) under that URL; ``match``: the kept article this one copies
    (``Deduplicator.find``) or None; ``translation``: the kept article it translates
    (``Deduplicator.find_translation``, asked only when ``match`` is None) or None;
    ``translations``: ``link`` or ``remove``.
    """
    if match is not None:
        if match.key == claimed == fetched_url:
            return Decision("stored_elsewhere", claimed)
        return Decision("duplicate", match.key, match.kind, match.similarity)
    url, displaces = claimed, False
    if claimed_taken:
        if claimed == fetched_url:  # a page that claimed this URL holds it: it gives the URL back
            displaces = True
        else:
            url = fetched_url  # another text holds the claimed URL: this one keeps its own
    if translation is not None:
        if translations == "remove":
            return Decision("duplicate", translation.key, "translation", translation.similarity)
        return Decision(
            "store", url, translation_of=translation.key, translation_score=translation.similarity, displaces=displaces
        )
    return Decision("store", url, displaces=displaces)


def new_is_original(new: dict, kept: dict, main_language: str) -> bool:
    """Of two articles that translate each other, is the new one the original? The one published
    first; else the one not in the crawl's main language; else the one stored first (the kept one)."""
    new_date, kept_date = (str(a.get("published") or "")[:10] for a in (new, kept))
    if new_date and kept_date and new_date != kept_date:
        return new_date < kept_date
    new_main, kept_main = (a.get("language") == main_language for a in (new, kept))
    if new_main != kept_main:
        return not new_main
    return False
