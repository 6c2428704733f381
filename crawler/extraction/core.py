"""extract_page: one fetched page in, its article prose and metadata out.

Owns the order of the steps (decode -> parse -> metadata -> block fingerprints -> prune ->
trafilatura -> fallback -> line clean-up -> language -> page kind) and ExtractOptions.
Module-level and pure: arguments and result are plain picklable values, so the crawler runs
it in worker processes. It never raises: a broken page comes back with text None and the
error in `reason`.
"""
from __future__ import annotations

from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml.html import HtmlElement

from crawler.boilerplate import normalize_block
from crawler.extraction.chunks import add_missing_chunks
from crawler.extraction.cleanup import clean_text
from crawler.extraction.decode import decode_body, parse_html
from crawler.extraction.language import detect_language
from crawler.extraction.metadata import Metadata, read_metadata, safe_urlsplit
from crawler.extraction.pagekind import classify_page
from crawler.extraction.prune import (block_fingerprints, leaf_blocks, page_fingerprints, prune_chrome,
                                      strip_scripts, teaser_texts, text_of)
from crawler.markup import bound_attributes

RESULT_KEYS = ("url", "canonical_url", "title", "text", "author", "published", "language",
               "site_name", "description", "source", "is_article", "reason", "block_fingerprints")


@dataclass(frozen=True)
class ExtractOptions:
    """Knobs of extract_page; the defaults are what the crawler stores."""
    keep_captions: bool = False       # photo captions and credits stay out of text by default
    favor_precision: bool = True      # trafilatura's precision mode (measured best on the dev set)
    structural_pruning: bool = True   # link-dense blocks and repeated teasers out before extraction
    use_fallback: bool = True         # second extractor when trafilatura finds nothing
    use_htmldate: bool = True         # htmldate as the last resort for the published date
    min_article_chars: int = 150      # shorter texts are articles only with article markup


DEFAULT_OPTIONS = ExtractOptions()


def empty_result(url: str | None) -> dict:
    result = dict.fromkeys(RESULT_KEYS)
    result.update(url=url, is_article=False, block_fingerprints=[])
    return result


def run_trafilatura(tree: HtmlElement, url: str | None, options: ExtractOptions) -> str:
    document = trafilatura.bare_extraction(
        tree, url=url, favor_precision=options.favor_precision, include_comments=False,
        include_tables=True, include_images=False, include_links=False, with_metadata=False)
    return (document.text or "") if document is not None else ""


def readability_text(html: str) -> str:
    """Main text by readability-lxml (paragraph per line); "" when it is not installed or fails."""
    try:
        from readability import Document
    except ImportError:
        return ""
    try:
        summary = Document(bound_attributes(html)).summary(html_partial=True)
    except Exception:
        return ""
    parsed = parse_html(f"<html><body>{summary}</body></html>")
    if parsed is None:
        return ""
    blocks = [text_of(e) for e in parsed.iter("p", "li", "h2", "h3", "h4", "blockquote", "pre", "td")]
    return "\n".join(b for b in blocks if b) or text_of(parsed)


def run_fallback(pruned: HtmlElement, html: str, url: str | None, options: ExtractOptions) -> str:
    """Text of the page when trafilatura finds nothing in the pruned tree.

    In order, the first that yields text: readability-lxml on the pruned page (measured on
    the dev set alone: F1 0.946, trafilatura's baseline() 0.854), then trafilatura and
    readability on the unpruned page (in case pruning took the article), then baseline().
    """
    text = readability_text(lxml.html.tostring(pruned, encoding="unicode"))
    if text.strip():
        return text
    raw = parse_html(html)
    if raw is None:
        return ""
    text = run_trafilatura(raw, url, options) or readability_text(html)
    if text.strip():
        return text
    try:
        return trafilatura.baseline(raw)[1] or ""
    except Exception:
        return ""


SCHEMA_BODY_MIN_CHARS = 400  # JSON-LD articleBody replaces extracted text only when it is long
SCHEMA_BODY_RATIO = 0.3       # and the extracted text is less than this share of it


def schema_body_text(body: str) -> str:
    """JSON-LD articleBody as lines of text (it may carry HTML markup)."""
    if "<" not in body:
        return body
    parsed = parse_html(f"<html><body>{body}</body></html>")
    if parsed is None:
        return body
    blocks = [text for _element, text in leaf_blocks(parsed)]
    return "\n".join(blocks) or text_of(parsed)


def page_link_texts(tree: HtmlElement) -> set[str]:
    """Normalised texts of the page's links long enough to be teaser titles (after pruning:
    links inside removed chrome no longer matter)."""
    texts = set()
    for anchor in tree.iter("a"):
        text = normalize_block(anchor.text_content())
        if len(text) >= 25:
            texts.add(text)
    return texts


def page_teaser_texts(tree: HtmlElement) -> set[str]:
    return page_link_texts(tree) | teaser_texts(tree)


def best_effort(step, default, *args):
    """A heuristic that fails on an odd page must not cost the page its text."""
    try:
        return step(*args)
    except Exception:
        return default


def extract_page(body: bytes | str, url: str | None = None, *, content_type: str | None = None,
                 site_chrome: frozenset[str] = frozenset(),
                 options: ExtractOptions | None = None) -> dict:
    """Article prose and metadata of one page; see DEVELOPERS-CONTRACT.md for the keys."""
    result = empty_result(url)
    try:
        _extract_into(result, body, url, content_type, frozenset(site_chrome or ()),
                      options or DEFAULT_OPTIONS)
    except Exception as error:  # a bad page must never stop the crawl
        result.update(text=None, is_article=False,
                      reason=f"error: {type(error).__name__}: {error}"[:200])
    return result


def _extract_into(result: dict, body, url, content_type, site_chrome, options) -> None:
    html = decode_body(body, content_type)
    tree = parse_html(html)
    if tree is None:
        result["reason"] = "empty or unparseable page"
        return
    meta: Metadata = read_metadata(tree, url, use_htmldate=options.use_htmldate)
    result.update(title=meta.title, author=meta.author, published=meta.published,
                  site_name=meta.site_name, canonical_url=meta.canonical_url,
                  description=meta.description, language=meta.language)
    page_url = url if safe_urlsplit(url) is not None else meta.canonical_url
    strip_scripts(tree)
    blocks = leaf_blocks(tree)
    fingerprints = block_fingerprints(blocks)
    result["block_fingerprints"] = page_fingerprints(fingerprints)
    # the blocks' fingerprints (None: not computed, or too short to mean anything) serve clean_text
    # for the lines that are a block's text as it is
    known = {text: fingerprint for (_element, text), fingerprint in zip(blocks, fingerprints)
             if fingerprint} if site_chrome else None

    prune_chrome(tree, site_chrome=site_chrome, keep_captions=options.keep_captions,
                 structural=options.structural_pruning, blocks=blocks, fingerprints=fingerprints)
    raw_text = run_trafilatura(tree, page_url, options)
    if not raw_text.strip() and options.use_fallback:
        raw_text = run_fallback(tree, html, page_url, options)
    else:
        raw_text = best_effort(add_missing_chunks, raw_text, tree, raw_text)
    if options.use_fallback and meta.schema_body and len(meta.schema_body) >= SCHEMA_BODY_MIN_CHARS \
            and len(raw_text) < SCHEMA_BODY_RATIO * len(meta.schema_body):
        raw_text = schema_body_text(meta.schema_body)  # pages rendered by scripts: the body is in JSON-LD
    cleaned = clean_text(raw_text, title=meta.title, author=meta.author, site_name=meta.site_name,
                         site_chrome=site_chrome, keep_captions=options.keep_captions,
                         known_fingerprints=known)
    result["source"] = cleaned.source or meta.source_link
    result["author"] = result["author"] or cleaned.byline
    result["language"] = detect_language(cleaned.text) or meta.language

    is_article, reason = classify_page(meta, page_url, cleaned.text,
                                       teaser_texts=lambda: best_effort(page_teaser_texts, set(), tree),
                                       min_chars=options.min_article_chars)
    result.update(is_article=is_article, reason=reason, text=cleaned.text if is_article else None)
